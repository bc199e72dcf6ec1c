#pragma once

#include <QStringList>

class QFileSystemWatcher;

namespace trainyard::ui {

/// Makes `watcher` watch exactly `wanted` (files and folders): what it watches and is not wanted is
/// removed, what is wanted and not watched is added. The project's watchers call it again as files
/// appear and are replaced (git and SQLite rename files into place, which drops a watch).
void watchExactly(QFileSystemWatcher *watcher, const QStringList &wanted);

} // namespace trainyard::ui
