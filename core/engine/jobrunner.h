#pragma once

#include "jobexecutor.h"

#include "pipeline/job.h"

#include <QJsonObject>
#include <QString>

#include <atomic>
#include <functional>
#include <utility>
#include <vector>

namespace trainyard::core {

/// Takes one job from start to end, blocking (a scheduler's worker thread calls it): waits out
/// `when: delayed`, makes the job's fresh workspace, stages the artifacts it gets, runs the
/// attempts `retry` allows, and collects its artifacts as `artifacts:when` says (with the job's
/// variables expanded in `artifacts:paths` and `exclude`, as GitLab does). It knows nothing
/// of the other jobs: the scheduler hands it what they produced.
class JobRunner final
{
public:
    struct Input
    {
        const Job &job;
        const JobExecution &execution;
        QString projectDir;
        /// The artifact sets (ArtifactStore JSON) of the jobs whose artifacts this job receives.
        std::vector<std::pair<QString, QJsonObject>> incoming;
    };

    struct Output
    {
        bool ok = true; ///< false: Trainyard could not run the job (see error)
        QString error;
        JobOutcome outcome;
        QJsonObject produced; ///< the ArtifactStore JSON of what the job left, or empty
        int attempts = 0;
        /// What the job's record and card warn about: artifact paths that matched nothing,
        /// files left out (symbolic links out of the workspace, special files).
        QStringList warnings;
    };

    static Output run(JobExecutor &executor, const Input &input, const ExecutionCallbacks &callbacks,
                      const std::atomic_bool &cancel, const std::function<void(int attempt)> &onAttempt = {});

    /// Whether `retry` allows another attempt after `attempts` attempts ended in `outcome`.
    static bool retryAllowed(const Job &job, const JobOutcome &outcome, int attempts);
};

} // namespace trainyard::core
