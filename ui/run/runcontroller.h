#pragma once

#include "engine/runrecord.h"
#include "engine/scheduler.h"
#include "pipeline/pipeline.h"

#include <QObject>

#include <memory>
#include <thread>

namespace trainyard::core {
class JobExecutor;
class LineageRecorder;
}

namespace trainyard::ui {

class LogBatcher;

/// Runs a pipeline through core's Scheduler on a worker thread — the same scheduler as
/// `trainyard run` — and reports on the UI thread: job changes, progress and the end of the run
/// as signals, log lines through a LogBatcher. Destroying it cancels the run and waits for it.
class RunController final : public QObject
{
    Q_OBJECT

public:
    enum class Engine { Docker, Shell };

    RunController(core::Pipeline pipeline, Engine engine, core::RunOptions options, LogBatcher *logs,
                  QObject *parent = nullptr);
    ~RunController() override;

    void start();
    void cancel();
    void cancelJob(const QString &job);
    void approve(const QString &job);
    bool isRunning() const { return m_running; }
    const core::Pipeline &pipeline() const { return m_pipeline; }

Q_SIGNALS:
    void jobChanged(const trainyard::core::JobRecord &record);
    void progress(const QString &job, const QString &label, qint64 current, qint64 total);
    void message(const QString &text);
    /// The run ended; `error` is set when it could not start (engine unreachable, GPUs missing…).
    void finished(const trainyard::core::RunRecord &record, const QString &error);

private:
    core::Pipeline m_pipeline;
    std::unique_ptr<core::JobExecutor> m_executor;
    std::unique_ptr<core::LineageRecorder> m_lineage; ///< outlives the scheduler that feeds it
    std::unique_ptr<core::Scheduler> m_scheduler;
    std::thread m_thread;
    bool m_running = false;
};

} // namespace trainyard::ui
