// The window opens on the offscreen platform and shows the demo project's pipeline.
#include "mainwindow.h"

#include "document/editcontroller.h"
#include "document/pipelinecommands.h"
#include "document/pipelinedocument.h"

#include "pipeline/gitlabcireader.h"

#include <QLabel>
#include <QMenuBar>
#include <QStatusBar>
#include <QAction>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include "canvas/jobcarditem.h"
#include "canvas/pipelinecanvas.h"
#include "canvas/pipelinescene.h"

#include <QGraphicsPathItem>

using namespace trainyard::ui;

class tst_MainWindow final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void opensEmptyShell();
    void opensDemoProject();
    void canvasGroupsParallelJobsAndDrawsImplicitOrder();
    void editUndoRedoSave();
};

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
    QCOMPARE(scene->lanes(), QStringList({QStringLiteral("test"), QStringLiteral("train"), QStringLiteral("evaluate"), QStringLiteral("export")}));
    QCOMPARE(scene->needsEdgeCount(), 4); // train<-unit-tests, evaluate<-train, export<-train, export<-evaluate
    QVERIFY(scene->card(QStringLiteral("export"))->content().manual);
    QVERIFY(scene->card(QStringLiteral("train"))->content().artifacts);
    QVERIFY(scene->card(QStringLiteral("unit-tests"))->x() < scene->card(QStringLiteral("train"))->x());
    scene->setJobStatus(QStringLiteral("train"), trainyard::core::JobStatus::Running, QStringLiteral("12 s"));
    QCOMPARE(scene->card(QStringLiteral("train"))->status(), std::optional(trainyard::core::JobStatus::Running));
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
    QCOMPARE(scene.implicitEdgeCount(), 1);     // t waits for the build stage
    QCOMPARE(scene.needsEdgeCount(), 0);
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

    // Add a job (duplicate), then connect a needs edge.
    doc->push(new DuplicateJobCommand(doc, QStringLiteral("train")));
    QVERIFY(scene->card(QStringLiteral("train-copy")));
    QVERIFY(w.isWindowModified());
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

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
