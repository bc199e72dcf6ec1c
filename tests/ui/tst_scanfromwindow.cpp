// Scan image… in the Lineage view: a model trained (by the real `trainyard run`, Docker engine) in
// an image whose dpkg status lists OpenSSL below an advisory's fixed version; the image's node is
// clicked, the image scanned on a worker, and the node and the review's checklist show the finding.
#include "lineageview/lineagegraph.h"
#include "lineageview/lineageview.h"
#include "support/cli.h"
#include "support/files.h"
#include "support/scannedimage.h"

#include "engine/dockerclient.h"

#include <QGraphicsItem>
#include <QGraphicsView>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QTextDocument>

using namespace trainyard;
using namespace trainyard::test;

class tst_ScanFromWindow final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void scanTheImageOfAModel();
    void nothingToScanAgainstIsSaid();

private:
    QTemporaryDir m_tmp;
    QString m_project;
    QString m_imageId;
};

void tst_ScanFromWindow::initTestCase()
{
    core::DockerClient docker;
    if (const auto info = docker.ping(); !info)
        QFAIL(qPrintable(
            QStringLiteral("These tests need a Docker engine (bash .ci/start-docker): %1").arg(info.error().message)));
    const QString error = buildScannedImage(docker, m_tmp.filePath(QStringLiteral("context")));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    m_imageId = docker.inspectImage(kScannedImage)->id;
    m_project = m_tmp.filePath(QStringLiteral("project"));
    QVERIFY(writeScannedImageAdvisories(m_project + QStringLiteral("/security/osv")));
    QVERIFY(writeScannedProject(m_project, "  scan: {osv: security/osv, fail_on: high}\n"));
    const CliResult run = runTrainyard({QStringLiteral("run"), QStringLiteral("-C"), m_project});
    QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
}

void tst_ScanFromWindow::scanTheImageOfAModel()
{
    ui::LineageView view;
    view.resize(1300, 800);
    view.show();
    view.setProjectDir(m_project);
    QSignalSpy shown(&view, &ui::LineageView::reviewShown);
    view.showArtifact(QStringLiteral("model.txt"));
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, 10000);
    // Before a scan: the button waits for an image to be picked; the checklist says how to scan.
    QVERIFY(!view.scanImageButton()->isEnabled());
    const core::ChecklistItem *item = view.current()->checklist.item(QStringLiteral("images-scanned"));
    QCOMPARE(item->state, core::ChecklistItem::State::Failed); // fail_on is set: every image must be scanned

    // Click the image's node.
    const QString key = QStringLiteral("image:") + m_imageId;
    QGraphicsItem *node = view.graph()->node(key);
    QVERIFY2(node, qPrintable(view.graph()->nodeKeys().join(u' ')));
    auto *gv = view.findChild<QGraphicsView *>();
    gv->ensureVisible(node);
    QTest::mouseClick(gv->viewport(), Qt::LeftButton, {}, gv->mapFromScene(node->sceneBoundingRect().center()));
    QTRY_COMPARE(view.selectedImage(), m_imageId);
    QVERIFY(view.scanImageButton()->isEnabled());

    // Leaving the scope (or the project) during a scan forgets it: the button does not stay
    // waiting for an answer, and the image is picked again.
    QTest::mouseClick(view.scanImageButton(), Qt::LeftButton);
    QVERIFY(!view.scanImageButton()->isEnabled()); // one scan at a time
    view.setTeamScope(false);
    QVERIFY(view.selectedImage().isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, 10000); // (no review asked by it)
    view.showArtifact(QStringLiteral("model.txt"));
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 2, 10000);
    node = view.graph()->node(key);
    QVERIFY(node);
    gv->ensureVisible(node);
    QTest::mouseClick(gv->viewport(), Qt::LeftButton, {}, gv->mapFromScene(node->sceneBoundingRect().center()));
    QTRY_COMPARE(view.selectedImage(), m_imageId);
    QTRY_VERIFY(view.scanImageButton()->isEnabled());

    QSignalSpy done(&view, &ui::LineageView::imageScanDone);
    QTest::mouseClick(view.scanImageButton(), Qt::LeftButton); // the project's security/osv
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 60000);
    QCOMPARE(done.first().at(1).toString(), QString());
    QCOMPARE(done.first().at(0).toString(), QStringLiteral("2 finding(s): 1 critical, 1 high"));
    // The review is read again: the node lists the finding, the checklist fails on it.
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 3, 10000);
    QTextDocument details;
    details.setHtml(view.graph()->details(key));
    QVERIFY2(details.toPlainText().contains(QStringLiteral("critical\nDSA-9001-1\nlibssl3\n3.0.11-1~deb12u1\nfixed in "
                                                           "3.0.11-1~deb12u2")),
             qPrintable(details.toPlainText()));
    item = view.current()->checklist.item(QStringLiteral("images-scanned"));
    QCOMPARE(item->state, core::ChecklistItem::State::Failed);
    QVERIFY2(item->details.join(u' ').contains(QStringLiteral("at or above fail_on high: DSA-9001-1")),
             qPrintable(item->details.join(u' ')));
    QVERIFY(view.statusLabel()->text().contains(QStringLiteral("Scanned trainyard-test/scanned:1: 2 finding(s)")));
    if (const QByteArray shot = qgetenv("TRAINYARD_SCREENSHOT"); !shot.isEmpty()) {
        view.detailsPane()->setHtml(view.graph()->details(key));
        QTest::qWait(300);
        view.grab().save(QString::fromLocal8Bit(shot));
    }
}

void tst_ScanFromWindow::nothingToScanAgainstIsSaid()
{
    // A project that names no advisories, on a machine without trivy or grype: the query says so
    // (the view then asks for a folder) instead of recording an empty scan.
    qputenv("PATH", "/usr/bin:/bin");
    const QString bare = m_tmp.filePath(QStringLiteral("bare"));
    QVERIFY(QDir().mkpath(bare));
    ui::LineageQuery query;
    query.setProjectDir(bare);
    QSignalSpy needs(&query, &ui::LineageQuery::needsAdvisories);
    QSignalSpy scanned(&query, &ui::LineageQuery::imageScanned);
    query.scanImage(m_imageId, kScannedImage);
    QTRY_COMPARE_WITH_TIMEOUT(needs.count(), 1, 10000);
    QCOMPARE(needs.first().at(1).toString(), kScannedImage);
    QCOMPARE(scanned.count(), 0);
}

QTEST_MAIN(tst_ScanFromWindow)
#include "tst_scanfromwindow.moc"
