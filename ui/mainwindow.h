#pragma once

#include "engine/environmentcheck.h"
#include "pipeline/evaluationcontext.h"

#include <QMainWindow>
#include <QPointer>

#include <memory>
#include <vector>

class QFileSystemWatcher;
class QLabel;
class QListWidget;
class QMimeData;
class QStackedWidget;
class QTabWidget;
class QTimer;
class QToolBar;

namespace trainyard::core {
struct Pipeline;
struct Error;
struct RunRecord;
struct ReproductionReport;
}

namespace trainyard::ui {

class CompareView;
class EditController;
class GpuPanel;
class JobInspector;
class LineageView;
class RunLogLoader;
class RunsList;
class LogBatcher;
class PipelineCanvas;
class DataRootPrompt;
class RecentProjects;
class RunConsole;
class ReproduceController;
class RunController;
class StatusProbe;

/// The workbench window. Thin: it wires the canvas, the docks (problems, run console), menus,
/// toolbar and status bar to the pipeline document (EditController), the run (RunController)
/// and the machine's state (StatusProbe); the work itself is done by those and by core.
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Opens the project in `dir`: finds its .gitlab-ci.yml and shows its stages and jobs.
    void openProject(const QString &dir);
    /// Makes a new pipeline for the open project that has none (unsaved until Save).
    void createPipeline();
    /// Copies the offline demo to `targetDir`, makes it a git repository and opens it.
    void tryDemo(const QString &targetDir);
    /// Runs the whole pipeline, or `job` and what it needs.
    /// With `retryOf`, jobs `job` needs that succeeded in that run are reused, not run again.
    void runPipeline(const QString &job = {}, bool shellEngine = false, const QString &retryOf = {});
    /// Approves a manual job of the running pipeline (the card's "Approve").
    void approveJob(const QString &job);
    /// Shows a central view by name: "pipeline", "compare" or "lineage"; false for another name.
    bool showView(const QString &name);
    /// Shows the lineage of an artifact (a path as collected, a sha256, or a file) in the Lineage
    /// view; with `review`, opens its release review once it is read.
    void showArtifactLineage(const QString &target, bool review = false);
    /// Shows the Compare view with the scalars of these runs (RunRecord ids) drawn.
    void compareRuns(const QStringList &runIds);
    /// Reproduces a recorded run (the Runs list's "Reproduce run…"): the run's commit in a
    /// worktree, its images by ID, its data verified, the same jobs, artifacts compared. With
    /// `confirm`, asks first.
    void reproduceRun(const QString &runId, bool confirm = true);
    /// Cancels one job of the running pipeline.
    void cancelJob(const QString &job);
    /// File ▸ Reload pipeline: reads .gitlab-ci.yml from disk again. With unsaved edits, asks
    /// first when `ask`, else only says that the file changed.
    void reloadPipeline(bool ask = true);
    /// Help ▸ User guide: README.md (installed in share/doc/trainyard, or this build's source tree)
    /// rendered in a window that does not block, with its screenshots; false when none is found.
    bool showUserGuide();
    /// Help ▸ Keyboard shortcuts: every menu command that has a shortcut, by menu, read from the
    /// menus themselves so it never drifts. Does not block.
    void showShortcuts();
    QString projectDir() const { return m_projectDir; }
    /// A run or a reproduction is active.
    bool isRunning() const { return m_run != nullptr || m_reproduce != nullptr; }

Q_SIGNALS:
    /// A project's pipeline is shown (after openProject's worker thread has read it).
    void projectShown(const QString &dir);
    /// A reproduction ended: refused (`refusal` says why) or ran (`identical` or not).
    void reproductionFinished(const QString &runId, bool identical, const QString &refusal);

protected:
    void closeEvent(QCloseEvent *event) override;
    void changeEvent(QEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void createDocks();
    void createActions();
    void createMenus();
    void createStatusBar();
    void restoreLayout();
    /// The docks' first sizes (no saved layout, or View ▸ Reset layout).
    void sizeDocksByDefault();
    void chooseProject();
    void showWelcome();
    void chooseDemoFolder();
    static QString machineCheckHtml(const std::vector<core::CheckItem> &items);
    void showPipeline(const QString &dir, const core::Pipeline &pipeline, const std::vector<core::Error> &lint);
    void refreshCanvas();
    void runFinished(const core::RunRecord &record, const QString &error);
    void showReproduction(const QString &runId, const core::ReproductionReport &report, const QString &refusal);
    void showJobMenu(const QString &job, const QPoint &globalPos);
    void showNeedMenu(const QString &job, const QString &need, const QPoint &globalPos);
    void showStageMenu(const QString &stage, const QPoint &globalPos);
    void updateActions();
    QString selectedJob() const;
    static QString folderOf(const QMimeData *mime);

    QStackedWidget *m_pages = nullptr;
    QLabel *m_welcome = nullptr;
    PipelineCanvas *m_canvas = nullptr;
    QListWidget *m_problems = nullptr;
    QLabel *m_projectLabel = nullptr;
    QLabel *m_commitLabel = nullptr;
    QLabel *m_engineLabel = nullptr;
    QLabel *m_gpuLabel = nullptr;
    QLabel *m_problemsLabel = nullptr;
    QToolBar *m_toolBar = nullptr;
    QString m_projectDir;
    QString m_branch;
    bool m_noPipelineFile = false;
    core::EvaluationContext m_context; // of a project without a pipeline file, for "Create pipeline"
    std::unique_ptr<core::Pipeline> m_pipeline; // as last read, for runs
    LogBatcher *m_logs = nullptr;
    RunConsole *m_console = nullptr;
    std::unique_ptr<RunController> m_run;
    std::unique_ptr<ReproduceController> m_reproduce;
    EditController *m_edit = nullptr;
    RecentProjects *m_recent = nullptr;
    DataRootPrompt *m_dataRootPrompt = nullptr;
    /// Watches the open project's .gitlab-ci.yml: an edit made in another editor is read at once.
    QFileSystemWatcher *m_pipelineFileWatcher = nullptr;
    QTimer *m_pipelineFileChanged = nullptr; ///< settles a burst of change notifications
    bool m_reloadPending = false;
    bool m_sizeDocksOnShow = false;          ///< no saved layout: size the docks once the window has its size            ///< the file changed during a run: read it when the run ends
    StatusProbe *m_probe = nullptr;
    QMenu *m_recentMenu = nullptr;
    QMenu *m_viewMenu = nullptr;
    QAction *m_openAction = nullptr;
    QAction *m_addStageAction = nullptr;
    QAction *m_runAction = nullptr;
    QAction *m_runFromAction = nullptr;
    QAction *m_runShellAction = nullptr;
    QAction *m_cancelAction = nullptr;
    QAction *m_findAction = nullptr;
    QByteArray m_defaultState;
    bool m_consoleFollowsRun = true;
    RunsList *m_runs = nullptr;
    RunLogLoader *m_logLoader = nullptr;
    GpuPanel *m_gpus = nullptr;
    JobInspector *m_inspector = nullptr;
    QTabWidget *m_views = nullptr;
    LineageView *m_lineage = nullptr;
    CompareView *m_compare = nullptr;
    QString m_lastRunId;
    bool m_lastRunShell = false;
    bool m_fitPending = false; // a newly opened project's pipeline is fitted into the view once
    std::vector<core::CheckItem> m_machineCheck;
};

} // namespace trainyard::ui
