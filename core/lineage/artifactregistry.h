#pragma once

#include "common/error.h"
#include "engine/ociregistryclient.h"
#include "lineagerecords.h"

#include <QString>

#include <atomic>
#include <vector>

namespace trainyard::core {

/// A team's artifacts in its OCI registry. Each run's artifacts are pushed as blobs (their digest
/// is their sha256, as the lineage records it) under one small manifest per run: an OCI artifact
/// of type kRunArtifactType, tagged with the run id, one layer per file (titled "JOB/PATH"), so
/// the registry keeps them. Any machine then downloads an artifact by its sha256 and checks it.
/// Where: a repository prefix ("HOST[:PORT]/team/project", TeamPush::configured); the artifacts
/// are in its "artifacts" repository. Blocking: call
/// it from a worker thread.
class ArtifactRegistry final
{
public:
    static constexpr QLatin1StringView kRunArtifactType{"application/vnd.trainyard.run.artifacts.v1+json"};

    /// The artifacts' repository under the prefix `url`; an Error says what is wrong with `url`.
    static Result<RegistryRepository> repositoryFor(const QString &url);

    /// What pushRun did: the run's manifest and how many blobs were sent (the others were there).
    struct Pushed
    {
        QString manifestDigest;
        int blobsSent = 0;
        int blobsThere = 0;
        qint64 bytesSent = 0;
    };
    /// Pushes the artifacts of run `runId` (their bytes from the artifact store at `storeRoot`)
    /// and the run's manifest. A run without artifacts pushes nothing. An Error names the artifact
    /// whose bytes are missing from the store, or what the registry said.
    static Result<Pushed> pushRun(OciRegistryClient &registry, const QString &storeRoot, const QString &runId,
                                  const std::vector<LineageArtifact> &artifacts,
                                  const std::atomic_bool *cancel = nullptr);

    /// Downloads the artifact `sha256` into `destination`, checked (see OciRegistryClient::fetchBlob).
    static Result<qint64> fetch(OciRegistryClient &registry, const QString &sha256, const QString &destination,
                                const std::atomic_bool *cancel = nullptr);

    /// Where saveCopy() found an artifact's bytes.
    struct SavedCopy
    {
        QString source; ///< "the project's artifact store", or the registry's repository
        qint64 bytes = 0;
    };
    /// Saves a copy of `artifact` to `destination` (the window's Save a copy…, `lineage --fetch`):
    /// from the artifact store of `projectDir` when it holds the bytes, else downloaded from the
    /// team's registry at `registryUrl` by sha256; checked either way, `destination` replaced only
    /// then. An Error says how to set a registry when none is set and the bytes are not here.
    static Result<SavedCopy> saveCopy(const QString &projectDir, const LineageArtifact &artifact,
                                      const QString &destination, const QString &registryUrl,
                                      const std::atomic_bool *cancel = nullptr);
};

} // namespace trainyard::core
