// Composing a pipeline with the mouse on the real canvas: drag a card to another stage, draw a
// needs edge from a card's port, delete an edge with the keyboard, change stages; every edit is
// one undo step and the file changes only where it was edited.
#include "mainwindow.h"

#include "canvas/jobcarditem.h"
#include "canvas/pipelinecanvas.h"
#include "canvas/pipelinescene.h"
#include "document/editcontroller.h"
#include "document/pipelinecommands.h"
#include "document/pipelinedocument.h"
#include "inspector/jobinspector.h"

#include <QLineEdit>
#include <QSpinBox>

#include <QFile>
#include <QGraphicsPathItem>
#include <QGraphicsRectItem>
#include <QMenu>
#include <QMouseEvent>
#include <QPointer>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

using namespace trainyard::ui;
using trainyard::core::JobStatus;

namespace {

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/// A mouse event on the view's viewport, with `buttons` held (QTest::mouseMove does not carry them).
void mouse(QWidget *viewport, QEvent::Type type, const QPoint &pos, Qt::MouseButtons buttons)
{
    const Qt::MouseButton button = type == QEvent::MouseMove ? Qt::NoButton : Qt::LeftButton;
    QMouseEvent event(type, QPointF(pos), QPointF(viewport->mapToGlobal(pos)), button, buttons, Qt::NoModifier);
    QApplication::sendEvent(viewport, &event);
}

/// Drags with the left button from `from` to `to` (scene coordinates) in a few steps.
void drag(PipelineCanvas *view, const QPointF &from, const QPointF &to)
{
    QWidget *vp = view->viewport();
    const QPoint a = view->mapFromScene(from);
    const QPoint b = view->mapFromScene(to);
    mouse(vp, QEvent::MouseButtonPress, a, Qt::LeftButton);
    for (int i = 1; i <= 8; ++i)
        mouse(vp, QEvent::MouseMove, a + (b - a) * i / 8, Qt::LeftButton);
    mouse(vp, QEvent::MouseButtonRelease, b, Qt::NoButton);
}

QString jobStage(PipelineDocument *doc, const QString &job)
{
    const trainyard::core::Job *j = doc->pipeline().job(job);
    return j ? j->stage : QString();
}

QStringList needsOf(PipelineDocument *doc, const QString &job)
{
    QStringList out;
    if (const trainyard::core::Job *j = doc->pipeline().job(job); j && j->needs)
        for (const trainyard::core::Need &n : *j->needs)
            out << n.job;
    return out;
}

} // namespace

class tst_CanvasEditing final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void dragCardToAnotherStage();
    void dragCardWithinItsLaneChangesNothing();
    void drawNeedsEdgeFromPort();
    void deleteNeedsEdgeWithKeyboard();
    void deleteCardWithKeyboard();
    void stagesAddRenameMoveRemove();
    void stageMenuOffersWhatApplies();
    void runningCardShowsElapsedTimeAndApproveButton();
    void readOnlyWhileNotEditable();
    void followsPaletteChange();
    void inspectorFollowsTheSelectedCard();
    void editThatMovesNothingKeepsTheItems();

private:
    QTemporaryDir m_settings;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<MainWindow> m_window;
    PipelineCanvas *m_view = nullptr;
    PipelineScene *m_scene = nullptr;
    EditController *m_edit = nullptr;
    QByteArray m_original;
};

void tst_CanvasEditing::initTestCase()
{
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settings.path());
}

void tst_CanvasEditing::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    const QString file = m_dir->filePath(QStringLiteral(".gitlab-ci.yml"));
    QVERIFY(QFile::copy(QStringLiteral(TRAINYARD_SOURCE_DIR "/resources/examples/offline-demo/.gitlab-ci.yml"), file));
    QFile::setPermissions(file, QFile::ReadOwner | QFile::WriteOwner);
    m_original = readFile(file);
    m_window = std::make_unique<MainWindow>();
    m_window->resize(1400, 800);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_window->openProject(m_dir->path());
    m_view = m_window->findChild<PipelineCanvas *>();
    m_scene = m_view->pipelineScene();
    m_edit = m_window->findChild<EditController *>();
    QTRY_VERIFY_WITH_TIMEOUT(m_edit->document() && m_scene->card(QStringLiteral("export")), 10000);
    QVERIFY(m_scene->isEditable());
    m_view->ensureVisible(m_scene->sceneRect());
}

void tst_CanvasEditing::cleanup()
{
    if (m_edit && m_edit->document())
        m_edit->document()->undoStack()->setClean(); // no "save changes?" prompt on close
    m_window.reset();
    m_dir.reset();
}

void tst_CanvasEditing::dragCardToAnotherStage()
{
    PipelineDocument *doc = m_edit->document();
    JobCardItem *card = m_scene->card(QStringLiteral("export"));
    QGraphicsRectItem *target = m_scene->lane(QStringLiteral("evaluate"));
    QVERIFY(target);
    const QPointF grab = card->sceneBoundingRect().center() - QPointF(40, 0);
    const QPointF drop(target->sceneBoundingRect().center().x() - 40, grab.y() + 30);
    drag(m_view, grab, drop);
    QTRY_COMPARE(jobStage(doc, QStringLiteral("export")), QStringLiteral("evaluate"));
    // The card now sits in the evaluate lane, below the evaluate card.
    JobCardItem *moved = m_scene->card(QStringLiteral("export"));
    QCOMPARE(m_scene->stageAt(moved->sceneBoundingRect().center()), QStringLiteral("evaluate"));
    QVERIFY(moved->y() > m_scene->card(QStringLiteral("evaluate"))->y());
    // One line of the file changed: the job's stage.
    const QList<QByteArray> before = m_original.split('\n');
    const QList<QByteArray> after = doc->text().split('\n');
    QCOMPARE(after.size(), before.size());
    int changed = 0;
    for (int i = 0; i < before.size(); ++i)
        changed += before[i] != after[i] ? 1 : 0;
    QCOMPARE(changed, 1);
    QCOMPARE(doc->undoStack()->count(), 1);
    doc->undoStack()->undo();
    QCOMPARE(doc->text(), m_original);
    QCOMPARE(m_scene->stageAt(m_scene->card(QStringLiteral("export"))->sceneBoundingRect().center()),
             QStringLiteral("export"));
}

void tst_CanvasEditing::dragCardWithinItsLaneChangesNothing()
{
    JobCardItem *card = m_scene->card(QStringLiteral("train"));
    const QPointF home = card->pos();
    const QPointF grab = card->sceneBoundingRect().center() - QPointF(40, 0);
    drag(m_view, grab, grab + QPointF(10, 60));
    QCoreApplication::processEvents();
    QCOMPARE(m_edit->document()->undoStack()->count(), 0);
    QCOMPARE(m_scene->card(QStringLiteral("train"))->pos(), home); // snapped back
}

void tst_CanvasEditing::drawNeedsEdgeFromPort()
{
    PipelineDocument *doc = m_edit->document();
    QVERIFY(!needsOf(doc, QStringLiteral("export")).contains(QStringLiteral("unit-tests")));
    const int edges = m_scene->needsEdgeCount();
    JobCardItem *from = m_scene->card(QStringLiteral("unit-tests"));
    JobCardItem *to = m_scene->card(QStringLiteral("export"));
    // Press on the port at the right edge of unit-tests, release on export.
    drag(m_view, from->portScenePos(), to->sceneBoundingRect().center());
    QTRY_VERIFY(needsOf(doc, QStringLiteral("export")).contains(QStringLiteral("unit-tests")));
    QCOMPARE(m_scene->needsEdgeCount(), edges + 1);
    QVERIFY(m_scene->needsEdge(QStringLiteral("export"), QStringLiteral("unit-tests")));
    // The rubber-band edge is gone; the card was not moved.
    QCOMPARE(m_scene->card(QStringLiteral("unit-tests"))->pos(),
             m_scene->card(QStringLiteral("unit-tests"))->homePos());
    doc->undoStack()->undo();
    QCOMPARE(doc->text(), m_original);
    QCOMPARE(m_scene->needsEdgeCount(), edges);
    doc->undoStack()->redo();
    QCOMPARE(m_scene->needsEdgeCount(), edges + 1);

    // Releasing on empty canvas draws nothing.
    const int count = doc->undoStack()->count();
    drag(m_view, m_scene->card(QStringLiteral("unit-tests"))->portScenePos(), QPointF(5, 600));
    QCoreApplication::processEvents();
    QCOMPARE(doc->undoStack()->count(), count);
}

void tst_CanvasEditing::deleteNeedsEdgeWithKeyboard()
{
    PipelineDocument *doc = m_edit->document();
    QGraphicsPathItem *edge = m_scene->needsEdge(QStringLiteral("evaluate"), QStringLiteral("train"));
    QVERIFY(edge);
    QVERIFY(edge->flags() & QGraphicsItem::ItemIsSelectable);
    // Click the middle of the edge to select it, then press Delete.
    const QPointF mid = edge->path().pointAtPercent(0.5);
    QTest::mouseClick(m_view->viewport(), Qt::LeftButton, {}, m_view->mapFromScene(mid));
    QVERIFY(edge->isSelected());
    QTest::keyClick(m_view->viewport(), Qt::Key_Delete);
    QTRY_VERIFY(!needsOf(doc, QStringLiteral("evaluate")).contains(QStringLiteral("train")));
    QVERIFY(!m_scene->needsEdge(QStringLiteral("evaluate"), QStringLiteral("train")));
    doc->undoStack()->undo();
    QCOMPARE(doc->text(), m_original);
}

void tst_CanvasEditing::deleteCardWithKeyboard()
{
    PipelineDocument *doc = m_edit->document();
    // export is needed by nobody: no question is asked.
    QTest::mouseClick(m_view->viewport(), Qt::LeftButton, {},
                      m_view->mapFromScene(m_scene->card(QStringLiteral("export"))->sceneBoundingRect().center()));
    QVERIFY(m_scene->card(QStringLiteral("export"))->isSelected());
    QTest::keyClick(m_view->viewport(), Qt::Key_Delete);
    QTRY_VERIFY(!doc->pipeline().job(QStringLiteral("export")));
    QVERIFY(!m_scene->card(QStringLiteral("export")));
    doc->undoStack()->undo();
    QCOMPARE(doc->text(), m_original);
}

void tst_CanvasEditing::stagesAddRenameMoveRemove()
{
    PipelineDocument *doc = m_edit->document();
    m_edit->addStage(QStringLiteral("deploy"));
    QCOMPARE(m_scene->lanes().last(), QStringLiteral("deploy"));
    m_edit->renameStage(QStringLiteral("evaluate"), QStringLiteral("eval"));
    QCOMPARE(jobStage(doc, QStringLiteral("evaluate")), QStringLiteral("eval")); // its job moved with it
    QVERIFY(m_scene->lanes().contains(QStringLiteral("eval")));
    m_edit->moveStage(QStringLiteral("deploy"), -1);
    QCOMPARE(m_edit->listedStages(),
             QStringList({QStringLiteral("test"), QStringLiteral("train"), QStringLiteral("eval"),
                          QStringLiteral("deploy"), QStringLiteral("export")}));
    // A stage with jobs cannot be removed; an empty one can.
    QSignalSpy refused(doc, &PipelineDocument::problem);
    m_edit->removeStage(QStringLiteral("train"));
    QCOMPARE(refused.count(), 1);
    QVERIFY(refused.first().first().value<trainyard::core::Error>().message.contains(QStringLiteral("train")));
    m_edit->removeStage(QStringLiteral("deploy"));
    QVERIFY(!m_scene->lanes().contains(QStringLiteral("deploy")));
    QCOMPARE(doc->undoStack()->count(), 4);
    while (doc->undoStack()->canUndo())
        doc->undoStack()->undo();
    QCOMPARE(doc->text(), m_original);
    QCOMPARE(m_scene->lanes(), QStringList({QStringLiteral("test"), QStringLiteral("train"), QStringLiteral("evaluate"),
                                            QStringLiteral("export")}));
}

void tst_CanvasEditing::stageMenuOffersWhatApplies()
{
    QMenu menu;
    m_edit->addStageActions(menu, QStringLiteral("test"));
    QHash<QString, bool> enabled;
    for (QAction *a : menu.actions())
        if (!a->isSeparator())
            enabled.insert(a->text(), a->isEnabled());
    QVERIFY(enabled.contains(QStringLiteral("Add job to 'test'…")));
    QCOMPARE(enabled.value(QStringLiteral("Move left")), false); // first stage
    QCOMPARE(enabled.value(QStringLiteral("Move right")), true);
    QCOMPARE(enabled.value(QStringLiteral("Remove stage")), false); // unit-tests is in it
    // "Move right" really moves it.
    for (QAction *a : menu.actions())
        if (a->text() == QLatin1String("Move right"))
            a->trigger();
    QCOMPARE(m_scene->lanes().first(), QStringLiteral("train"));
}

void tst_CanvasEditing::runningCardShowsElapsedTimeAndApproveButton()
{
    JobCardItem *train = m_scene->card(QStringLiteral("train"));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    m_scene->setJobStatus(QStringLiteral("train"), JobStatus::Running, {}, now.addSecs(-65));
    QCOMPARE(train->statusLine(now), QStringLiteral("running · 1:05"));
    QCOMPARE(train->statusLine(now.addSecs(3600)), QStringLiteral("running · 1:01:05"));
    // Finished, it says how long it took, whatever the time now.
    m_scene->setJobStatus(QStringLiteral("train"), JobStatus::Success, {}, now.addSecs(-65), now.addSecs(-53));
    QCOMPARE(train->statusLine(now.addSecs(3600)), QStringLiteral("success · 0:12"));

    QSignalSpy approve(m_scene, &PipelineScene::approveRequested);
    m_scene->setJobStatus(QStringLiteral("export"), JobStatus::Manual);
    JobCardItem *exportCard = m_scene->card(QStringLiteral("export"));
    QVERIFY(!exportCard->isApprovable()); // no run: nothing to approve
    m_scene->setApprovalsEnabled(true);
    QVERIFY(exportCard->isApprovable());
    // The button sits on the status line: the badges below keep the card's whole width.
    QVERIFY(!JobCardItem::approveRect().intersects(JobCardItem::badgesRect()));
    QVERIFY(QRectF(0, 0, JobCardItem::Width, JobCardItem::Height).contains(JobCardItem::approveRect()));
    const QPointF button = exportCard->mapToScene(JobCardItem::approveRect().center());
    QTest::mouseClick(m_view->viewport(), Qt::LeftButton, {}, m_view->mapFromScene(button));
    QCOMPARE(approve.count(), 1);
    QCOMPARE(approve.first().first().toString(), QStringLiteral("export"));
    m_scene->clearJobStatus();
    QVERIFY(!exportCard->status());
}

void tst_CanvasEditing::readOnlyWhileNotEditable()
{
    // A canvas that is not editable (as during a run) asks for nothing, whatever the mouse does.
    PipelineCanvas view;
    view.resize(1400, 600);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    PipelineScene *scene = view.pipelineScene();
    scene->setPipeline(m_edit->document()->pipeline());
    QVERIFY(!scene->isEditable());
    QSignalSpy needs(scene, &PipelineScene::addNeedRequested);
    QSignalSpy moves(scene, &PipelineScene::moveJobRequested);
    QSignalSpy removals(scene, &PipelineScene::removeJobRequested);
    JobCardItem *card = scene->card(QStringLiteral("export"));
    QVERIFY(!(card->flags() & QGraphicsItem::ItemIsMovable));
    drag(&view, card->portScenePos(), scene->card(QStringLiteral("unit-tests"))->sceneBoundingRect().center());
    drag(&view, card->sceneBoundingRect().center() - QPointF(40, 0),
         scene->lane(QStringLiteral("test"))->sceneBoundingRect().center());
    card->setSelected(true);
    QTest::keyClick(view.viewport(), Qt::Key_Delete);
    QCoreApplication::processEvents();
    QCOMPARE(needs.count() + moves.count() + removals.count(), 0);
    QCOMPARE(card->pos(), card->homePos());
    // The same gestures on the editable window's canvas do ask (the control case).
    scene->setEditable(true);
    drag(&view, scene->card(QStringLiteral("export"))->portScenePos(),
         scene->card(QStringLiteral("unit-tests"))->sceneBoundingRect().center());
    QTRY_COMPARE(needs.count(), 1);
}

void tst_CanvasEditing::followsPaletteChange()
{
    // A dark system palette arrives while the window is open: the canvas repaints with it.
    const QPalette light = QApplication::palette();
    QPalette dark;
    dark.setColor(QPalette::Window, QColor(0x20, 0x22, 0x25));
    dark.setColor(QPalette::Base, QColor(0x18, 0x1a, 0x1d));
    dark.setColor(QPalette::AlternateBase, QColor(0x2a, 0x2d, 0x31));
    dark.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
    QVERIFY(m_scene->lane(QStringLiteral("train"))->brush().color() != dark.color(QPalette::AlternateBase));
    QApplication::setPalette(dark);
    QTRY_COMPARE(m_scene->lane(QStringLiteral("train"))->brush().color(), dark.color(QPalette::AlternateBase));
    QVERIFY(m_scene->card(QStringLiteral("train"))); // rebuilt, still there
    QApplication::setPalette(light);
    QTRY_COMPARE(m_scene->lane(QStringLiteral("train"))->brush().color(), light.color(QPalette::AlternateBase));
}

void tst_CanvasEditing::inspectorFollowsTheSelectedCard()
{
    auto *inspector = m_window->findChild<JobInspector *>();
    QVERIFY(inspector);
    QVERIFY(inspector->job().isEmpty());
    QTest::mouseClick(m_view->viewport(), Qt::LeftButton, {},
                      m_view->mapFromScene(m_scene->card(QStringLiteral("evaluate"))->sceneBoundingRect().center()));
    QCOMPARE(inspector->job(), QStringLiteral("evaluate"));
    // An edit in the inspector is an undo step of the window's document and redraws the card.
    auto *gpus = inspector->findChild<QSpinBox *>(QStringLiteral("gpus"));
    QVERIFY(gpus);
    gpus->setValue(2);
    Q_EMIT gpus->editingFinished();
    QTRY_COMPARE(m_scene->card(QStringLiteral("evaluate"))->content().gpus, 2);
    QVERIFY(m_window->isWindowModified());
    QVERIFY(m_edit->document()->text().contains("gpus: 2"));
    QCOMPARE(inspector->job(), QStringLiteral("evaluate")); // the selection survived the rebuild
    m_edit->undoAction()->trigger();
    QCOMPARE(m_edit->document()->text(), m_original);
    QCOMPARE(gpus->value(), 0);
    // Clicking the empty canvas clears the inspector.
    QTest::mouseClick(m_view->viewport(), Qt::LeftButton, {}, m_view->mapFromScene(QPointF(5, 700)));
    QVERIFY(inspector->job().isEmpty());
}

void tst_CanvasEditing::editThatMovesNothingKeepsTheItems()
{
    // An image edited: the cards stay the same items and only the edited one says something new;
    // the selection and a card's live status stay too.
    PipelineDocument *doc = m_edit->document();
    const QPointer<JobCardItem> train = m_scene->card(QStringLiteral("train"));
    const QPointer<JobCardItem> evaluate = m_scene->card(QStringLiteral("evaluate"));
    QVERIFY(train && evaluate);
    const int items = int(m_scene->items().size());
    const JobCardItem::Content evaluateBefore = evaluate->content();
    train->setSelected(true);
    evaluate->setStatus(JobStatus::Running);
    doc->push(new SetJobFieldCommand(doc, QStringLiteral("train"), QStringLiteral("image"),
                                     QStringLiteral("python:3.12-slim")));
    QCOMPARE(m_scene->card(QStringLiteral("train")), train.data());
    QCOMPARE(train->content().image, QStringLiteral("python:3.12-slim"));
    QVERIFY(train->toolTip().contains(QStringLiteral("python:3.12-slim")));
    QVERIFY(train->isSelected());
    QCOMPARE(evaluate->content(), evaluateBefore);
    QCOMPARE(evaluate->status(), std::optional(JobStatus::Running));
    QCOMPARE(int(m_scene->items().size()), items);
    doc->undoStack()->undo();
    QCOMPARE(m_scene->card(QStringLiteral("train")), train.data());
    QVERIFY(train->content().image != QStringLiteral("python:3.12-slim"));

    // A new stage moves cards: the scene is laid out again (the control case).
    doc->push(
        new SetJobFieldCommand(doc, QStringLiteral("evaluate"), QStringLiteral("stage"), QStringLiteral("train")));
    QCOMPARE(jobStage(doc, QStringLiteral("evaluate")), QStringLiteral("train"));
    QVERIFY(!train);
    QVERIFY(m_scene->card(QStringLiteral("evaluate"))
                ->sceneBoundingRect()
                .intersects(m_scene->lane(QStringLiteral("train"))->sceneBoundingRect()));
    QCOMPARE(m_scene->card(QStringLiteral("evaluate"))->status(), std::optional(JobStatus::Running));
}

QTEST_MAIN(tst_CanvasEditing)
#include "tst_canvasediting.moc"
