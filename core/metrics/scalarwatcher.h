#pragma once

#include "scalartailer.h"

#include <QFileSystemWatcher>
#include <QObject>
#include <QSet>
#include <QTimer>

namespace trainyard::core {

/// Follows a logdir while jobs write to it: a ScalarTailer read again whenever the file-system
/// watcher sees a change (coalesced), and on a poll timer as a fallback for file systems that
/// send no notifications (NFS, overlay mounts, inotify limits). Emits updated() after a read
/// that added points or found damage.
///
/// Reads run in the thread the watcher lives in: move it to a worker thread (QObject::moveToThread,
/// then start() through a queued call) to keep parsing off the UI thread, and read its tailer()
/// only from that thread, or copy what the UI needs in a slot connected to updated().
class ScalarWatcher final : public QObject
{
    Q_OBJECT

public:
    explicit ScalarWatcher(const QString &logdir, QObject *parent = nullptr);

    /// Poll interval of the fallback timer (default 2000 ms).
    void setPollInterval(int milliseconds);
    const ScalarTailer &tailer() const { return m_tailer; }

public Q_SLOTS:
    /// Reads what is there now, then follows changes.
    void start();
    void stop();
    /// Reads what is new now.
    void readNow();

Q_SIGNALS:
    void updated(const trainyard::core::ReadReport &report);
    /// The logdir cannot be scanned (yet): it is tried again at the next poll.
    void scanFailed(const trainyard::core::Error &error);

private:
    void scheduleRead();
    void updateWatchedPaths();

    ScalarTailer m_tailer;
    QFileSystemWatcher m_fileWatcher;
    QTimer m_pollTimer;
    QTimer m_coalesceTimer; ///< many writes in a burst make one read
    QSet<QString> m_watched;
};

} // namespace trainyard::core
