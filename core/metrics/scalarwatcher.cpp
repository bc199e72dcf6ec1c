#include "scalarwatcher.h"

namespace trainyard::core {

ScalarWatcher::ScalarWatcher(const QString &logdir, QObject *parent)
    : QObject(parent)
    , m_tailer(logdir)
    , m_fileWatcher(this)
    , m_pollTimer(this)
    , m_coalesceTimer(this)
{
    m_pollTimer.setInterval(2000);
    m_coalesceTimer.setSingleShot(true);
    m_coalesceTimer.setInterval(50);
    connect(&m_pollTimer, &QTimer::timeout, this, &ScalarWatcher::readNow);
    connect(&m_coalesceTimer, &QTimer::timeout, this, &ScalarWatcher::readNow);
    connect(&m_fileWatcher, &QFileSystemWatcher::fileChanged, this, &ScalarWatcher::scheduleRead);
    connect(&m_fileWatcher, &QFileSystemWatcher::directoryChanged, this, &ScalarWatcher::scheduleRead);
}

void ScalarWatcher::setPollInterval(int milliseconds)
{
    m_pollTimer.setInterval(milliseconds);
}

void ScalarWatcher::start()
{
    readNow();
    m_pollTimer.start();
}

void ScalarWatcher::stop()
{
    m_pollTimer.stop();
    m_coalesceTimer.stop();
    if (!m_watched.isEmpty())
        m_fileWatcher.removePaths(m_watched.values());
    m_watched.clear();
}

void ScalarWatcher::scheduleRead()
{
    if (!m_coalesceTimer.isActive())
        m_coalesceTimer.start();
}

void ScalarWatcher::readNow()
{
    m_coalesceTimer.stop();
    const Result<ReadReport> report = m_tailer.readNew();
    if (!report) {
        Q_EMIT scanFailed(report.error());
        return;
    }
    updateWatchedPaths();
    if (report->pointsAdded > 0 || report->isDamaged())
        Q_EMIT updated(*report);
}

void ScalarWatcher::updateWatchedPaths()
{
    const QStringList paths = m_tailer.watchedPaths();
    QStringList added;
    for (const QString &path : paths) {
        if (!m_watched.contains(path))
            added.append(path);
    }
    if (added.isEmpty())
        return;
    // Paths the watcher refuses (limits, vanished files) are still covered by the poll.
    m_fileWatcher.addPaths(added);
    for (const QString &path : added)
        m_watched.insert(path);
}

} // namespace trainyard::core
