// TeamPush: a project's queued runs to the team's registry and store.
#include "teampush.h"

#include "artifactregistry.h"
#include "engine/dockerclient.h"
#include "engine/dockerjson.h"
#include "pipeline/gitlabcireader.h"
#include "postgreslineagestore.h"

#include <QFileInfo>
#include <QLocale>
#include <QUrl>

#include <memory>

namespace trainyard::core {

namespace {

/// Pushes the images the run built locally (a build context recorded) to `prefix`/REFERENCE in
/// the team's registry, through the local engine, so their digests resolve on every machine,
/// and adds the digest each got to `images` (which the team store then records). What cannot be
/// pushed is a warning: the lineage still goes, with the image ID.
void pushBuiltImages(std::vector<LineageImage> &images, const QString &prefix, std::unique_ptr<DockerClient> &docker,
                     QStringList &warnings, int &pushedImages, const std::atomic_bool *cancel)
{
    for (LineageImage &image : images) {
        if (image.buildContextHash.isEmpty() || image.imageId.isEmpty())
            continue; // pulled from a registry: its digest resolves already
        const QString target = TeamPush::imageRepository(image.reference, prefix);
        if (std::any_of(image.repoDigests.cbegin(), image.repoDigests.cend(),
                        [&](const QString &d) { return d.startsWith(target + u'@'); }))
            continue;
        if (!docker)
            docker = std::make_unique<DockerClient>();
        bool sent = false;
        auto digest = TeamPush::publishImage(*docker, image.imageId, image.reference, prefix, cancel, &sent);
        if (!digest) {
            warnings << digest.error().message;
            continue;
        }
        if (sent)
            ++pushedImages;
        image.repoDigests << *digest;
    }
}

} // namespace

QString TeamPush::imageRepository(const QString &reference, const QString &prefix)
{
    QString repository = DockerJson::splitReference(reference).first;
    if (!DockerJson::registryHost(repository).isEmpty()) // a registry of its own is not repeated under ours
        repository = repository.section(u'/', 1);
    return prefix + u'/' + repository;
}

Result<QString> TeamPush::publishImage(DockerClient &docker, const QString &image, const QString &reference,
                                       const QString &prefix, const std::atomic_bool *cancel, bool *sent)
{
    if (sent)
        *sent = false;
    const QString target = imageRepository(reference, prefix);
    const auto ours = [&](const QStringList &digests) {
        for (const QString &d : digests) {
            if (d.startsWith(target + u'@'))
                return d;
        }
        return QString();
    };
    // Pushed before (by an earlier run of the same image): the engine knows its digest there.
    auto local = docker.inspectImage(image);
    if (!local || !local->exists)
        return tl::unexpected(Error::error(
            QStringLiteral("image %1 (%2) was not pushed to the team's registry: %3")
                .arg(reference, image.left(19),
                     local ? QStringLiteral("it is no longer in the local Docker engine") : local.error().message)));
    if (const QString there = ours(local->repoDigests); !there.isEmpty())
        return there;
    // Tagged by content, never moved: a later build of the same name does not take an earlier
    // run's image away (a registry may remove manifests no tag names).
    const QString ref = target + QStringLiteral(":id-") + local->id.section(u':', -1).left(16);
    auto pushed = docker.tagImage(local->id, ref);
    if (pushed)
        pushed = docker.pushImage(ref, {}, cancel);
    auto after = pushed ? docker.inspectImage(ref) : Result<ImageInfo>(tl::unexpected(pushed.error()));
    const QString digest = after && after->exists ? ours(after->repoDigests) : QString();
    if (digest.isEmpty())
        return tl::unexpected(Error::error(
            QStringLiteral("image %1 was not pushed to the team's registry as %2: %3")
                .arg(reference, ref,
                     after ? QStringLiteral("the engine reported no digest for it") : after.error().message)));
    if (sent)
        *sent = true;
    return digest;
}

namespace {

/// The environment's target, then `preferred`'s, part by part.
TeamPush::Target fromEnvironment(const TeamPush::Target &preferred)
{
    TeamPush::Target t{qEnvironmentVariable("TRAINYARD_LINEAGE_URL"), qEnvironmentVariable("TRAINYARD_REGISTRY")};
    if (t.storeUrl.isEmpty())
        t.storeUrl = preferred.storeUrl;
    if (t.registryUrl.isEmpty())
        t.registryUrl = preferred.registryUrl;
    return t;
}

/// Fills what `t` lacks from the pipeline file's `.trainyard:` settings.
TeamPush::Target withPipeline(TeamPush::Target t, const Pipeline &pipeline)
{
    if (t.storeUrl.isEmpty())
        t.storeUrl = pipeline.trainyard.lineageUrl;
    if (t.registryUrl.isEmpty())
        t.registryUrl = pipeline.trainyard.registryUrl;
    return t;
}

} // namespace

TeamPush::Target TeamPush::configured(const QString &projectDir, const Target &preferred)
{
    const Target t = fromEnvironment(preferred);
    if (!t.storeUrl.isEmpty() && !t.registryUrl.isEmpty())
        return t; // the pipeline file is read only when it is needed
    GitlabCiReader::Options options;
    options.projectDir = projectDir;
    return withPipeline(t, GitlabCiReader::read(options));
}

TeamPush::Target TeamPush::configured(const Pipeline &pipeline, const Target &preferred)
{
    return withPipeline(fromEnvironment(preferred), pipeline);
}

TeamPush::Outcome TeamPush::push(LineageStore &local, const Target &target, const LineageSync::Progress &progress,
                                 const std::atomic_bool *cancel)
{
    Outcome o;
    const auto nothingPushed = [&](const QString &why, bool unreachable) {
        o.ok = false;
        o.unreachable = unreachable;
        o.problems << why
                   << QStringLiteral("Nothing was pushed: the runs stay queued in the project, and are pushed once "
                                     "this is mended (by `trainyard sync`, the next run, or the window).");
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
    std::unique_ptr<DockerClient> docker; // made when a run built an image
    int pushedImages = 0;
    QStringList imageWarnings;
    QString prefix = target.registryUrl.trimmed();
    while (prefix.endsWith(u'/'))
        prefix.chop(1);
    prefix = prefix.section(QLatin1String("://"), -1);
    if (registry)
        pushArtifacts = [&](const QString &runId, const std::vector<LineageArtifact> &artifacts,
                            std::vector<LineageImage> &images, bool &stopAll) -> Result<void> {
            pushBuiltImages(images, prefix, docker, imageWarnings, pushedImages, cancel);
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
    if (pushedImages > 0)
        o.said << QStringLiteral("pushed %1 image(s) built here to %2").arg(pushedImages).arg(prefix);
    o.pushed = report->pushed;
    o.said << QStringLiteral("pushed %1 run(s) to %2")
                  .arg(report->pushed)
                  .arg(PostgresLineageStore::displayUrl(QUrl(target.storeUrl)));
    if (report->requeued > 0)
        o.said << QStringLiteral("%1 run(s) changed while they were pushed: `trainyard sync` pushes them again")
                      .arg(report->requeued);
    o.problems = report->failed;
    o.warnings = report->refused + imageWarnings;
    o.ok = report->failed.isEmpty();
    // Gone in the middle of the push (the rest left queued), not refused: try again later.
    o.unreachable = !o.ok && (!(*team)->setting(QStringLiteral("trainyard.ping")) ||
                              (registry && !registry->hasBlob(OciRegistryClient::emptyConfig().digest)));
    const auto left = local.outbox();
    o.stillQueued = left ? int(left->size()) : 0;
    if (o.stillQueued > 0)
        o.said << QStringLiteral("%1 run(s) still queued").arg(o.stillQueued);
    return o;
}

} // namespace trainyard::core
