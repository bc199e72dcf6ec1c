#pragma once

#include <QObject>
#include <QString>

#include <functional>
#include <utility>

class QAction;
class QMainWindow;
class QMenu;
class QTabWidget;
class QToolBar;

namespace trainyard::ui {

class EditController;
class RecentProjects;

/// The window's commands: the actions, the tool bar and the menus (File, Edit, View, Run,
/// Settings, Help), each action doing what the window hands in. The window enables them.
class WorkbenchMenus final : public QObject
{
    Q_OBJECT

public:
    /// What the commands do.
    struct Handlers
    {
        std::function<void()> open;
        std::function<void()> reload;
        std::function<void()> run;
        std::function<void()> runSelected;
        std::function<void()> runInShell;
        std::function<void()> runOnSlurm;
        std::function<void()> cancel;
        std::function<void()> findInLog;
        std::function<void()> dataFoldersChanged; ///< after Settings ▸ Data folders changed them
        std::function<void()> teamStoreChanged;   ///< after Settings ▸ Team store changed it
        std::function<void()> tryDemo;
        std::function<void()> checkMachine;
        std::function<void()> userGuide;
        std::function<void()> shortcuts;
        std::function<void()> zoomToFit;
        std::function<void()> actualSize;
        std::function<void()> resetLayout;
    };

    WorkbenchMenus(QMainWindow *window, EditController *edit, RecentProjects *recent, QTabWidget *views,
                   Handlers handlers);

    /// Enables the commands for the window's state: a pipeline that `canRun`, a run `running`,
    /// the pipeline `editable`, the selected `job` (empty: none).
    void update(bool canRun, bool running, bool editable, const QString &job);

    QAction *runAction() const { return m_run; }

private:
    void createActions();
    void createToolBar();
    void createMenus();
    QAction *action(const char *icon, const QString &text, const std::function<void()> &handler);

    QMainWindow *m_window;
    EditController *m_edit;
    RecentProjects *m_recent;
    QTabWidget *m_views;
    Handlers m_handlers;
    QToolBar *m_toolBar = nullptr;
    QAction *m_open = nullptr;
    QAction *m_addStage = nullptr;
    QAction *m_run = nullptr;
    QAction *m_runSelected = nullptr;
    QAction *m_runInShell = nullptr;
    QAction *m_runOnSlurm = nullptr;
    QAction *m_cancel = nullptr;
    QAction *m_find = nullptr;
};

} // namespace trainyard::ui
