#include "projectdrop.h"

#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileInfo>
#include <QMimeData>
#include <QTimer>
#include <QUrl>
#include <QWidget>

namespace trainyard::ui {

ProjectDrop::ProjectDrop(QWidget *target)
    : QObject(target)
{
    target->setAcceptDrops(true);
    target->installEventFilter(this);
}

QString ProjectDrop::folderOf(const QMimeData *mime)
{
    if (!mime || !mime->hasUrls() || mime->urls().size() != 1)
        return {};
    const QUrl url = mime->urls().constFirst();
    if (!url.isLocalFile())
        return {};
    const QFileInfo info(url.toLocalFile());
    if (info.isDir())
        return info.absoluteFilePath();
    if (info.isFile() && info.fileName() == QLatin1String(".gitlab-ci.yml"))
        return info.absolutePath();
    return {};
}

bool ProjectDrop::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::DragEnter) {
        auto *enter = static_cast<QDragEnterEvent *>(event);
        if (!folderOf(enter->mimeData()).isEmpty())
            enter->acceptProposedAction();
        return true;
    }
    if (event->type() == QEvent::Drop) {
        auto *drop = static_cast<QDropEvent *>(event);
        const QString dir = folderOf(drop->mimeData());
        if (!dir.isEmpty()) {
            drop->acceptProposedAction();
            QTimer::singleShot(0, this, [this, dir] { Q_EMIT openRequested(dir); });
        }
        return true;
    }
    return QObject::eventFilter(watched, event);
}

} // namespace trainyard::ui
