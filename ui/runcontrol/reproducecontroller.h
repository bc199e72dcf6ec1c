#pragma once

#include "engine/runrecord.h"
#include "lineage/runreproducer.h"

#include <QObject>

namespace trainyard::core {
class RunService;
}

namespace trainyard::ui {

class LogBatcher;

/// Reproduces a recorded run from the window through core's RunService — the same as
/// `trainyard reproduce` — and reports on the UI thread: the reproduction's job changes,
/// progress and messages as signals, log lines through a LogBatcher, and the outcome.
/// Destroying it cancels the reproduction; it never waits for a thread.
class ReproduceController final : public QObject
{
    Q_OBJECT

public:
    ReproduceController(QString projectDir, QString runId, LogBatcher *logs, QObject *parent = nullptr);
    ~ReproduceController() override;

    void start();
    void cancel();
    QString runId() const { return m_runId; }
    bool isRunning() const { return m_running; }

Q_SIGNALS:
    void jobChanged(const trainyard::core::JobRecord &record);
    void progress(const QString &job, const QString &label, qint64 current, qint64 total);
    void message(const QString &text);
    /// The reproduction ran (however it ended): `report` says whether the artifacts came out
    /// identical. Or it was refused before anything ran: `refusal` says why (changed data, a
    /// missing image, uncommitted changes in the run…), `report` is empty.
    void finished(const trainyard::core::ReproductionReport &report, const QString &refusal);

private:
    void end(const core::ReproductionReport &report, const QString &refusal);

    QString m_projectDir;
    QString m_runId;
    LogBatcher *m_logs;
    core::RunService *m_service;
    core::ReproductionReport m_report;
    bool m_running = false;
};

} // namespace trainyard::ui
