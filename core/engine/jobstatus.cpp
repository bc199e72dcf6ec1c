#include "jobstatus.h"

namespace trainyard::core {

QString jobStatusToString(JobStatus status)
{
    switch (status) {
    case JobStatus::Pending:
        return QStringLiteral("pending");
    case JobStatus::Manual:
        return QStringLiteral("manual");
    case JobStatus::Running:
        return QStringLiteral("running");
    case JobStatus::Success:
        return QStringLiteral("success");
    case JobStatus::Failed:
        return QStringLiteral("failed");
    case JobStatus::FailedAllowed:
        return QStringLiteral("failed (allowed)");
    case JobStatus::Skipped:
        return QStringLiteral("skipped");
    case JobStatus::Cancelled:
        return QStringLiteral("cancelled");
    }
    return {};
}

bool isFinal(JobStatus status)
{
    return status != JobStatus::Pending && status != JobStatus::Running && status != JobStatus::Manual;
}

bool isPassed(JobStatus status)
{
    return status == JobStatus::Success || status == JobStatus::FailedAllowed;
}

QString runStatusToString(RunStatus status)
{
    switch (status) {
    case RunStatus::Running:
        return QStringLiteral("running");
    case RunStatus::Success:
        return QStringLiteral("success");
    case RunStatus::Failed:
        return QStringLiteral("failed");
    case RunStatus::Cancelled:
        return QStringLiteral("cancelled");
    case RunStatus::Blocked:
        return QStringLiteral("blocked");
    case RunStatus::Interrupted:
        return QStringLiteral("interrupted");
    case RunStatus::NotStarted:
        return QStringLiteral("not started");
    }
    return {};
}

JobStatus jobStatusFromString(const QString &text)
{
    for (JobStatus status : {JobStatus::Pending, JobStatus::Manual, JobStatus::Running, JobStatus::Success,
                             JobStatus::Failed, JobStatus::FailedAllowed, JobStatus::Skipped, JobStatus::Cancelled}) {
        if (jobStatusToString(status) == text)
            return status;
    }
    return JobStatus::Pending;
}

RunStatus runStatusFromString(const QString &text)
{
    for (RunStatus status : {RunStatus::Running, RunStatus::Success, RunStatus::Failed, RunStatus::Cancelled,
                             RunStatus::Blocked, RunStatus::Interrupted, RunStatus::NotStarted}) {
        if (runStatusToString(status) == text)
            return status;
    }
    return RunStatus::Interrupted;
}

} // namespace trainyard::core
