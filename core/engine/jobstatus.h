#pragma once

#include <QString>

namespace trainyard::core {

/// The states a job goes through in a run, as the GUI shows them.
enum class JobStatus {
    Pending, ///< waiting for its needs or an earlier stage
    Manual,  ///< `when: manual`: waiting for an approval
    Running,
    Success,
    Failed,
    FailedAllowed, ///< failed, but `allow_failure` lets the pipeline go on
    Skipped,       ///< not run: an upstream job failed (or none did, for `on_failure`)
    Cancelled,
};

QString jobStatusToString(JobStatus status);
/// The status a jobStatusToString() text names; Pending for text it does not know.
JobStatus jobStatusFromString(const QString &text);
/// A job in this state will not change any more.
bool isFinal(JobStatus status);
/// Counts as passed for the jobs after it (success, or a failure that is allowed).
bool isPassed(JobStatus status);

/// The state of a whole run.
enum class RunStatus { Running, Success, Failed, Cancelled, Blocked, Interrupted, NotStarted };
QString runStatusToString(RunStatus status);
/// The status a runStatusToString() text names; Interrupted for text it does not know.
RunStatus runStatusFromString(const QString &text);

} // namespace trainyard::core
