// TeamPush: a project's queued runs to the team's registry and store.
#include "teampush.h"

#include "artifactregistry.h"
#include "pipeline/gitlabcireader.h"
#include "postgreslineagestore.h"

#include <QFileInfo>
#include <QLocale>
#include <QUrl>

#include <memory>

namespace trainyard::core {

TeamPush::Target TeamPush::configured(const QString &projectDir, const Target &preferred)
{
    Target t{qEnvironmentVariable("TRAINYARD_LINEAGE_URL"), qEnvironmentVariable("TRAINYARD_REGISTRY")};
    if (t.storeUrl.isEmpty())
        t.storeUrl = preferred.storeUrl;
    if (t.registryUrl.isEmpty())
        t.registryUrl = preferred.registryUrl;
    if (t.storeUrl.isEmpty() || t.registryUrl.isEmpty()) {
        GitlabCiReader::Options options;
        options.projectDir = projectDir;
        const Pipeline pipeline = GitlabCiReader::read(options);
        if (t.storeUrl.isEmpty())
            t.storeUrl = pipeline.trainyard.lineageUrl;
        if (t.registryUrl.isEmpty())
            t.registryUrl = pipeline.trainyard.registryUrl;
    }
    return t;
}

TeamPush::Outcome TeamPush::push(LineageStore &local, const Target &target, const LineageSync::Progress &progress,
                                 const std::atomic_bool *cancel)
{
    Outcome o;
    const auto nothingPushed = [&](const QString &why, bool unreachable) {
        o.ok = false;
        o.unreachable = unreachable;
        o.problems << why
                   << QStringLiteral("Nothing was pushed: the runs stay queued in the project, and `trainyard sync` "
                                     "pushes them once the team store and registry answer.");
        const auto left = local.outbox();
        o.stillQueued = left ? int(left->size()) : 0;
        return o;
    };
    // The team's registry first: a run's lineage is pushed only once its artifacts are there.
    std::unique_ptr<OciRegistryClient> registry;
    ArtifactRegistry::Pushed sent;
    int runsWithArtifacts = 0;
    if (!target.registryUrl.isEmpty() && target.registryUrl != QLatin1String("none")) {
        auto repository = ArtifactRegistry::repositoryFor(target.registryUrl);
        if (!repository)
            return nothingPushed(repository.error().message, false);
        registry = std::make_unique<OciRegistryClient>(*repository);
        if (auto there = registry->hasBlob(OciRegistryClient::emptyConfig().digest); !there)
            return nothingPushed(there.error().message, true);
    }
    const QString storeRoot = QFileInfo(local.path()).absolutePath() + QStringLiteral("/artifacts");
    LineageSync::BeforeRun pushArtifacts;
    if (registry)
        pushArtifacts = [&](const QString &runId, const std::vector<LineageArtifact> &artifacts,
                            bool &stopAll) -> Result<void> {
            auto pushed = ArtifactRegistry::pushRun(*registry, storeRoot, runId, artifacts, cancel);
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
    auto team = LineageStore::open(target.storeUrl);
    if (!team)
        return nothingPushed(team.error().toString(), true);
    if ((*team)->isReadOnly())
        return nothingPushed((*team)->readOnlyReason(), false);
    auto report = LineageSync::pushQueued(local, **team, progress, cancel, pushArtifacts);
    if (!report)
        return nothingPushed(report.error().toString(), false);
    if (registry && runsWithArtifacts > 0)
        o.said << QStringLiteral("pushed the artifacts of %1 run(s) to %2: %3 file(s) sent (%4), %5 there already")
                      .arg(runsWithArtifacts)
                      .arg(registry->repository().toString())
                      .arg(sent.blobsSent)
                      .arg(QLocale::c().formattedDataSize(sent.bytesSent))
                      .arg(sent.blobsThere);
    o.pushed = report->pushed;
    o.said << QStringLiteral("pushed %1 run(s) to %2")
                  .arg(report->pushed)
                  .arg(PostgresLineageStore::displayUrl(QUrl(target.storeUrl)));
    if (report->requeued > 0)
        o.said << QStringLiteral("%1 run(s) changed while they were pushed: `trainyard sync` pushes them again")
                      .arg(report->requeued);
    o.problems = report->failed;
    o.warnings = report->refused;
    o.ok = report->failed.isEmpty();
    const auto left = local.outbox();
    o.stillQueued = left ? int(left->size()) : 0;
    if (o.stillQueued > 0)
        o.said << QStringLiteral("%1 run(s) still queued").arg(o.stillQueued);
    return o;
}

} // namespace trainyard::core
