#include "recentprojects.h"

#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>

namespace trainyard::ui {

namespace {
const QString Key = QStringLiteral("recentProjects");
}

RecentProjects::RecentProjects(QObject *parent)
    : QObject(parent)
{}

QStringList RecentProjects::list() const
{
    QStringList out;
    for (const QString &dir : QSettings().value(Key).toStringList()) {
        if (QFileInfo(dir).isDir() && !out.contains(dir))
            out << dir;
    }
    return out;
}

void RecentProjects::add(const QString &dir)
{
    const QString path = QDir(dir).absolutePath();
    QStringList dirs = list();
    dirs.removeAll(path);
    dirs.prepend(path);
    while (dirs.size() > MaxEntries)
        dirs.removeLast();
    QSettings().setValue(Key, dirs);
    Q_EMIT changed();
}

void RecentProjects::clear()
{
    QSettings().remove(Key);
    Q_EMIT changed();
}

void RecentProjects::fillMenu(QMenu *menu)
{
    menu->clear();
    const QStringList dirs = list();
    int n = 0;
    for (const QString &dir : dirs) {
        ++n;
        const QString label = QStringLiteral("&%1 %2").arg(n % 10).arg(QDir::toNativeSeparators(dir));
        menu->addAction(label, this, [this, dir] { Q_EMIT openRequested(dir); });
    }
    if (dirs.isEmpty())
        menu->addAction(tr("No recent projects"))->setEnabled(false);
    menu->addSeparator();
    menu->addAction(tr("Clear recent projects"), this, &RecentProjects::clear)->setEnabled(!dirs.isEmpty());
}

} // namespace trainyard::ui
