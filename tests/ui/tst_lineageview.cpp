// The lineage view and the release review on a real lineage database (written through the
// store's API): the artifact list, the graph from commit/data/image through the jobs to the
// artifact and on to what used it, node details, the checklist, sign-off (and staleness after the
// lineage changes), and the exports. Everything is read on worker threads.
#include "lineageview/lineagegraph.h"
#include "lineageview/lineageview.h"
#include "lineageview/releasereviewdialog.h"

#include "core/lineage/lineagesample.h"

#include "engine/artifactstore.h"
#include "lineage/artifactregistry.h"
#include "support/registryserver.h"

#include "graphics/zoomableview.h"
#include "style/runcolors.h"
#include <QApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QGraphicsItem>
#include <QGraphicsView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QTextDocument>
#include <QTreeWidget>
#include <QWheelEvent>

using namespace trainyard;
using namespace trainyard::ui;

namespace {
const QString kCommitA = QStringLiteral("a1") + QString(38, u'0');
const QString kCommitB = QStringLiteral("b2") + QString(38, u'0');
} // namespace

class tst_LineageView final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void listsArtifactsAndShowsGraph();
    void listsOnlyTheNewestRuns();
    void searchByPathAndUnknownTarget();
    void reviewSignOffStaleAndExport();
    void projectWithoutLineageSaysSo();
    void saveACopyOfTheArtifact();
    void graphIsLaidOutByLayerAndZooms();
    void imageNodeShowsItsBillOfMaterialsAndFindings();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    test::SampleRun m_a;
    test::SampleRun m_b;
};

void tst_LineageView::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    const QString db = core::LineageStore::defaultPath(m_dir->path());
    QVERIFY(QDir().mkpath(QFileInfo(db).path()));
    auto store = core::LineageStore::open(db);
    QVERIFY(store);
    m_a = test::writeSampleRun(**store, QStringLiteral("20240501-120000-00a1"), kCommitA, test::hex64('1'),
                               test::hex64('5'));
    m_b = test::writeSampleRun(**store, QStringLiteral("20240501-120000-00b2"), kCommitB, test::hex64('2'),
                               test::hex64('6'));
    // train sets EPOCHS itself, over the pipeline's 30.
    QVERIFY((*store)->recordVariables(
        m_a.runId, QStringLiteral("train"),
        {core::LineageVariable{m_a.runId, QStringLiteral("train"), QStringLiteral("LR"), QStringLiteral("0.1")},
         core::LineageVariable{m_a.runId, QStringLiteral("train"), QStringLiteral("EPOCHS"), QStringLiteral("20")}}));
}

void tst_LineageView::listsArtifactsAndShowsGraph()
{
    LineageView view;
    view.resize(1200, 700);
    view.show();
    view.setProjectDir(m_dir->path());
    QTRY_VERIFY_WITH_TIMEOUT(view.artifactList()->topLevelItemCount() > 0, 10000);
    // Grouped by run, newest first: run b's group, then run a's, each holding its own artifacts.
    QTreeWidget *list = view.artifactList();
    QCOMPARE(list->topLevelItemCount(), 2);
    const int roleRun = Qt::UserRole + 1;
    QCOMPARE(list->topLevelItem(0)->data(0, roleRun).toString(), m_b.runId);
    QCOMPARE(list->topLevelItem(1)->data(0, roleRun).toString(), m_a.runId);
    QVERIFY2(list->topLevelItem(1)->text(0).startsWith(QStringLiteral("#7 · ")),
             qPrintable(list->topLevelItem(1)->text(0)));
    for (int g = 0; g < 2; ++g) {
        QTreeWidgetItem *group = list->topLevelItem(g);
        QVERIFY(group->childCount() >= 4);
        QVERIFY(group->data(0, Qt::UserRole).toString().isEmpty()); // a heading, not an artifact
        // Headings span the row, open, bold and not to be picked.
        QVERIFY(group->isFirstColumnSpanned());
        QVERIFY(group->isExpanded());
        QVERIFY(group->font(0).bold());
        QVERIFY(!(group->flags() & Qt::ItemIsSelectable));
        for (int i = 0; i < group->childCount(); ++i)
            QCOMPARE(group->child(i)->data(0, roleRun).toString(), group->data(0, roleRun).toString());
    }
    QVERIFY(view.statusLabel()->text().contains(QStringLiteral("from 2 run(s)")));
    // Until an artifact is picked, the graph says how to get one.
    QCOMPARE(view.graph()->hint(), LineageView::emptyGraphHint());
    QVERIFY(view.graph()->nodeKeys().isEmpty());
    // Choosing an artifact in the list shows its lineage (this run's).
    QSignalSpy picked(&view, &LineageView::reviewShown);
    QTreeWidgetItem *modelOfA = nullptr;
    for (int i = 0; i < list->topLevelItem(1)->childCount(); ++i)
        if (list->topLevelItem(1)->child(i)->text(0) == QStringLiteral("models/model.txt"))
            modelOfA = list->topLevelItem(1)->child(i);
    QVERIFY(modelOfA);
    list->setCurrentItem(modelOfA);
    QTRY_COMPARE_WITH_TIMEOUT(picked.count(), 1, 10000);
    QCOMPARE(view.current()->provenance.artifact.runId, m_a.runId);

    QSignalSpy shown(&view, &LineageView::reviewShown);
    view.showArtifact(m_a.modelSha, m_a.runId);
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, 10000);
    QTRY_VERIFY(view.current()->provenance.artifact.sha256 == m_a.modelSha);
    LineageGraph *graph = view.graph();
    const QStringList keys = graph->nodeKeys();
    QVERIFY(keys.contains(QStringLiteral("subject")));
    QVERIFY(graph->hint().isEmpty());
    QVERIFY(keys.contains(QStringLiteral("commit:") + kCommitA));
    QVERIFY(keys.contains(QStringLiteral("job:%1/train").arg(m_a.runId)));
    QVERIFY(keys.contains(QStringLiteral("job:%1/prepare").arg(m_a.runId))); // upstream of train
    QVERIFY(keys.contains(QStringLiteral("data:%1/dataset").arg(m_a.runId)));
    QVERIFY(!keys.contains(QStringLiteral("commit:") + kCommitB)); // not run b's
    // Forward: evaluate and export used the model, export made export/model.tar from it.
    QVERIFY(keys.contains(QStringLiteral("usedby:%1/evaluate").arg(m_a.runId)));
    QVERIFY(keys.contains(QStringLiteral("usedby:%1/export").arg(m_a.runId)));
    QVERIFY(graph->edgeCount() >= 6);
    // train wrote scalars: its node carries its run's colour, the one Compare draws its curves in.
    QCOMPARE(graph->runColor(QStringLiteral("job:%1/train").arg(m_a.runId)),
             RunColors::colorFor(QStringLiteral("#7 train"))); // the sample's runs are pipeline #7
    QVERIFY(!graph->runColor(QStringLiteral("job:%1/prepare").arg(m_a.runId)).isValid());
    // A job's variables: each once, the value it saw and where that came from.
    QTextDocument trainDetails;
    trainDetails.setHtml(graph->details(QStringLiteral("job:%1/train").arg(m_a.runId)));
    const QString train = trainDetails.toPlainText();
    QCOMPARE(train.count(QStringLiteral("EPOCHS")), 1);
    QVERIFY2(train.contains(QStringLiteral("20 (job's own; pipeline: 30)")), qPrintable(train));
    QVERIFY(train.contains(QStringLiteral("0.1 (job's own)")));
    // The subject's details are shown; a click on the commit shows the commit's.
    QVERIFY(view.detailsPane()->toPlainText().contains(m_a.modelSha));
    QGraphicsItem *commit = graph->node(QStringLiteral("commit:") + kCommitA);
    QVERIFY(commit);
    auto *gv = view.findChild<QGraphicsView *>();
    gv->ensureVisible(commit);
    QTest::mouseClick(gv->viewport(), Qt::LeftButton, {}, gv->mapFromScene(commit->sceneBoundingRect().center()));
    QTRY_VERIFY(view.detailsPane()->toPlainText().contains(QStringLiteral("ada@example.org")));
    QVERIFY(view.detailsPane()->toPlainText().contains(kCommitA));
}

void tst_LineageView::listsOnlyTheNewestRuns()
{
    // A store of a million artifacts is no list: only the newest runs' are listed (as many as the
    // Runs list shows; one here), and the status says that search finds the older ones.
    LineageView view;
    view.query()->setListedRuns(1);
    view.setProjectDir(m_dir->path());
    QTRY_VERIFY_WITH_TIMEOUT(view.artifactList()->topLevelItemCount() > 0, 10000);
    QTreeWidget *list = view.artifactList();
    QCOMPARE(list->topLevelItemCount(), 1);
    QCOMPARE(list->topLevelItem(0)->data(0, Qt::UserRole + 1).toString(), m_b.runId);
    QVERIFY2(view.statusLabel()->text().contains(QStringLiteral("from the newest 1 runs")) &&
                 view.statusLabel()->text().contains(QStringLiteral("older runs' artifacts")),
             qPrintable(view.statusLabel()->text()));
    // With room for both, both are listed and nothing is said to be left out (the control case).
    view.query()->setListedRuns(2);
    view.refresh();
    QTRY_COMPARE(list->topLevelItemCount(), 2);
    QVERIFY(!view.statusLabel()->text().contains(QStringLiteral("older runs")));
}

void tst_LineageView::searchByPathAndUnknownTarget()
{
    LineageView view;
    view.setProjectDir(m_dir->path());
    QSignalSpy shown(&view, &LineageView::reviewShown);
    auto *search = view.findChild<QLineEdit *>(QStringLiteral("lineageSearch"));
    search->setText(QStringLiteral("models/model.txt")); // by path: the newest recorded one (run b)
    QTest::keyClick(search, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, 10000);
    QCOMPARE(view.current()->provenance.artifact.sha256, m_b.modelSha);
    search->setText(test::hex64('9'));
    QTest::keyClick(search, Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(view.statusLabel()->text().contains(test::hex64('9')), 10000);
    QCOMPARE(shown.count(), 1); // the graph still shows the last artifact found
}

void tst_LineageView::reviewSignOffStaleAndExport()
{
    LineageView view;
    view.setProjectDir(m_dir->path());
    QSignalSpy shown(&view, &LineageView::reviewShown);
    view.showArtifact(m_a.exportSha, m_a.runId);
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, 10000);
    view.openReview();
    ReleaseReviewDialog *dialog = view.reviewDialog();
    QVERIFY(dialog && dialog->isVisible());
    // The checklist as core computes it, one row per check, with the reasons as children.
    QTreeWidget *checks = dialog->checklistTree();
    QCOMPARE(checks->topLevelItemCount(), int(view.current()->checklist.items.size()));
    QStringList ids;
    for (int i = 0; i < checks->topLevelItemCount(); ++i) {
        ids << checks->topLevelItem(i)->data(0, Qt::UserRole).toString();
        QVERIFY(checks->topLevelItem(i)->childCount() > 0 ||
                view.current()->checklist.items[size_t(i)].details.isEmpty());
    }
    QVERIFY(ids.contains(QStringLiteral("clean-commit")));
    QVERIFY(ids.contains(QStringLiteral("gates-passed")));

    // Approve: the sign-off is stored and listed, current.
    dialog->reviewerEdit()->setText(QStringLiteral("Lead"));
    dialog->commentEdit()->setPlainText(QStringLiteral("ship it"));
    dialog->decide(QStringLiteral("approve"));
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 2, 10000); // re-reviewed after the sign-off
    QTreeWidget *signOffs = dialog->signOffTree();
    QCOMPARE(signOffs->topLevelItemCount(), 1);
    QCOMPARE(signOffs->topLevelItem(0)->text(1), QStringLiteral("Lead"));
    QCOMPARE(signOffs->topLevelItem(0)->text(2), QStringLiteral("approve"));
    QCOMPARE(signOffs->topLevelItem(0)->text(3), QStringLiteral("ship it"));

    // The lineage changes afterwards (a new final value upstream): the sign-off is stale.
    {
        auto store = core::LineageStore::open(core::LineageStore::defaultPath(m_dir->path()));
        QVERIFY(store);
        QVERIFY((*store)->recordScalars(m_a.runId, QStringLiteral("train"), {{QStringLiteral("loss"), 0.01}}));
    }
    view.showArtifact(m_a.exportSha, m_a.runId);
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 3, 10000);
    QCOMPARE(signOffs->topLevelItem(0)->text(2), QStringLiteral("approve (stale)"));

    // Exports: the Markdown report and the in-toto statement.
    QSignalSpy exported(view.query(), &LineageQuery::exported);
    const QString md = m_dir->filePath(QStringLiteral("review.md"));
    const QString json = m_dir->filePath(QStringLiteral("provenance.json"));
    dialog->exportTo(md);
    QTRY_COMPARE_WITH_TIMEOUT(exported.count(), 1, 10000);
    dialog->exportTo(json);
    QTRY_COMPARE_WITH_TIMEOUT(exported.count(), 2, 10000);
    QFile report(md);
    QVERIFY(report.open(QIODevice::ReadOnly));
    const QByteArray text = report.readAll();
    QVERIFY(text.contains(m_a.exportSha.toLatin1()));
    QVERIFY(text.contains("Lead"));
    QFile statement(json);
    QVERIFY(statement.open(QIODevice::ReadOnly));
    const QJsonObject root = QJsonDocument::fromJson(statement.readAll()).object();
    QCOMPARE(root.value(QLatin1String("_type")).toString(), QStringLiteral("https://in-toto.io/Statement/v1"));
    QCOMPARE(root.value(QLatin1String("predicateType")).toString(), QStringLiteral("https://slsa.dev/provenance/v1"));
}

void tst_LineageView::projectWithoutLineageSaysSo()
{
    QTemporaryDir empty;
    LineageView view;
    view.setProjectDir(empty.path());
    QTRY_VERIFY_WITH_TIMEOUT(view.statusLabel()->text().contains(QStringLiteral("No lineage is recorded")), 10000);
    QCOMPARE(view.artifactList()->topLevelItemCount(), 0);
    QVERIFY(!QFile::exists(core::LineageStore::defaultPath(empty.path()))); // a viewer creates nothing
}

void tst_LineageView::saveACopyOfTheArtifact()
{
    // A run whose model is real bytes in the artifact store: "Save a copy…" writes them out, after
    // checking the sha256; a damaged or missing store file is refused and leaves nothing behind.
    const QByteArray bytes = QByteArray("weights ").repeated(300000); // 2.4 MB: more than one read
    const QString sha = QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
    {
        auto store = core::LineageStore::open(core::LineageStore::defaultPath(m_dir->path()));
        QVERIFY(store);
        test::writeSampleRun(**store, QStringLiteral("20240501-120000-00c3"), kCommitA, test::hex64('1'), sha);
    }
    const QString object =
        core::ArtifactStore::objectPath(m_dir->filePath(QStringLiteral(".trainyard/artifacts")), sha);
    LineageView view;
    view.setProjectDir(m_dir->path());
    auto *button = view.findChild<QPushButton *>(QStringLiteral("saveArtifactCopy"));
    QVERIFY(button);
    QVERIFY(!button->isEnabled()); // nothing shown yet
    QSignalSpy shown(&view, &LineageView::reviewShown);
    view.showArtifact(sha, QStringLiteral("20240501-120000-00c3"));
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, 10000);
    QVERIFY(button->isEnabled());

    QTemporaryDir out;
    const QString destination = out.filePath(QStringLiteral("model.txt"));
    QSignalSpy saved(&view, &LineageView::copySaved);
    view.saveCopy(destination); // not in the store yet
    QTRY_COMPARE_WITH_TIMEOUT(saved.count(), 1, 10000);
    QVERIFY2(saved.last().at(1).toString().contains(QStringLiteral("not in this project's artifact store")) &&
                 saved.last().at(1).toString().contains(QStringLiteral("TRAINYARD_REGISTRY")),
             qPrintable(saved.last().at(1).toString()));
    QVERIFY(!QFile::exists(destination));

    {                // Not here, but in the team's registry: downloaded by its sha256, checked, on a worker.
        struct Unset // the environment is put back however the block ends
        {
            ~Unset()
            {
                qunsetenv("TRAINYARD_REGISTRY");
                qunsetenv("DOCKER_CONFIG");
            }
        } unset;
        QTemporaryDir registryDir;
        QDir().mkpath(registryDir.filePath(QStringLiteral("docker")));
        qputenv("DOCKER_CONFIG", registryDir.filePath(QStringLiteral("docker")).toUtf8());
        test::RegistryServer registry(registryDir.filePath(QStringLiteral("registry")));
        QVERIFY2(registry.error().isEmpty(), qPrintable(registry.error()));
        const QString prefix = registry.host() + QStringLiteral("/ml/demo");
        QFile upload(registryDir.filePath(QStringLiteral("model")));
        QVERIFY(upload.open(QIODevice::WriteOnly));
        upload.write(bytes);
        upload.close();
        core::OciRegistryClient client(*core::ArtifactRegistry::repositoryFor(prefix));
        QVERIFY(client.pushBlob(QStringLiteral("sha256:") + sha, upload.fileName()));
        qputenv("TRAINYARD_REGISTRY", prefix.toUtf8());
        const QString fetched = registryDir.filePath(QStringLiteral("fetched.txt"));
        view.saveCopy(fetched);
        QTRY_COMPARE_WITH_TIMEOUT(saved.count(), 2, 10000);
        QCOMPARE(saved.last().at(1).toString(), QString());
        QFile copy(fetched);
        QVERIFY(copy.open(QIODevice::ReadOnly));
        QCOMPARE(copy.readAll(), bytes);
        QVERIFY2(view.statusLabel()->text().contains(QStringLiteral("from ") + prefix + QStringLiteral("/artifacts")),
                 qPrintable(view.statusLabel()->text()));
    }

    QVERIFY(QDir().mkpath(QFileInfo(object).path()));
    QFile f(object);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes.left(bytes.size() - 1) + 'X'); // damaged
    f.close();
    view.saveCopy(destination);
    QTRY_COMPARE_WITH_TIMEOUT(saved.count(), 3, 10000);
    QVERIFY2(saved.last().at(1).toString().contains(QStringLiteral("artifact store is damaged")),
             qPrintable(saved.last().at(1).toString()));
    QVERIFY(!QFile::exists(destination));
    QCOMPARE(QDir(out.path()).entryList(QDir::Files | QDir::Hidden), QStringList()); // nothing half-written left

    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(bytes);
    f.close();
    view.saveCopy(destination);
    QTRY_COMPARE_WITH_TIMEOUT(saved.count(), 4, 10000);
    QCOMPARE(saved.last().at(1).toString(), QString());
    QFile copy(destination);
    QVERIFY(copy.open(QIODevice::ReadOnly));
    QCOMPARE(copy.readAll(), bytes);
    copy.close();
    QVERIFY(view.statusLabel()->text().contains(QStringLiteral("Saved a copy of models/model.txt")));
    // One copy at a time: the button is off while one runs.
    view.saveCopy(out.filePath(QStringLiteral("second.txt")));
    QVERIFY(!button->isEnabled());
    QTRY_COMPARE_WITH_TIMEOUT(saved.count(), 5, 10000);
    QVERIFY(button->isEnabled());
    // A damaged store file never replaces a good copy already there.
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write("not the model");
    f.close();
    view.saveCopy(destination);
    QTRY_COMPARE_WITH_TIMEOUT(saved.count(), 6, 10000);
    QVERIFY(!saved.last().at(1).toString().isEmpty());
    QVERIFY(copy.open(QIODevice::ReadOnly));
    QCOMPARE(copy.readAll(), bytes);
    QVERIFY(button->isEnabled());
}

void tst_LineageView::graphIsLaidOutByLayerAndZooms()
{
    LineageView view;
    view.resize(1280, 760);
    view.show();
    view.setProjectDir(m_dir->path());
    QSignalSpy shown(&view, &LineageView::reviewShown);
    view.showArtifact(m_a.exportSha, m_a.runId);
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, 10000);
    LineageGraph *graph = view.graph();
    const auto x = [&](const QString &key) {
        QGraphicsItem *node = graph->node(key);
        return node ? node->x() : -1.0;
    };
    const auto job = [&](const char *name) { return QStringLiteral("job:%1/%2").arg(m_a.runId, QLatin1String(name)); };
    // Left to right by layer: the commit, then each job after the ones it waited for, then the artifact.
    QVERIFY(x(QStringLiteral("commit:") + kCommitA) < x(job("prepare")));
    QVERIFY(x(job("prepare")) < x(job("train")));
    QVERIFY(x(job("train")) < x(job("export")));
    QVERIFY(x(job("export")) < x(QStringLiteral("subject")));
    // No node sits on another.
    const QStringList keys = graph->nodeKeys();
    for (const QString &a : keys) {
        for (const QString &b : keys) {
            if (a < b)
                QVERIFY2(!graph->node(a)
                              ->sceneBoundingRect()
                              .adjusted(2, 2, -2, -2)
                              .intersects(graph->node(b)->sceneBoundingRect().adjusted(2, 2, -2, -2)),
                         qPrintable(a + QStringLiteral(" overlaps ") + b));
        }
    }
    // Readable as shown: at most a little smaller than actual size.
    ZoomableView *gv = view.graphView();
    QTRY_VERIFY(gv->zoom() >= 0.85);
    // Ctrl+wheel zooms, Actual size and Zoom to fit act on it.
    const qreal before = gv->zoom();
    QWheelEvent wheel(QPointF(100, 100), gv->viewport()->mapToGlobal(QPointF(100, 100)), QPoint(), QPoint(0, -120),
                      Qt::NoButton, Qt::ControlModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(gv->viewport(), &wheel);
    QVERIFY(gv->zoom() < before);
    gv->actualSize();
    QCOMPARE(gv->zoom(), 1.0);
    gv->zoomToFit(ZoomableView::minimumZoom());
    QVERIFY(gv->zoom() <= 1.0);
    QVERIFY(gv->mapFromScene(graph->sceneRect()).boundingRect().width() <= gv->viewport()->width() + 2);
}

void tst_LineageView::imageNodeShowsItsBillOfMaterialsAndFindings()
{
    {
        auto store = core::LineageStore::open(core::LineageStore::defaultPath(m_dir->path()));
        QVERIFY(store);
        QVERIFY((*store)->recordImageSbom({m_a.imageId, test::hex64('c'), QStringLiteral("debian-12"), 412, {}}));
        core::Finding f;
        f.id = QStringLiteral("DSA-9001-1");
        f.package = QStringLiteral("libssl3");
        f.ecosystem = core::Ecosystem::Debian;
        f.installedVersion = QStringLiteral("3.0.11-1~deb12u1");
        f.fixedVersion = QStringLiteral("3.0.11-1~deb12u2");
        f.severity = core::Severity::Critical;
        f.source = QStringLiteral("osv");
        QVERIFY((*store)->recordImageScan(
            {m_a.imageId, QDateTime::currentDateTimeUtc(), {QStringLiteral("osv: /srv/osv (1 advisory)")}, {f}}));
    }
    LineageView view;
    view.resize(1200, 700);
    view.show();
    view.setProjectDir(m_dir->path());
    QSignalSpy shown(&view, &LineageView::reviewShown);
    view.showArtifact(m_a.modelSha, m_a.runId);
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, 10000);
    QTextDocument details;
    details.setHtml(view.graph()->details(QStringLiteral("image:") + m_a.imageId));
    const QString text = details.toPlainText();
    QVERIFY2(text.contains(QStringLiteral("412 package(s), debian-12")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("1 critical (scanned")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("DSA-9001-1")) && text.contains(QStringLiteral("fixed in 3.0.11-1~deb12u2")),
             qPrintable(text));
    // The other image of the run was never read: the node says how to.
    details.setHtml(view.graph()->details(QStringLiteral("image:sha256:") + test::hex64('a')));
    QVERIFY2(details.toPlainText().contains(QStringLiteral("not made (trainyard sbom")) &&
                 details.toPlainText().contains(QStringLiteral("not scanned (trainyard scan --osv DIR")),
             qPrintable(details.toPlainText()));
    // The review's checklist has the line, the findings by severity.
    const core::ChecklistItem *item = view.current()->checklist.item(QStringLiteral("images-scanned"));
    QVERIFY(item);
    QVERIFY2(item->details.join(u' ').contains(QStringLiteral("1 finding(s): 1 critical")),
             qPrintable(item->details.join(u' ')));
    if (const QByteArray shot = qgetenv("TRAINYARD_SCREENSHOT"); !shot.isEmpty()) {
        view.detailsPane()->setHtml(view.graph()->details(QStringLiteral("image:") + m_a.imageId));
        QTest::qWait(200);
        view.grab().save(QString::fromLocal8Bit(shot));
    }
}

QTEST_MAIN(tst_LineageView)
#include "tst_lineageview.moc"
