#pragma once

#include "engine/environmentcheck.h"

#include <QMainWindow>

#include <vector>

namespace trainyard::core {
struct RunRecord;
struct ReproductionReport;
} // namespace trainyard::core

namespace trainyard::ui {

class DemoSetup;
class EditController;
class HelpCommands;
class PipelinePresenter;
class ProjectSession;
struct ProjectRead;
class RecentProjects;
class RunSession;
class TeamSync;
class StatusProbe;
class WindowLayout;
class WorkbenchDocks;
class WorkbenchMenus;
class WorkbenchStatus;
class WorkbenchViews;

/// The workbench window: composition only. It puts together the central views (pipeline
/// canvas, compare, lineage), the docks (WorkbenchDocks), the commands (WorkbenchMenus), the
/// open project (ProjectSession), the run and reproduction (RunSession), the welcome page, drag
/// and drop and the demo set-up, and wires what one shows to what another does. The work is
/// done by those classes and by core.
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
    /// Runs the pipeline (or `job` with its needs) on `engine` (docker when empty, shell, slurm).
    void runPipeline(const QString &job = {}, const QString &engine = {}, const QString &retryOf = {});
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
    /// Makes the open project's folder, which is in no git repository, one with a first commit of
    /// its files (on a worker), then reads the project again. With `confirm`, asks first.
    void makeRepository(bool confirm = true);
    QString projectDir() const;
    /// A run or a reproduction is active.
    bool isRunning() const;

Q_SIGNALS:
    /// A project's pipeline is shown (after its project session has read it off the GUI thread).
    void projectShown(const QString &dir);
    /// A reproduction ended: refused (`refusal` says why) or ran (`identical` or not).
    void reproductionFinished(const QString &runId, bool identical, const QString &refusal);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void wireProject();
    void wireDocks();
    void wireRuns();
    WorkbenchMenus *createMenus();
    void openProject(const QString &dir, bool again);
    void chooseProject();
    void showWelcome();
    void projectRead(const ProjectRead &read);
    void recordsChanged(); ///< a run or a reproduction ended: the views of runs read them again, the pipeline too if it
                           ///< changed
    void runEnded(const core::RunRecord &record, const QString &error);
    void updateActions();
    void say(const QString &text, int timeoutMs = 0);

    WorkbenchViews *m_views = nullptr;
    EditController *m_edit = nullptr;
    WorkbenchDocks *m_docks = nullptr;
    WorkbenchMenus *m_menus = nullptr;
    ProjectSession *m_project = nullptr;
    RunSession *m_runs = nullptr;
    TeamSync *m_team = nullptr; ///< pushes the project's runs to the team as they end
    QString m_teamPushedFor;    ///< the project whose waiting runs were pushed when it opened
    RecentProjects *m_recent = nullptr;
    DemoSetup *m_demo = nullptr;
    StatusProbe *m_probe = nullptr;
    WorkbenchStatus *m_status = nullptr;
    WindowLayout *m_layout = nullptr;
    HelpCommands *m_help = nullptr;
    PipelinePresenter *m_pipelines = nullptr;
    bool m_reloadPending = false; ///< the file changed during a run: read it when the run ends
    std::vector<core::CheckItem> m_machineCheck;
};

} // namespace trainyard::ui
