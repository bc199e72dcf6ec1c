#include "logbatcher.h"

#include <QElapsedTimer>
#include <QMutexLocker>

#include <algorithm>
#include <limits>

namespace trainyard::ui {

namespace {
// Small enough that one receiver call stays well under the time budget.
constexpr qsizetype ChunkLines = 250;
} // namespace

LogBatcher::LogBatcher(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<core::LogLine>();
    qRegisterMetaType<QList<core::LogLine>>();
    m_timer.setInterval(50);
    connect(&m_timer, &QTimer::timeout, this, &LogBatcher::tick);
}

LogBatcher::~LogBatcher() = default;

void LogBatcher::push(const QString &job, const core::LogLine &line)
{
    bool arm = false;
    {
        QMutexLocker lock(&m_mutex);
        auto it = m_queues.find(job);
        if (it == m_queues.end()) {
            it = m_queues.insert(job, Queue{});
            m_order << job;
        }
        it->lines.push_back(line);
        if (qsizetype(it->lines.size()) > m_maxPending) {
            it->lines.pop_front();
            ++it->dropped;
        }
        arm = !m_armed;
        m_armed = true;
    }
    // The timer only runs while lines wait, so an idle console costs nothing. Started from the
    // batcher's own thread; only the first line after an idle period posts this.
    if (arm)
        QMetaObject::invokeMethod(
            this, [this] { m_timer.start(); }, Qt::QueuedConnection);
}

void LogBatcher::setInterval(int ms)
{
    m_timer.setInterval(ms);
}

void LogBatcher::setMaxLinesPerTick(int lines)
{
    m_maxPerTick = std::max(1, lines);
}

void LogBatcher::setTimeBudget(int ms)
{
    m_budgetMs = std::max(1, ms);
}

void LogBatcher::setMaxPendingLines(qsizetype lines)
{
    QMutexLocker lock(&m_mutex);
    m_maxPending = std::max<qsizetype>(1, lines);
}

qsizetype LogBatcher::pendingCount() const
{
    QMutexLocker lock(&m_mutex);
    qsizetype n = 0;
    for (const Queue &q : m_queues)
        n += qsizetype(q.lines.size());
    return n;
}

bool LogBatcher::deliverRound(QHash<QString, qsizetype> &delivered, qsizetype perJobLimit)
{
    struct Chunk
    {
        QString job;
        QList<core::LogLine> lines;
        qint64 dropped = 0;
    };
    std::vector<Chunk> chunks;
    {
        QMutexLocker lock(&m_mutex);
        for (const QString &job : std::as_const(m_order)) {
            Queue &q = m_queues[job];
            qsizetype &done = delivered[job];
            const qsizetype take = std::min({qsizetype(q.lines.size()), ChunkLines, perJobLimit - done});
            if (take <= 0 && q.dropped == 0)
                continue;
            Chunk chunk{job, {}, q.dropped};
            q.dropped = 0;
            if (take > 0) {
                chunk.lines.reserve(take);
                const auto end = q.lines.begin() + take;
                std::move(q.lines.begin(), end, std::back_inserter(chunk.lines));
                q.lines.erase(q.lines.begin(), end);
                done += take;
            }
            chunks.push_back(std::move(chunk));
        }
    }
    // Emitted without the lock: receivers may take long, and producers must not wait for them.
    for (const Chunk &chunk : chunks) {
        if (chunk.dropped > 0)
            Q_EMIT linesDropped(chunk.job, chunk.dropped);
        if (!chunk.lines.isEmpty())
            Q_EMIT linesReady(chunk.job, chunk.lines);
    }
    return !chunks.empty();
}

void LogBatcher::tick()
{
    QElapsedTimer clock;
    clock.start();
    QHash<QString, qsizetype> delivered;
    while (clock.elapsed() < m_budgetMs && deliverRound(delivered, m_maxPerTick)) {
    }
    QMutexLocker lock(&m_mutex);
    const bool empty = std::all_of(m_queues.cbegin(), m_queues.cend(), [](const Queue &q) { return q.lines.empty(); });
    if (empty) {
        m_armed = false;
        m_timer.stop();
    }
}

void LogBatcher::flush()
{
    QHash<QString, qsizetype> delivered;
    while (deliverRound(delivered, std::numeric_limits<qsizetype>::max())) {
    }
}

} // namespace trainyard::ui
