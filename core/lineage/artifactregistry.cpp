// ArtifactRegistry: a run's artifacts as an OCI artifact in the team's registry.
#include "artifactregistry.h"

#include "engine/artifactstore.h"

#include <QFileInfo>
#include <QSet>

namespace trainyard::core {

Result<RegistryRepository> ArtifactRegistry::repositoryFor(const QString &url)
{
    QString prefix = url.trimmed();
    while (prefix.endsWith(u'/'))
        prefix.chop(1);
    auto repository = RegistryRepository::parse(prefix + QStringLiteral("/artifacts"));
    if (!repository) // (the parser's message never repeats a login; `url` is not shown again)
        return tl::unexpected(Error::error(QStringLiteral("the team's registry: ") + repository.error().message));
    return repository;
}

Result<ArtifactRegistry::Pushed> ArtifactRegistry::pushRun(OciRegistryClient &registry, const QString &storeRoot,
                                                           const QString &runId,
                                                           const std::vector<LineageArtifact> &artifacts,
                                                           const std::atomic_bool *cancel)
{
    Pushed pushed;
    if (artifacts.empty())
        return pushed;
    std::vector<OciDescriptor> layers;
    QSet<QString> sent;
    for (const LineageArtifact &a : artifacts) {
        const QString digest = QStringLiteral("sha256:") + a.sha256;
        layers.push_back(OciDescriptor{QStringLiteral("application/octet-stream"),
                                       digest,
                                       a.size,
                                       {{QStringLiteral("org.opencontainers.image.title"), a.job + u'/' + a.path},
                                        {QStringLiteral("dev.trainyard.job"), a.job}}});
        if (sent.contains(digest))
            continue;
        sent.insert(digest);
        const QString object = ArtifactStore::objectPath(storeRoot, a.sha256);
        if (!QFileInfo::exists(object)) {
            // Gone here (cleaned, or a run imported without its files): fine if the registry has it.
            auto there = registry.hasBlob(digest);
            if (!there)
                return tl::unexpected(there.error());
            if (*there) {
                ++pushed.blobsThere;
                continue;
            }
            return tl::unexpected(Error::error(
                QStringLiteral("run %1: the bytes of %2 (job %3, sha256:%4) are neither in the artifact store (%5 is "
                               "missing) nor in the team's registry, so the run's lineage waits in the queue: put the "
                               "file back, or share the lineage without its files: trainyard sync --registry none")
                    .arg(runId, a.path, a.job, a.sha256, object),
                SourceLocation{object}, a.job));
        }
        auto uploaded = registry.pushBlob(digest, object, cancel);
        if (!uploaded)
            return tl::unexpected(uploaded.error());
        if (*uploaded) {
            ++pushed.blobsSent;
            pushed.bytesSent += a.size;
        } else {
            ++pushed.blobsThere;
        }
    }
    if (auto config = registry.pushBlobData("{}"); !config)
        return tl::unexpected(config.error());
    const QByteArray manifest = OciRegistryClient::artifactManifest(QString(kRunArtifactType), layers,
                                                                    {{QStringLiteral("dev.trainyard.run"), runId}});
    auto digest = registry.pushManifest(runId, manifest);
    if (!digest)
        return tl::unexpected(digest.error());
    pushed.manifestDigest = *digest;
    return pushed;
}

Result<qint64> ArtifactRegistry::fetch(OciRegistryClient &registry, const QString &sha256, const QString &destination,
                                       const std::atomic_bool *cancel)
{
    return registry.fetchBlob(QStringLiteral("sha256:") + sha256.toLower(), destination, cancel);
}

Result<ArtifactRegistry::SavedCopy> ArtifactRegistry::saveCopy(const QString &projectDir,
                                                               const LineageArtifact &artifact,
                                                               const QString &destination, const QString &registryUrl,
                                                               const std::atomic_bool *cancel)
{
    const QString storeRoot = projectDir + QStringLiteral("/.trainyard/artifacts");
    if (QFileInfo::exists(ArtifactStore::objectPath(storeRoot, artifact.sha256))) {
        if (auto copied = ArtifactStore(storeRoot).copyOut(artifact.sha256, destination, artifact.path); !copied)
            return tl::unexpected(copied.error());
        return SavedCopy{QStringLiteral("the project's artifact store"), artifact.size};
    }
    if (registryUrl.isEmpty())
        return tl::unexpected(Error::error(
            QStringLiteral("%1 (sha256:%2) is not in this project's artifact store, and no team registry is set to "
                           "download it from: set TRAINYARD_REGISTRY to HOST[:PORT]/team/project, or write it in the "
                           "pipeline file as .trainyard: registry: url:")
                .arg(artifact.path, artifact.sha256)));
    auto repository = repositoryFor(registryUrl);
    if (!repository)
        return tl::unexpected(repository.error());
    OciRegistryClient registry(*repository);
    auto fetched = fetch(registry, artifact.sha256, destination, cancel);
    if (!fetched) {
        Error e = fetched.error();
        e.message = QStringLiteral("%1 (sha256:%2): %3").arg(artifact.path, artifact.sha256, e.message);
        return tl::unexpected(e);
    }
    return SavedCopy{repository->toString(), *fetched};
}

} // namespace trainyard::core
