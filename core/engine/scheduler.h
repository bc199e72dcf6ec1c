#pragma once

#include "common/error.h"
#include "jobexecutor.h"
#include "jobrunner.h"
#include "runrecord.h"

#include "pipeline/pipeline.h"
#include "vcs/gitinfo.h"

#include <QHash>
#include <QJsonObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace trainyard::core {

class GpuAllocator;
class SecretMasker;
struct Plan;

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
    QString reproduces; ///< a reproduction: the id of the run it reproduces
    /// > 0: the number jobs see as CI_PIPELINE_ID/IID (and CI_JOB_ID's base) instead of the run's
    /// own. A reproduction gives its jobs the original's, so what they make from it is the same.
    qint64 jobPipelineIid = 0;
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
    /// The GPU jobs of a run (none that a retry reuses) and the most GPUs one of them needs ("all" counting as 1).
    struct GpuDemand
    {
        QStringList jobs;
        int most = 0;
    };
    Result<void> preflight();
    /// A refusal for what would fail only once a job ran: an artifact path outside its workspace, a privileged service.
    Result<void> checkJobs() const;
    /// Checks that the executor's engine answers, and says which it is.
    Result<void> reachEngine();
    /// A refusal for a data input this machine does not allow, or that is missing.
    Result<void> checkDataInputs() const;
    /// Checks the GPU jobs against this machine's GPUs and sets up the allocator that assigns them.
    Result<void> setUpGpus();
    /// What GPUs the jobs that are to run need.
    GpuDemand gpuDemand() const;
    /// Each GPU job and how many GPUs it needs, for a refusal ("'train' needs 2 GPU(s)").
    QStringList gpuNeeds() const;
    /// Too few GPUs (`found`: what there is): a refusal, or with --cpu-fallback a message that `gpuJobs` run without.
    Result<void> handleGpuShortage(const QStringList &gpuJobs, const QString &found) const;
    Result<void> prepareImages();
    /// Reads the project's git state and variables, fills the record, makes the jobs' nodes (takes m_mutex).
    void setUpRun(const Plan &plan);
    /// Sets the record's project, commit, user, trigger, engine, start time and pid (the caller holds m_mutex).
    void fillRecordHeader();
    /// A node and record for each job of `plan`, in plan order (the caller holds m_mutex).
    void addNodes(const Plan &plan);
    /// Records the run as not started (or cancelled) because of `e`, its jobs skipped; returns `e` (takes m_mutex).
    Result<RunRecord> recordNotStarted(const Error &e);
    /// Has RunOptions::numberRun number the run, when set (asked outside m_mutex; takes it to store the number).
    Result<void> assignRunNumber();
    /// Numbers an unnumbered run #1, then sends runStarted and the reused jobs' records (takes m_mutex).
    void announceStart();
    /// Waits for every job's thread to end.
    void joinJobThreads();
    /// Sets the run's final status and end time, tidies its workspaces and returns the record (takes m_mutex).
    RunRecord finishRun();
    /// Removes a successful run's workspaces, or says where a failed run's are kept (the caller holds m_mutex).
    void tidyWorkspaces();
    void schedule();
    bool startJob(Node &node);
    /// The jobs `node` needs that still run, when the engine may queue it ahead of them
    /// (JobExecutor::queuesAhead) without changing what runs: each submitted there, neither
    /// retried nor allowed to fail, and passing it no artifacts; every other job it needs passed.
    /// Empty when it may not (the caller holds m_mutex).
    QStringList queueAheadOf(const Node &node) const;
    /// How the jobs `node` was queued ahead of ended (takes m_mutex).
    NeedsVerdict needsVerdict(const Node &node, QString *failedJob) const;
    void runJob(Node *node);
    /// Runs the prepared job to its end with the artifacts it gets (the job's thread; takes m_mutex only briefly).
    JobRunner::Output executeJob(Node &node, const JobExecution &execution, const ExecutionCallbacks &callbacks);
    /// The artifact sets that the jobs named in `sources` produced, for those that produced any (takes m_mutex).
    std::vector<std::pair<QString, QJsonObject>> incomingArtifacts(const QStringList &sources) const;
    /// Records how the job ended, frees its GPUs, sets its final status and wakes the loop (the caller holds m_mutex).
    void finishJob(Node &node, const JobRunner::Output &result, int timeoutSeconds, const SecretMasker &masker,
                   const std::function<void(const LogLine &)> &log);
    /// Copies what the job left (artifacts, masked warnings, outcome, end time) into its node and record.
    static void recordResult(Node &node, const JobRunner::Output &result, const SecretMasker &masker);
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
