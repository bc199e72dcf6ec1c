#pragma once

#include "common/error.h"
#include "engine/runrecord.h"
#include "engine/scheduler.h"
#include "pipeline/pipeline.h"

#include <QString>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>

namespace trainyard::core {

class JobExecutor;
class LineageRecorder;

/// One run from start to end on the calling thread: the engine chosen by name, the lineage
/// recorded as the run goes (job states written as they change; the run numbered by the store,
/// in one transaction), the scheduler, and the run's JSON export at the end. The run service
/// does this on its own thread for `trainyard run`, the window and reproductions alike; nothing
/// else wires an engine, a recorder and a scheduler together.
class RunExecution final
{
public:
    struct Setup
    {
        Pipeline pipeline;
        QString engine = QStringLiteral("docker");
        QString dockerEndpoint; ///< empty: the default (DOCKER_HOST or the local socket)
        RunOptions options;     ///< numberRun is set here
        bool record = true;     ///< false: `--no-record`, nothing goes into the lineage store
        QString databasePath;   ///< empty: the project's lineage database
        /// The project whose run numbers the run takes the next of; empty: the pipeline's. A
        /// reproduction runs in a worktree and is numbered among the runs of the project it reproduces.
        QString numberIn;
        SchedulerEvents events; ///< thread-safe, as the scheduler's
        /// Notes and data-hashing progress of the recorder, from its thread.
        std::function<void(const QString &message)> message;
        std::function<void(const QString &label, qint64 current, qint64 total)> progress;
        /// What the run did once its jobs ended (the images it scanned), for the user.
        std::function<void(const QString &text)> note;
    };

    explicit RunExecution(Setup setup);
    ~RunExecution();
    Q_DISABLE_COPY_MOVE(RunExecution)

    /// Blocking. The run's record however it ended; an Error (with the record in snapshot())
    /// when it did not start or the engine could not be made.
    Result<RunRecord> run();
    /// Thread-safe, before and during run().
    RunRecord snapshot() const;
    void cancel();
    void cancelJob(const QString &job);
    void approve(const QString &job);

private:
    /// `.trainyard: scan: on_run:` — the images run `runId` used, scanned against the project's
    /// OSV advisories once it ended; what was found (or why not) said through Setup::message.
    void scanImages(const QString &databasePath, const QString &runId);
    Setup m_setup;
    std::unique_ptr<JobExecutor> m_executor;
    std::unique_ptr<LineageRecorder> m_recorder; ///< outlives the scheduler that feeds it
    std::unique_ptr<Scheduler> m_scheduler;
    mutable std::mutex m_mutex; ///< guards m_cancelled with the scheduler's creation
    bool m_cancelled = false;
    /// Set by cancel(): stops the scans of `.trainyard: scan: on_run:` (read without the mutex).
    std::atomic_bool m_stopScans{false};
};

} // namespace trainyard::core
