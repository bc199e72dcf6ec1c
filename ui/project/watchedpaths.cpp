#include "project/watchedpaths.h"

#include <QFileSystemWatcher>

namespace trainyard::ui {

namespace {

/// The paths of `paths` that `others` does not hold.
QStringList notIn(const QStringList &paths, const QStringList &others)
{
    QStringList out;
    for (const QString &path : paths) {
        if (!others.contains(path))
            out << path;
    }
    return out;
}

} // namespace

void watchExactly(QFileSystemWatcher *watcher, const QStringList &wanted)
{
    const QStringList watched = watcher->files() + watcher->directories();
    if (const QStringList gone = notIn(watched, wanted); !gone.isEmpty())
        watcher->removePaths(gone);
    if (const QStringList added = notIn(wanted, watched); !added.isEmpty())
        watcher->addPaths(added);
}

} // namespace trainyard::ui
