#include "runcontroller.h"

#include "console/logbatcher.h"

#include "engine/dockerclient.h"
#include "engine/dockerexecutor.h"
#include "engine/shellexecutor.h"
#include "lineage/lineagerecorder.h"

namespace trainyard::ui {

RunController::RunController(core::Pipeline pipeline, Engine engine, core::RunOptions options, LogBatcher *logs,
                             QObject *parent)
    : QObject(parent)
    , m_pipeline(std::move(pipeline))
{
    if (engine == Engine::Docker)
        m_executor = std::make_unique<core::DockerExecutor>(core::DockerClient::defaultEndpoint(), m_pipeline.trainyard,
                                                            m_pipeline.projectDir);
    else
        m_executor = std::make_unique<core::ShellExecutor>();
    options.trigger = QStringLiteral("gui");
    options.waitForApprovals = true; // manual jobs wait for the Approve button

    // The scheduler calls these from its threads; each is handed to the UI thread, and dropped
    // there if this controller is gone by then.
    core::SchedulerEvents events;
    events.jobChanged = [this](const core::JobRecord &record) {
        QMetaObject::invokeMethod(this, [this, record] { Q_EMIT jobChanged(record); }, Qt::QueuedConnection);
    };
    events.progress = [this](const QString &job, const QString &label, qint64 current, qint64 total) {
        QMetaObject::invokeMethod(
            this, [this, job, label, current, total] { Q_EMIT progress(job, label, current, total); }, Qt::QueuedConnection);
    };
    events.message = [this](const QString &text) {
        QMetaObject::invokeMethod(this, [this, text] { Q_EMIT message(text); }, Qt::QueuedConnection);
    };
    events.log = [logs](const QString &job, const core::LogLine &line) { logs->push(job, line); };
    core::LineageRecorder::Options lineage;
    lineage.onlyJobs = options.onlyJobs;
    lineage.secrets = options.secrets;
    lineage.trigger = options.trigger;
    lineage.message = events.message;
    lineage.progress = [progress = events.progress](const QString &label, qint64 cur, qint64 total) {
        progress(QString(), label, cur, total);
    };
    m_lineage = std::make_unique<core::LineageRecorder>(m_pipeline, std::move(lineage));
    m_scheduler = std::make_unique<core::Scheduler>(m_pipeline, *m_executor, std::move(options),
                                                     m_lineage->wrap(std::move(events)));
}

RunController::~RunController()
{
    if (m_scheduler)
        m_scheduler->cancel();
    if (m_thread.joinable())
        m_thread.join();
}

void RunController::start()
{
    if (m_running || m_thread.joinable())
        return;
    m_running = true;
    m_thread = std::thread([this] {
        m_lineage->runStarted(m_scheduler->runId(), m_executor->name());
        const auto result = m_scheduler->run();
        core::RunRecord record = result ? *result : m_scheduler->snapshot();
        m_lineage->runFinished(record);
        const QString error = result ? QString() : result.error().toString();
        QMetaObject::invokeMethod(
            this,
            [this, record, error] {
                m_running = false;
                Q_EMIT finished(record, error);
            },
            Qt::QueuedConnection);
    });
}

void RunController::cancel()
{
    m_scheduler->cancel();
}

void RunController::cancelJob(const QString &job)
{
    m_scheduler->cancelJob(job);
}

void RunController::approve(const QString &job)
{
    m_scheduler->approve(job);
}

} // namespace trainyard::ui
