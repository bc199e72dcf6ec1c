#include "project/lineagewatcher.h"

#include <QDir>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QTimer>

namespace trainyard::ui {

namespace {

QString stateOf(const QString &path, bool emptyIsNone)
{
    const QFileInfo info(path);
    if (!info.exists() || (emptyIsNone && info.size() == 0))
        return QStringLiteral("-");
    return QStringLiteral("%1@%2").arg(info.size()).arg(info.lastModified().toMSecsSinceEpoch());
}

} // namespace

LineageWatcher::LineageWatcher(QObject *parent)
    : QObject(parent)
    , m_watcher(new QFileSystemWatcher(this))
    , m_gather(new QTimer(this))
{
    m_gather->setSingleShot(true);
    m_gather->setInterval(500);
    // Not restarted by every notification: a run that writes all the time is still shown twice a second.
    const auto noticed = [this] {
        if (!m_gather->isActive())
            m_gather->start();
    };
    connect(m_watcher, &QFileSystemWatcher::fileChanged, this, noticed);
    connect(m_watcher, &QFileSystemWatcher::directoryChanged, this, noticed);
    connect(m_gather, &QTimer::timeout, this, [this] {
        watch(); // files created (the first run, a new log) or replaced since
        const QString now = signature();
        if (now == m_last)
            return;
        m_last = now;
        Q_EMIT changed();
    });
}

void LineageWatcher::setInterval(int ms)
{
    m_gather->setInterval(ms);
}

void LineageWatcher::setProjectDir(const QString &dir)
{
    m_gather->stop();
    const QStringList watched = m_watcher->files() + m_watcher->directories();
    if (!watched.isEmpty())
        m_watcher->removePaths(watched);
    m_dir = dir;
    if (m_dir.isEmpty())
        return;
    watch();
    m_last = signature();
}

void LineageWatcher::watch()
{
    if (m_dir.isEmpty())
        return;
    const QString store = m_dir + QStringLiteral("/.trainyard");
    // The project folder until .trainyard exists, then .trainyard (where the database appears).
    const QString folder = QFileInfo(store).isDir() ? store : m_dir;
    QStringList wanted{folder};
    for (const QString &file : {QStringLiteral("/lineage.db"), QStringLiteral("/lineage.db-wal")}) {
        if (QFileInfo::exists(store + file))
            wanted << store + file;
    }
    const QStringList watched = m_watcher->files() + m_watcher->directories();
    QStringList gone;
    for (const QString &path : watched) {
        if (!wanted.contains(path))
            gone << path;
    }
    if (!gone.isEmpty())
        m_watcher->removePaths(gone);
    QStringList added;
    for (const QString &path : wanted) {
        if (!watched.contains(path))
            added << path;
    }
    if (!added.isEmpty())
        m_watcher->addPaths(added);
}

QString LineageWatcher::signature() const
{
    const QString store = m_dir + QStringLiteral("/.trainyard/lineage.db");
    return stateOf(store, false) + u' ' + stateOf(store + QStringLiteral("-wal"), true);
}

} // namespace trainyard::ui
