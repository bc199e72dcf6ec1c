#pragma once

#include "common/error.h"
#include "containerspec.h"

#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <vector>

namespace trainyard::core {

/// Where the jobs stand that a job queued ahead of them needs (JobExecution::needsVerdict).
enum class NeedsVerdict {
    Waiting, ///< one has not ended yet, as the run sees it (its artifacts are still being collected)
    Passed,  ///< all ended as they must: the job may start
    Failed,  ///< one did not succeed: the job never runs
};

/// One attempt of one job, fully prepared by the Scheduler: what an executor needs to run it.
struct JobExecution
{
    QString runId;
    QString job;
    QString projectName;
    QString image;                 ///< empty for the shell executor
    QString workspaceDir;          ///< the job's fresh copy of the project (host path)
    QString projectDirInJob;       ///< CI_PROJECT_DIR as the job sees it
    QStringList env;               ///< "KEY=value", secrets included (never logged)
    QString script;                ///< before_script + script, built by JobScript
    QString afterScript;           ///< may be empty
    QStringList gpuIds;            ///< GPUs assigned by the scheduler
    int gpuCount = 0;              ///< GPUs the job asks for (an engine that allocatesGpus() gets them itself)
    std::vector<Mount> dataMounts; ///< `.trainyard: data:` inputs, read-only
    struct ServiceSpec
    {
        QString image;
        QString alias;
        QStringList command;
    };
    std::vector<ServiceSpec> services;
    QString memory; ///< `.trainyard` limits, Docker size strings
    double cpus = 0;
    QString shmSize;
    int timeoutSeconds = 3600;
    bool privilegedServicesAllowed = false;
    bool mountDockerSocket = false;
    /// Queued ahead (JobExecutor::queuesAhead): the engine's ids of the jobs it needs that were
    /// still running when it was started. The engine holds it until they succeeded there, then
    /// until `needsVerdict` says Passed; Failed ends it as never run (JobOutcome::skipped).
    QStringList after;
    /// With `after`: how the jobs it needs ended, as the run sees them; Failed names one in `*job`.
    std::function<NeedsVerdict(QString *job)> needsVerdict;
};

/// What came of an attempt.
struct JobOutcome
{
    int exitCode = -1;
    bool timedOut = false;
    bool cancelled = false;
    bool oomKilled = false;
    QString imageId;         ///< the resolved image ID (docker)
    QStringList repoDigests; ///< the image's registry digests, if any
    QString isolation;       ///< "docker container" or "none (host shell)"
    /// The GPUs an engine with a scheduler of its own gave the job, as it names them
    /// ("gpu:1(IDX:0)"); its isolation then also says where it ran (cluster, job id, node).
    QStringList gpus;
    /// Set when the engine's machinery ended the job, not its script (a cluster's node failed, a
    /// preemption): why, in words. `retry: when: runner_system_failure` counts it; the job has no
    /// exit code of its own then (-1).
    QString systemFailure;
    /// Set when a job queued ahead never ran because a job it needs did not succeed: why, in
    /// words (it is then skipped, as GitLab skips it, and never retried).
    QString skipped;
};

/// Receives what an executor reports while it runs. Called from the executor's thread.
struct ExecutionCallbacks
{
    std::function<void(const LogLine &)> log;
    /// Pull/build progress: a label ("pull layer 3a…"), current and total (total 0 = unknown).
    std::function<void(const QString &label, qint64 current, qint64 total)> progress;
};

/// Runs one prepared job attempt and blocks until it ends: call it on a worker thread.
class JobExecutor
{
public:
    virtual ~JobExecutor() = default;
    virtual QString name() const = 0;
    /// True when a job's script runs in a shell of the machine it lands on, not in a container:
    /// it sees its workspace and the data inputs where they are (the shell engine; Slurm with
    /// the runtime `none`).
    virtual bool runsOnHost() const { return false; }
    /// True when the engine's own scheduler gives jobs their GPUs (a cluster): this machine's
    /// GPUs are neither looked for nor assigned; JobExecution::gpuCount says how many a job asks.
    virtual bool allocatesGpus() const { return false; }
    /// True when the engine can queue a job before the jobs it needs have ended (a cluster's
    /// job dependencies): the Scheduler then starts such a job early, with JobExecution::after.
    virtual bool queuesAhead() const { return false; }
    /// The engine's id of the attempt of `job` (run `runId`) it submitted last; empty when it has
    /// none (yet). Only for engines that queuesAhead().
    virtual QString submittedId(const QString &runId, const QString &job) const
    {
        (void)runId;
        (void)job;
        return {};
    }
    /// Checks the executor can work at all (e.g. the Docker engine answers) before a run starts.
    virtual Result<QString> preflight() = 0;
    /// Prepares an image (pull or build) once per run before jobs use it; a no-op for the shell.
    virtual Result<void> prepareImage(const QString &image, const ExecutionCallbacks &callbacks,
                                      const std::atomic_bool &cancel) = 0;
    virtual Result<JobOutcome> run(const JobExecution &execution, const ExecutionCallbacks &callbacks,
                                   const std::atomic_bool &cancel) = 0;
    /// Makes an image built on this machine reachable where the engine runs its jobs (a
    /// cluster's nodes): returns the reference they pull ("REGISTRY/…@sha256:…").
    using ImagePublisher = std::function<Result<QString>(const QString &image, const std::atomic_bool &cancel)>;
    /// Engines whose jobs run on other machines publish the images built here through this
    /// (the team's registry); others ignore it.
    virtual void setImagePublisher(ImagePublisher) {}
    /// Removes what a (crashed) run left behind, found by its label; returns how many things.
    virtual int cleanupRun(const QString &runId) = 0;
};

} // namespace trainyard::core
