#pragma once

#include "common/error.h"
#include "lineagestore.h"

#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>

namespace trainyard::core {

/// Pushes a project's runs from its own store to the team's store (LineageStore::open of a
/// `postgresql://` URL). Offline first: every run is recorded in the project's store, which queues
/// it (LineageStore::outbox); a push copies all of a run's records in one transaction of the team
/// store, then takes the run off the outbox. Pushes are idempotent, by natural keys (run id, job
/// name, artifact path and sha256, …): a push cut short (server gone, process killed) leaves the
/// run queued and the team store unchanged, and the next push completes it; a run pushed twice is
/// there once.
class LineageSync final
{
public:
    /// (runs pushed so far, runs to push)
    using Progress = std::function<void(int done, int total)>;
    struct Report
    {
        int pushed = 0;      ///< runs pushed and taken off the outbox
        int requeued = 0;    ///< pushed, but written again locally meanwhile: still queued
        QStringList failed;  ///< "RUN: why", for runs that could not be pushed (still queued)
        QStringList refused; ///< "RUN: why", sign-offs the team store refused (the run is pushed, and stays
                             ///< queued so that the sign-off is tried again)
    };

    /// Copies every record of `runId` from `from` to `to`, in one transaction of `to`; then its
    /// sign-offs, each on its own: the team store decides who may sign off (only its leads), and
    /// returns what it refused (which does not keep the run's lineage from being pushed).
    static Result<QStringList> pushRun(const LineageStore &from, LineageStore &to, const QString &runId);
    /// Called for each run before its lineage is pushed, with the run's artifacts (to push their
    /// bytes to the team's registry first: the team store never names an artifact no one can
    /// fetch) and its images (which it may give the digests they were pushed under: the team's
    /// store records them). An Error keeps the run queued and is reported; setting `stopAll`
    /// leaves the rest queued too (the registry gone).
    using BeforeRun = std::function<Result<void>(const QString &runId, const std::vector<LineageArtifact> &artifacts,
                                                 std::vector<LineageImage> &images, bool &stopAll)>;
    /// How long a push waits for another push of the same project to end.
    static constexpr int kPushLockWaitMs = 120000;
    /// Pushes the runs queued in `from`, oldest first, one push of a project at a time (a lock file
    /// beside its store; another push is waited for up to kPushLockWaitMs). Stops at the first run
    /// the team store fails to take while it does not answer (gone): the rest stay queued; a run
    /// it refuses while answering is reported and the others are pushed. An Error when the outbox
    /// cannot be read or another push holds the project.
    static Result<Report> pushQueued(LineageStore &from, LineageStore &to, const Progress &progress = {},
                                     const std::atomic_bool *cancel = nullptr, const BeforeRun &beforeRun = {});
};

} // namespace trainyard::core
