#include "mainwindow.h"

#include "async/onworker.h"
#include "canvas/canvasmenus.h"
#include "canvas/pipelinecanvas.h"
#include "canvas/pipelinescene.h"
#include "cluster/clusterpanel.h"
#include "compare/compareview.h"
#include "document/editcontroller.h"
#include "document/pipelinedocument.h"
#include "help/helpcommands.h"
#include "inspector/jobinspector.h"
#include "inspector/messagebar.h"
#include "lineageview/lineageview.h"
#include "project/demosetup.h"
#include "project/projectdrop.h"
#include "project/projectsession.h"
#include "project/recentprojects.h"
#include "project/welcomepage.h"
#include "run/projectsetup.h"
#include "runcontrol/reproductionresult.h"
#include "runcontrol/runsession.h"
#include "runcontrol/teamsync.h"
#include "runs/runslist.h"
#include "status/statusprobe.h"
#include "window/confirm.h"
#include "window/pipelinepresenter.h"
#include "window/windowlayout.h"
#include "window/workbenchdocks.h"
#include "window/workbenchmenus.h"
#include "window/workbenchstatus.h"
#include "window/workbenchviews.h"

#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QListWidget>
#include <QMessageBox>
#include <QStatusBar>
#include <QTimer>

#include <algorithm>

// trainyard_ui is a static library: its compiled-in resources (icons) must be pulled in by name.
static void initTrainyardResources()
{
    Q_INIT_RESOURCE(resources);
}

namespace trainyard::ui {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    initTrainyardResources();
    setWindowTitle(QStringLiteral("Trainyard"));
    setWindowIcon(QIcon(QStringLiteral(":/trainyard/icons/trainyard.svg")));
    resize(1280, 800);

    m_views = new WorkbenchViews(this);
    setCentralWidget(m_views);

    m_edit = new EditController(this);
    m_recent = new RecentProjects(this);
    m_demo = new DemoSetup(this);
    m_probe = new StatusProbe(this);
    m_project = new ProjectSession(this);
    m_docks = new WorkbenchDocks(this);
    m_runs = new RunSession(m_views->canvas()->pipelineScene(), m_docks->console(), m_docks->logs(), m_docks->gpus(),
                            m_views->compare(), this);
    m_team = new TeamSync(this);
    connect(m_team, &TeamSync::message, this,
            [this](const QString &text, bool problem) { say(text, problem ? 20000 : 8000); });
    m_help = new HelpCommands(this, m_probe);
    m_layout = new WindowLayout(this, m_docks, m_views->compare());
    m_menus = createMenus();
    m_status = new WorkbenchStatus(statusBar(), m_probe);
    m_pipelines = new PipelinePresenter(this, m_views, m_edit, m_docks, m_status, m_project);
    new CanvasMenus(
        m_views->canvas(), m_edit, m_runs, m_docks, [this] { return m_menus->runAction()->isEnabled(); },
        [this](const QString &job, const QString &engine, const QString &retryOf) {
            runPipeline(job, engine, retryOf);
        });
    wireProject();
    wireDocks();
    wireRuns();

    connect(m_views->canvas()->pipelineScene(), &PipelineScene::currentJobChanged, this, [this](const QString &job) {
        m_docks->inspector()->setJob(job);
        updateActions();
    });

    m_layout->restore();
    showWelcome();
    updateActions();
    connect(m_probe, &StatusProbe::machineChecked, this, [this](const std::vector<core::CheckItem> &items) {
        m_machineCheck = items;
        if (m_views->isWelcomeShown() && m_project->dir().isEmpty())
            showWelcome();
    });
    m_probe->start();
}

MainWindow::~MainWindow() = default;

QString MainWindow::projectDir() const
{
    return m_project->dir();
}

bool MainWindow::isRunning() const
{
    return m_runs->isActive();
}

void MainWindow::say(const QString &text, int timeoutMs)
{
    statusBar()->showMessage(text, timeoutMs);
}

WorkbenchMenus *MainWindow::createMenus()
{
    WorkbenchMenus::Handlers h;
    h.open = [this] { chooseProject(); };
    h.reload = [this] { reloadPipeline(); };
    h.run = [this] { runPipeline(); };
    h.runSelected = [this] { runPipeline(m_views->selectedJob()); };
    h.runInShell = [this] { runPipeline({}, QStringLiteral("shell")); };
    h.runOnSlurm = [this] { runPipeline({}, QStringLiteral("slurm")); };
    h.cancel = [this] { m_runs->cancel(); };
    h.findInLog = [this] {
        if (!m_docks->findInLog(m_views->selectedJob()))
            say(tr("No log to search yet: run the pipeline first."), 5000);
    };
    h.dataFoldersChanged = [this] { reloadPipeline(true); };
    h.teamStoreChanged = [this] {
        m_team->pushNow(); // what waits goes to the new place
        m_views->lineage()->checkTeamStore();
        m_docks->runs()->checkTeamStore();
        m_views->compare()->checkTeamStore();
    };
    h.tryDemo = [this] { m_demo->chooseFolder(); };
    h.checkMachine = [this] { m_help->checkMachine(); };
    h.userGuide = [this] { m_help->showUserGuide(); };
    h.shortcuts = [this] { m_help->showShortcuts(); };
    h.zoomToFit = [this] { m_views->zoomToFit(); };
    h.actualSize = [this] { m_views->actualSize(); };
    h.resetLayout = [this] { m_layout->reset(); };
    return new WorkbenchMenus(this, m_edit, m_recent, m_views, std::move(h));
}

void MainWindow::wireProject()
{
    connect(m_views->welcome(), &WelcomePage::openRequested, this, &MainWindow::chooseProject);
    connect(m_views->welcome(), &WelcomePage::createRequested, this, &MainWindow::createPipeline);
    connect(m_views->welcome(), &WelcomePage::demoRequested, m_demo, &DemoSetup::chooseFolder);
    connect(m_views->welcome(), &WelcomePage::reloadRequested, this, [this] { reloadPipeline(); });
    connect(m_views->welcome(), &WelcomePage::recentRequested, this,
            qOverload<const QString &>(&MainWindow::openProject));
    connect(new ProjectDrop(this), &ProjectDrop::openRequested, this,
            qOverload<const QString &>(&MainWindow::openProject));
    connect(m_recent, &RecentProjects::openRequested, this, qOverload<const QString &>(&MainWindow::openProject));
    connect(m_project, &ProjectSession::read, this, &MainWindow::projectRead);
    connect(m_views->projectNotice(), &MessageBar::actionTriggered, this, [this] { makeRepository(); });
    connect(m_project, &ProjectSession::recordsChanged, this, [this] { // by this window's run or any other process
        m_docks->runs()->refresh();
        m_views->refreshRuns();
    });
    // The commit field's `*` follows the working tree: a save here, a commit or checkout in a
    // terminal, an edit in another editor (seen when the window is active again).
    const auto probeGit = [this] {
        if (!m_project->dir().isEmpty())
            m_probe->probeProject(m_project->dir());
    };
    connect(m_project, &ProjectSession::gitChanged, this, probeGit);
    connect(qApp, &QGuiApplication::applicationStateChanged, this, [probeGit](Qt::ApplicationState state) {
        if (state == Qt::ApplicationActive)
            probeGit();
    });
    connect(m_project, &ProjectSession::pipelineFileChanged, this, [this] {
        if (m_edit->document() && !isWindowModified() && !m_edit->document()->changedOnDisk())
            return; // our own save, or no change
        reloadPipeline(false);
    });
    connect(m_demo, &DemoSetup::copying, this,
            [this](const QString &dir) { say(tr("Copying the demo to %1…").arg(QDir::toNativeSeparators(dir))); });
    connect(m_demo, &DemoSetup::ready, this, [this](const QString &dir) {
        say(tr("The demo is a git repository of its own in %1: press F5 to run it.").arg(QDir::toNativeSeparators(dir)),
            15000);
        openProject(dir);
    });
    connect(m_demo, &DemoSetup::failed, statusBar(), &QStatusBar::clearMessage);
    connect(m_edit, &EditController::documentChanged, m_pipelines, &PipelinePresenter::refresh);
    connect(m_pipelines, &PipelinePresenter::shown, this, &MainWindow::updateActions);
    connect(m_pipelines, &PipelinePresenter::reloadRequested, this, [this] { reloadPipeline(true); });
    connect(m_edit, &EditController::modifiedChanged, this, [this, probeGit](bool modified) {
        setWindowModified(modified);
        if (modified)
            return;                     // nothing on disk changed yet
        m_project->watchPipelineFile(); // a pipeline made with "Create pipeline", once saved
        probeGit();                     // saved: the working tree changed
    });
}

void MainWindow::wireDocks()
{
    connect(m_docks->problems(), &QListWidget::itemActivated, this,
            [this](QListWidgetItem *item) { m_views->selectJob(item->data(Qt::UserRole).toString(), true); });
    JobInspector *inspector = m_docks->inspector();
    connect(m_edit, &EditController::documentReplaced, inspector, &JobInspector::setDocument);
    m_edit->setProblemShownElsewhere([inspector] { return inspector->isApplyingEdit(); });
    connect(inspector, &JobInspector::jobRenamed, this,
            [this](const QString &, const QString &now) { m_views->selectJob(now, false); });
    RunsList *runs = m_docks->runs();
    connect(runs, &RunsList::openRunLogs, this, [this](const core::RunRecord &record) {
        if (m_runs->isRunning())
            return say(tr("A run is active: its logs are in the console."), 6000);
        m_docks->showRunLogs(m_project->dir(), record);
        say(tr("Logs of run #%1 (%2)").arg(record.pipelineIid).arg(record.id), 8000);
    });
    connect(runs, &RunsList::compareRequested, this, &MainWindow::compareRuns);
    // A run's new name labels its curves and columns in Compare.
    connect(runs, &RunsList::annotated, m_views->compare(), &CompareView::refreshRuns);
    // Hovering a run in either highlights it in the other.
    connect(runs, &RunsList::runHovered, m_views->compare(), &CompareView::highlightPipelineRun);
    connect(m_views->compare(), &CompareView::pipelineRunsHovered, runs, &RunsList::setHighlightedRuns);
    connect(runs, &RunsList::reproduceRequested, this, [this](const QString &runId) { reproduceRun(runId); });
    connect(runs, &RunsList::retryJobRequested, this, [this, runs](const QString &runId, const QString &job) {
        runPipeline(job, runs->engineOf(runId),
                    runId); // a run made in the host shell (or on Slurm) is retried there too
    });
    connect(m_views->compare(), &CompareView::problemFound, this,
            [this](const core::Error &problem) { say(problem.toString(), 10000); });
}

void MainWindow::wireRuns()
{
    connect(m_runs, &RunSession::message, this, [this](const QString &text) { say(text, 8000); });
    connect(m_runs, &RunSession::started, this, [this] {
        m_docks->showConsole();
        updateActions();
        QTimer::singleShot(500, m_docks->runs(), &RunsList::refresh); // the new run is in the store by then
    });
    connect(m_runs, &RunSession::runEnded, this, &MainWindow::runEnded);
    connect(m_runs, &RunSession::playRequested, this, [this](const QString &job) {
        if (!m_pipelines->canRun() || isRunning() || !m_edit->maybeSave())
            return;
        say(tr("Running manual job '%1' and what waited for it, reusing run %2's jobs that succeeded…")
                .arg(job, m_runs->lastRunId()));
        m_runs->play(*m_pipelines->pipeline(), job);
    });
    connect(m_runs, &RunSession::reproductionEnded, this,
            [this](const QString &runId, const core::ReproductionReport &report, const QString &refusal) {
                recordsChanged();
                ReproductionResult::show(this, runId, report, refusal);
                say(ReproductionResult::summary(runId, report, refusal), 10000);
                Q_EMIT reproductionFinished(runId, refusal.isEmpty() && report.identical, refusal);
            });
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (isRunning() && !confirmAction(this, tr("A run is active"), tr("Closing cancels the run. Close anyway?"),
                                      tr("Cancel the run and &close"), tr("&Keep running"), true)) {
        event->ignore();
        return;
    }
    if (!m_edit->maybeSave()) {
        event->ignore();
        return;
    }
    m_layout->save();
    event->accept();
}

void MainWindow::updateActions()
{
    const bool editable = m_edit->document() && !isRunning();
    m_menus->update(m_pipelines->canRun(), isRunning(), editable, m_views->selectedJob());
    m_views->canvas()->pipelineScene()->setEditable(editable);
}

void MainWindow::runPipeline(const QString &job, const QString &engine, const QString &retryOf)
{
    if (!m_pipelines->canRun() || isRunning() || !m_edit->maybeSave())
        return;
    say(!retryOf.isEmpty() ? tr("Retrying '%1' of run %2…").arg(job, retryOf)
        : job.isEmpty()    ? tr("Running %1…").arg(QFileInfo(m_project->dir()).fileName())
                           : tr("Running '%1' with its needs…").arg(job));
    if (engine == QLatin1String("slurm")) {
        m_docks->cluster()->setPolling(true); // the queue and the GPUs while the run is on the cluster
        m_docks->showCluster();
    }
    m_runs->run(*m_pipelines->pipeline(), job, engine, retryOf);
}

void MainWindow::recordsChanged()
{
    if (std::exchange(m_reloadPending, false))
        QTimer::singleShot(0, this, [this] { reloadPipeline(false); }); // the file changed during the run
    m_docks->runs()->refresh();
    m_views->refreshRuns();
    updateActions();
}

void MainWindow::runEnded(const core::RunRecord &record, const QString &error)
{
    if (m_docks->cluster()->isPolling()) {
        m_docks->cluster()->setPolling(false);
        m_docks->cluster()->refresh(); // the queue as the run leaves it
    }
    recordsChanged();
    m_team->pushNow(); // recorded in the project; now to the team, when one is set
    if (error.isEmpty()) {
        QStringList waiting; // manual jobs the run stopped at
        for (const QString &job : record.jobOrder) {
            if (const auto it = record.jobs.find(job);
                it != record.jobs.end() && it->second.status == core::JobStatus::Manual)
                waiting << QStringLiteral("'%1'").arg(job);
        }
        if (waiting.isEmpty())
            return say(tr("Run #%1 %2").arg(record.pipelineIid).arg(core::runStatusToString(record.status)));
        return say(tr("Run #%1 %2: manual job %3 not run. Approve on its card runs it.")
                       .arg(record.pipelineIid)
                       .arg(core::runStatusToString(record.status), waiting.join(QStringLiteral(", "))));
    }
    if (error.contains(QStringLiteral("not reachable")) &&
        confirmAction(this, tr("Docker engine not reachable"),
                      tr("%1\n\nRun with the host shell instead? Jobs then run without isolation.").arg(error),
                      tr("Run in the host &shell")))
        return runPipeline({}, QStringLiteral("shell"));
    QMessageBox::warning(this, tr("The run could not start"), error);
}

void MainWindow::reproduceRun(const QString &runId, bool confirm)
{
    if (m_project->dir().isEmpty())
        return;
    if (isRunning())
        return say(tr("A run is active: reproduce once it has ended."), 6000);
    if (confirm && !ReproductionResult::confirm(this, runId))
        return;
    say(tr("Reproducing run %1…").arg(runId));
    m_runs->reproduce(m_project->dir(), runId);
}

void MainWindow::makeRepository(bool confirm)
{
    const QString dir = m_project->dir();
    if (dir.isEmpty() || isRunning())
        return;
    if (confirm &&
        !confirmAction(this, tr("Make %1 a git repository").arg(QFileInfo(dir).fileName()),
                       tr("<p>Trainyard makes <tt>%1</tt> a git repository on branch <tt>main</tt> and commits every "
                          "file in it that <tt>.gitignore</tt> does not list, <tt>.trainyard/</tt> excepted.</p>"
                          "<p>Large data files belong in <tt>.gitignore</tt> (or in DVC) first: declare them as "
                          "data inputs and Trainyard records their hashes instead.</p>")
                           .arg(QDir::toNativeSeparators(dir).toHtmlEscaped()),
                       tr("&Make repository and commit")))
        return;
    say(tr("Making %1 a git repository…").arg(QDir::toNativeSeparators(dir)));
    onWorker(
        this, [dir] { return core::ProjectSetup::makeRepository(dir); },
        [this, dir](const core::Result<QString> &made) {
            if (!made) {
                QMessageBox::warning(this, tr("No repository made"), made.error().toString());
                return statusBar()->clearMessage();
            }
            say(tr("%1 is a git repository now: first commit %2. Runs from here on are traced to their commit.")
                    .arg(QFileInfo(dir).fileName(), *made),
                15000);
            if (m_project->dir() == dir)
                openProject(dir, true);
        });
}

void MainWindow::cancelJob(const QString &job)
{
    m_runs->cancelJob(job);
}

void MainWindow::reloadPipeline(bool ask)
{
    if (m_project->dir().isEmpty())
        return;
    if (isRunning()) {
        m_reloadPending = true; // the run's end reads it
        return say(tr(".gitlab-ci.yml changed on disk: it is read again once the run has ended."), 10000);
    }
    if (isWindowModified()) {
        if (!ask)
            return say(
                tr(".gitlab-ci.yml changed on disk. File ▸ Reload pipeline reads it, dropping your unsaved edits; "
                   "Save keeps yours."),
                15000);
        if (!confirmAction(this, tr("Reload pipeline"),
                           tr("Drop your unsaved edits and read .gitlab-ci.yml from disk again?"),
                           tr("&Drop edits and reload"), tr("Cancel"), true))
            return;
        m_edit->setDocument(nullptr); // its edits are dropped: nothing to ask about
    }
    const int view = m_views->currentIndex();
    openProject(m_project->dir(), true); // the status bar's project field says "Reading …" until it is shown
    m_views->setCurrentIndex(view);
}

void MainWindow::openProject(const QString &dir)
{
    openProject(dir, false);
}

void MainWindow::openProject(const QString &dir, bool again)
{
    if (isRunning())
        return say(tr("A run is active: cancel it before opening another project."), 6000);
    if (!m_edit->maybeSave())
        return;
    const QString absolute = QDir(dir).absolutePath();
    m_reloadPending = false;
    m_status->reading(absolute);
    if (!again)
        m_runs->forgetProject(); // its cards, logs and Retry belong to the project that was open
    m_pipelines->opening();
    m_probe->probeProject(absolute);
    m_docks->runs()->setProjectDir(absolute);
    m_views->setProjectDir(absolute);
    m_team->setProjectDir(absolute);
    m_project->open(absolute); // projectRead() follows
}

void MainWindow::projectRead(const ProjectRead &read)
{
    if (!read.exists) {
        m_status->showNoProject();
        m_edit->setDocument(nullptr);
        showWelcome();
        QMessageBox::warning(this, tr("Cannot open project"),
                             tr("%1 is not a folder.").arg(QDir::toNativeSeparators(read.dir)));
        return;
    }
    m_recent->add(read.dir);
    m_pipelines->present(read);
    if (read.dir != m_teamPushedFor) { // once per project opened, not on each reload of its file
        m_teamPushedFor = read.dir;
        m_team->pushNow(); // runs that waited for the team (made offline, or by the command line)
    }
    Q_EMIT projectShown(read.dir);
}

void MainWindow::createPipeline()
{
    if (m_pipelines->createPipeline())
        say(tr("A new pipeline: edit it, then save (Ctrl+S) to write .gitlab-ci.yml."), 10000);
}

void MainWindow::showWelcome()
{
    m_views->welcome()->showStart(m_recent->list(), m_machineCheck);
    m_views->showWelcomePage(true);
}

void MainWindow::chooseProject()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open project"), m_project->dir());
    if (!dir.isEmpty())
        openProject(dir);
}

void MainWindow::tryDemo(const QString &targetDir)
{
    m_demo->copyTo(targetDir);
}

bool MainWindow::showView(const QString &name)
{
    return m_views->showView(name);
}

void MainWindow::showArtifactLineage(const QString &target, bool review)
{
    m_views->setCurrentWidget(m_views->lineage());
    if (review)
        connect(m_views->lineage(), &LineageView::reviewShown, m_views->lineage(), &LineageView::openReview,
                Qt::SingleShotConnection);
    m_views->lineage()->showArtifact(target);
}

void MainWindow::compareRuns(const QStringList &runIds)
{
    m_views->compare()->showPipelineRuns(runIds);
    m_views->setCurrentWidget(m_views->compare());
    say(runIds.size() == 1 ? tr("Scalars of run %1").arg(runIds.first())
                           : tr("Scalars of %1 runs side by side").arg(runIds.size()),
        6000);
}

} // namespace trainyard::ui
