#include "mainwindow.h"

#include "canvas/jobcarditem.h"
#include "canvas/pipelinecanvas.h"
#include "canvas/pipelinescene.h"
#include "common/userguide.h"
#include "compare/compareview.h"
#include "console/joblogview.h"
#include "console/logbatcher.h"
#include "console/runconsole.h"
#include "help/shortcutsdialog.h"
#include "help/userguidedialog.h"
#include "document/editcontroller.h"
#include "document/pipelinedocument.h"
#include "engine/runrecord.h"
#include "gpu/gpupanel.h"
#include "inspector/jobinspector.h"
#include "lineageview/lineageview.h"
#include "pipeline/gitlabcireader.h"
#include "pipeline/pipelinelinter.h"
#include "run/projectsetup.h"
#include "project/datarootprompt.h"
#include "project/recentprojects.h"
#include "settings/datarootsdialog.h"
#include "runcontrol/reproducecontroller.h"
#include "runcontrol/runcontroller.h"
#include "runs/runlogloader.h"
#include "runs/runslist.h"
#include "status/statusprobe.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QCoreApplication>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QFutureWatcher>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QSettings>
#include <QShowEvent>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QTabBar>
#include <QTabWidget>
#include <QTimer>
#include <QToolBar>
#include <QUrl>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <functional>
#include <utility>

// trainyard_ui is a static library: its compiled-in resources (icons) must be pulled in by name.
static void initTrainyardResources()
{
    Q_INIT_RESOURCE(resources);
}

namespace trainyard::ui {

using core::Pipeline;

namespace {
QIcon icon(const char *name)
{
    return QIcon(QStringLiteral(":/trainyard/icons/%1.svg").arg(QLatin1String(name)));
}

/// Asks a yes/no question whose buttons say what they do ("Reproduce", "Cancel"); true to go on.
/// With `safeDefault`, Enter picks `stay` (for questions whose action destroys work).
bool confirmAction(QWidget *parent, const QString &title, const QString &text, const QString &action,
                   const QString &stay = QObject::tr("Cancel"), bool safeDefault = false)
{
    QMessageBox box(QMessageBox::Question, title, text, QMessageBox::NoButton, parent);
    QPushButton *go = box.addButton(action, QMessageBox::AcceptRole);
    QPushButton *cancel = box.addButton(stay, QMessageBox::RejectRole);
    box.setDefaultButton(safeDefault ? cancel : go);
    box.setEscapeButton(cancel);
    box.exec();
    return box.clickedButton() == go;
}
const QString GeometryKey = QStringLiteral("mainWindow/geometry");
const QString StateKey = QStringLiteral("mainWindow/state");
// How the user likes the charts: smoothing, x axis, log y, outliers.
const QString CompareSmoothingKey = QStringLiteral("compare/smoothing");
const QString CompareXAxisKey = QStringLiteral("compare/xAxis");
const QString CompareLogYKey = QStringLiteral("compare/logY");
const QString CompareOutliersKey = QStringLiteral("compare/ignoreOutliers");
constexpr int LayoutVersion = 3; // bumped when the set of docks changes: an older saved layout is ignored
} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    initTrainyardResources();
    setWindowTitle(QStringLiteral("Trainyard"));
    setWindowIcon(icon("trainyard"));
    setAcceptDrops(true);
    resize(1280, 800);

    m_pages = new QStackedWidget(this);
    m_welcome = new QLabel(m_pages);
    m_welcome->setAlignment(Qt::AlignCenter);
    m_welcome->setWordWrap(true);
    m_welcome->setTextInteractionFlags(Qt::TextBrowserInteraction);
    connect(m_welcome, &QLabel::linkActivated, this, [this](const QString &link) {
        if (link == QLatin1String("open"))
            chooseProject();
        else if (link == QLatin1String("create"))
            createPipeline();
        else if (link == QLatin1String("demo"))
            chooseDemoFolder();
        else if (link.startsWith(QLatin1String("recent:")))
            openProject(link.mid(7));
        else if (link == QLatin1String("reload"))
            reloadPipeline();
    });
    m_pipelineFileWatcher = new QFileSystemWatcher(this);
    m_pipelineFileChanged = new QTimer(this);
    m_pipelineFileChanged->setSingleShot(true);
    m_pipelineFileChanged->setInterval(300);
    connect(m_pipelineFileWatcher, &QFileSystemWatcher::fileChanged, m_pipelineFileChanged, qOverload<>(&QTimer::start));
    connect(m_pipelineFileChanged, &QTimer::timeout, this, [this] {
        const QString file = m_projectDir + QStringLiteral("/.gitlab-ci.yml");
        if (!m_pipelineFileWatcher->files().contains(file) && QFileInfo::exists(file))
            m_pipelineFileWatcher->addPath(file); // an editor that saves by renaming drops the watch
        if (m_edit->document() && !isWindowModified() && !m_edit->document()->changedOnDisk())
            return; // our own save, or no change
        reloadPipeline(false);
    });
    m_canvas = new PipelineCanvas(m_pages);
    m_pages->addWidget(m_welcome);
    m_pages->addWidget(m_canvas);
    // The workbench's views of the open project: its pipeline, and the lineage of what it made.
    m_views = new QTabWidget(this);
    m_views->setObjectName(QStringLiteral("views"));
    m_views->setDocumentMode(true);
    m_views->addTab(m_pages, tr("Pipeline"));
    m_compare = new CompareView(m_views);
    m_compare->setObjectName(QStringLiteral("compareView"));
    m_views->addTab(m_compare, tr("Compare"));
    m_views->setTabToolTip(0, tr("The pipeline: compose and run it (Ctrl+1)"));
    m_views->setTabToolTip(1, tr("The TensorBoard scalars of runs side by side (Ctrl+2)"));
    m_lineage = new LineageView(m_views);
    m_views->addTab(m_lineage, tr("Lineage"));
    m_views->setTabToolTip(2, tr("Where an artifact came from and what used it; release review (Ctrl+3)"));
    setCentralWidget(m_views);

    m_edit = new EditController(this);
    m_recent = new RecentProjects(this);
    m_dataRootPrompt = new DataRootPrompt(this);
    m_probe = new StatusProbe(this);
    connect(m_recent, &RecentProjects::openRequested, this, &MainWindow::openProject);
    connect(m_edit, &EditController::documentChanged, this, &MainWindow::refreshCanvas);
    connect(m_edit, &EditController::modifiedChanged, this, [this](bool modified) {
        setWindowModified(modified);
        // A pipeline made with "Create pipeline" is watched once its first Save wrote it.
        const QString file = m_projectDir + QStringLiteral("/.gitlab-ci.yml");
        if (!modified && !m_projectDir.isEmpty() && m_pipelineFileWatcher->files().isEmpty() && QFileInfo::exists(file))
            m_pipelineFileWatcher->addPath(file);
    });

    PipelineScene *scene = m_canvas->pipelineScene();
    connect(m_canvas, &PipelineCanvas::jobMenuRequested, this, &MainWindow::showJobMenu);
    connect(m_canvas, &PipelineCanvas::needMenuRequested, this, &MainWindow::showNeedMenu);
    connect(m_canvas, &PipelineCanvas::stageMenuRequested, this, &MainWindow::showStageMenu);
    connect(scene, &PipelineScene::moveJobRequested, m_edit, &EditController::moveJobToStage);
    connect(scene, &PipelineScene::addNeedRequested, m_edit, &EditController::addNeed);
    connect(scene, &PipelineScene::removeNeedRequested, m_edit, &EditController::removeNeed);
    connect(scene, &PipelineScene::removeJobRequested, m_edit, &EditController::deleteJob);
    connect(scene, &PipelineScene::approveRequested, this, &MainWindow::approveJob);
    connect(scene, &PipelineScene::currentJobChanged, this, [this](const QString &job) {
        m_inspector->setJob(job);
        updateActions();
    });

    createDocks();
    createActions();
    createMenus();
    createStatusBar();
    restoreLayout();
    showWelcome();
    updateActions();

    // The engine and the GPUs, off the UI thread; the engine again now and then (it may start later).
    QTimer::singleShot(0, this, [this] {
        m_probe->probeEngine();
        m_probe->probeGpus();
        m_probe->checkMachine();
    });
    connect(m_probe, &StatusProbe::machineChecked, this, [this](const std::vector<core::CheckItem> &items) {
        m_machineCheck = items;
        if (m_pages->currentWidget() == m_welcome && m_projectDir.isEmpty())
            showWelcome();
    });
    auto *engineTimer = new QTimer(this);
    engineTimer->setInterval(30000);
    connect(engineTimer, &QTimer::timeout, m_probe, &StatusProbe::probeEngine);
    engineTimer->start();
}

MainWindow::~MainWindow() = default;

void MainWindow::createDocks()
{
    setDockOptions(AnimatedDocks | AllowTabbedDocks | AllowNestedDocks);
    // Problems of the pipeline (validator and linter); activating one selects the job's card.
    m_problems = new QListWidget(this);
    m_problems->setObjectName(QStringLiteral("problemsList"));
    auto *problemsDock = new QDockWidget(tr("Problems"), this);
    problemsDock->setObjectName(QStringLiteral("problemsDock"));
    problemsDock->setWidget(m_problems);
    addDockWidget(Qt::BottomDockWidgetArea, problemsDock);
    connect(m_problems, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        if (JobCardItem *card = m_canvas->pipelineScene()->card(item->data(Qt::UserRole).toString())) {
            m_canvas->scene()->clearSelection();
            card->setSelected(true);
            m_canvas->centerOn(card);
        }
    });
    // The run console: one tab per job, fed in batches so the UI keeps turning.
    m_logs = new LogBatcher(this);
    m_console = new RunConsole(m_logs, this);
    connect(m_console->tabBar(), &QTabBar::tabBarClicked, this, [this] { m_consoleFollowsRun = false; });
    auto *consoleDock = new QDockWidget(tr("Run console"), this);
    consoleDock->setObjectName(QStringLiteral("consoleDock"));
    consoleDock->setWidget(m_console);
    addDockWidget(Qt::BottomDockWidgetArea, consoleDock);
    tabifyDockWidget(problemsDock, consoleDock);
    resizeDocks({problemsDock}, {220}, Qt::Vertical);

    // The selected job's settings, edited through the same undo stack as the canvas.
    m_inspector = new JobInspector(nullptr, this);
    auto *inspectorDock = new QDockWidget(tr("Job"), this);
    inspectorDock->setObjectName(QStringLiteral("inspectorDock"));
    inspectorDock->setWidget(m_inspector);
    addDockWidget(Qt::RightDockWidgetArea, inspectorDock);
    connect(m_edit, &EditController::documentReplaced, m_inspector, &JobInspector::setDocument);
    m_edit->setProblemShownElsewhere([this] { return m_inspector->isApplyingEdit(); });
    connect(m_inspector, &JobInspector::jobRenamed, this, [this](const QString &, const QString &now) {
        if (JobCardItem *card = m_canvas->pipelineScene()->card(now)) {
            m_canvas->scene()->clearSelection();
            card->setSelected(true);
        }
    });

    // Past runs of the project: re-open their logs, retry a failed job.
    m_runs = new RunsList(this);
    m_logLoader = new RunLogLoader(m_console, this);
    auto *runsDock = new QDockWidget(tr("Runs"), this);
    runsDock->setObjectName(QStringLiteral("runsDock"));
    runsDock->setWidget(m_runs);
    splitDockWidget(inspectorDock, runsDock, Qt::Vertical);
    connect(m_runs, &RunsList::openRunLogs, this, [this, consoleDock](const core::RunRecord &record) {
        if (m_run)
            return statusBar()->showMessage(tr("A run is active: its logs are in the console."), 6000);
        m_logLoader->load(m_projectDir, record);
        consoleDock->show();
        consoleDock->raise();
        statusBar()->showMessage(tr("Logs of run #%1 (%2)").arg(record.pipelineIid).arg(record.id), 8000);
    });
    connect(m_runs, &RunsList::compareRequested, this, &MainWindow::compareRuns);
    connect(m_runs, &RunsList::reproduceRequested, this, [this](const QString &runId) { reproduceRun(runId); });
    connect(m_compare, &CompareView::problemFound, this,
            [this](const core::Error &problem) { statusBar()->showMessage(problem.toString(), 10000); });
    connect(m_runs, &RunsList::retryJobRequested, this, [this](const QString &runId, const QString &job) {
        // On the engine the run used: a run made in the host shell is retried there too.
        bool shell = false;
        for (const core::RunRecord &r : m_runs->runs())
            shell = shell || (r.id == runId && r.engine == QLatin1String("shell"));
        runPipeline(job, shell, runId);
    });

    // GPUs: utilization and memory while a run is active, and which job holds which GPU.
    m_gpus = new GpuPanel({}, this);
    auto *gpuDock = new QDockWidget(tr("GPUs"), this);
    gpuDock->setObjectName(QStringLiteral("gpuDock"));
    gpuDock->setWidget(m_gpus);
    addDockWidget(Qt::RightDockWidgetArea, gpuDock);
    tabifyDockWidget(runsDock, gpuDock);
    runsDock->raise();
    resizeDocks({inspectorDock}, {360}, Qt::Horizontal);
    resizeDocks({inspectorDock, runsDock}, {480, 220}, Qt::Vertical);
}

void MainWindow::createActions()
{
    m_openAction = new QAction(icon("open"), tr("&Open project…"), this);
    m_openAction->setShortcut(QKeySequence::Open);
    m_openAction->setStatusTip(tr("Open a project folder that holds a .gitlab-ci.yml"));
    connect(m_openAction, &QAction::triggered, this, &MainWindow::chooseProject);
    m_edit->saveAction()->setIcon(icon("save"));
    m_edit->undoAction()->setIcon(icon("undo"));
    m_edit->redoAction()->setIcon(icon("redo"));
    m_edit->addJobAction()->setIcon(icon("add-job"));
    m_addStageAction = new QAction(icon("add-stage"), tr("Add &stage…"), this);
    connect(m_addStageAction, &QAction::triggered, this, [this] {
        QMenu menu;
        m_edit->addStageActions(menu, {});
        for (QAction *a : menu.actions()) {
            if (a->text().startsWith(tr("Add stage"))) {
                a->trigger();
                break;
            }
        }
    });

    m_runAction = new QAction(icon("run"), tr("&Run pipeline"), this);
    m_runAction->setShortcut(QKeySequence(Qt::Key_F5));
    m_runAction->setStatusTip(tr("Run every job on the local Docker engine"));
    connect(m_runAction, &QAction::triggered, this, [this] { runPipeline(); });
    m_runFromAction = new QAction(icon("run-from"), tr("Run &selected job with its needs"), this);
    m_runFromAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_F5));
    connect(m_runFromAction, &QAction::triggered, this, [this] { runPipeline(selectedJob()); });
    m_runShellAction = new QAction(tr("Run in &host shell (no isolation)"), this);
    connect(m_runShellAction, &QAction::triggered, this, [this] { runPipeline({}, true); });
    m_cancelAction = new QAction(icon("cancel"), tr("&Cancel run"), this);
    m_cancelAction->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F5));
    connect(m_cancelAction, &QAction::triggered, this, [this] {
        if (m_run)
            m_run->cancel();
        if (m_reproduce)
            m_reproduce->cancel();
    });
    m_findAction = new QAction(icon("find"), tr("&Find in log…"), this);
    m_findAction->setShortcut(QKeySequence::Find);
    connect(m_findAction, &QAction::triggered, this, [this] {
        JobLogView *view = qobject_cast<JobLogView *>(m_console->currentWidget());
        if (!view && !selectedJob().isEmpty())
            view = m_console->viewFor(selectedJob());
        if (!view)
            return statusBar()->showMessage(tr("No log to search yet: run the pipeline first."), 5000);
        if (auto *dock = findChild<QDockWidget *>(QStringLiteral("consoleDock"))) {
            dock->show();
            dock->raise();
        }
        view->focusSearch();
    });

    m_toolBar = addToolBar(tr("Main"));
    m_toolBar->setObjectName(QStringLiteral("mainToolBar"));
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_toolBar->addAction(m_openAction);
    m_toolBar->addAction(m_edit->saveAction());
    m_toolBar->addSeparator();
    m_toolBar->addAction(m_edit->undoAction());
    m_toolBar->addAction(m_edit->redoAction());
    m_toolBar->addSeparator();
    m_toolBar->addAction(m_edit->addJobAction());
    m_toolBar->addAction(m_addStageAction);
    m_toolBar->addSeparator();
    m_toolBar->addAction(m_runAction);
    m_toolBar->addAction(m_runFromAction);
    m_toolBar->addAction(m_cancelAction);
    m_toolBar->addSeparator();
    m_toolBar->addAction(m_findAction);
    // Icons only for the verbs whose icon says it all; text beside the rest.
    for (QAction *a : {m_edit->undoAction(), m_edit->redoAction(), m_findAction, m_runFromAction})
        a->setPriority(QAction::LowPriority);
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_openAction);
    m_recentMenu = file->addMenu(tr("Open &recent"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, [this] { m_recent->fillMenu(m_recentMenu); });
    m_recent->fillMenu(m_recentMenu);
    file->addAction(m_edit->saveAction());
    QAction *reload = file->addAction(icon("retry"), tr("Re&load pipeline"), this, [this] { reloadPipeline(); });
    reload->setObjectName(QStringLiteral("reloadPipeline"));
    reload->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    reload->setToolTip(tr("Read .gitlab-ci.yml from disk again"));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(m_edit->undoAction());
    edit->addAction(m_edit->redoAction());
    edit->addSeparator();
    edit->addAction(m_edit->addJobAction());
    edit->addAction(m_addStageAction);
    edit->addSeparator();
    edit->addAction(m_findAction);

    // The central views, a keystroke each (the window owns the actions: the menu is rebuilt).
    QList<QAction *> viewActions;
    const QList<std::pair<QString, QWidget *>> views{
        {tr("&Pipeline"), m_pages}, {tr("&Compare runs"), m_compare}, {tr("&Lineage"), m_lineage}};
    for (int i = 0; i < views.size(); ++i) {
        auto *show = new QAction(views[i].first, this);
        show->setObjectName(QStringLiteral("showView%1").arg(i + 1));
        show->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
        connect(show, &QAction::triggered, this, [this, w = views[i].second] { m_views->setCurrentWidget(w); });
        addAction(show);
        viewActions << show;
    }
    m_viewMenu = menuBar()->addMenu(tr("&View"));
    connect(m_viewMenu, &QMenu::aboutToShow, this, [this, viewActions] {
        m_viewMenu->clear();
        m_viewMenu->addActions(viewActions);
        m_viewMenu->addSeparator();
        for (QDockWidget *dock : findChildren<QDockWidget *>())
            m_viewMenu->addAction(dock->toggleViewAction());
        m_viewMenu->addAction(m_toolBar->toggleViewAction());
        m_viewMenu->addSeparator();
        m_viewMenu->addAction(tr("Zoom to &fit"), this, [this] {
            m_canvas->fitInView(m_canvas->scene()->sceneRect(), Qt::KeepAspectRatio);
        });
        m_viewMenu->addAction(tr("&Actual size"), this, [this] { m_canvas->resetTransform(); });
        m_viewMenu->addAction(tr("&Reset layout"), this, [this] {
            restoreState(m_defaultState, LayoutVersion);
            sizeDocksByDefault();
        });
    });

    QMenu *run = menuBar()->addMenu(tr("&Run"));
    run->addAction(m_runAction);
    run->addAction(m_runFromAction);
    run->addAction(m_runShellAction);
    run->addSeparator();
    run->addAction(m_cancelAction);

    QMenu *settings = menuBar()->addMenu(tr("&Settings"));
    settings->addAction(tr("&Data folders…"), this, [this] {
        DataRootsDialog dialog(this);
        connect(&dialog, &DataRootsDialog::changed, this, [this] { reloadPipeline(true); });
        dialog.exec();
    });

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Try the demo…"), this, &MainWindow::chooseDemoFolder);
    help->addAction(tr("&Check this machine…"), this, [this] {
        auto connection = std::make_shared<QMetaObject::Connection>();
        *connection = connect(m_probe, &StatusProbe::machineChecked, this, [this, connection](const std::vector<core::CheckItem> &items) {
            disconnect(*connection);
            auto *box = new QMessageBox(QMessageBox::Information, tr("Check this machine"),
                                        tr("<h3>What Trainyard needs</h3>%1").arg(machineCheckHtml(items)), QMessageBox::Ok, this);
            box->setAttribute(Qt::WA_DeleteOnClose);
            box->open();
        });
        statusBar()->showMessage(tr("Checking this machine…"), 5000);
        m_probe->checkMachine();
    });
    QAction *guide = help->addAction(tr("&User guide"), this, [this] { showUserGuide(); });
    guide->setObjectName(QStringLiteral("userGuide"));
    guide->setShortcut(QKeySequence::HelpContents);
    QAction *shortcuts = help->addAction(tr("&Keyboard shortcuts"), this, &MainWindow::showShortcuts);
    shortcuts->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Slash));
    help->addSeparator();
    help->addAction(tr("&About Trainyard"), this, [this] {
        QMessageBox::about(this, tr("About Trainyard"),
                           tr("<b>Trainyard %1</b><p>A workbench for ML training pipelines written as "
                              ".gitlab-ci.yml.</p>")
                               .arg(QCoreApplication::applicationVersion()));
    });
}

void MainWindow::reloadPipeline(bool ask)
{
    if (m_projectDir.isEmpty())
        return;
    if (isRunning()) {
        m_reloadPending = true; // runFinished (or the reproduction's end) reads it
        return statusBar()->showMessage(tr(".gitlab-ci.yml changed on disk: it is read again once the run has ended."),
                                        10000);
    }
    if (isWindowModified()) {
        if (!ask)
            return statusBar()->showMessage(tr(".gitlab-ci.yml changed on disk. File ▸ Reload pipeline reads it, "
                                               "dropping your unsaved edits; Save keeps yours."),
                                            15000);
        if (!confirmAction(this, tr("Reload pipeline"),
                           tr("Drop your unsaved edits and read .gitlab-ci.yml from disk again?"), tr("&Drop edits and reload"),
                           tr("Cancel"), true))
            return;
        m_edit->setDocument(nullptr); // its edits are dropped: nothing to ask about
    }
    statusBar()->showMessage(tr("Reading .gitlab-ci.yml again…"), 3000);
    const int view = m_views->currentIndex();
    const QString lastRun = m_lastRunId; // the same project: Retry still knows its last run
    const bool lastShell = m_lastRunShell;
    openProject(m_projectDir);
    m_lastRunId = lastRun;
    m_lastRunShell = lastShell;
    m_views->setCurrentIndex(view);
}

bool MainWindow::showUserGuide()
{
    // Installed: <prefix>/bin/trainyard and <prefix>/share/doc/trainyard/README.md; else this
    // build's source tree. (Two stats: no need for a worker.)
    const QString guide = core::UserGuide::find(
        {QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("../share/doc/trainyard/README.md")),
         QStringLiteral(TRAINYARD_SOURCE_GUIDE)});
    if (guide.isEmpty()) {
        QMessageBox::information(this, tr("User guide"),
                                 tr("The user guide is not installed here. It is README.md in Trainyard's source tree, "
                                    "and /usr/share/doc/trainyard/README.md once the package is installed."));
        return false;
    }
    auto *dialog = findChild<UserGuideDialog *>();
    if (!dialog)
        dialog = new UserGuideDialog(guide, this);
    dialog->show();
    dialog->raise();
    return true;
}

void MainWindow::showShortcuts()
{
    auto *dialog = findChild<ShortcutsDialog *>();
    if (!dialog)
        dialog = new ShortcutsDialog(this);
    dialog->fill(*this);
    dialog->show();
    dialog->raise();
}

void MainWindow::createStatusBar()
{
    m_projectLabel = new QLabel(tr("No project"), this);
    m_commitLabel = new QLabel(this);
    m_commitLabel->setObjectName(QStringLiteral("commitLabel"));
    m_engineLabel = new QLabel(tr("Docker: checking…"), this);
    m_engineLabel->setObjectName(QStringLiteral("engineLabel"));
    m_gpuLabel = new QLabel(tr("GPUs: checking…"), this);
    m_gpuLabel->setObjectName(QStringLiteral("gpuLabel"));
    m_problemsLabel = new QLabel(this);
    statusBar()->addWidget(m_projectLabel, 1);
    statusBar()->addPermanentWidget(m_problemsLabel);
    statusBar()->addPermanentWidget(m_commitLabel);
    statusBar()->addPermanentWidget(m_engineLabel);
    statusBar()->addPermanentWidget(m_gpuLabel);
    connect(m_probe, &StatusProbe::engineProbed, this, [this](bool ok, const QString &text, const QString &tip) {
        m_engineLabel->setText((ok ? QStringLiteral("\u25cf ") : QStringLiteral("\u25cb ")) + text);
        m_engineLabel->setToolTip(tip);
    });
    connect(m_probe, &StatusProbe::gpusProbed, this, [this](int, const QString &text, const QString &tip) {
        m_gpuLabel->setText(text);
        m_gpuLabel->setToolTip(tip);
    });
    connect(m_probe, &StatusProbe::projectProbed, this,
            [this](const QString &dir, const QString &, const QString &text, const QString &tip) {
                if (dir != m_projectDir)
                    return;
                m_commitLabel->setText(text);
                m_commitLabel->setToolTip(tip);
            });
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    if (std::exchange(m_sizeDocksOnShow, false))
        QTimer::singleShot(0, this, &MainWindow::sizeDocksByDefault); // once laid out at its real size
}

void MainWindow::sizeDocksByDefault()
{
    // The job inspector wide enough for its fields, the bottom docks low enough to leave the
    // views most of the height.
    auto *inspector = findChild<QDockWidget *>(QStringLiteral("inspectorDock"));
    auto *runs = findChild<QDockWidget *>(QStringLiteral("runsDock"));
    auto *console = findChild<QDockWidget *>(QStringLiteral("consoleDock"));
    if (inspector)
        resizeDocks({inspector}, {std::max(380, width() / 4)}, Qt::Horizontal);
    if (inspector && runs)
        resizeDocks({inspector, runs}, {height() * 5 / 10, height() * 3 / 10}, Qt::Vertical);
    if (console)
        resizeDocks({console}, {std::max(160, height() / 4)}, Qt::Vertical);
}

void MainWindow::restoreLayout()
{
    m_defaultState = saveState(LayoutVersion);
    QSettings settings;
    restoreGeometry(settings.value(GeometryKey).toByteArray());
    m_sizeDocksOnShow = !restoreState(settings.value(StateKey).toByteArray(), LayoutVersion);
    if (settings.contains(CompareSmoothingKey))
        m_compare->setSmoothing(std::clamp(settings.value(CompareSmoothingKey).toDouble(), 0.0, 0.999));
    const int xAxis = settings.value(CompareXAxisKey, int(XAxisMode::Step)).toInt();
    if (xAxis >= int(XAxisMode::Step) && xAxis <= int(XAxisMode::WallTime))
        m_compare->setXAxisMode(XAxisMode(xAxis));
    m_compare->setLogY(settings.value(CompareLogYKey, false).toBool());
    m_compare->setIgnoreOutliers(settings.value(CompareOutliersKey, false).toBool());
}

void MainWindow::updateActions()
{
    const bool pipeline = m_pipeline && !m_pipeline->hasErrors() && !m_noPipelineFile;
    const bool running = isRunning();
    m_runAction->setEnabled(pipeline && !running);
    m_runShellAction->setEnabled(pipeline && !running);
    m_runFromAction->setEnabled(pipeline && !running && !selectedJob().isEmpty());
    m_runFromAction->setText(selectedJob().isEmpty() ? tr("Run &selected job with its needs")
                                                     : tr("Run '%1' with its &needs").arg(selectedJob()));
    m_cancelAction->setEnabled(running);
    m_addStageAction->setEnabled(m_edit->document() && !running);
    m_canvas->pipelineScene()->setEditable(m_edit->document() && !running);
}

QString MainWindow::selectedJob() const
{
    for (QGraphicsItem *item : m_canvas->scene()->selectedItems()) {
        if (auto *card = dynamic_cast<JobCardItem *>(item))
            return card->jobName();
    }
    return {};
}

void MainWindow::runPipeline(const QString &job, bool shellEngine, const QString &retryOf)
{
    if (!m_pipeline || m_pipeline->hasErrors() || isRunning() || !m_edit->maybeSave())
        return;
    core::RunOptions options;
    options.trigger = QStringLiteral("gui");
    if (!job.isEmpty())
        options.onlyJobs = QStringList{job};
    m_canvas->pipelineScene()->clearJobStatus();
    m_console->reset();
    m_run = std::make_unique<RunController>(*m_pipeline, shellEngine ? RunController::Engine::Shell : RunController::Engine::Docker,
                                            options, m_logs, nullptr, retryOf);
    // The console shows the job that started last, until the user picks a tab himself.
    m_consoleFollowsRun = true;
    connect(m_run.get(), &RunController::jobChanged, this, [this](const core::JobRecord &job) {
        m_canvas->pipelineScene()->setJobStatus(job.name, job.status, job.reason, job.started);
        m_canvas->pipelineScene()->setJobNotes(job.name, job.reason, job.warnings);
        m_console->setJobStatus(job.name, job.status);
        m_gpus->updateJob(job);
        if (m_consoleFollowsRun && job.status == core::JobStatus::Running)
            m_console->setCurrentWidget(m_console->viewFor(job.name)); // tabBarClicked is the user's only
        if (core::isFinal(job.status) && job.started.isValid())
            m_console->viewFor(job.name)->setFinished(job.exitCode, job.started.msecsTo(job.finished), core::jobStatusToString(job.status));
        // A job that starts may write scalars (followed live); one that ends has collected them.
        if (job.status == core::JobStatus::Running || core::isFinal(job.status))
            m_compare->refreshRuns();
    });
    connect(m_run.get(), &RunController::progress, m_console, &RunConsole::setProgress);
    connect(m_run.get(), &RunController::message, this, [this](const QString &text) { statusBar()->showMessage(text, 8000); });
    connect(m_run.get(), &RunController::finished, this, &MainWindow::runFinished);
    m_canvas->pipelineScene()->setApprovalsEnabled(true);
    m_gpus->setPolling(true);
    if (auto *dock = findChild<QDockWidget *>(QStringLiteral("consoleDock"))) {
        dock->show();
        dock->raise();
    }
    updateActions();
    statusBar()->showMessage(!retryOf.isEmpty() ? tr("Retrying '%1' of run %2…").arg(job, retryOf)
                             : job.isEmpty() ? tr("Running %1…").arg(QFileInfo(m_projectDir).fileName())
                                             : tr("Running '%1' with its needs…").arg(job));
    m_run->start();
    QTimer::singleShot(500, m_runs, &RunsList::refresh); // the new run's record is on disk by then
}

bool MainWindow::showView(const QString &name)
{
    QWidget *view = name == QLatin1String("pipeline") ? static_cast<QWidget *>(m_pages)
                    : name == QLatin1String("compare") ? static_cast<QWidget *>(m_compare)
                    : name == QLatin1String("lineage") ? static_cast<QWidget *>(m_lineage)
                                                        : nullptr;
    if (view)
        m_views->setCurrentWidget(view);
    return view != nullptr;
}

void MainWindow::showArtifactLineage(const QString &target, bool review)
{
    m_views->setCurrentWidget(m_lineage);
    if (review)
        connect(m_lineage, &LineageView::reviewShown, m_lineage, &LineageView::openReview, Qt::SingleShotConnection);
    m_lineage->showArtifact(target);
}

void MainWindow::compareRuns(const QStringList &runIds)
{
    m_compare->showPipelineRuns(runIds);
    m_views->setCurrentWidget(m_compare);
    statusBar()->showMessage(runIds.size() == 1 ? tr("Scalars of run %1").arg(runIds.first())
                                                : tr("Scalars of %1 runs side by side").arg(runIds.size()),
                             6000);
}

void MainWindow::reproduceRun(const QString &runId, bool confirm)
{
    if (m_projectDir.isEmpty())
        return;
    if (isRunning())
        return statusBar()->showMessage(tr("A run is active: reproduce once it has ended."), 6000);
    if (confirm &&
        !confirmAction(
            this, tr("Reproduce run %1").arg(runId),
            tr("<p>Trainyard checks out the run's commit into <tt>.trainyard/reproduce/</tt>, uses each image "
               "by the ID the run recorded, verifies every data input against its recorded hash, runs the "
               "same jobs and compares the artifacts' hashes with the original.</p>"
               "<p>Changed data is refused before anything runs.</p>"),
            tr("&Reproduce")))
        return;
    m_canvas->pipelineScene()->clearJobStatus();
    m_console->reset();
    m_consoleFollowsRun = true;
    m_reproduce = std::make_unique<ReproduceController>(m_projectDir, runId, m_logs);
    connect(m_reproduce.get(), &ReproduceController::jobChanged, this, [this](const core::JobRecord &job) {
        // The reproduction runs the recorded commit's pipeline: its jobs have the same names.
        m_console->setJobStatus(job.name, job.status);
        if (m_consoleFollowsRun && job.status == core::JobStatus::Running)
            m_console->setCurrentWidget(m_console->viewFor(job.name));
        if (core::isFinal(job.status) && job.started.isValid())
            m_console->viewFor(job.name)->setFinished(job.exitCode, job.started.msecsTo(job.finished),
                                                      core::jobStatusToString(job.status));
    });
    connect(m_reproduce.get(), &ReproduceController::progress, m_console, &RunConsole::setProgress);
    connect(m_reproduce.get(), &ReproduceController::message, this,
            [this](const QString &text) { statusBar()->showMessage(text, 8000); });
    connect(m_reproduce.get(), &ReproduceController::finished, this,
            [this, runId](const core::ReproductionReport &report, const QString &refusal) {
                m_reproduce.release()->deleteLater(); // its thread has ended
                showReproduction(runId, report, refusal);
                if (std::exchange(m_reloadPending, false))
                    QTimer::singleShot(0, this, [this] { reloadPipeline(false); });
            });
    if (auto *dock = findChild<QDockWidget *>(QStringLiteral("consoleDock"))) {
        dock->show();
        dock->raise();
    }
    statusBar()->showMessage(tr("Reproducing run %1…").arg(runId));
    m_reproduce->start();
    updateActions();
}

void MainWindow::showReproduction(const QString &runId, const core::ReproductionReport &report, const QString &refusal)
{
    updateActions();
    m_runs->refresh();
    m_lineage->refresh();
    m_compare->refreshRuns();
    // Not modal: the window stays usable while the result is read.
    auto *box = new QMessageBox(this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setObjectName(QStringLiteral("reproductionResult"));
    if (!refusal.isEmpty()) {
        box->setIcon(QMessageBox::Warning);
        box->setWindowTitle(tr("Run %1 cannot be reproduced").arg(runId));
        box->setText(refusal.section(u'\n', 0, 0));
        box->setDetailedText(refusal);
        statusBar()->showMessage(tr("Reproduction of run %1 refused").arg(runId), 10000);
    } else {
        box->setIcon(report.identical ? QMessageBox::Information : QMessageBox::Warning);
        box->setWindowTitle(tr("Reproduction of run %1").arg(runId));
        box->setText(report.identical
                         ? tr("<b>Reproduced: identical.</b> All %1 artifacts have the same sha256 as in run %2.")
                               .arg(report.comparedArtifacts)
                               .arg(runId)
                         : tr("<b>The reproduction differs</b> from run %1 (%2 artifact(s), %3 job(s) differ). "
                              "The details list each one.")
                               .arg(runId)
                               .arg(report.differences.size())
                               .arg(report.jobDifferences.size()));
        box->setInformativeText(tr("Reproduction run %1, in %2").arg(report.reproductionRunId, QDir::toNativeSeparators(report.worktree)));
        box->setDetailedText(report.toText());
        statusBar()->showMessage(report.identical ? tr("Run %1 reproduced: identical").arg(runId)
                                                  : tr("Run %1 reproduced: different").arg(runId),
                                 10000);
    }
    box->open();
    Q_EMIT reproductionFinished(runId, refusal.isEmpty() && report.identical, refusal);
}

void MainWindow::runFinished(const core::RunRecord &record, const QString &error)
{
    m_run.release()->deleteLater(); // its thread has ended; delete once this signal returns
    if (std::exchange(m_reloadPending, false))
        QTimer::singleShot(0, this, [this] { reloadPipeline(false); }); // the file changed during the run
    m_canvas->pipelineScene()->setApprovalsEnabled(false);
    m_gpus->setPolling(false);
    m_gpus->clearAssignments();
    if (!record.id.isEmpty()) {
        m_lastRunId = record.id;
        m_lastRunShell = record.engine == QLatin1String("shell");
    }
    m_runs->refresh();
    m_lineage->refresh();
    m_compare->refreshRuns();
    updateActions();
    if (error.isEmpty()) {
        statusBar()->showMessage(tr("Run #%1 %2").arg(record.pipelineIid).arg(core::runStatusToString(record.status)));
        return;
    }
    if (error.contains(QStringLiteral("not reachable")) &&
        confirmAction(this, tr("Docker engine not reachable"),
                      tr("%1\n\nRun with the host shell instead? Jobs then run without isolation.").arg(error),
                      tr("Run in the host &shell"))) {
        runPipeline({}, true);
        return;
    }
    QMessageBox::warning(this, tr("The run could not start"), error);
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
    QSettings settings;
    settings.setValue(GeometryKey, saveGeometry());
    settings.setValue(StateKey, saveState(LayoutVersion));
    settings.setValue(CompareSmoothingKey, m_compare->smoothing());
    settings.setValue(CompareXAxisKey, int(m_compare->xAxisMode()));
    settings.setValue(CompareLogYKey, m_compare->isLogY());
    settings.setValue(CompareOutliersKey, m_compare->ignoresOutliers());
    event->accept();
}

void MainWindow::changeEvent(QEvent *event)
{
    // Light/dark: the canvas paints with the palette; rebuild it when the palette changes.
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange) {
        if (m_pipeline)
            refreshCanvas();
    }
    QMainWindow::changeEvent(event);
}

QString MainWindow::folderOf(const QMimeData *mime)
{
    if (!mime || !mime->hasUrls() || mime->urls().size() != 1)
        return {};
    const QUrl url = mime->urls().constFirst();
    if (!url.isLocalFile())
        return {};
    const QFileInfo info(url.toLocalFile());
    if (info.isDir())
        return info.absoluteFilePath();
    // A dropped .gitlab-ci.yml opens its folder.
    if (info.isFile() && info.fileName() == QLatin1String(".gitlab-ci.yml"))
        return info.absolutePath();
    return {};
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (!folderOf(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QString dir = folderOf(event->mimeData());
    if (dir.isEmpty())
        return;
    event->acceptProposedAction();
    // After the drop has returned: opening may ask to save the current document.
    QTimer::singleShot(0, this, [this, dir] { openProject(dir); });
}

void MainWindow::approveJob(const QString &job)
{
    if (m_run)
        m_run->approve(job);
}

void MainWindow::cancelJob(const QString &job)
{
    if (m_run)
        m_run->cancelJob(job);
}

void MainWindow::showJobMenu(const QString &job, const QPoint &globalPos)
{
    QMenu menu(this);
    JobCardItem *card = m_canvas->pipelineScene()->card(job);
    const std::optional<core::JobStatus> status = card ? card->status() : std::nullopt;
    const bool running = m_run && status;
    if (running && *status == core::JobStatus::Manual)
        menu.addAction(icon("approve"), tr("Approve '%1'").arg(job), this, [this, job] { approveJob(job); });
    if (running && (*status == core::JobStatus::Running || *status == core::JobStatus::Pending))
        menu.addAction(icon("cancel"), tr("Cancel '%1'").arg(job), this, [this, job] { cancelJob(job); });
    if (!m_run && m_runAction->isEnabled()) {
        if (status && (*status == core::JobStatus::Failed || *status == core::JobStatus::Cancelled) && !m_lastRunId.isEmpty())
            menu.addAction(icon("retry"), tr("Retry '%1'").arg(job), this,
                           [this, job] { runPipeline(job, m_lastRunShell, m_lastRunId); })
                ->setToolTip(tr("Runs the job again; what it needs is reused from the last run where it succeeded"));
        else
            menu.addAction(icon("run-from"), tr("Run '%1' with its needs").arg(job), this, [this, job] { runPipeline(job); });
    }
    menu.addAction(tr("Show log"), this, [this, job] {
        m_console->setCurrentWidget(m_console->viewFor(job));
        if (auto *dock = findChild<QDockWidget *>(QStringLiteral("consoleDock")))
            dock->raise();
    });
    if (!m_run)
        m_edit->addJobActions(menu, job);
    menu.exec(globalPos);
}

void MainWindow::showNeedMenu(const QString &job, const QString &need, const QPoint &globalPos)
{
    if (m_run || !m_edit->document())
        return;
    QMenu menu(this);
    menu.addAction(tr("Remove: '%1' needs '%2'").arg(job, need), this,
                   [this, job, need] { m_edit->removeNeed(job, need); });
    menu.exec(globalPos);
}

void MainWindow::showStageMenu(const QString &stage, const QPoint &globalPos)
{
    if (m_run || !m_edit->document())
        return;
    QMenu menu(this);
    m_edit->addStageActions(menu, stage);
    menu.exec(globalPos);
}

void MainWindow::chooseProject()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open project"), m_projectDir);
    if (!dir.isEmpty())
        openProject(dir);
}

QString MainWindow::machineCheckHtml(const std::vector<core::CheckItem> &items)
{
    QString rows;
    for (const core::CheckItem &item : items) {
        const QString mark = item.state == core::CheckItem::State::Ok        ? QStringLiteral("<span style=\"color:#2da44e\">\u2713</span>")
                             : item.state == core::CheckItem::State::Warning ? QStringLiteral("<span style=\"color:#d29922\">\u25cb</span>")
                                                                             : QStringLiteral("<span style=\"color:#cf222e\">\u2717</span>");
        rows += QStringLiteral("<tr><td>%1</td><td><b>%2</b>: %3%4</td></tr>")
                    .arg(mark, item.name.toHtmlEscaped(), item.detail.toHtmlEscaped(),
                         item.fix.isEmpty() ? QString() : QStringLiteral("<br><i>%1</i>").arg(item.fix.toHtmlEscaped()));
    }
    return QStringLiteral("<table cellspacing=\"4\">%1</table>").arg(rows);
}

void MainWindow::chooseDemoFolder()
{
    const QString parent = QFileDialog::getExistingDirectory(this, tr("Where should the demo project go?"), QDir::homePath());
    if (parent.isEmpty())
        return;
    QString target = parent + QStringLiteral("/trainyard-demo");
    for (int n = 2; QFileInfo::exists(target); ++n)
        target = parent + QStringLiteral("/trainyard-demo-%1").arg(n);
    tryDemo(target);
}

void MainWindow::tryDemo(const QString &targetDir)
{
    const QString examples = core::ProjectSetup::examplesDir();
    if (examples.isEmpty()) {
        QMessageBox::warning(this, tr("Try the demo"),
                             tr("The bundled examples were not found. Set TRAINYARD_EXAMPLES_DIR to the examples folder."));
        return;
    }
    statusBar()->showMessage(tr("Copying the demo to %1…").arg(QDir::toNativeSeparators(targetDir)));
    auto *watcher = new QFutureWatcher<core::Result<void>>(this);
    connect(watcher, &QFutureWatcher<core::Result<void>>::finished, this, [this, watcher, targetDir] {
        watcher->deleteLater();
        const core::Result<void> done = watcher->result();
        if (!done) {
            statusBar()->clearMessage();
            auto *box = new QMessageBox(QMessageBox::Warning, tr("Try the demo"), done.error().toString(), QMessageBox::Ok, this);
            box->setObjectName(QStringLiteral("tryDemoError"));
            box->setAttribute(Qt::WA_DeleteOnClose);
            box->open(); // window-modal, not blocking
            return;
        }
        statusBar()->showMessage(tr("The demo is a git repository of its own in %1: press F5 to run it.")
                                     .arg(QDir::toNativeSeparators(targetDir)),
                                 15000);
        openProject(targetDir);
    });
    watcher->setFuture(QtConcurrent::run([examples, targetDir] {
        return core::ProjectSetup::copyExample(examples + QStringLiteral("/offline-demo"), targetDir);
    }));
}

void MainWindow::showWelcome()
{
    QString recent;
    for (const QString &dir : m_recent->list()) {
        recent += QStringLiteral("<br><a href=\"recent:%1\">%2</a>")
                      .arg(dir.toHtmlEscaped(), QDir::toNativeSeparators(dir).toHtmlEscaped());
    }
    if (!recent.isEmpty())
        recent = tr("<p><b>Recent projects</b>%1</p>").arg(recent);
    const QString check = m_machineCheck.empty()
                              ? tr("<p><i>Checking this machine…</i></p>")
                              : tr("<p><b>This machine</b></p>%1").arg(machineCheckHtml(m_machineCheck));
    m_welcome->setText(tr("<h2>Trainyard</h2><p>Open a project folder that holds a <tt>.gitlab-ci.yml</tt> "
                          "to see its pipeline, or drop the folder here.</p>"
                          "<p><a href=\"open\">Open project…</a> (Ctrl+O) &nbsp;·&nbsp; "
                          "<a href=\"demo\">Try the demo</a> — a small real training pipeline that runs offline</p>"
                          "%1%2")
                           .arg(recent, check));
    m_pages->setCurrentWidget(m_welcome);
}

void MainWindow::openProject(const QString &dir)
{
    if (isRunning()) {
        statusBar()->showMessage(tr("A run is active: cancel it before opening another project."), 6000);
        return;
    }
    if (!m_edit->maybeSave())
        return;
    m_projectDir = QDir(dir).absolutePath();
    m_noPipelineFile = false;
    m_reloadPending = false;
    if (!m_pipelineFileWatcher->files().isEmpty())
        m_pipelineFileWatcher->removePaths(m_pipelineFileWatcher->files()); // the last project's
    m_projectLabel->setText(tr("Reading %1…").arg(QDir::toNativeSeparators(m_projectDir)));
    m_commitLabel->clear();
    m_lastRunId.clear();
    m_fitPending = true;
    m_probe->probeProject(m_projectDir);
    m_runs->setProjectDir(m_projectDir);
    m_lineage->setProjectDir(m_projectDir);
    m_compare->setProjectDir(m_projectDir);
    m_views->setCurrentWidget(m_pages);
    // Reading walks the project tree and git state: off the UI thread.
    struct Read
    {
        bool exists = false;
        bool hasFile = false;
        Pipeline pipeline;
        std::vector<core::Error> lint;
        core::EvaluationContext context;
    };
    auto *watcher = new QFutureWatcher<Read>(this);
    connect(watcher, &QFutureWatcher<Read>::finished, this, [this, watcher, dir = m_projectDir] {
        watcher->deleteLater();
        if (dir != m_projectDir)
            return; // another project was opened meanwhile
        const Read read = watcher->result();
        if (!read.exists) {
            m_projectLabel->setText(tr("No project"));
            m_edit->setDocument(nullptr);
            showWelcome();
            QMessageBox::warning(this, tr("Cannot open project"),
                                 tr("%1 is not a folder.").arg(QDir::toNativeSeparators(dir)));
            return;
        }
        m_recent->add(dir);
        if (!read.hasFile) {
            m_noPipelineFile = true;
            m_pipeline.reset();
            m_edit->setDocument(nullptr); // nothing to edit until "Create pipeline"
            m_context = read.context;
            m_projectLabel->setText(QDir::toNativeSeparators(dir));
            setWindowTitle(tr("%1[*] — Trainyard").arg(QFileInfo(dir).fileName()));
            m_welcome->setText(tr("<h3>%1 has no .gitlab-ci.yml</h3><p>Trainyard reads a project's pipeline from "
                                  "<tt>.gitlab-ci.yml</tt> in its top folder.</p>"
                                  "<p><a href=\"create\">Create pipeline</a> — stages test, train, evaluate and "
                                  "export to start from &nbsp;·&nbsp; <a href=\"open\">Open another project…</a></p>")
                                   .arg(QDir::toNativeSeparators(dir).toHtmlEscaped()));
            m_pages->setCurrentWidget(m_welcome);
            updateActions();
            Q_EMIT projectShown(dir);
            return;
        }
        m_pipelineFileWatcher->addPath(dir + QStringLiteral("/.gitlab-ci.yml"));
        // The document re-reads the text after every edit, with the context made here.
        auto document = PipelineDocument::load(dir, read.context);
        m_edit->setDocument(document ? std::move(*document) : nullptr);
        showPipeline(dir, read.pipeline, read.lint);
        Q_EMIT projectShown(dir);
    });
    watcher->setFuture(QtConcurrent::run([dir = m_projectDir] {
        Read read;
        read.exists = QFileInfo(dir).isDir();
        read.hasFile = QFileInfo::exists(dir + QStringLiteral("/.gitlab-ci.yml"));
        if (!read.exists)
            return read;
        core::EvaluationContext context = core::EvaluationContext::fromProject(dir);
        (void)context.projectFiles(); // list the tree and the changes here, not on the UI thread
        (void)context.changedFiles();
        read.context = context;
        if (!read.hasFile)
            return read;
        core::GitlabCiReader::Options options;
        options.projectDir = dir;
        read.pipeline = core::GitlabCiReader::read(options);
        if (!read.pipeline.hasErrors())
            read.lint = core::PipelineLinter::lint(read.pipeline);
        return read;
    }));
}

void MainWindow::createPipeline()
{
    if (m_projectDir.isEmpty() || !m_noPipelineFile)
        return;
    m_noPipelineFile = false;
    m_edit->setDocument(PipelineDocument::create(m_projectDir, m_context));
    refreshCanvas();
    setWindowModified(true);
    statusBar()->showMessage(tr("A new pipeline: edit it, then save (Ctrl+S) to write .gitlab-ci.yml."), 10000);
}

void MainWindow::refreshCanvas()
{
    if (PipelineDocument *doc = m_edit->document())
        showPipeline(m_projectDir, doc->pipeline(), doc->lint());
    else if (m_pipeline)
        showPipeline(m_projectDir, *m_pipeline, {});
}

void MainWindow::showPipeline(const QString &dir, const Pipeline &pipeline, const std::vector<core::Error> &lint)
{
    const QString name = QFileInfo(dir).fileName();
    m_branch = pipeline.branch;
    setWindowTitle(tr("%1 (%2)[*] — Trainyard").arg(name, pipeline.branch));
    m_projectLabel->setText(QDir::toNativeSeparators(dir));
    m_canvas->pipelineScene()->setPipeline(pipeline, lint);
    if (std::exchange(m_fitPending, false))
        QTimer::singleShot(0, m_canvas, &PipelineCanvas::fitIfLarger); // after the layout has settled
    if (m_pipeline.get() != &pipeline)
        m_pipeline = std::make_unique<Pipeline>(pipeline);
    m_problems->clear();
    int errors = 0;
    QStringList lines;
    for (const auto &list : {pipeline.problems, lint}) {
        for (const core::Error &p : list) {
            errors += p.isError() ? 1 : 0;
            auto *item = new QListWidgetItem(p.toString(), m_problems);
            item->setData(Qt::UserRole, p.job);
            item->setIcon(style()->standardIcon(p.isError() ? QStyle::SP_MessageBoxCritical : QStyle::SP_MessageBoxWarning));
            lines << p.toString();
        }
    }
    m_problemsLabel->setText(errors ? tr("%n error(s)", nullptr, errors)
                                    : tr("%n job(s), %1", nullptr, int(pipeline.jobs.size()))
                                          .arg(lint.empty() ? tr("no warnings") : tr("%n warning(s)", nullptr, int(lint.size()))));
    m_problemsLabel->setToolTip(lines.join(u'\n'));
    const bool unreadable = pipeline.jobs.empty() && errors;
    m_pages->setCurrentWidget(unreadable ? static_cast<QWidget *>(m_welcome) : m_canvas);
    // Data outside the project: ask once per folder whether jobs may read it on this machine.
    QTimer::singleShot(0, this, [this, dir] {
        if (m_pipeline && m_projectDir == dir && m_dataRootPrompt->askFor(dir, *m_pipeline))
            reloadPipeline(true);
    });
    if (unreadable)
        m_welcome->setText(tr("<h3>%1 cannot be read</h3><pre>%2</pre><p>Fix it in your editor: Trainyard reads it again "
                              "when it is saved. <a href=\"reload\">Reload now</a> &nbsp;·&nbsp; "
                              "<a href=\"open\">Open another project…</a></p>")
                               .arg(name, lines.join(u'\n').toHtmlEscaped()));
    updateActions();
}

} // namespace trainyard::ui
