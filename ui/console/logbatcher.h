#pragma once

#include "engine/containerspec.h"

#include <QHash>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <deque>

namespace trainyard::ui {

/// Collects log lines from any thread and hands them to the UI thread in bounded batches, so a
/// job that prints 100,000 lines at once never blocks the event loop.
class LogBatcher final : public QObject
{
    Q_OBJECT

public:
    explicit LogBatcher(QObject *parent = nullptr);
    ~LogBatcher() override;

    /// Queues one line of `job` (empty: the run itself, e.g. image pulls). Thread-safe.
    void push(const QString &job, const core::LogLine &line);

    /// How often queued lines are delivered (default 50 ms).
    void setInterval(int ms);
    /// At most this many lines per job per tick (default 5,000).
    void setMaxLinesPerTick(int lines);
    /// Delivery stops for the tick once this much time went into the receivers (default 10 ms).
    void setTimeBudget(int ms);
    /// Lines a job may have waiting; beyond that the oldest are dropped and reported through
    /// linesDropped (default 200,000), so memory stays bounded when the UI cannot keep up.
    void setMaxPendingLines(qsizetype lines);

    /// Lines waiting for delivery, all jobs together. Thread-safe.
    qsizetype pendingCount() const;
    /// Delivers everything queued now, ignoring the per-tick limits (UI thread).
    void flush();

Q_SIGNALS:
    void linesReady(const QString &job, const QList<trainyard::core::LogLine> &lines);
    /// `count` lines of `job` were dropped before delivery (they are still in the job's log file).
    void linesDropped(const QString &job, qint64 count);

private:
    struct Queue
    {
        std::deque<core::LogLine> lines;
        qint64 dropped = 0;
    };
    /// Delivers one chunk per job, round robin; false when nothing was delivered.
    bool deliverRound(QHash<QString, qsizetype> &delivered, qsizetype perJobLimit);
    void tick();

    mutable QMutex m_mutex;
    QHash<QString, Queue> m_queues; // guarded by m_mutex
    QStringList m_order;            // jobs in order of their first line; guarded by m_mutex
    bool m_armed = false;           // a tick is scheduled; guarded by m_mutex
    qsizetype m_maxPending = 200000;

    QTimer m_timer;
    qsizetype m_maxPerTick = 5000;
    int m_budgetMs = 10;
};

} // namespace trainyard::ui
