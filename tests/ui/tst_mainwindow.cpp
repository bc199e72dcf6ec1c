// The window opens on the offscreen platform and shows the demo project's pipeline.
#include "compare/compareview.h"
#include "mainwindow.h"

#include "document/editcontroller.h"
#include "document/pipelinecommands.h"
#include "document/pipelinedocument.h"

#include "pipeline/gitlabcireader.h"

#include "canvas/jobcarditem.h"
#include "canvas/pipelinecanvas.h"
#include "canvas/pipelinescene.h"
#include "inspector/messagebar.h"
#include "runs/runslist.h"
#include "support/demoproject.h"
#include "support/scopedenv.h"
#include "vcs/gitinfo.h"
#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QDialog>
#include <QFile>
#include <QLabel>
#include <QMenuBar>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QTextDocument>
#include <QTreeWidget>
#include <QUrl>

#include "pipeline/hostaccess.h"
#include "project/datarootprompt.h"
#include "project/recentprojects.h"
#include "settings/datarootsdialog.h"
#include <QListWidget>

#include <QDockWidget>
#include <QGraphicsPathItem>
#include <QMessageBox>
#include <QMimeData>
#include <QProcess>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QTimer>
#include <QToolBar>
#include <QUndoStack>

using namespace trainyard::ui;

namespace {
/// The label of `w` whose text contains `text` (the welcome page's messages), or null.
QLabel *labelSaying(const QWidget &w, const QString &text)
{
    for (QLabel *l : w.findChildren<QLabel *>())
        if (l->text().contains(text))
            return l;
    return nullptr;
}
} // namespace

class tst_MainWindow final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void opensEmptyShell();
    void opensDemoProject();
    void canvasGroupsParallelJobsAndDrawsImplicitOrder();
    void editUndoRedoSave();
    void remembersRecentProjects();
    void offersCreatePipelineWhenThereIsNone();
    void opensDroppedFolder();
    void restoresDockLayout();
    void statusBarShowsEngineGpusAndCommit();
    void commitMarkerOfAProjectInASubfolder();
    void shortcutsAndIcons();
    void tryTheDemoAndMachineCheck();
    void reloadsWhenTheFileChangesOnDisk();
    void asksOncePerDataFolderOutsideTheProject();
    void folderOutsideGitSaysSoAndOffersARepository();
    void layoutFitsSmallAndLargeWindows();

private:
    QTemporaryDir m_settings;
};

void tst_MainWindow::initTestCase()
{
    // The user's own settings stay untouched: recent projects and layout go to a scratch folder.
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settings.path());
    QCoreApplication::setOrganizationName(QStringLiteral("TrainyardTests"));
}

void tst_MainWindow::opensEmptyShell()
{
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QStringList menus;
    for (QAction *a : w.menuBar()->actions())
        menus << a->text();
    QVERIFY(menus.contains(QStringLiteral("&File")));
    bool hasOpen = false;
    for (QAction *a : w.menuBar()->actions().first()->menu()->actions())
        hasOpen = hasOpen || a->text().contains(QStringLiteral("Open project"));
    QVERIFY(hasOpen);
    QVERIFY(w.statusBar()->isVisible());
}

void tst_MainWindow::opensDemoProject()
{
    MainWindow w;
    w.show();
    w.openProject(QStringLiteral(TRAINYARD_SOURCE_DIR "/resources/examples/offline-demo"));
    auto *canvas = w.findChild<PipelineCanvas *>();
    QVERIFY(canvas);
    PipelineScene *scene = canvas->pipelineScene();
    QTRY_VERIFY_WITH_TIMEOUT(scene->card(QStringLiteral("export")) != nullptr, 10000);
    QCOMPARE(scene->lanes(), QStringList({QStringLiteral("test"), QStringLiteral("train"), QStringLiteral("evaluate"),
                                          QStringLiteral("export")}));
    QCOMPARE(scene->needsEdgeCount(), 4); // train<-unit-tests, evaluate<-train, export<-train, export<-evaluate
    QVERIFY(scene->card(QStringLiteral("export"))->content().manual);
    QVERIFY(scene->card(QStringLiteral("train"))->content().artifacts);
    QVERIFY(scene->card(QStringLiteral("unit-tests"))->x() < scene->card(QStringLiteral("train"))->x());
    scene->setJobStatus(QStringLiteral("train"), trainyard::core::JobStatus::Running, QStringLiteral("12 s"));
    QCOMPARE(scene->card(QStringLiteral("train"))->status(), std::optional(trainyard::core::JobStatus::Running));
    // A run's warnings and its full reason reach the card (M4: artifact paths that matched nothing).
    scene->setJobNotes(QStringLiteral("train"),
                       QStringLiteral("Starting the container failed: the engine said no (HTTP 500)"),
                       {QStringLiteral("artifacts: 'models/' matched no files")});
    QVERIFY(scene->card(QStringLiteral("train"))
                ->toolTip()
                .contains(QStringLiteral("warning: artifacts: 'models/' matched no files")));
    QVERIFY(scene->card(QStringLiteral("train"))->toolTip().contains(QStringLiteral("the engine said no (HTTP 500)")));
    QVERIFY(Qt::mightBeRichText(scene->card(QStringLiteral("train"))->toolTip())); // rich text: Qt wraps it
    QVERIFY(scene->card(QStringLiteral("train"))->statusLine().contains(QStringLiteral("1 warning")));
    QVERIFY(w.windowTitle().contains(QStringLiteral("offline-demo")));
    const QImage shot = w.grab().toImage();
    QVERIFY(!shot.isNull());
    if (qEnvironmentVariableIsSet("TRAINYARD_SCREENSHOT"))
        shot.save(qEnvironmentVariable("TRAINYARD_SCREENSHOT"));
}

void tst_MainWindow::canvasGroupsParallelJobsAndDrawsImplicitOrder()
{
    trainyard::core::EvaluationContext ctx;
    ctx.branch = QStringLiteral("main");
    ctx.setProjectFiles({});
    ctx.setChangedFiles(std::nullopt);
    const auto pipeline = trainyard::core::GitlabCiReader::readText(
        "stages: [build, test]\nb:\n  stage: build\n  parallel: 3\n  script: x\n"
        "t:\n  script: x\n  tags: [gpu-runner]\nn:\n  script: x\n  rules:\n    - when: never\n",
        QStringLiteral("t.yml"), ctx);
    PipelineScene scene;
    scene.setPipeline(pipeline);
    QVERIFY(scene.card(QStringLiteral("b 2/3")));
    QCOMPARE(scene.card(QStringLiteral("b 2/3")), scene.card(QStringLiteral("b")));
    QCOMPARE(scene.card(QStringLiteral("b"))->content().instances, 3);
    QCOMPARE(scene.card(QStringLiteral("t"))->content().gpus, 1);
    QVERIFY(!scene.card(QStringLiteral("n"))); // when: never is not drawn
    QCOMPARE(scene.implicitEdgeCount(), 1);    // t waits for the build stage
    QCOMPARE(scene.needsEdgeCount(), 0);

    // A stage of many jobs: the next stage's jobs get no dashed edge from each of them (the lanes'
    // order says it); the count of those left out is kept.
    QByteArray wide = "stages: [build, test]\n";
    for (int i = 0; i < PipelineScene::kMaxImplicitFanIn + 1; ++i)
        wide += "b" + QByteArray::number(i) + ":\n  stage: build\n  script: x\n";
    wide += "t1:\n  stage: test\n  script: x\nt2:\n  stage: test\n  script: x\n  needs: [b0]\n";
    scene.setPipeline(trainyard::core::GitlabCiReader::readText(wide, QStringLiteral("w.yml"), ctx));
    QCOMPARE(scene.implicitEdgeCount(), 0);
    QCOMPARE(scene.implicitEdgesOmitted(), PipelineScene::kMaxImplicitFanIn + 1);
    QCOMPARE(scene.needsEdgeCount(), 1); // needs edges are always drawn
}

void tst_MainWindow::editUndoRedoSave()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral(".gitlab-ci.yml"));
    QVERIFY(QFile::copy(QStringLiteral(TRAINYARD_SOURCE_DIR "/resources/examples/offline-demo/.gitlab-ci.yml"), file));
    QFile::setPermissions(file, QFile::ReadOwner | QFile::WriteOwner);
    QFile original(file);
    QVERIFY(original.open(QIODevice::ReadOnly));
    const QByteArray before = original.readAll();
    original.close();

    MainWindow w;
    w.show();
    w.openProject(dir.path());
    PipelineScene *scene = w.findChild<PipelineCanvas *>()->pipelineScene();
    auto *edit = w.findChild<EditController *>();
    QVERIFY(edit);
    QTRY_VERIFY_WITH_TIMEOUT(edit->document() && scene->card(QStringLiteral("train")), 10000);
    PipelineDocument *doc = edit->document();
    QVERIFY(!edit->saveAction()->isEnabled()); // nothing to save yet

    // Add a job (duplicate), then connect a needs edge.
    doc->push(new DuplicateJobCommand(doc, QStringLiteral("train")));
    QVERIFY(scene->card(QStringLiteral("train-copy")));
    QVERIFY(w.isWindowModified());
    QVERIFY(edit->saveAction()->isEnabled());
    const int edges = scene->needsEdgeCount();
    doc->push(new AddNeedCommand(doc, QStringLiteral("train-copy"), QStringLiteral("evaluate")));
    QCOMPARE(scene->needsEdgeCount(), edges); // train-copy is in stage train: a need on a later stage is refused
    doc->push(new AddNeedCommand(doc, QStringLiteral("export"), QStringLiteral("unit-tests")));
    QCOMPARE(scene->needsEdgeCount(), edges + 1);

    // Undo both, redo both, through the window's actions.
    edit->undoAction()->trigger();
    QCOMPARE(scene->needsEdgeCount(), edges);
    edit->undoAction()->trigger();
    QVERIFY(!scene->card(QStringLiteral("train-copy")));
    QCOMPARE(doc->text(), before);
    QVERIFY(!w.isWindowModified());
    edit->redoAction()->trigger();
    edit->redoAction()->trigger();
    QVERIFY(scene->card(QStringLiteral("train-copy")));
    QCOMPARE(scene->needsEdgeCount(), edges + 1);

    // Save writes exactly the document's text; unchanged lines stay byte for byte.
    edit->saveAction()->trigger();
    QVERIFY(!w.isWindowModified());
    QFile saved(file);
    QVERIFY(saved.open(QIODevice::ReadOnly));
    const QByteArray after = saved.readAll();
    QCOMPARE(after, doc->text());
    QVERIFY(after.contains("train-copy:"));
    QVERIFY(after.startsWith(before.left(before.indexOf("stages:"))));
}

void tst_MainWindow::remembersRecentProjects()
{
    QSettings().remove(QStringLiteral("recentProjects"));
    QTemporaryDir a;
    QTemporaryDir b;
    {
        MainWindow w;
        QSignalSpy shown(&w, &MainWindow::projectShown);
        w.openProject(a.path());
        QTRY_COMPARE(shown.count(), 1);
        w.openProject(b.path());
        QTRY_COMPARE(shown.count(), 2);
        w.openProject(a.path());
        QTRY_COMPARE(shown.count(), 3);
    }
    RecentProjects recent;
    QCOMPARE(recent.list(), QStringList({a.path(), b.path()})); // newest first, no duplicates
    // A new window lists them on its welcome page and in File ▸ Open recent.
    MainWindow w;
    auto labels = w.findChildren<QLabel *>();
    bool onWelcome = false;
    for (QLabel *l : labels)
        onWelcome =
            onWelcome || (l->text().contains(QStringLiteral("recent:") + a.path()) && l->text().contains(b.path()));
    QVERIFY(onWelcome);
    QMenu *file = w.menuBar()->actions().first()->menu();
    QMenu *recentMenu = nullptr;
    for (QAction *act : file->actions())
        if (act->menu() && act->text().contains(QStringLiteral("recent")))
            recentMenu = act->menu();
    QVERIFY(recentMenu);
    QVERIFY(recentMenu->actions().first()->text().endsWith(a.path()));
    // Choosing an entry opens it.
    QSignalSpy shown(&w, &MainWindow::projectShown);
    recentMenu->actions().at(1)->trigger();
    QTRY_COMPARE(shown.count(), 1);
    QCOMPARE(w.projectDir(), b.path());
    // Folders that are gone drop out.
    const QString gone = b.path();
    b.remove();
    QCOMPARE(recent.list(), QStringList{a.path()});
    Q_UNUSED(gone);
}

void tst_MainWindow::offersCreatePipelineWhenThereIsNone()
{
    QTemporaryDir dir;
    MainWindow w;
    w.show();
    QSignalSpy shown(&w, &MainWindow::projectShown);
    w.openProject(dir.path());
    QTRY_COMPARE(shown.count(), 1);
    QLabel *message = labelSaying(w, QStringLiteral("has no .gitlab-ci.yml"));
    QVERIFY(message);
    QVERIFY(message->isVisible());
    QVERIFY(message->text().contains(QStringLiteral("href=\"create\"")));
    QVERIFY(message->text().contains(QStringLiteral("Create pipeline")));
    auto *edit = w.findChild<EditController *>();
    QVERIFY(!edit->document());
    Q_EMIT message->linkActivated(QStringLiteral("create"));
    QVERIFY(edit->document());
    PipelineScene *scene = w.findChild<PipelineCanvas *>()->pipelineScene();
    QCOMPARE(scene->lanes(), QStringList({QStringLiteral("test"), QStringLiteral("train"), QStringLiteral("evaluate"),
                                          QStringLiteral("export")}));
    QVERIFY(scene->card(QStringLiteral("train")));
    QVERIFY(w.isWindowModified());
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral(".gitlab-ci.yml")))); // nothing written before Save
    edit->saveAction()->trigger();
    QVERIFY(QFile::exists(dir.filePath(QStringLiteral(".gitlab-ci.yml"))));
    QVERIFY(!w.isWindowModified());
    // The saved file is a pipeline GitLab (and Trainyard) reads without errors.
    trainyard::core::GitlabCiReader::Options options;
    options.projectDir = dir.path();
    const auto pipeline = trainyard::core::GitlabCiReader::read(options);
    QVERIFY(!pipeline.hasErrors());
    QCOMPARE(pipeline.jobs.size(), size_t(4));
}

void tst_MainWindow::opensDroppedFolder()
{
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.acceptDrops());
    QSignalSpy shown(&w, &MainWindow::projectShown);
    const QString demo = QStringLiteral(TRAINYARD_SOURCE_DIR "/resources/examples/offline-demo");

    // A file that is not a pipeline is refused.
    QMimeData file;
    file.setUrls({QUrl::fromLocalFile(demo + QStringLiteral("/data/train.csv"))});
    QDragEnterEvent refused(QPoint(10, 10), Qt::CopyAction, &file, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &refused);
    QVERIFY(!refused.isAccepted());

    QMimeData folder;
    folder.setUrls({QUrl::fromLocalFile(demo)});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &folder, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &folder, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &drop);
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, 10000);
    QCOMPARE(w.projectDir(), QDir(demo).absolutePath());
    QVERIFY(w.findChild<PipelineCanvas *>()->pipelineScene()->card(QStringLiteral("train")));
}

void tst_MainWindow::restoresDockLayout()
{
    QSettings().remove(QStringLiteral("mainWindow"));
    {
        // First start: the job inspector is wide enough for its fields.
        MainWindow first;
        first.resize(1280, 800);
        first.show();
        QVERIFY(QTest::qWaitForWindowExposed(&first));
        auto *inspector = first.findChild<QDockWidget *>(QStringLiteral("inspectorDock"));
        // The views leave room for it (the compare view's controls once forced it to 223 px).
        QVERIFY(first.centralWidget()->minimumSizeHint().width() <= 880);
        QTRY_VERIFY2(inspector->width() >= 320,
                     qPrintable(QStringLiteral("%1 of %2").arg(inspector->width()).arg(first.width())));
    }
    QSettings().remove(QStringLiteral("mainWindow"));
    {
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        auto *console = w.findChild<QDockWidget *>(QStringLiteral("consoleDock"));
        QVERIFY(console);
        QCOMPARE(w.dockWidgetArea(console), Qt::BottomDockWidgetArea);
        w.addDockWidget(Qt::RightDockWidgetArea, console); // the user moves the console to the right
        auto *problems = w.findChild<QDockWidget *>(QStringLiteral("problemsDock"));
        problems->hide();
        auto *compare = w.findChild<CompareView *>(QStringLiteral("compareView"));
        QCOMPARE(compare->smoothing(), 0.6); // TensorBoard's default at first
        compare->setSmoothing(0.9);
        compare->setXAxisMode(XAxisMode::RelativeTime);
        compare->setLogY(true);
        QVERIFY(w.close());
    }
    MainWindow again;
    again.show();
    QVERIFY(QTest::qWaitForWindowExposed(&again));
    QCOMPARE(again.dockWidgetArea(again.findChild<QDockWidget *>(QStringLiteral("consoleDock"))),
             Qt::RightDockWidgetArea);
    QVERIFY(!again.findChild<QDockWidget *>(QStringLiteral("problemsDock"))->isVisible());
    // The charts as the user left them.
    auto *compare = again.findChild<CompareView *>(QStringLiteral("compareView"));
    QCOMPARE(compare->smoothing(), 0.9);
    QCOMPARE(compare->xAxisMode(), XAxisMode::RelativeTime);
    QVERIFY(compare->isLogY());
    QVERIFY(!compare->ignoresOutliers());
    // View ▸ Reset layout puts everything back.
    QMenu *view = nullptr;
    for (QAction *a : again.menuBar()->actions())
        if (a->text() == QLatin1String("&View"))
            view = a->menu();
    QVERIFY(view);
    Q_EMIT view->aboutToShow();
    for (QAction *a : view->actions())
        if (a->text() == QLatin1String("&Reset layout"))
            a->trigger();
    QCOMPARE(again.dockWidgetArea(again.findChild<QDockWidget *>(QStringLiteral("consoleDock"))),
             Qt::BottomDockWidgetArea);
    QVERIFY(again.findChild<QDockWidget *>(QStringLiteral("problemsDock"))->isVisible());
    QSettings().remove(QStringLiteral("mainWindow"));
    QSettings().remove(QStringLiteral("compare"));
}

void tst_MainWindow::statusBarShowsEngineGpusAndCommit()
{
    // No engine at this address and no nvidia-smi on PATH: both say so, neither blocks.
    QTemporaryDir dir;
    const trainyard::test::ScopedEnv host("DOCKER_HOST", QByteArray("unix://") +
                                                             dir.filePath(QStringLiteral("no-such.sock")).toUtf8());
    const trainyard::test::ScopedEnv path("PATH", "/usr/bin:/bin");
    QVERIFY(QStandardPaths::findExecutable(QStringLiteral("nvidia-smi")).isEmpty());
    trainyard::test::shell(dir.path(),
                           QStringLiteral("printf 'x:\n  script: [echo]\n' > .gitlab-ci.yml && git init -q -b main && "
                                          "git add -A && git -c user.name=t -c user.email=t@t commit -qm one && "
                                          "echo change >> .gitlab-ci.yml"));
    MainWindow w;
    w.show();
    w.openProject(dir.path());
    auto *engine = w.findChild<QLabel *>(QStringLiteral("engineLabel"));
    auto *gpus = w.findChild<QLabel *>(QStringLiteral("gpuLabel"));
    auto *commit = w.findChild<QLabel *>(QStringLiteral("commitLabel"));
    QTRY_VERIFY_WITH_TIMEOUT(engine->text().contains(QStringLiteral("not reachable")), 10000);
    QVERIFY(engine->toolTip().contains(QStringLiteral("no-such.sock")));
    QTRY_COMPARE_WITH_TIMEOUT(gpus->text(), QStringLiteral("no GPU"), 10000);
    QVERIFY(gpus->toolTip().contains(QStringLiteral("nvidia-smi")));
    QProcess git;
    git.setWorkingDirectory(dir.path());
    git.start(QStringLiteral("git"),
              {QStringLiteral("rev-parse"), QStringLiteral("--short=8"), QStringLiteral("HEAD")});
    QVERIFY(git.waitForFinished());
    const QString sha = QString::fromLatin1(git.readAllStandardOutput().trimmed());
    QTRY_COMPARE_WITH_TIMEOUT(commit->text(), QStringLiteral("main @ %1*").arg(sha), 10000); // * = uncommitted changes
    QVERIFY(w.windowTitle().contains(QStringLiteral("(main)")));

    // A commit made in a terminal clears the star without a reload (the window watches .git) ...
    trainyard::test::shell(dir.path(), QStringLiteral("git -c user.name=t -c user.email=t@t commit -qam two"));
    git.start(QStringLiteral("git"),
              {QStringLiteral("rev-parse"), QStringLiteral("--short=8"), QStringLiteral("HEAD")});
    QVERIFY(git.waitForFinished());
    const QString second = QString::fromLatin1(git.readAllStandardOutput().trimmed());
    QVERIFY(second != sha);
    QTRY_COMPARE_WITH_TIMEOUT(commit->text(), QStringLiteral("main @ %1").arg(second), 10000);
    // ... and a save in the window brings it back.
    auto *edit = w.findChild<EditController *>();
    QTRY_VERIFY_WITH_TIMEOUT(edit->document(), 10000);
    edit->document()->push(new DuplicateJobCommand(edit->document(), QStringLiteral("x")));
    QCOMPARE(commit->text(), QStringLiteral("main @ %1").arg(second)); // not saved yet: the tree is clean
    edit->saveAction()->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(commit->text(), QStringLiteral("main @ %1*").arg(second), 10000);
}

void tst_MainWindow::commitMarkerOfAProjectInASubfolder()
{
    // The project is a folder inside the repository: the window watches the repository's .git,
    // found by libgit2, not a .git beside the pipeline.
    QTemporaryDir dir;
    trainyard::test::shell(
        dir.path(), QStringLiteral("mkdir -p ml/train && printf 'x:\n  script: [echo]\n' > ml/train/.gitlab-ci.yml && "
                                   "git init -q -b main && git add -A && "
                                   "git -c user.name=t -c user.email=t@t commit -qm one && "
                                   "echo change >> ml/train/.gitlab-ci.yml"));
    MainWindow w;
    w.show();
    w.openProject(dir.filePath(QStringLiteral("ml/train")));
    auto *commit = w.findChild<QLabel *>(QStringLiteral("commitLabel"));
    QTRY_VERIFY_WITH_TIMEOUT(commit->text().endsWith(u'*'), 10000);
    trainyard::test::shell(dir.path(), QStringLiteral("git -c user.name=t -c user.email=t@t commit -qam two"));
    QTRY_VERIFY_WITH_TIMEOUT(commit->text().startsWith(QStringLiteral("main @ ")) && !commit->text().endsWith(u'*'),
                             10000);
}

void tst_MainWindow::shortcutsAndIcons()
{
    MainWindow w;
    QHash<QString, QAction *> byText;
    for (QAction *a : w.findChildren<QAction *>())
        byText.insert(QString(a->text()).remove(u'&'), a);
    const QList<std::pair<QString, QKeySequence>> expected{
        {QStringLiteral("Open project…"), QKeySequence::Open},
        {QStringLiteral("Save"), QKeySequence::Save},
        {QStringLiteral("Undo"), QKeySequence::Undo},
        {QStringLiteral("Redo"), QKeySequence::Redo},
        {QStringLiteral("Run pipeline"), QKeySequence(Qt::Key_F5)},
        {QStringLiteral("Cancel run"), QKeySequence(Qt::SHIFT | Qt::Key_F5)},
        {QStringLiteral("Find in log…"), QKeySequence::Find}};
    for (const auto &[text, keys] : expected) {
        QAction *a = byText.value(text);
        QVERIFY2(a, qPrintable(text));
        QCOMPARE(a->shortcut(), QKeySequence(keys));
        // Each has an SVG icon that renders at 1x and 2x (high-DPI).
        QVERIFY2(!a->icon().isNull(), qPrintable(text));
        QVERIFY(!a->icon().pixmap(QSize(24, 24), 2.0).isNull());
    }
    QVERIFY(w.findChild<QToolBar *>(QStringLiteral("mainToolBar")));

    // Ctrl+1/2/3 show the pipeline, the compare view and the lineage. The window must be active
    // for its shortcuts (a bare X server, without a window manager, does not make it so).
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&w));
    auto *views = w.findChild<QTabWidget *>(QStringLiteral("views"));
    QVERIFY(views);
    QCOMPARE(views->count(), 3);
    QCOMPARE(views->tabText(1), QStringLiteral("Compare"));
    QCOMPARE(views->tabText(2), QStringLiteral("Lineage"));
    QTest::keyClick(&w, Qt::Key_2, Qt::ControlModifier);
    QCOMPARE(views->currentWidget(), w.findChild<CompareView *>(QStringLiteral("compareView")));
    QTest::keyClick(&w, Qt::Key_3, Qt::ControlModifier);
    QCOMPARE(views->currentIndex(), 2);
    QTest::keyClick(&w, Qt::Key_1, Qt::ControlModifier);
    QCOMPARE(views->currentIndex(), 0);
    // The Runs list's "Compare scalars" lands there.
    w.compareRuns({QStringLiteral("20240101-000000-aaaa")});
    QCOMPARE(views->currentIndex(), 1);
    // And by name (trainyard open --view).
    QVERIFY(w.showView(QStringLiteral("lineage")));
    QCOMPARE(views->currentIndex(), 2);
    QVERIFY(!w.showView(QStringLiteral("charts")));
    QCOMPARE(views->currentIndex(), 2);

    // F1 opens the user guide (the README with its screenshots), without blocking.
    QTest::keyClick(&w, Qt::Key_F1);
    auto *guide = w.findChild<QDialog *>(QStringLiteral("userGuideDialog"));
    QVERIFY(guide);
    QTRY_VERIFY(guide->isVisible());
    QVERIFY(!guide->isModal());
    auto *guideText = guide->findChild<QTextBrowser *>(QStringLiteral("userGuideText"));
    QTRY_VERIFY_WITH_TIMEOUT(guideText->toPlainText().contains(QStringLiteral("A tour of the window")),
                             10000);                                        // read on a worker
    QVERIFY(!guideText->toPlainText().contains(QStringLiteral("](docs/"))); // Markdown rendered, not shown raw
    // It leads with using the window; setting up a build and the tests come last.
    const QString plain = guideText->toPlainText();
    QVERIFY(plain.indexOf(QStringLiteral("Using it")) >= 0);
    QVERIFY(plain.indexOf(QStringLiteral("Using it")) < plain.indexOf(QStringLiteral("Set up (fresh Debian 12)")));
    QVERIFY(plain.indexOf(QStringLiteral("A tour of the window")) < plain.indexOf(QStringLiteral("Set up (fresh")));
    QVERIFY(plain.indexOf(QStringLiteral("Security:")) < plain.indexOf(QStringLiteral("\nTests\n")));
    const QVariant shot = guideText->loadResource(QTextDocument::ImageResource,
                                                  QUrl(QStringLiteral("docs/screenshots/window-canvas.png")));
    QVERIFY(!shot.isNull()); // the screenshots load from beside the guide
    guide->close();
    w.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&w));

    // Ctrl+/ lists every menu command's shortcut, read from the menus, without blocking.
    QTest::keyClick(&w, Qt::Key_Slash, Qt::ControlModifier);
    auto *dialog = w.findChild<QDialog *>(QStringLiteral("shortcutsDialog"));
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    QVERIFY(!dialog->isModal());
    auto *list = dialog->findChild<QTreeWidget *>(QStringLiteral("shortcuts"));
    QHash<QString, QString> shown;
    for (int i = 0; i < list->topLevelItemCount(); ++i)
        shown.insert(list->topLevelItem(i)->text(0), list->topLevelItem(i)->text(1));
    QCOMPARE(shown.value(QStringLiteral("Run ▸ Run pipeline")),
             QKeySequence(Qt::Key_F5).toString(QKeySequence::NativeText));
    QCOMPARE(shown.value(QStringLiteral("Run ▸ Cancel run")),
             QKeySequence(Qt::SHIFT | Qt::Key_F5).toString(QKeySequence::NativeText));
    QVERIFY2(shown.contains(QStringLiteral("File ▸ Open project")), qPrintable(QStringList(shown.keys()).join(u',')));
    QVERIFY(shown.contains(QStringLiteral("Help ▸ Keyboard shortcuts")));
    QVERIFY(shown.contains(QStringLiteral("Help ▸ User guide")));
    QCOMPARE(shown.value(QStringLiteral("View ▸ Compare runs")),
             QKeySequence(Qt::CTRL | Qt::Key_2).toString(QKeySequence::NativeText)); // built when the menu opens
    for (auto it = shown.cbegin(); it != shown.cend(); ++it)
        QVERIFY2(!it.value().isEmpty(), qPrintable(it.key()));
    dialog->close();
}

void tst_MainWindow::tryTheDemoAndMachineCheck()
{
    QSettings().remove(QStringLiteral("recentProjects"));
    MainWindow w;
    w.show();
    QLabel *welcome = labelSaying(w, QStringLiteral("Try the demo"));
    QVERIFY(welcome);
    QVERIFY(welcome->text().contains(QStringLiteral("href=\"demo\"")));
    // The first-run check fills in on the welcome page (worker thread: Docker, nvidia-smi).
    QTRY_VERIFY_WITH_TIMEOUT(welcome->text().contains(QStringLiteral("Docker engine")), 20000);
    QVERIFY(welcome->text().contains(QStringLiteral("NVIDIA GPU")));

    QTemporaryDir parent;
    const QString target = parent.filePath(QStringLiteral("trainyard-demo"));
    QSignalSpy shown(&w, &MainWindow::projectShown);
    w.tryDemo(target);
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, 20000);
    QCOMPARE(w.projectDir(), target);
    PipelineScene *scene = w.findChild<PipelineCanvas *>()->pipelineScene();
    QVERIFY(scene->card(QStringLiteral("train")));
    QVERIFY(QFile::exists(target + QStringLiteral("/data/train.csv")));
    // A git repository of its own, clean: the commit label has no dirty marker.
    auto *commit = w.findChild<QLabel *>(QStringLiteral("commitLabel"));
    QTRY_VERIFY_WITH_TIMEOUT(commit->text().startsWith(QStringLiteral("main @ ")), 10000);
    QVERIFY(!commit->text().endsWith(u'*'));
    QCOMPARE(RecentProjects().list().value(0), target);

    // A second try into the same (now non-empty) folder is refused with the reason, nothing lost.
    QSignalSpy again(&w, &MainWindow::projectShown);
    w.tryDemo(target);
    QTRY_VERIFY_WITH_TIMEOUT(w.findChild<QMessageBox *>(QStringLiteral("tryDemoError")), 20000);
    auto *box = w.findChild<QMessageBox *>(QStringLiteral("tryDemoError"));
    QVERIFY(box->text().contains(QStringLiteral("not empty")));
    box->accept();
    QCOMPARE(again.count(), 0);
    QVERIFY(QFile::exists(target + QStringLiteral("/.gitlab-ci.yml")));
}

void tst_MainWindow::reloadsWhenTheFileChangesOnDisk()
{
    // A broken file is fixed in another editor: the window reads it again by itself. With unsaved
    // edits in the window it only says so; Reload then asks before dropping them.
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral(".gitlab-ci.yml"));
    const auto write = [&](const QByteArray &text) {
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(text);
    };
    write("build:\n  script: [make\n");
    MainWindow w;
    w.show();
    auto *problemsDock = w.findChild<QDockWidget *>(QStringLiteral("problemsDock"));
    auto *consoleDock = w.findChild<QDockWidget *>(QStringLiteral("consoleDock"));
    consoleDock->raise(); // the Problems tab behind the console's
    QSignalSpy shown(&w, &MainWindow::projectShown);
    w.openProject(dir.path());
    QTRY_COMPARE(shown.count(), 1);
    QLabel *message = labelSaying(w, QStringLiteral("cannot be read"));
    QVERIFY(message);
    QVERIFY(message->text().contains(QStringLiteral("href=\"reload\"")));
    // Where the problem starts (the bracket never closed), with its line; the Problems dock in front.
    QVERIFY2(message->text().contains(QStringLiteral(".gitlab-ci.yml:2:11")), qPrintable(message->text()));
    QVERIFY(message->text().contains(QStringLiteral("script: [make")));
    QTRY_VERIFY(!problemsDock->visibleRegion().isEmpty());
    QVERIFY(consoleDock->visibleRegion().isEmpty());

    write("build:\n  script: [make]\n");
    PipelineScene *scene = w.findChild<PipelineCanvas *>()->pipelineScene();
    QTRY_VERIFY_WITH_TIMEOUT(scene->card(QStringLiteral("build")) != nullptr, 10000);
    QCOMPARE(shown.count(), 2);
    QVERIFY2(!w.statusBar()->currentMessage().contains(QStringLiteral("Reading")),
             qPrintable(w.statusBar()->currentMessage())); // read, so not left saying it is reading

    // An edit in the window, then a change on disk: nothing is dropped, the status bar says so.
    auto *edit = w.findChild<EditController *>();
    edit->addStage(QStringLiteral("package"));
    QVERIFY(w.isWindowModified());
    write("build:\n  script: [make]\nlint:\n  script: [lint]\n");
    QTRY_VERIFY_WITH_TIMEOUT(w.statusBar()->currentMessage().contains(QStringLiteral("changed on disk")), 10000);
    QCOMPARE(shown.count(), 2);
    QVERIFY(w.isWindowModified());
    QVERIFY(!scene->card(QStringLiteral("lint")));

    // Save asks before writing over the other editor's change; Cancel keeps both.
    bool asked = false;
    const auto answer = [&](const QString &button) {
        QTimer::singleShot(0, [&asked, button] {
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            if (!box)
                return;
            asked = box->text().contains(QStringLiteral("changed by another program"));
            for (QAbstractButton *b : box->buttons())
                if (b->text() == button)
                    b->click();
        });
    };
    answer(QStringLiteral("Cancel"));
    edit->saveAction()->trigger();
    QVERIFY(asked);
    QVERIFY(w.isWindowModified());
    QFile disk(file);
    QVERIFY(disk.open(QIODevice::ReadOnly));
    QVERIFY(disk.readAll().contains("lint:")); // the other editor's version is still there
    disk.close();
    // "Save mine over it" writes the window's version; our own write is not read back.
    asked = false;
    answer(QStringLiteral("&Save mine over it"));
    edit->saveAction()->trigger();
    QVERIFY(asked);
    QVERIFY(!w.isWindowModified());
    QTest::qWait(800);
    QCOMPARE(shown.count(), 2);
    QVERIFY(disk.open(QIODevice::ReadOnly));
    QVERIFY(!disk.readAll().contains("lint:"));
    disk.close();
    // A Save with nothing changed on disk does not ask.
    edit->addStage(QStringLiteral("ship"));
    asked = false;
    answer(QStringLiteral("Cancel"));
    edit->saveAction()->trigger();
    QVERIFY(!asked);
    QVERIFY(!w.isWindowModified());

    // File ▸ Reload pipeline reads it again (no edits: nothing to ask).
    write("build:\n  script: [make]\nlint:\n  script: [lint]\n");
    QTRY_VERIFY_WITH_TIMEOUT(scene->card(QStringLiteral("lint")) != nullptr, 10000);
    auto *reload = w.findChild<QAction *>(QStringLiteral("reloadPipeline"));
    QVERIFY(reload);
    QCOMPARE(reload->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    const int before = shown.count();
    reload->trigger();
    QTRY_COMPARE(shown.count(), before + 1);
}

void tst_MainWindow::asksOncePerDataFolderOutsideTheProject()
{
    // A pipeline that reads data from outside its project (H1): refused until the user allows
    // the folder, asked once per folder, then listed under Settings ▸ Data folders.
    QTemporaryDir tmp;
    const QString project = tmp.filePath(QStringLiteral("project"));
    const QString datasets = QFileInfo(tmp.path()).canonicalFilePath() + QStringLiteral("/datasets");
    QVERIFY(QDir().mkpath(project) && QDir().mkpath(datasets));
    {
        QFile f(project + QStringLiteral("/.gitlab-ci.yml"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(".trainyard:\n  data:\n    imagenet: " + datasets.toUtf8() +
                "\n    etc: /etc\ntrain:\n  image: a/b:1\n  script: [true]\n");
    }
    trainyard::test::ScopedEnv noRoots("TRAINYARD_DATA_ROOTS", "");
    trainyard::core::HostAccess::forgetRoot(datasets);

    MainWindow w;
    auto *prompt = w.findChild<DataRootPrompt *>();
    QVERIFY(prompt);
    QStringList asked;
    bool answer = false;
    prompt->setAsk([&](const QString &root, const QString &input, const QString &) {
        asked << input + u'=' + root;
        return answer;
    });
    w.openProject(project);
    QTRY_COMPARE_WITH_TIMEOUT(asked, QStringList{QStringLiteral("imagenet=") + datasets}, 10000); // never for /etc
    auto *problems = w.findChild<QListWidget *>(QStringLiteral("problemsList"));
    QVERIFY(problems);
    QTRY_VERIFY(!problems->findItems(QStringLiteral("data input 'imagenet'"), Qt::MatchContains).isEmpty());

    // Declined: not asked again when the pipeline is read again.
    w.reloadPipeline();
    QTest::qWait(300);
    QCOMPARE(asked.size(), 1);
    QVERIFY(!trainyard::core::HostAccess::settingRoots().contains(datasets));

    // A new window (a new session) asks again; allowed, the folder is kept and the error goes.
    MainWindow second;
    answer = true;
    second.findChild<DataRootPrompt *>()->setAsk([&](const QString &root, const QString &input, const QString &) {
        asked << input + u'=' + root;
        return answer;
    });
    second.openProject(project);
    QTRY_COMPARE_WITH_TIMEOUT(asked.size(), 2, 10000);
    QVERIFY(trainyard::core::HostAccess::settingRoots().contains(datasets));
    auto *secondProblems = second.findChild<QListWidget *>(QStringLiteral("problemsList"));
    QTRY_VERIFY_WITH_TIMEOUT(
        secondProblems->findItems(QStringLiteral("data input 'imagenet'"), Qt::MatchContains).isEmpty() &&
            !secondProblems->findItems(QStringLiteral("data input 'etc'"), Qt::MatchContains).isEmpty(),
        10000);

    // Settings ▸ Data folders lists it and removes it.
    DataRootsDialog dialog;
    auto *list = dialog.findChild<QListWidget *>();
    QVERIFY(list);
    QVERIFY(!list->findItems(QDir::toNativeSeparators(datasets), Qt::MatchStartsWith).isEmpty());
    list->setCurrentItem(list->findItems(QDir::toNativeSeparators(datasets), Qt::MatchStartsWith).first());
    QAbstractButton *remove = nullptr;
    for (QAbstractButton *b : dialog.findChildren<QAbstractButton *>())
        if (b->text() == QLatin1String("&Remove"))
            remove = b;
    QVERIFY(remove && remove->isEnabled());
    QSignalSpy changed(&dialog, &DataRootsDialog::changed);
    remove->click();
    QCOMPARE(changed.count(), 1);
    QVERIFY(!trainyard::core::HostAccess::settingRoots().contains(datasets));
}

void tst_MainWindow::folderOutsideGitSaysSoAndOffersARepository()
{
    QTemporaryDir dir; // under /tmp: in no repository
    QFile file(dir.filePath(QStringLiteral(".gitlab-ci.yml")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("train:\n  script: [echo trained]\n");
    file.close();
    QVERIFY(!trainyard::core::GitInfo::read(dir.path())->isRepository);
    MainWindow w;
    w.show();
    QSignalSpy shown(&w, &MainWindow::projectShown);
    w.openProject(dir.path());
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, 10000);
    // No branch that does not exist; plainly said what that costs, and how to mend it.
    QVERIFY2(!w.windowTitle().contains(QStringLiteral("(main)")), qPrintable(w.windowTitle()));
    QVERIFY(w.windowTitle().contains(QStringLiteral("not a git repository")));
    auto *notice = w.findChild<MessageBar *>(QStringLiteral("projectNotice"));
    QVERIFY(notice && notice->isVisible());
    QVERIFY(notice->text().contains(QStringLiteral("cannot be reproduced or released")));
    QVERIFY(notice->actionButton()->isVisible());

    // A run there is recorded with no branch and no commit.
    w.runPipeline({}, QStringLiteral("shell"));
    auto *runs = w.findChild<RunsList *>();
    QTRY_VERIFY_WITH_TIMEOUT(!w.isRunning() && runs->runs().size() == 1 &&
                                 runs->runs().front().status == trainyard::core::RunStatus::Success,
                             30000);
    QCOMPARE(runs->runs().front().branch, QString());
    QCOMPARE(runs->runs().front().commitSha, QString());

    // Made a repository: the first commit holds the files, the title names the branch.
    w.makeRepository(false);
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 2, 10000);
    const auto state = trainyard::core::GitInfo::read(dir.path());
    QVERIFY(state && state->isRepository && !state->dirty);
    QVERIFY2(w.windowTitle().contains(QStringLiteral("(main)")), qPrintable(w.windowTitle()));
    QVERIFY(!notice->isVisible());
}

void tst_MainWindow::layoutFitsSmallAndLargeWindows()
{
    QSettings().remove(QStringLiteral("mainWindow"));
    MainWindow w;
    w.resize(1024, 700);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.openProject(QStringLiteral(TRAINYARD_SOURCE_DIR "/resources/examples/offline-demo"));
    auto *inspector = w.findChild<QDockWidget *>(QStringLiteral("inspectorDock"));
    auto *console = w.findChild<QDockWidget *>(QStringLiteral("consoleDock"));
    auto *canvas = w.findChild<PipelineCanvas *>();
    auto *tabs = qobject_cast<QTabWidget *>(w.centralWidget());
    for (int i = 0; i < tabs->count(); ++i)
        qInfo("view %d needs %d px", i, tabs->widget(i)->minimumSizeHint().width());
    // At 1024×700 the views and the inspector both get room, and the demo's canvas fits its width.
    QTRY_VERIFY2(inspector->width() >= 250, qPrintable(QString::number(inspector->width())));
    QVERIFY2(w.centralWidget()->width() >= 620, qPrintable(QString::number(w.centralWidget()->width())));
    QTRY_VERIFY(canvas->pipelineScene()->card(QStringLiteral("export")));
    QTRY_VERIFY2(!canvas->horizontalScrollBar()->isVisible(), "the canvas scrolls sideways");
    QVERIFY2(console->height() >= 150, qPrintable(QString::number(console->height())));
    // Shrunk, then grown to 1920×1080: the docks take their share again, not the squeezed width.
    w.resize(760, 560);
    QTest::qWait(100);
    w.resize(1920, 1080);
    QTRY_VERIFY2(inspector->width() >= 380, qPrintable(QString::number(inspector->width())));
    QTRY_VERIFY2(console->height() >= 250, qPrintable(QString::number(console->height())));
    QVERIFY(w.centralWidget()->width() >= 1300);
}

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
