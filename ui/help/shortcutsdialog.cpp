#include "shortcutsdialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QKeySequence>
#include <QLabel>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QSet>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <functional>

namespace trainyard::ui {

ShortcutsDialog::ShortcutsDialog(QWidget *parent)
    : QDialog(parent)
    , m_list(new QTreeWidget(this))
{
    setObjectName(QStringLiteral("shortcutsDialog"));
    setWindowTitle(tr("Keyboard shortcuts"));
    auto *layout = new QVBoxLayout(this);
    m_list->setObjectName(QStringLiteral("shortcuts"));
    m_list->setHeaderLabels({tr("Command"), tr("Shortcut")});
    m_list->setRootIsDecorated(false);
    layout->addWidget(m_list);
    // A job log's own keys (its search box) are not menu commands.
    auto *logKeys = new QLabel(tr("In a job's log: %1 searches, %2 / %3 go to the next / previous match.")
                                   .arg(QKeySequence(QKeySequence::Find).toString(QKeySequence::NativeText),
                                        QKeySequence(Qt::Key_F3).toString(QKeySequence::NativeText),
                                        QKeySequence(Qt::SHIFT | Qt::Key_F3).toString(QKeySequence::NativeText)),
                               this);
    logKeys->setWordWrap(true);
    layout->addWidget(logKeys);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    layout->addWidget(buttons);
    resize(480, 520);
}

void ShortcutsDialog::fill(const QMainWindow &window)
{
    m_list->clear();
    QSet<QString> listed; // by keys: an action in two places is listed once
    const auto plain = [](QString text) { return text.remove(u'&').remove(QStringLiteral("…")); };
    const auto add = [&](const QString &where, QAction *a) {
        const QString keys = a->shortcut().toString(QKeySequence::NativeText);
        if (keys.isEmpty() || a->isSeparator() || a->text().isEmpty() || listed.contains(keys))
            return;
        listed.insert(keys);
        auto *item = new QTreeWidgetItem(m_list, {where + QStringLiteral(" ▸ ") + plain(a->text()), keys});
        item->setToolTip(0, a->toolTip());
    };
    const std::function<void(QMenu *, const QString &)> addMenu = [&](QMenu *menu, const QString &path) {
        for (QAction *a : menu->actions()) {
            if (a->menu())
                addMenu(a->menu(), path + QStringLiteral(" ▸ ") + plain(a->text()));
            else
                add(path, a);
        }
    };
    for (QAction *top : window.menuBar()->actions()) {
        if (top->menu())
            addMenu(top->menu(), plain(top->text()));
    }
    // The window's own actions that a menu shows only when opened (the views, Ctrl+1/2/3).
    for (QAction *a : window.findChildren<QAction *>(QString(), Qt::FindDirectChildrenOnly))
        add(a->objectName().startsWith(QLatin1String("showView")) ? tr("View") : tr("Window"), a);
    m_list->resizeColumnToContents(0);
}

} // namespace trainyard::ui
