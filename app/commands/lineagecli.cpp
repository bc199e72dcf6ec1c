// What the lineage commands share about the team's store: where it is, opening it or the
// project's, and pushing the project's queued runs to it.
#include "lineagecli.h"

#include "lineage/lineagesync.h"
#include "lineage/postgreslineagestore.h"
#include "pipeline/gitlabcireader.h"

#include <QUrl>

namespace trainyard::app {

using namespace trainyard::core;

QString teamStoreUrl(const Pipeline &pipeline)
{
    const QString env = qEnvironmentVariable("TRAINYARD_LINEAGE_URL");
    return env.isEmpty() ? pipeline.trainyard.lineageUrl : env;
}

QString teamStoreUrl(const QString &projectDir, const QString &given)
{
    if (!given.isEmpty())
        return given;
    if (const QString env = qEnvironmentVariable("TRAINYARD_LINEAGE_URL"); !env.isEmpty())
        return env; // the pipeline file is read only when it is needed
    GitlabCiReader::Options options;
    options.projectDir = projectDir;
    return teamStoreUrl(GitlabCiReader::read(options));
}

std::unique_ptr<LineageStore> openLineageOrTeam(const QCommandLineParser &p, QTextStream &err, const QString &command,
                                                int &exitCode)
{
    exitCode = int(ExitFailed);
    if (!p.isSet(QStringLiteral("team")))
        return openLineage(p, err, command);
    const QString url = teamStoreUrl(p.value(QStringLiteral("C")));
    if (url.isEmpty()) {
        exitCode = int(ExitUsage);
        err << "trainyard " << command
            << " --team: no team store is set: set TRAINYARD_LINEAGE_URL to postgresql://USER@HOST:PORT/DATABASE, "
               "or write it in the pipeline file as .trainyard: lineage: url:\n";
        return nullptr;
    }
    auto store = LineageStore::open(url);
    if (!store) {
        err << "trainyard " << command << " --team: " << store.error().toString() << "\n";
        return nullptr;
    }
    return std::move(*store);
}

bool pushToTeamStore(LineageStore &local, const QString &url, QTextStream &out, QTextStream &err,
                     const QString &errorPrefix)
{
    const QString shown = PostgresLineageStore::displayUrl(QUrl(url));
    auto team = LineageStore::open(url);
    if (!team) {
        err << errorPrefix << team.error().toString()
            << "\nNothing was pushed: the runs stay queued in the project, and `trainyard sync` pushes them once the "
               "team store answers.\n";
        return false;
    }
    if ((*team)->isReadOnly()) {
        err << errorPrefix << (*team)->readOnlyReason() << "\n";
        return false;
    }
    auto report = LineageSync::pushQueued(local, **team);
    if (!report) {
        err << errorPrefix << report.error().toString() << "\n";
        return false;
    }
    out << "pushed " << report->pushed << " run(s) to " << shown << "\n";
    if (report->requeued > 0)
        out << report->requeued << " run(s) changed while they were pushed: `trainyard sync` pushes them again\n";
    for (const QString &f : std::as_const(report->failed))
        err << errorPrefix << f << "\n";
    for (const QString &r : std::as_const(report->refused))
        err << "warning: " << r << "\n";
    const auto left = local.outbox();
    if (left && !left->empty())
        out << left->size() << " run(s) still queued\n";
    return report->failed.isEmpty();
}

} // namespace trainyard::app
