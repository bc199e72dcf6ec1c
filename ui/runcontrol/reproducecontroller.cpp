#include "reproducecontroller.h"

#include "console/logbatcher.h"

#include "run/runservice.h"

#include <QTimer>

namespace trainyard::ui {

ReproduceController::ReproduceController(QString projectDir, QString runId, LogBatcher *logs, QObject *parent)
    : QObject(parent)
    , m_projectDir(std::move(projectDir))
    , m_runId(std::move(runId))
    , m_logs(logs)
    , m_service(new core::RunService(this))
{
    connect(m_service, &core::RunService::jobChanged, this, &ReproduceController::jobChanged);
    connect(m_service, &core::RunService::progress, this, &ReproduceController::progress);
    for (auto signal : {&core::RunService::message, &core::RunService::note, &core::RunService::warning})
        connect(m_service, signal, this, &ReproduceController::message);
    connect(m_service, &core::RunService::reproduced, this,
            [this](const core::ReproductionReport &report) { m_report = report; });
    connect(m_service, &core::RunService::finished, this, [this] { end(m_report, {}); });
    connect(m_service, &core::RunService::refused, this, [this](const QString &refusal) { end({}, refusal); });
}

ReproduceController::~ReproduceController() = default; // the service cancels the reproduction

void ReproduceController::start()
{
    if (m_running)
        return;
    core::RunService::Request request;
    request.projectDir = m_projectDir;
    request.reproduce = m_runId;
    request.engine.clear(); // the engine the original run used
    request.log = [logs = m_logs](const QString &job, const core::LogLine &line) { logs->push(job, line); };
    m_running = true;
    if (auto started = m_service->start(std::move(request)); !started)
        QTimer::singleShot(0, this, [this, error = started.error().toString()] { end({}, error); });
}

void ReproduceController::end(const core::ReproductionReport &report, const QString &refusal)
{
    m_running = false;
    Q_EMIT finished(report, refusal);
}

void ReproduceController::cancel()
{
    m_service->cancel();
}

} // namespace trainyard::ui
