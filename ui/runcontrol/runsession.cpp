#include "runsession.h"

#include "reproducecontroller.h"
#include "runcontroller.h"

#include "canvas/pipelinescene.h"
#include "compare/compareview.h"
#include "console/joblogview.h"
#include "console/logbatcher.h"
#include "console/runconsole.h"
#include "gpu/gpupanel.h"

#include "pipeline/planner.h"

#include <QTabBar>

namespace trainyard::ui {

RunSession::RunSession(PipelineScene *scene, RunConsole *console, LogBatcher *logs, GpuPanel *gpus,
                       CompareView *compare, QObject *parent)
    : QObject(parent)
    , m_scene(scene)
    , m_console(console)
    , m_logs(logs)
    , m_gpus(gpus)
    , m_compare(compare)
{
    connect(m_console->tabBar(), &QTabBar::tabBarClicked, this, [this] { m_consoleFollowsRun = false; });
}

RunSession::~RunSession() = default;

void RunSession::forgetProject()
{
    m_lastRunId.clear();
    m_lastJobs.clear();
    m_lastRunEngine.clear();
    m_scene->setApprovalsEnabled(false);
    m_scene->clearJobStatus();
    m_logs->flush(); // lines of the last run still batched go now, and with the console's tabs
    m_console->reset();
    m_gpus->clearAssignments();
    m_consoleFollowsRun = true;
}

void RunSession::showJob(const core::JobRecord &job, bool onCanvas)
{
    if (onCanvas) {
        m_scene->setJobStatus(job.name, job.status, job.reason, job.started, job.finished);
        m_scene->setJobNotes(job.name, job.reason, job.warnings);
        m_gpus->updateJob(job);
    }
    m_console->setJobStatus(job.name, job.status);
    if (m_consoleFollowsRun && job.status == core::JobStatus::Running)
        m_console->setCurrentWidget(m_console->viewFor(job.name)); // tabBarClicked is the user's only
    if (core::isFinal(job.status) && job.started.isValid())
        m_console->viewFor(job.name)->setFinished(job.exitCode, job.started.msecsTo(job.finished),
                                                  core::jobStatusToString(job.status), job.reason);
    // A job that starts may write scalars (followed live); one that ends has collected them.
    if (onCanvas && (job.status == core::JobStatus::Running || core::isFinal(job.status)))
        m_compare->refreshRuns();
}

void RunSession::run(const core::Pipeline &pipeline, const QString &job, const QString &engine, const QString &retryOf)
{
    core::RunOptions options;
    if (!job.isEmpty())
        options.onlyJobs = QStringList{job};
    start(pipeline, std::move(options), engine, retryOf);
}

bool RunSession::canPlay(const QString &job) const
{
    const auto it = m_lastJobs.find(job);
    return !isActive() && !m_lastRunId.isEmpty() && it != m_lastJobs.end() && it->second == core::JobStatus::Manual;
}

void RunSession::play(const core::Pipeline &pipeline, const QString &job)
{
    if (!canPlay(job))
        return;
    core::RunOptions options;
    options.onlyJobs = QStringList{job};
    options.approvals = QStringList{job};
    // The jobs after it that did not run (they waited for it); those that succeeded are reused.
    if (const auto plan = core::Planner::plan(pipeline)) {
        for (const QString &after : plan->downstreamOf(job)) {
            const auto it = m_lastJobs.find(after);
            if (it == m_lastJobs.end() || it->second != core::JobStatus::Success)
                options.onlyJobs << after;
        }
    }
    start(pipeline, std::move(options), m_lastRunEngine, m_lastRunId);
}

void RunSession::start(const core::Pipeline &pipeline, core::RunOptions options, const QString &engine,
                       const QString &retryOf)
{
    if (isActive())
        return;
    m_scene->clearJobStatus();
    m_console->reset();
    m_consoleFollowsRun = true;
    m_run = std::make_unique<RunController>(pipeline, engine, options, m_logs, nullptr, retryOf);
    connect(m_run.get(), &RunController::runStarted, this, [this](const core::RunRecord &record) {
        m_console->setRunTitle(tr("Run #%1 · running · %2").arg(record.pipelineIid).arg(record.id));
    });
    connect(m_run.get(), &RunController::jobChanged, this, [this](const core::JobRecord &j) { showJob(j, true); });
    connect(m_run.get(), &RunController::progress, m_console, &RunConsole::setProgress);
    // Where a cluster has the job (SlurmExecutor says "Slurm: waiting for GPUs (Resources)"): on its card.
    connect(m_run.get(), &RunController::progress, this, [this](const QString &job, const QString &label) {
        if (label.startsWith(QLatin1String("Slurm: ")))
            m_scene->setJobDetail(job, label.mid(7));
    });
    connect(m_run.get(), &RunController::message, this, &RunSession::message);
    connect(m_run.get(), &RunController::finished, this, [this](const core::RunRecord &record, const QString &error) {
        m_run.release()->deleteLater(); // delete once this signal returns
        if (!record.id.isEmpty())
            m_console->setRunTitle(
                tr("Run #%1 · %2 · %3").arg(record.pipelineIid).arg(core::runStatusToString(record.status), record.id));
        m_gpus->setPolling(false);
        m_gpus->clearAssignments();
        if (!record.id.isEmpty()) {
            m_lastRunId = record.id;
            m_lastRunEngine = record.engine;
            m_lastJobs.clear();
            for (const auto &[name, j] : record.jobs)
                m_lastJobs[name] = j.status;
        }
        // Manual jobs the run stopped at stay playable from their cards.
        m_scene->setApprovalsEnabled(!m_lastRunId.isEmpty());
        Q_EMIT runEnded(record, error);
    });
    m_scene->setApprovalsEnabled(true);
    m_gpus->setPolling(true);
    m_run->start();
    Q_EMIT started();
}

void RunSession::reproduce(const QString &projectDir, const QString &runId)
{
    if (isActive())
        return;
    m_scene->clearJobStatus();
    m_console->reset();
    m_consoleFollowsRun = true;
    m_reproduce = std::make_unique<ReproduceController>(projectDir, runId, m_logs);
    // The reproduction runs the recorded commit's pipeline: its jobs show in the console only.
    connect(m_reproduce.get(), &ReproduceController::jobChanged, this,
            [this](const core::JobRecord &j) { showJob(j, false); });
    connect(m_reproduce.get(), &ReproduceController::progress, m_console, &RunConsole::setProgress);
    connect(m_reproduce.get(), &ReproduceController::message, this, &RunSession::message);
    connect(m_reproduce.get(), &ReproduceController::finished, this,
            [this, runId](const core::ReproductionReport &report, const QString &refusal) {
                m_reproduce.release()->deleteLater();
                Q_EMIT reproductionEnded(runId, report, refusal);
            });
    m_reproduce->start();
    Q_EMIT started();
}

void RunSession::approve(const QString &job)
{
    if (m_run)
        m_run->approve(job);
    else if (canPlay(job))
        Q_EMIT playRequested(job);
}

void RunSession::cancelJob(const QString &job)
{
    if (m_run)
        m_run->cancelJob(job);
}

void RunSession::cancel()
{
    if (m_run)
        m_run->cancel();
    if (m_reproduce)
        m_reproduce->cancel();
}

} // namespace trainyard::ui
