#include "reproducecontroller.h"

#include "console/logbatcher.h"

namespace trainyard::ui {

ReproduceController::ReproduceController(QString projectDir, QString runId, LogBatcher *logs, QObject *parent)
    : QObject(parent)
    , m_projectDir(std::move(projectDir))
    , m_runId(std::move(runId))
{
    // Called from the reproducer's and the scheduler's threads: each is handed to the UI thread,
    // and dropped there if this controller is gone by then.
    core::RunReproducer::Options options;
    options.engine.clear(); // the engine the original run used
    options.events.jobChanged = [this](const core::JobRecord &record) {
        QMetaObject::invokeMethod(this, [this, record] { Q_EMIT jobChanged(record); }, Qt::QueuedConnection);
    };
    options.events.progress = [this](const QString &job, const QString &label, qint64 current, qint64 total) {
        QMetaObject::invokeMethod(
            this, [this, job, label, current, total] { Q_EMIT progress(job, label, current, total); }, Qt::QueuedConnection);
    };
    options.events.message = [this](const QString &text) {
        QMetaObject::invokeMethod(this, [this, text] { Q_EMIT message(text); }, Qt::QueuedConnection);
    };
    options.events.log = [logs](const QString &job, const core::LogLine &line) { logs->push(job, line); };
    options.progress = [progress = options.events.progress](const QString &label, qint64 current, qint64 total) {
        progress(QString(), label, current, total);
    };
    options.message = options.events.message;
    m_reproducer = std::make_unique<core::RunReproducer>(m_projectDir, m_runId, std::move(options));
}

ReproduceController::~ReproduceController()
{
    if (m_reproducer)
        m_reproducer->cancel();
    if (m_thread.joinable())
        m_thread.join();
}

void ReproduceController::start()
{
    if (m_running || m_thread.joinable())
        return;
    m_running = true;
    m_thread = std::thread([this] {
        const auto result = m_reproducer->run();
        const core::ReproductionReport report = result ? *result : core::ReproductionReport{};
        const QString refusal = result ? QString() : result.error().toString();
        QMetaObject::invokeMethod(
            this,
            [this, report, refusal] {
                m_running = false;
                Q_EMIT finished(report, refusal);
            },
            Qt::QueuedConnection);
    });
}

void ReproduceController::cancel()
{
    m_reproducer->cancel();
}

} // namespace trainyard::ui
