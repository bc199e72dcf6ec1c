#pragma once

#include "jobexecutor.h"

namespace trainyard::core {

/// GitLab's "shell executor": runs a job's script in the host shell in the job's workspace.
/// There is no isolation; the job's record says so. GPUs are handed over as CUDA_VISIBLE_DEVICES.
class ShellExecutor final : public JobExecutor
{
public:
    QString name() const override { return QStringLiteral("shell"); }
    bool runsOnHost() const override { return true; }
    Result<QString> preflight() override;
    Result<void> prepareImage(const QString &, const ExecutionCallbacks &, const std::atomic_bool &) override
    {
        return {};
    }
    Result<JobOutcome> run(const JobExecution &execution, const ExecutionCallbacks &callbacks,
                           const std::atomic_bool &cancel) override;
    int cleanupRun(const QString &) override { return 0; }
};

} // namespace trainyard::core
