#include "project/lineagewatcher.h"

#include "project/watchedpaths.h"

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
    m_dir = dir;
    watch(); // and no longer the last project's files
    m_last = m_dir.isEmpty() ? QString() : signature();
}

void LineageWatcher::watch()
{
    QStringList wanted;
    if (!m_dir.isEmpty()) {
        const QString store = m_dir + QStringLiteral("/.trainyard");
        // The project folder until .trainyard exists, then .trainyard (where the database appears).
        wanted << (QFileInfo(store).isDir() ? store : m_dir);
        for (const QString &file : {QStringLiteral("/lineage.db"), QStringLiteral("/lineage.db-wal")}) {
            if (QFileInfo::exists(store + file))
                wanted << store + file;
        }
    }
    watchExactly(m_watcher, wanted);
}

QString LineageWatcher::signature() const
{
    const QString store = m_dir + QStringLiteral("/.trainyard/lineage.db");
    return stateOf(store, false) + u' ' + stateOf(store + QStringLiteral("-wal"), true);
}

} // namespace trainyard::ui
