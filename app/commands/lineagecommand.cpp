#include "command.h"
#include "lineagecli.h"

#include "engine/artifactstore.h"
#include "lineage/artifactregistry.h"
#include "lineage/provenance.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonValue>

namespace trainyard::app {

using namespace trainyard::core;

namespace {

QString runLine(const LineageRun &r)
{
    return QStringLiteral("run %1 (#%2, %3) on %4 @ %5%6, %7 engine, started %8 by %9")
        .arg(r.id)
        .arg(r.pipelineIid)
        .arg(r.status, r.branch.isEmpty() ? QStringLiteral("-") : r.branch,
             r.commitSha.isEmpty() ? QStringLiteral("no commit") : r.commitSha.left(12),
             r.dirty ? QStringLiteral(" (dirty, diff %1)").arg(shortHash(r.diffHash)) : QString(), r.engine,
             localTime(r.started), r.user.isEmpty() ? QStringLiteral("?") : r.user);
}

QString imageLine(const LineageImage &i)
{
    QString line =
        i.reference + QStringLiteral(" -> ") + (i.imageId.isEmpty() ? QStringLiteral("(not resolved)") : i.imageId);
    if (!i.repoDigests.isEmpty())
        line += QStringLiteral(" [%1]").arg(i.repoDigests.join(QStringLiteral(", ")));
    if (!i.buildContextHash.isEmpty())
        line += QStringLiteral(" built from context sha256:%1").arg(i.buildContextHash);
    return line;
}

QString dataLine(const LineageDataVersion &d)
{
    QString line = QStringLiteral("%1 (%2): %3, %4 file(s), %5 bytes")
                       .arg(d.name, d.path,
                            d.hash.isEmpty() ? QStringLiteral("NOT VERSIONED") : QStringLiteral("sha256:") + d.hash)
                       .arg(d.fileCount)
                       .arg(d.totalBytes);
    if (!d.dvcMd5.isEmpty())
        line += QStringLiteral(", DVC md5 %1 (%2)").arg(d.dvcMd5, d.dvcSource);
    return line;
}

QString gateLine(const LineageGate &g)
{
    return QStringLiteral("%1: %2 %3 %4 -> %5%6")
        .arg(g.job, g.metric, g.op)
        .arg(g.threshold)
        .arg(g.outcome, g.value ? QStringLiteral(" (%1 from %2)").arg(*g.value).arg(g.source) : QString());
}

/// Where the artifact's bytes are kept (the content-addressed store); empty when not there.
QString storedAt(const QString &projectDir, const QString &sha256)
{
    const QString path = ArtifactStore::objectPath(projectDir + QStringLiteral("/.trainyard/artifacts"), sha256);
    return QFileInfo::exists(path) ? path : QString();
}

void printArtifact(QTextStream &out, const ArtifactProvenance &p, const QString &projectDir)
{
    const LineageArtifact &a = p.artifact;
    out << a.path << "  sha256:" << a.sha256 << "  " << a.size << " bytes\n";
    const QString stored = storedAt(projectDir, a.sha256);
    out << "  stored at " << (stored.isEmpty() ? QStringLiteral("(not in this project's artifact store)") : stored)
        << "\n";
    out << "  produced by job " << a.job << " in " << runLine(p.run()) << "\n";
    if (a.expires.isValid())
        out << "  expires " << localTime(a.expires) << "\n";
    for (const LineageCommit &c : p.commits)
        out << "  commit " << c.sha << " by " << c.authorName << " <" << c.authorEmail
            << ">: " << c.message.section(u'\n', 0, 0) << "\n";
    for (const LineageRun &r : p.runs) {
        if (r.id != a.runId)
            out << "  reused from " << runLine(r) << "\n";
    }
    for (const LineageImage &i : p.images)
        out << "  image " << imageLine(i) << "\n";
    for (const LineageDataVersion &d : p.data)
        out << "  data " << dataLine(d) << (d.runId != a.runId ? QStringLiteral(" (run %1)").arg(d.runId) : QString())
            << "\n";
    out << "  jobs (the producing one first, then upstream):\n";
    for (const LineageJob &j : p.jobs) {
        out << "    " << j.name << (j.runId != a.runId ? QStringLiteral(" (run %1)").arg(j.runId) : QString()) << "  "
            << j.status << "  exit " << j.exitCode << "  " << (j.image.isEmpty() ? j.engine : j.image)
            << (j.gpus.isEmpty() ? QString() : QStringLiteral("  GPUs %1").arg(j.gpus.join(u',')))
            << (j.cpuFallback ? QStringLiteral("  CPU fallback") : QString()) << "\n";
        for (const LineageConsumption &c : p.inputs) {
            if (c.runId == j.runId && c.job == j.name)
                out << "      staged " << c.path << " sha256:" << shortHash(c.sha256) << " from " << c.producerJob
                    << "\n";
        }
    }
    for (const LineageGate &g : p.gates)
        out << "  gate " << gateLine(g) << "\n";
    for (const LineageScalar &s : p.scalars)
        out << "  scalar " << s.job << " " << s.tag << " = " << s.value << "\n";
    for (const LineageReproduction &r : p.reproductions)
        out << "  reproduced by run " << r.reproductionRunId << ": "
            << (r.identical ? QStringLiteral("identical") : r.differences) << "\n";
}

void printRun(QTextStream &out, const RunLineage &l)
{
    out << runLine(l.run) << "\n";
    if (l.commit)
        out << "  commit " << l.commit->sha << " by " << l.commit->authorName << " <" << l.commit->authorEmail
            << ">: " << l.commit->message.section(u'\n', 0, 0) << "\n";
    out << "  finished " << localTime(l.run.finished) << " after " << durationText(l.run.durationMs) << ", trigger "
        << l.run.trigger << "\n";
    for (const LineageImage &i : l.images)
        out << "  image " << imageLine(i) << "\n";
    for (const LineageDataVersion &d : l.data)
        out << "  data " << dataLine(d) << "\n";
    out << "  jobs:\n";
    for (const LineageJob &j : l.jobs) {
        QStringList needs;
        for (const auto &[job, upstream] : l.edges) {
            if (job == j.name)
                needs << upstream;
        }
        out << "    " << j.name << "  " << j.status << "  exit " << j.exitCode << "  attempts " << j.attempts << "  "
            << durationText(j.started.isValid() && j.finished.isValid() ? j.started.msecsTo(j.finished) : -1)
            << (needs.isEmpty() ? QString() : QStringLiteral("  after %1").arg(needs.join(QStringLiteral(", "))))
            << (j.reusedFrom.isEmpty() ? QString() : QStringLiteral("  reused from run %1").arg(j.reusedFrom)) << "\n";
    }
    if (!l.artifacts.empty())
        out << "  artifacts:\n";
    for (const LineageArtifact &a : l.artifacts)
        out << "    " << a.job << "  " << a.path << "  sha256:" << a.sha256 << "  " << a.size << " bytes\n";
    for (const LineageConsumption &c : l.consumptions)
        out << "  " << c.job << " was staged " << c.path << " from " << c.producerJob << "\n";
    for (const LineageGate &g : l.gates)
        out << "  gate " << gateLine(g) << "\n";
    for (const LineageVariable &v : l.variables)
        out << "  variable " << (v.job.isEmpty() ? QString() : v.job + u':') << v.name << "=" << v.value << "\n";
}

void printUses(QTextStream &out, const LineageUses &u)
{
    if (u.runs.empty()) {
        out << "nothing recorded was made from " << u.key
            << " (no data version, image, commit or artifact matches it)\n";
        return;
    }
    out << LineageUses::kindName(u.kind) << " " << u.key << ": " << u.runs.size() << " run(s), " << u.jobs.size()
        << " job(s), " << u.artifacts.size() << " artifact(s)\n";
    for (const LineageRun &r : u.runs)
        out << "  " << runLine(r) << "\n";
    if (!u.artifacts.empty())
        out << "  artifacts built from it:\n";
    for (const LineageArtifact &a : u.artifacts)
        out << "    " << a.runId << "  " << a.job << "  " << a.path << "  sha256:" << a.sha256 << "\n";
}

void addLineageOptions(QCommandLineParser &p)
{
    addProjectOption(p);
    p.addOption(QCommandLineOption(QStringLiteral("json"), QStringLiteral("Print JSON.")));
    addTeamOption(p, QStringLiteral("Look across every machine's runs"));
    p.addOption(
        QCommandLineOption(QStringLiteral("uses"),
                           QStringLiteral("Reverse lineage: what was made from this data hash, image digest or commit "
                                          "(or artifact sha256); a short prefix does, as with git."),
                           QStringLiteral("KEY")));
    p.addOption(QCommandLineOption(QStringLiteral("run"),
                                   QStringLiteral("The artifact as this run produced it (default: the newest)."),
                                   QStringLiteral("RUN_ID")));
    p.addOption(QCommandLineOption(
        QStringLiteral("fetch"),
        QStringLiteral("Save a copy of the artifact TARGET names to FILE: from the project's artifact store, else "
                       "downloaded by its sha256 from the team's registry ($TRAINYARD_REGISTRY, or the pipeline "
                       "file's .trainyard: registry: url:); its sha256 is checked either way."),
        QStringLiteral("FILE")));
    p.addPositionalArgument(QStringLiteral("TARGET"),
                            QStringLiteral("An artifact path, an artifact sha256, a file, or a run id."));
}

/// Prints one JSON object, indented.
void printJson(QTextStream &out, const QJsonObject &o)
{
    out << QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented));
}

/// True when the arguments are one TARGET, or --uses KEY and no TARGET; else says so on err.
bool checkArguments(const QStringList &args, bool uses, QTextStream &err)
{
    if ((uses && !args.isEmpty()) || (!uses && args.size() != 1)) {
        err << "trainyard lineage: give one TARGET, or --uses KEY\nTry 'trainyard lineage --help'.\n";
        return false;
    }
    return true;
}

/// `--uses KEY`: prints everything made from `key`; ExitFailed when nothing was.
int showUses(const Provenance &provenance, const QString &key, bool json, QTextStream &out, QTextStream &err)
{
    const auto result = provenance.uses(key);
    if (!result) {
        err << "trainyard lineage: " << result.error().toString() << "\n";
        return int(ExitUsage);
    }
    if (json)
        printJson(out, result->toJson());
    else
        printUses(out, *result);
    return result->runs.empty() ? int(ExitFailed) : int(ExitOk);
}

/// True when `target` is the id of a recorded run (a store that cannot tell says no).
bool isRecordedRun(const LineageStore &store, const QString &target)
{
    const auto run = store.run(target);
    return run && *run;
}

/// Prints what the run `runId` was made from.
int showRun(const Provenance &provenance, const QString &runId, bool json, QTextStream &out, QTextStream &err)
{
    const auto lineage = provenance.ofRun(runId);
    if (!lineage) {
        err << "trainyard lineage: " << lineage.error().toString() << "\n";
        return int(ExitFailed);
    }
    if (json)
        printJson(out, lineage->toJson());
    else
        printRun(out, *lineage);
    return int(ExitOk);
}

/// The artifact's lineage as JSON, with its fingerprint and where its bytes are stored (null
/// when they are not in the project's artifact store).
QJsonObject artifactJson(const ArtifactProvenance &lineage, const QString &projectDir)
{
    QJsonObject o = lineage.toJson();
    o.insert(QStringLiteral("fingerprint"), lineage.fingerprint());
    const QString stored = storedAt(projectDir, lineage.artifact.sha256);
    o.insert(QStringLiteral("stored_at"), stored.isEmpty() ? QJsonValue() : QJsonValue(stored));
    return o;
}

/// Prints what the artifact `target` names (as run `runId` produced it; empty: the newest) was
/// made from.
int showArtifact(const Provenance &provenance, const QString &target, const QString &runId, const QString &projectDir,
                 bool json, QTextStream &out, QTextStream &err)
{
    const auto artifact = provenance.resolveArtifact(target, runId);
    if (!artifact) {
        err << "trainyard lineage: " << artifact.error().message << "\n";
        return int(ExitFailed);
    }
    const auto result = provenance.ofArtifact(*artifact);
    if (!result) {
        err << "trainyard lineage: " << result.error().toString() << "\n";
        return int(ExitFailed);
    }
    if (json)
        printJson(out, artifactJson(*result, projectDir));
    else
        printArtifact(out, *result, projectDir);
    return int(ExitOk);
}

/// `--fetch FILE`: saves a copy of the artifact `target` names to `destination`, from the
/// project's artifact store or else the team's registry, checked.
int fetchArtifact(const Provenance &provenance, const QString &target, const QString &runId, const QString &projectDir,
                  const QString &destination, QTextStream &out, QTextStream &err)
{
    const auto artifact = provenance.resolveArtifact(target, runId);
    if (!artifact) {
        err << "trainyard lineage: " << artifact.error().message << "\n";
        return int(ExitFailed);
    }
    const auto saved = ArtifactRegistry::saveCopy(projectDir, *artifact, destination, teamRegistryUrl(projectDir));
    if (!saved) {
        err << "trainyard lineage: " << saved.error().message << "\n";
        return int(ExitFailed);
    }
    out << "Saved " << artifact->path << " (sha256:" << artifact->sha256 << ") to " << destination << " from "
        << saved->source << " (" << saved->bytes << " bytes, sha256 checked)\n";
    return int(ExitOk);
}

/// `trainyard lineage`: checks the arguments, then shows what --uses KEY made, or what the run or
/// the artifact TARGET names was made from.
int runLineage(const QCommandLineParser &p, QTextStream &out, QTextStream &err)
{
    const QStringList args = p.positionalArguments();
    const bool uses = p.isSet(QStringLiteral("uses"));
    if (!checkArguments(args, uses, err))
        return int(ExitUsage);
    int failed = 0;
    const auto store = openLineageOrTeam(p, err, QStringLiteral("lineage"), failed);
    if (!store)
        return failed;
    const Provenance provenance(*store);
    const bool json = p.isSet(QStringLiteral("json"));
    if (uses && p.isSet(QStringLiteral("fetch"))) {
        err << "trainyard lineage: --fetch saves one artifact: give it with TARGET, not --uses\n";
        return int(ExitUsage);
    }
    if (uses)
        return showUses(provenance, p.value(QStringLiteral("uses")), json, out, err);

    const QString target = args.first();
    const QString projectDir = QDir(p.value(QStringLiteral("C"))).absolutePath();
    if (p.isSet(QStringLiteral("fetch")))
        return fetchArtifact(provenance, target, p.value(QStringLiteral("run")), projectDir,
                             p.value(QStringLiteral("fetch")), out, err);
    if (isRecordedRun(*store, target))
        return showRun(provenance, target, json, out, err);
    return showArtifact(provenance, target, p.value(QStringLiteral("run")), projectDir, json, out, err);
}

} // namespace

Command lineageCommand()
{
    Command c;
    c.name = QStringLiteral("lineage");
    c.brief = QStringLiteral("Show what an artifact or a run was made from, or (--uses) everything made from a data "
                             "version, image or commit.");
    c.summary =
        QStringLiteral("Show what an artifact or a run was made from (commit, images, data, upstream jobs),\n"
                       "or with --uses, every run and artifact made from a data version, image digest or commit.\n"
                       "Exit status: 0 found, 1 not found or no lineage database, 2 invalid options.");
    c.arguments = QStringLiteral("(ARTIFACT_PATH | SHA256 | RUN_ID) | --uses (DATA_HASH | IMAGE_DIGEST | COMMIT)");
    c.addOptions = addLineageOptions;
    c.run = runLineage;
    return c;
}

} // namespace trainyard::app
