#include "workbenchmenus.h"

#include "settings/datarootsdialog.h"
#include "settings/teamstoredialog.h"

#include "document/editcontroller.h"
#include "project/recentprojects.h"
#include "style/appicon.h"

#include <QAction>
#include <QCoreApplication>
#include <QDockWidget>
#include <QIcon>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QTabWidget>
#include <QToolBar>

namespace trainyard::ui {

WorkbenchMenus::WorkbenchMenus(QMainWindow *window, EditController *edit, RecentProjects *recent, QTabWidget *views,
                               Handlers handlers)
    : QObject(window)
    , m_window(window)
    , m_edit(edit)
    , m_recent(recent)
    , m_views(views)
    , m_handlers(std::move(handlers))
{
    createActions();
    createToolBar();
    createMenus();
}

QAction *WorkbenchMenus::action(const char *iconName, const QString &text, const std::function<void()> &handler)
{
    auto *a = iconName ? new QAction(appIcon(iconName), text, m_window) : new QAction(text, m_window);
    connect(a, &QAction::triggered, this, [handler] { handler(); });
    return a;
}

void WorkbenchMenus::createActions()
{
    m_open = action("open", tr("&Open project…"), m_handlers.open);
    m_open->setShortcut(QKeySequence::Open);
    m_open->setStatusTip(tr("Open a project folder that holds a .gitlab-ci.yml"));
    m_edit->saveAction()->setIcon(appIcon("save"));
    m_edit->undoAction()->setIcon(appIcon("undo"));
    m_edit->redoAction()->setIcon(appIcon("redo"));
    m_edit->addJobAction()->setIcon(appIcon("add-job"));
    m_addStage = action("add-stage", tr("Add &stage…"), [this] {
        QMenu menu;
        m_edit->addStageActions(menu, {});
        for (QAction *a : menu.actions()) {
            if (a->text().startsWith(tr("Add stage"))) {
                a->trigger();
                break;
            }
        }
    });
    m_run = action("run", tr("&Run pipeline"), m_handlers.run);
    m_run->setShortcut(QKeySequence(Qt::Key_F5));
    m_run->setStatusTip(tr("Run every job on the local Docker engine"));
    m_runSelected = action("run-from", tr("Run &selected job with its needs"), m_handlers.runSelected);
    m_runSelected->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_F5));
    m_runInShell = action(nullptr, tr("Run in &host shell (no isolation)"), m_handlers.runInShell);
    m_runOnSlurm = action(nullptr, tr("Run on the S&lurm cluster"), m_handlers.runOnSlurm);
    m_runOnSlurm->setObjectName(QStringLiteral("runOnSlurm"));
    m_runOnSlurm->setStatusTip(tr("Each job becomes a batch job of the Slurm cluster (.trainyard: slurm:, "
                                  "SLURMRESTD_URL and SLURM_JWT, or this machine's Slurm commands)"));
    m_cancel = action("cancel", tr("&Cancel run"), m_handlers.cancel);
    m_cancel->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F5));
    m_find = action("find", tr("&Find in log…"), m_handlers.findInLog);
    m_find->setShortcut(QKeySequence::Find);
}

void WorkbenchMenus::createToolBar()
{
    m_toolBar = m_window->addToolBar(tr("Tool bar")); // View ▸ "Tool bar" shows and hides it
    m_toolBar->setObjectName(QStringLiteral("mainToolBar"));
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_toolBar->addAction(m_open);
    m_toolBar->addAction(m_edit->saveAction());
    m_toolBar->addSeparator();
    m_toolBar->addAction(m_edit->undoAction());
    m_toolBar->addAction(m_edit->redoAction());
    m_toolBar->addSeparator();
    m_toolBar->addAction(m_edit->addJobAction());
    m_toolBar->addAction(m_addStage);
    m_toolBar->addSeparator();
    m_toolBar->addAction(m_run);
    m_toolBar->addAction(m_runSelected);
    m_toolBar->addAction(m_cancel);
    m_toolBar->addSeparator();
    m_toolBar->addAction(m_find);
    // Icons only for the verbs whose icon says it all; text beside the rest.
    for (QAction *a : {m_edit->undoAction(), m_edit->redoAction(), m_find, m_runSelected})
        a->setPriority(QAction::LowPriority);
}

void WorkbenchMenus::createMenus()
{
    QMenuBar *bar = m_window->menuBar();
    QMenu *file = bar->addMenu(tr("&File"));
    file->addAction(m_open);
    QMenu *recent = file->addMenu(tr("Open &recent"));
    connect(recent, &QMenu::aboutToShow, this, [this, recent] { m_recent->fillMenu(recent); });
    m_recent->fillMenu(recent);
    file->addAction(m_edit->saveAction());
    QAction *reload = action("retry", tr("Re&load pipeline"), m_handlers.reload);
    reload->setObjectName(QStringLiteral("reloadPipeline"));
    reload->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    reload->setToolTip(tr("Read .gitlab-ci.yml from disk again"));
    file->addAction(reload);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), m_window, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *edit = bar->addMenu(tr("&Edit"));
    edit->addAction(m_edit->undoAction());
    edit->addAction(m_edit->redoAction());
    edit->addSeparator();
    edit->addAction(m_edit->addJobAction());
    edit->addAction(m_addStage);
    edit->addSeparator();
    edit->addAction(m_find);

    // The central views, a keystroke each (the window owns the actions: the View menu is rebuilt).
    QList<QAction *> viewActions;
    const QStringList names{tr("&Pipeline"), tr("&Compare runs"), tr("&Lineage")};
    for (int i = 0; i < names.size(); ++i) {
        QAction *show = action(nullptr, names[i], [this, i] { m_views->setCurrentIndex(i); });
        show->setObjectName(QStringLiteral("showView%1").arg(i + 1));
        show->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
        m_window->addAction(show);
        viewActions << show;
    }
    QMenu *view = bar->addMenu(tr("&View"));
    connect(view, &QMenu::aboutToShow, this, [this, view, viewActions] {
        view->clear();
        view->addActions(viewActions);
        view->addSeparator();
        for (QDockWidget *dock : m_window->findChildren<QDockWidget *>())
            view->addAction(dock->toggleViewAction());
        view->addAction(m_toolBar->toggleViewAction());
        view->addSeparator();
        view->addAction(tr("Zoom to &fit"), this, m_handlers.zoomToFit);
        view->addAction(tr("&Actual size"), this, m_handlers.actualSize);
        view->addAction(tr("&Reset layout"), this, m_handlers.resetLayout);
    });

    QMenu *run = bar->addMenu(tr("&Run"));
    run->addAction(m_run);
    run->addAction(m_runSelected);
    run->addAction(m_runInShell);
    run->addAction(m_runOnSlurm);
    run->addSeparator();
    run->addAction(m_cancel);

    QMenu *settings = bar->addMenu(tr("&Settings"));
    settings->addAction(tr("&Data folders…"), this, [this] {
        DataRootsDialog dialog(m_window);
        connect(&dialog, &DataRootsDialog::changed, this, m_handlers.dataFoldersChanged);
        dialog.exec();
    });
    settings->addAction(tr("&Team store…"), this, [this] {
        TeamStoreDialog dialog(m_window);
        connect(&dialog, &TeamStoreDialog::changed, this, m_handlers.teamStoreChanged);
        dialog.exec();
    });

    QMenu *help = bar->addMenu(tr("&Help"));
    help->addAction(tr("&Try the demo…"), this, m_handlers.tryDemo);
    help->addAction(tr("&Check this machine…"), this, m_handlers.checkMachine);
    QAction *guide = help->addAction(tr("&User guide"), this, m_handlers.userGuide);
    guide->setObjectName(QStringLiteral("userGuide"));
    guide->setShortcut(QKeySequence::HelpContents);
    QAction *shortcuts = help->addAction(tr("&Keyboard shortcuts"), this, m_handlers.shortcuts);
    shortcuts->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Slash));
    help->addSeparator();
    help->addAction(tr("&About Trainyard"), this, [this] {
        QMessageBox::about(m_window, tr("About Trainyard"),
                           tr("<b>Trainyard %1</b><p>A workbench for ML training pipelines written as "
                              ".gitlab-ci.yml.</p>")
                               .arg(QCoreApplication::applicationVersion()));
    });
}

void WorkbenchMenus::update(bool canRun, bool running, bool editable, const QString &job)
{
    m_run->setEnabled(canRun && !running);
    m_runInShell->setEnabled(canRun && !running);
    m_runOnSlurm->setEnabled(canRun && !running);
    m_runSelected->setEnabled(canRun && !running && !job.isEmpty());
    m_runSelected->setText(job.isEmpty() ? tr("Run &selected job with its needs")
                                         : tr("Run '%1' with its &needs").arg(job));
    m_cancel->setEnabled(running);
    m_addStage->setEnabled(editable && !running);
}

} // namespace trainyard::ui
