#include "runcontroller.h"

#include "console/logbatcher.h"

#include "run/runservice.h"

#include <QTimer>

namespace trainyard::ui {

RunController::RunController(core::Pipeline pipeline, QString engine, core::RunOptions options, LogBatcher *logs,
                             QObject *parent, QString retryOf)
    : QObject(parent)
    , m_pipeline(std::move(pipeline))
    , m_engine(std::move(engine))
    , m_options(std::move(options))
    , m_retryOf(std::move(retryOf))
    , m_logs(logs)
    , m_service(new core::RunService(this))
{
    m_options.trigger = QStringLiteral("gui");
    // Like GitLab, the run ends when only manual jobs are left waiting (blocked when one may not
    // fail): the window stays free, and the Approve button of a waiting card plays it afterwards.
    connect(m_service, &core::RunService::runStarted, this, &RunController::runStarted);
    connect(m_service, &core::RunService::jobChanged, this, &RunController::jobChanged);
    connect(m_service, &core::RunService::progress, this, &RunController::progress);
    for (auto signal : {&core::RunService::message, &core::RunService::note, &core::RunService::warning})
        connect(m_service, signal, this, &RunController::message);
    connect(m_service, &core::RunService::finished, this, &RunController::end);
    connect(m_service, &core::RunService::refused, this, [this](const QString &error) {
        core::RunRecord record;
        record.status = core::RunStatus::NotStarted;
        record.reason = error;
        end(record, error);
    });
}

RunController::~RunController() = default; // the service cancels the run as it goes

void RunController::start()
{
    if (m_running)
        return;
    core::RunService::Request request;
    request.projectDir = m_pipeline.projectDir;
    request.pipeline = m_pipeline;
    request.engine = m_engine.isEmpty() ? QStringLiteral("docker") : m_engine;
    request.options = m_options;
    request.retryOf = m_retryOf;
    request.log = [logs = m_logs](const QString &job, const core::LogLine &line) { logs->push(job, line); };
    m_running = true;
    if (auto started = m_service->start(std::move(request)); !started) {
        // Reported as the end of a run that did not start, after the caller has connected.
        QTimer::singleShot(0, this, [this, error = started.error().message] {
            core::RunRecord record;
            record.status = core::RunStatus::NotStarted;
            record.reason = error;
            end(record, error);
        });
    }
}

void RunController::end(const core::RunRecord &record, const QString &error)
{
    m_running = false;
    Q_EMIT finished(record, error);
}

void RunController::cancel()
{
    m_service->cancel();
}

void RunController::cancelJob(const QString &job)
{
    m_service->cancelJob(job);
}

void RunController::approve(const QString &job)
{
    m_service->approve(job);
}

} // namespace trainyard::ui
