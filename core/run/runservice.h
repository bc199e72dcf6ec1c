#pragma once

#include "common/error.h"
#include "engine/jobexecutor.h"
#include "engine/runrecord.h"
#include "engine/scheduler.h"
#include "lineage/runreproducer.h"
#include "pipeline/pipeline.h"

#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace trainyard::core {

/// The one way a run is made, for `trainyard run`, `trainyard reproduce` and the window alike:
/// reads and checks the pipeline, opens the project's lineage store (refusing to run unrecorded
/// unless asked), recovers runs a crash left behind (their containers and workspaces removed),
/// imports old run records once, loads the secrets, then runs on its own thread: a pipeline
/// (RunExecution: engine, recorder, scheduler) or a reproduction (RunReproducer prepares and
/// compares, RunExecution runs).
///
/// Events arrive as signals on the thread this object lives in (queued). Log lines are the
/// exception: at thousands a second they go to Request::log, called on the jobs' threads. The
/// service owns its thread; destroying it cancels the run and never waits for the thread: the
/// thread ends by itself and finds no one to report to.
class RunService final : public QObject
{
    Q_OBJECT

public:
    struct Request
    {
        QString projectDir = QStringLiteral(".");
        QString pipelineFile; ///< default `.gitlab-ci.yml`
        QString branch;       ///< default: the current git branch
        /// The pipeline as the window has it (saved); read from `pipelineFile` when not given.
        std::optional<Pipeline> pipeline;
        QString engine = QStringLiteral("docker");
        QString dockerEndpoint;
        /// What to run: onlyJobs, approvals, concurrency, cpuFallback, trigger, waitForApprovals,
        /// askApproval. Secrets, the retry's earlier run and the numbering are the service's.
        RunOptions options;
        QString retryOf;    ///< a run of this project to retry (its succeeded jobs are reused)
        bool record = true; ///< false: run without recording lineage (`--no-record`)
        QString reproduce;  ///< a run id: reproduce that run instead (engine: empty = the run's)
        bool keepWorktree = true;
        /// Log lines (secrets masked), from the jobs' threads: must be thread-safe.
        std::function<void(const QString &job, const LogLine &line)> log;
    };

    explicit RunService(QObject *parent = nullptr);
    ~RunService() override;

    /// Checks what can be checked at once (the pipeline, the job names) and starts the run on the
    /// service's thread. An Error when it cannot start (then nothing ran and no signal follows);
    /// what is found later (store, secrets, engine) ends with refused() or finished().
    Result<void> start(Request request);
    bool isRunning() const;

    void cancel();
    void cancelJob(const QString &job);
    void approve(const QString &job);

Q_SIGNALS:
    /// What the run does (the engine it reached, cancelling, workspaces kept).
    void message(const QString &text);
    /// What the user should know: runs a crash left, cleaned up; run records imported.
    void note(const QString &text);
    /// What the user may have to act on: secrets not set or not masked, lineage not recorded.
    void warning(const QString &text);
    void runStarted(const trainyard::core::RunRecord &record);
    void jobChanged(const trainyard::core::JobRecord &record);
    void progress(const QString &job, const QString &label, qint64 current, qint64 total);
    /// Refused before anything ran (the store cannot be written, a secret cannot be masked, an
    /// unknown run to retry or reproduce, changed data): nothing was recorded.
    void refused(const QString &error);
    /// A reproduction that ran: its comparison with the original (before finished()).
    void reproduced(const trainyard::core::ReproductionReport &report);
    /// The run ended, however; `error` says why when it did not start or stopped early.
    void finished(const trainyard::core::RunRecord &record, const QString &error);

private:
    struct Worker;
    std::shared_ptr<Worker> m_worker; ///< shared with the thread, which may outlive this
};

} // namespace trainyard::core
