#pragma once

#include "common/error.h"
#include "jobexecutor.h"
#include "runrecord.h"

#include "pipeline/pipeline.h"
#include "vcs/gitinfo.h"

#include <QHash>
#include <QSet>
#include <QString>
#include <QStringList>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

namespace trainyard::core {

class GpuAllocator;

/// How a run is to be made.
struct RunOptions
{
    QStringList onlyJobs; ///< run these (and what they need); empty = all
    /// A retry: an earlier run of this project (as the lineage store holds it). Planned jobs
    /// outside `onlyJobs` that succeeded in that run are not run again: their records (log,
    /// artifacts) are taken from it, so a retried job gets its needs' artifacts without
    /// rebuilding them. With `onlyJobs` empty, this reruns what did not succeed (GitLab's "Retry"
    /// of a pipeline).
    std::optional<RunRecord> retryFrom;
    /// Numbers the run (CI_PIPELINE_IID) once it is sure to start, before the first job: the run
    /// service has the lineage store hand out the next number. Unset: the run is #1.
    std::function<Result<qint64>(const RunRecord &)> numberRun;
    QStringList approvals;           ///< manual jobs approved up front (`--approve JOB`)
    int concurrency = 0;             ///< jobs at once; 0 = number of CPU cores
    bool cpuFallback = false;        ///< run GPU jobs without a GPU, marked so
    bool waitForApprovals = false;   ///< GUI: keep the run open while manual jobs wait
    QHash<QString, QString> secrets; ///< masked everywhere they appear
    QString trigger = QStringLiteral("cli");
    /// Images pinned for this run: reference as written → what jobs run in instead (an image ID
    /// `sha256:…` or `name@sha256:…`). A pinned reference is prepared by its pin (pulled if
    /// missing, never built from `.trainyard: images`); a reproduction pins the recorded IDs.
    QHash<QString, QString> imageOverrides;
    /// Asked (from the scheduler's thread) when a manual job is ready and not pre-approved.
    std::function<bool(const QString &job)> askApproval;
};

/// What a run reports as it goes. Called from the scheduler's and the jobs' threads: the
/// callbacks must be thread-safe (the GUI forwards them as queued signals).
struct SchedulerEvents
{
    /// The run's record once it is sure to start (engine reached, images ready) and numbered,
    /// before any job starts. A run that cannot start never sends it: run() says why.
    std::function<void(const RunRecord &)> runStarted;
    std::function<void(const JobRecord &)> jobChanged;
    std::function<void(const QString &job, const LogLine &)> log;
    std::function<void(const QString &job, const QString &label, qint64 current, qint64 total)> progress;
    std::function<void(const QString &message)> message;
};

/// Runs a pipeline's DAG as GitLab runners would: stage order and `needs`, a concurrency limit,
/// `when`, `allow_failure`, `retry`, `timeout`, manual approvals, GPU assignment, artifacts
/// between jobs, cancellation. `run()` blocks; call it on a worker thread (or from the CLI).
class Scheduler final
{
public:
    Scheduler(const Pipeline &pipeline, JobExecutor &executor, RunOptions options, SchedulerEvents events);
    ~Scheduler();

    /// Runs to the end. What happens reaches the caller through the events (the run service
    /// records it in the lineage store as it changes); the scheduler itself writes nothing but
    /// logs and workspaces. An Error when the run could not start (status NotStarted, with the
    /// reason, in snapshot()).
    Result<RunRecord> run();

    void cancel();
    void cancelJob(const QString &job);
    void approve(const QString &job);
    /// The record as it is now (thread-safe copy).
    RunRecord snapshot() const;
    QString runId() const { return m_record.id; }

private:
    struct Node;
    Result<void> preflight();
    Result<void> prepareImages();
    void schedule();
    bool startJob(Node &node);
    void runJob(Node *node);
    JobExecution prepareExecution(const Node &node, QString &error);
    QString decide(const Node &node, JobStatus &status) const;
    void reuseFrom(const RunRecord &earlier);
    void setStatus(Node &node, JobStatus status, const QString &reason = {});
    void syncRecord();
    RunStatus finalStatus() const;

    const Pipeline &m_pipeline;
    JobExecutor &m_executor;
    RunOptions m_options;
    SchedulerEvents m_events;
    std::unique_ptr<GpuAllocator> m_gpus;
    QString m_projectDir;
    QString m_projectName;
    RunRecord m_record;
    GitState m_git;
    QHash<QString, QString> m_predefined; ///< the project's predefined CI variables
    std::vector<std::unique_ptr<Node>> m_nodes;
    QHash<QString, Node *> m_byName;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::atomic_bool m_cancelAll{false};
    QSet<QString> m_approved;
    QSet<QString> m_asked;
    int m_running = 0;
};

} // namespace trainyard::core
