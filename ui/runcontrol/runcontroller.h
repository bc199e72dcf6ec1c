#pragma once

#include "engine/runrecord.h"
#include "engine/scheduler.h"
#include "pipeline/pipeline.h"

#include <QObject>

namespace trainyard::core {
class RunService;
}

namespace trainyard::ui {

class LogBatcher;

/// A run started from the window: core's RunService (the same as `trainyard run`: secrets,
/// interrupted runs, lineage, engine) with the window's pipeline, reporting on the UI thread:
/// job changes, progress, messages and the end of the run as signals, log lines through a
/// LogBatcher. Destroying it cancels the run; it never waits for a thread.
class RunController final : public QObject
{
    Q_OBJECT

public:
    /// `engine`: an engine's name (core::Engines::names(): docker, shell, slurm).
    RunController(core::Pipeline pipeline, QString engine, core::RunOptions options, LogBatcher *logs,
                  QObject *parent = nullptr, QString retryOf = {});
    ~RunController() override;

    void start();
    void cancel();
    void cancelJob(const QString &job);
    void approve(const QString &job);
    bool isRunning() const { return m_running; }
    const core::Pipeline &pipeline() const { return m_pipeline; }

Q_SIGNALS:
    /// The run is sure to start and is numbered (its record, no job run yet).
    void runStarted(const trainyard::core::RunRecord &record);
    void jobChanged(const trainyard::core::JobRecord &record);
    void progress(const QString &job, const QString &label, qint64 current, qint64 total);
    void message(const QString &text);
    /// The run ended; `error` is set when it could not start (engine unreachable, GPUs missing,
    /// the lineage store cannot be written…).
    void finished(const trainyard::core::RunRecord &record, const QString &error);

private:
    void end(const core::RunRecord &record, const QString &error);

    core::Pipeline m_pipeline;
    QString m_engine;
    core::RunOptions m_options;
    QString m_retryOf;
    LogBatcher *m_logs;
    core::RunService *m_service;
    bool m_running = false;
};

} // namespace trainyard::ui
