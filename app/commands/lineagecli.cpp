// What the lineage commands share about the team's store: where it is, opening it or the
// project's, and pushing the project's queued runs to it.
#include "lineagecli.h"

#include "lineage/artifactregistry.h"
#include "lineage/lineagesync.h"
#include "lineage/postgreslineagestore.h"
#include "pipeline/gitlabcireader.h"

#include <QFileInfo>
#include <QLocale>
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

QString teamRegistryUrl(const Pipeline &pipeline)
{
    return ArtifactRegistry::configuredUrl(pipeline);
}

QString teamRegistryUrl(const QString &projectDir, const QString &given)
{
    return given.isEmpty() ? ArtifactRegistry::configuredUrl(projectDir) : given;
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

bool pushToTeamStore(LineageStore &local, const QString &url, const QString &registryUrl, QTextStream &out,
                     QTextStream &err, const QString &errorPrefix)
{
    const QString shown = PostgresLineageStore::displayUrl(QUrl(url));
    const QString keepQueued = QStringLiteral(
        "\nNothing was pushed: the runs stay queued in the project, and `trainyard sync` pushes them once the team "
        "store and registry answer.\n");
    // The team's registry first: a run's lineage is pushed only once its artifacts are there.
    std::unique_ptr<OciRegistryClient> registry;
    ArtifactRegistry::Pushed sent;
    int runsWithArtifacts = 0;
    if (!registryUrl.isEmpty()) {
        auto repository = ArtifactRegistry::repositoryFor(registryUrl);
        if (!repository) {
            err << errorPrefix << repository.error().message << keepQueued;
            return false;
        }
        registry = std::make_unique<OciRegistryClient>(*repository);
        if (auto there = registry->hasBlob(OciRegistryClient::emptyConfig().digest); !there) {
            err << errorPrefix << there.error().message << keepQueued;
            return false;
        }
    }
    const QString storeRoot = QFileInfo(local.path()).absolutePath() + QStringLiteral("/artifacts");
    LineageSync::BeforeRun pushArtifacts;
    if (registry)
        pushArtifacts = [&](const QString &runId, const std::vector<LineageArtifact> &artifacts,
                            bool &stopAll) -> Result<void> {
            auto pushed = ArtifactRegistry::pushRun(*registry, storeRoot, runId, artifacts);
            if (!pushed) {
                stopAll = !registry->hasBlob(OciRegistryClient::emptyConfig().digest); // gone, not refused
                return tl::unexpected(pushed.error());
            }
            if (!artifacts.empty())
                ++runsWithArtifacts;
            sent.blobsSent += pushed->blobsSent;
            sent.blobsThere += pushed->blobsThere;
            sent.bytesSent += pushed->bytesSent;
            return {};
        };
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
    auto report = LineageSync::pushQueued(local, **team, {}, nullptr, pushArtifacts);
    if (!report) {
        err << errorPrefix << report.error().toString() << "\n";
        return false;
    }
    if (registry && runsWithArtifacts > 0)
        out << "pushed the artifacts of " << runsWithArtifacts << " run(s) to " << registry->repository().toString()
            << ": " << sent.blobsSent << " file(s) sent (" << QLocale::c().formattedDataSize(sent.bytesSent) << "), "
            << sent.blobsThere << " there already\n";
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
