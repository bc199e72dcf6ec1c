#pragma once

#include "engine/runrecord.h"
#include "lineage/runreproducer.h"
#include "pipeline/pipeline.h"

#include <QObject>
#include <QString>

#include <memory>

namespace trainyard::ui {

class CompareView;
class GpuPanel;
class LogBatcher;
class PipelineScene;
class ReproduceController;
class RunConsole;
class RunController;

/// The window's run and reproduction, one at a time: starts them (through core's RunService),
/// shows them live on the canvas, the run console, the GPU panel and the compare view, takes
/// approvals and cancels, and says when they end. The window decides what happens then.
class RunSession final : public QObject
{
    Q_OBJECT

public:
    RunSession(PipelineScene *scene, RunConsole *console, LogBatcher *logs, GpuPanel *gpus, CompareView *compare,
               QObject *parent = nullptr);
    ~RunSession() override;

    bool isActive() const { return m_run || m_reproduce; }
    bool isRunning() const { return m_run != nullptr; }
    /// The last run of this project that ended, for Retry; empty after another project opened.
    QString lastRunId() const { return m_lastRunId; }
    /// The engine the last run used ("docker", "shell", "slurm"): a retry uses it too.
    QString lastRunEngine() const { return m_lastRunEngine; }
    /// Another project opens: nothing of this one's runs stays in view (the cards' states, the
    /// console's logs, the GPUs' assignments) and Retry forgets its last run.
    void forgetProject();

    /// Runs `pipeline` (or `job` and what it needs; with `retryOf`, reusing what succeeded there).
    void run(const core::Pipeline &pipeline, const QString &job, const QString &engine, const QString &retryOf);
    /// Whether the last run ended with `job` waiting as a manual job: approving it plays it.
    bool canPlay(const QString &job) const;
    /// Plays manual job `job` of the last run, as GitLab's Run button does once its pipeline has
    /// stopped at it: a run of `job` approved and of the jobs after it that did not run, reusing
    /// the last run's jobs that succeeded (their logs and artifacts), on the same engine.
    void play(const core::Pipeline &pipeline, const QString &job);
    /// Reproduces run `runId` of the project in `projectDir`.
    void reproduce(const QString &projectDir, const QString &runId);
    /// Approves manual job `job`: of the active run; else, of the last run, asks for it to be played.
    void approve(const QString &job);
    void cancelJob(const QString &job);
    void cancel();

Q_SIGNALS:
    void started();
    /// Approve was pressed on a manual job of a run that has ended: the window may play() it.
    void playRequested(const QString &job);
    void message(const QString &text);
    /// The run ended; `error` says why when it could not start.
    void runEnded(const trainyard::core::RunRecord &record, const QString &error);
    void reproductionEnded(const QString &runId, const trainyard::core::ReproductionReport &report,
                           const QString &refusal);

private:
    void showJob(const core::JobRecord &job, bool onCanvas);
    void start(const core::Pipeline &pipeline, core::RunOptions options, const QString &engine, const QString &retryOf);

    PipelineScene *m_scene;
    RunConsole *m_console;
    LogBatcher *m_logs;
    GpuPanel *m_gpus;
    CompareView *m_compare;
    std::unique_ptr<RunController> m_run;
    std::unique_ptr<ReproduceController> m_reproduce;
    QString m_lastRunId;
    std::map<QString, core::JobStatus> m_lastJobs; ///< how each job of the last run ended
    QString m_lastRunEngine;
    bool m_consoleFollowsRun = true; ///< until the user picks a tab himself
};

} // namespace trainyard::ui
