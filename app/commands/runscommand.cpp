#include "command.h"
#include "lineagecli.h"

#include "lineage/provenance.h"
#include "vcs/gitinfo.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace trainyard::app {

using namespace trainyard::core;

namespace {

void addRunsOptions(QCommandLineParser &p)
{
    addProjectOption(p);
    p.addOption(QCommandLineOption(QStringLiteral("json"), QStringLiteral("Print a JSON array of runs.")));
    p.addOption(QCommandLineOption(QStringLiteral("branch"), QStringLiteral("Only runs on this branch."),
                                   QStringLiteral("NAME")));
    p.addOption(QCommandLineOption(QStringLiteral("status"),
                                   QStringLiteral("Only runs that ended so (success, failed, …)."),
                                   QStringLiteral("STATUS")));
    p.addOption(QCommandLineOption(QStringLiteral("commit"), QStringLiteral("Only runs of this commit (or prefix)."),
                                   QStringLiteral("SHA")));
    p.addOption(QCommandLineOption(QStringLiteral("image"),
                                   QStringLiteral("Only runs that used this image (reference, ID or digest)."),
                                   QStringLiteral("IMAGE")));
    p.addOption(QCommandLineOption(QStringLiteral("data"),
                                   QStringLiteral("Only runs that used this data version (hash or DVC md5)."),
                                   QStringLiteral("HASH")));
    p.addOption(QCommandLineOption(QStringLiteral("tag"), QStringLiteral("Only runs tagged so (`trainyard annotate`)."),
                                   QStringLiteral("TAG")));
    p.addOption(QCommandLineOption(QStringLiteral("limit"), QStringLiteral("At most N runs."), QStringLiteral("N")));
    p.addOption(QCommandLineOption(
        QStringLiteral("team"),
        QStringLiteral("The project's runs from every machine, in the team's store ($TRAINYARD_LINEAGE_URL): the "
                       "project is known by its git remote (origin's namespace/name).")));
}

/// Checks the arguments and reads the filter the options ask for; nullopt (after saying why on
/// err) when they are not valid.
std::optional<LineageRunFilter> runFilter(const QCommandLineParser &p, QTextStream &err)
{
    if (!p.positionalArguments().isEmpty()) {
        err << "trainyard runs: takes no arguments\n";
        return std::nullopt;
    }
    LineageRunFilter filter;
    filter.branch = p.value(QStringLiteral("branch"));
    filter.status = p.value(QStringLiteral("status"));
    filter.commit = p.value(QStringLiteral("commit"));
    filter.image = p.value(QStringLiteral("image"));
    filter.dataHash = p.value(QStringLiteral("data"));
    filter.tag = p.value(QStringLiteral("tag"));
    if (p.isSet(QStringLiteral("limit"))) {
        bool ok = false;
        filter.limit = p.value(QStringLiteral("limit")).toInt(&ok);
        if (!ok || filter.limit < 1) {
            err << "trainyard runs: --limit needs a positive number\n";
            return std::nullopt;
        }
    }
    return filter;
}

/// Prints the runs as one indented JSON array.
void printJson(QTextStream &out, const std::vector<LineageRun> &runs)
{
    QJsonArray array;
    for (const LineageRun &r : runs) {
        // What people said about the run (not part of its lineage, so not in toJson()).
        QJsonObject o = toJson(r);
        o.insert(QStringLiteral("name"), r.annotation.name);
        o.insert(QStringLiteral("notes"), r.annotation.notes);
        o.insert(QStringLiteral("tags"), QJsonArray::fromStringList(r.annotation.tags));
        if (!r.pushedBy.isEmpty()) // on a team store: the login that pushed it, as the server knows it
            o.insert(QStringLiteral("pushed_by"), r.pushedBy);
        array.append(o);
    }
    out << QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Indented));
}

/// Prints the runs for people: a table with a header line (the branch and trigger columns as
/// wide as their longest value), then the number of runs.
void printTable(QTextStream &out, const std::vector<LineageRun> &runs, bool withHost)
{
    int branchWidth = 6;
    int triggerWidth = 7;
    int userWidth = 4;
    for (const LineageRun &r : runs) {
        branchWidth = std::max(branchWidth, int(r.branch.size()));
        triggerWidth = std::max(triggerWidth, int(r.trigger.size()));
        userWidth = std::max(userWidth, int(r.user.size()));
    }
    // A team's runs come from several machines: who ran each, and where.
    const auto userAndHost = [&](const QString &user, const QString &host) {
        return withHost ? QStringLiteral("%1  %2").arg(user, -userWidth).arg(host) : user;
    };
    out << QStringLiteral("%1  %2  %3  %4  %5  %6  %7  %8  %9\n")
               .arg(QStringLiteral("RUN"), -20)
               .arg(QStringLiteral("#"), 4)
               .arg(QStringLiteral("STATUS"), -11)
               .arg(QStringLiteral("BRANCH"), -branchWidth)
               .arg(QStringLiteral("COMMIT"), -15)
               .arg(QStringLiteral("STARTED"), -19)
               .arg(QStringLiteral("DURATION"), -8)
               .arg(QStringLiteral("TRIGGER"), -triggerWidth)
               .arg(userAndHost(QStringLiteral("USER"), QStringLiteral("HOST")));
    for (const LineageRun &r : runs) {
        const QString commit = r.commitSha.isEmpty()
                                   ? QStringLiteral("-")
                                   : r.commitSha.left(8) + (r.dirty ? QStringLiteral(" dirty") : QString());
        out << QStringLiteral("%1  %2  %3  %4  %5  %6  %7  %8  %9\n")
                   .arg(r.id, -20)
                   .arg(r.pipelineIid, 4)
                   .arg(r.status, -11)
                   .arg(r.branch.isEmpty() ? QStringLiteral("-") : r.branch, -branchWidth)
                   .arg(commit, -15)
                   .arg(localTime(r.started), -19)
                   .arg(durationText(r.durationMs), -8)
                   .arg(r.trigger, -triggerWidth)
                   .arg(userAndHost(r.user, r.host));
        // Names and tags are people's text: concatenated, never run through arg() again.
        if (!r.annotation.name.isEmpty() || !r.annotation.tags.isEmpty())
            out << QString(28, u' ')
                << (r.annotation.name.isEmpty() ? QString() : u'"' + r.annotation.name + QStringLiteral("\" "))
                << (r.annotation.tags.isEmpty() ? QString()
                                                : u'[' + r.annotation.tags.join(QStringLiteral(", ")) + u']')
                << "\n";
    }
    out << runs.size() << " run(s)\n";
}

/// `trainyard runs`: checks the options, reads the runs they select, prints them.
int runRuns(const QCommandLineParser &p, QTextStream &out, QTextStream &err)
{
    auto filter = runFilter(p, err);
    if (!filter)
        return int(ExitUsage);
    const bool team = p.isSet(QStringLiteral("team"));
    if (team) {
        // The project is known on other machines by its git remote.
        const auto git = GitInfo::read(p.value(QStringLiteral("C")));
        filter->project = git ? git->projectPath : QString();
        if (filter->project.isEmpty()) {
            err << "trainyard runs --team: the project has no git remote \"origin\" to know it by on other machines "
                   "(git remote add origin URL)\n";
            return int(ExitFailed);
        }
    }
    int failed = 0;
    const auto store = openLineageOrTeam(p, err, QStringLiteral("runs"), failed);
    if (!store)
        return failed;
    const auto runs = store->runs(*filter);
    if (!runs) {
        err << "trainyard runs: " << runs.error().toString() << "\n";
        return int(ExitFailed);
    }
    if (p.isSet(QStringLiteral("json")))
        printJson(out, *runs);
    else
        printTable(out, *runs, team);
    return int(ExitOk);
}

} // namespace

Command runsCommand()
{
    Command c;
    c.name = QStringLiteral("runs");
    c.summary = QStringLiteral("List the recorded runs of a project (its lineage database), newest first.\n"
                               "Exit status: 0 listed, 1 no lineage database or it cannot be read, 2 invalid options.");
    c.addOptions = addRunsOptions;
    c.run = runRuns;
    return c;
}

} // namespace trainyard::app
