#pragma once

#include "lineagestore.h"
#include "lineagesync.h"

#include <QString>
#include <QStringList>

#include <atomic>

namespace trainyard::core {

class DockerClient;
struct Pipeline;

/// Pushes a project's queued runs to the team: each run's artifacts to the team's registry (when
/// one is set; ArtifactRegistry), then its lineage to the team's store (LineageSync). What
/// `trainyard sync`, the end of `trainyard run` and the window do, in one place. Blocking: call it
/// from a worker thread.
class TeamPush final
{
public:
    /// Where the team keeps its lineage and its artifacts.
    struct Target
    {
        QString storeUrl;    ///< postgresql://USER@HOST:PORT/DATABASE; empty: no team store
        QString registryUrl; ///< HOST[:PORT]/team/project; empty or "none": artifacts stay in the project
    };
    /// The target set for the project in `projectDir`: $TRAINYARD_LINEAGE_URL and
    /// $TRAINYARD_REGISTRY, else `preferred` (the window's Settings ▸ Team store), else the
    /// pipeline file's `.trainyard: lineage: url:` and `registry: url:` (read only when needed).
    static Target configured(const QString &projectDir, const Target &preferred = {});
    /// The same for a pipeline already read.
    static Target configured(const Pipeline &pipeline, const Target &preferred = {});

    /// What a push did, in sentences for people.
    struct Outcome
    {
        bool ok = true;           ///< false: something stays queued for a reason of the stores'
        bool unreachable = false; ///< the store or the registry did not answer: nothing was pushed
        int pushed = 0;           ///< runs pushed
        int stillQueued = 0;      ///< runs left in the project's outbox
        QStringList said;         ///< what was pushed ("pushed 2 run(s) to …")
        QStringList problems;     ///< why runs stay queued (one line each; a password is never in them)
        QStringList warnings;     ///< sign-offs the team store refused
    };
    /// Where images built locally go in the team's registry at `prefix` (HOST[:PORT]/team/project):
    /// `prefix`/REPOSITORY, the repository of `reference` without a registry of its own.
    static QString imageRepository(const QString &reference, const QString &prefix);
    /// Pushes the local image `image` (an ID or a reference), built as `reference`, to the team's
    /// registry at `prefix` through `docker`, tagged by its content ("id-" and 16 hex digits of
    /// its ID, never moved), unless it is there already; returns "REPOSITORY@sha256:…", what
    /// every machine pulls. `sent`: whether it was pushed now.
    static Result<QString> publishImage(DockerClient &docker, const QString &image, const QString &reference,
                                        const QString &prefix, const std::atomic_bool *cancel = nullptr,
                                        bool *sent = nullptr);
    /// Pushes what `local` has queued to `target` (whose storeUrl must be set).
    static Outcome push(LineageStore &local, const Target &target, const LineageSync::Progress &progress = {},
                        const std::atomic_bool *cancel = nullptr);
};

} // namespace trainyard::core
