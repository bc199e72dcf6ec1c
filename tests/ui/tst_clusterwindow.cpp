// The window and the test Slurm cluster (the CTest fixture `slurm`): the Cluster dock's nodes,
// GPUs and queue, what it says when the cluster cannot be asked, and the offline demo run on
// the cluster from Run ▸ Run on the Slurm cluster, its export approved on its card.
#include "mainwindow.h"

#include "canvas/jobcarditem.h"
#include "canvas/pipelinecanvas.h"
#include "canvas/pipelinescene.h"
#include "cluster/clusterpanel.h"
#include "runs/runslist.h"

#include "engine/slurmclient.h"
#include "support/demoproject.h"
#include "support/files.h"
#include "support/slurmcluster.h"
#include "support/slurmproject.h"

#include <QAction>
#include <QDockWidget>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace trainyard;
using namespace trainyard::ui;

namespace {

std::optional<core::JobStatus> statusOf(PipelineScene *scene, const QString &job)
{
    JobCardItem *card = scene->card(job);
    return card ? card->status() : std::nullopt;
}

} // namespace

class tst_ClusterWindow final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        const auto env = test::slurmClusterEnvironment();
        QVERIFY2(!env.isEmpty(), "no test cluster (the fixture `slurm` starts one)");
        for (auto it = env.cbegin(); it != env.cend(); ++it)
            qputenv(it.key().toUtf8().constData(), it.value().toUtf8());
    }
    void panelShowsNodesGpusAndQueue();
    void panelSaysWhyTheClusterCannotBeAsked();
    void demoRunsOnTheClusterFromTheWindow();
    void cardsSayWhereTheClusterHasAJob();
    void cardSaysAJobIsQueuedAhead();
};

void tst_ClusterWindow::panelShowsNodesGpusAndQueue()
{
    ClusterPanel panel;
    QSignalSpy refreshed(&panel, &ClusterPanel::refreshed);
    panel.refresh();
    QTRY_COMPARE_WITH_TIMEOUT(refreshed.count(), 1, 20000);
    QVERIFY2(panel.placeholderText().isEmpty(), qPrintable(panel.placeholderText()));
    QCOMPARE(panel.nodes()->topLevelItemCount(), 1);
    QCOMPARE(panel.nodes()->topLevelItem(0)->text(3), QStringLiteral("2 of 2"));

    // A job holding a GPU: one GPU free, the job in the queue with where it runs.
    QTemporaryDir work;
    core::SlurmClient client(core::SlurmClient::fromEnvironment());
    core::SlurmJobRequest r;
    r.name = QStringLiteral("holds-a-gpu");
    r.script = QStringLiteral("#!/bin/bash\nsleep 300\n");
    r.workDir = work.path();
    r.outputFile = work.filePath(QStringLiteral("out"));
    r.gpus = 1;
    const auto id = client.submit(r);
    QVERIFY2(id, id ? "" : qPrintable(id.error().message));
    QTRY_VERIFY_WITH_TIMEOUT(client.job(*id) && client.job(*id)->isRunning(), 20000);
    panel.refresh();
    QTRY_COMPARE_WITH_TIMEOUT(refreshed.count(), 2, 20000);
    QCOMPARE(panel.nodes()->topLevelItem(0)->text(3), QStringLiteral("1 of 2"));
    QCOMPARE(panel.queue()->topLevelItemCount(), 1);
    QCOMPARE(panel.queue()->topLevelItem(0)->text(0), *id);
    QVERIFY2(panel.queue()->topLevelItem(0)->text(3).contains(QStringLiteral("gpu:1(IDX:")),
             qPrintable(panel.queue()->topLevelItem(0)->text(3)));
    QVERIFY(client.cancel(*id));
    QTRY_VERIFY_WITH_TIMEOUT(client.job(*id) && client.job(*id)->isFinished(), 20000);
}

void tst_ClusterWindow::panelSaysWhyTheClusterCannotBeAsked()
{
    QVERIFY(test::slurmCluster(QStringLiteral("rest-stop")));
    ClusterPanel panel;
    QSignalSpy refreshed(&panel, &ClusterPanel::refreshed);
    panel.refresh();
    QTRY_COMPARE_WITH_TIMEOUT(refreshed.count(), 1, 20000);
    QVERIFY(test::slurmCluster(QStringLiteral("rest-start")));
    QVERIFY2(panel.placeholderText().contains(QStringLiteral("cannot be asked")) &&
                 panel.placeholderText().contains(QStringLiteral("does not answer")),
             qPrintable(panel.placeholderText()));
    QVERIFY(panel.nodes()->isHidden());
}

void tst_ClusterWindow::demoRunsOnTheClusterFromTheWindow()
{
    QTemporaryDir dir;
    QVERIFY2(test::copyOfflineDemo(dir.path()), "the demo's trainer is not built");
    MainWindow w;
    w.show();
    w.openProject(dir.path());
    PipelineScene *scene = w.findChild<PipelineCanvas *>()->pipelineScene();
    QTRY_VERIFY_WITH_TIMEOUT(scene->card(QStringLiteral("export")), 10000);
    auto *slurm = w.findChild<QAction *>(QStringLiteral("runOnSlurm"));
    QVERIFY(slurm && slurm->isEnabled());
    slurm->trigger();
    auto *panel = w.findChild<ClusterPanel *>();
    QVERIFY(panel->isPolling()); // the cluster's queue, live while the run is on it
    QVERIFY(w.findChild<QDockWidget *>(QStringLiteral("clusterDock"))->isVisible());
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(scene, QStringLiteral("export")), std::optional(core::JobStatus::Manual),
                              180000);
    for (const char *job : {"unit-tests", "train", "evaluate"})
        QCOMPARE(statusOf(scene, QLatin1String(job)), std::optional(core::JobStatus::Success));
    QTRY_VERIFY_WITH_TIMEOUT(!w.isRunning(), 30000);
    QVERIFY(!panel->isPolling());
    // Approved on its card, export runs on the cluster too (the engine of the run it belongs to).
    JobCardItem *exportCard = scene->card(QStringLiteral("export"));
    QVERIFY(exportCard->isApprovable());
    auto *view = w.findChild<PipelineCanvas *>();
    view->centerOn(exportCard);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {},
                      view->mapFromScene(exportCard->mapToScene(JobCardItem::approveRect().center())));
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(scene, QStringLiteral("export")), std::optional(core::JobStatus::Success),
                              60000);
    QTRY_VERIFY_WITH_TIMEOUT(!w.isRunning(), 30000);
    RunsList *runs = w.findChild<RunsList *>();
    QTRY_COMPARE_WITH_TIMEOUT(int(runs->runs().size()), 2, 10000);
    for (const core::RunRecord &run : runs->runs()) {
        QCOMPARE(run.engine, QStringLiteral("slurm"));
        for (const auto &[name, job] : run.jobs) {
            if (job.status == core::JobStatus::Success)
                QVERIFY2(job.isolation.contains(QStringLiteral("Slurm cluster trainyard-test, job ")),
                         qPrintable(name + u' ' + job.isolation));
        }
    }
    if (qEnvironmentVariableIsSet("TRAINYARD_SCREENSHOT"))
        w.grab().save(qEnvironmentVariable("TRAINYARD_SCREENSHOT"));
}

// Three one-GPU jobs on two GPUs: the card of the one that waits says why, as Slurm says it.
void tst_ClusterWindow::cardsSayWhereTheClusterHasAJob()
{
    QTemporaryDir dir;
    QVERIFY(test::writeGpuProject(dir.path()));
    MainWindow w;
    w.show();
    w.openProject(dir.path());
    PipelineScene *scene = w.findChild<PipelineCanvas *>()->pipelineScene();
    QTRY_VERIFY_WITH_TIMEOUT(scene->card(QStringLiteral("report")), 10000);
    w.runPipeline({}, QStringLiteral("slurm"));
    QStringList seen;
    const auto cardsSay = [&](const QString &words) {
        for (const char *job : {"train-a", "train-b", "train-c"}) {
            const QString line = scene->card(QLatin1String(job))->statusLine();
            if (!seen.contains(line))
                seen << line;
            if (line.contains(words))
                return true;
        }
        return false;
    };
    QTRY_VERIFY2_WITH_TIMEOUT(cardsSay(QStringLiteral("running · ")) && cardsSay(QStringLiteral("running on ")),
                              qPrintable(seen.join(u'\n')), 60000);
    QTRY_VERIFY2_WITH_TIMEOUT(cardsSay(QStringLiteral("waiting for GPUs (Resources)")), qPrintable(seen.join(u'\n')),
                              60000);
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(scene, QStringLiteral("report")), std::optional(core::JobStatus::Success),
                              120000);
    QTRY_VERIFY_WITH_TIMEOUT(!w.isRunning(), 30000);
}

// A job queued ahead of the one it needs (no artifacts from it): its card says the cluster holds
// it for that one, then it runs.
void tst_ClusterWindow::cardSaysAJobIsQueuedAhead()
{
    QTemporaryDir dir;
    QVERIFY(test::writeGpuProject(dir.path()));
    test::writeFile(dir.path() + QStringLiteral("/.gitlab-ci.yml"), ".trainyard:\n"
                                                                    "  slurm: {runtime: none}\n"
                                                                    "stages: [prep, train]\n"
                                                                    "prep:\n"
                                                                    "  stage: prep\n"
                                                                    "  script: [sleep 8]\n"
                                                                    "train:\n"
                                                                    "  stage: train\n"
                                                                    "  needs: [{job: prep, artifacts: false}]\n"
                                                                    "  script: [echo trained]\n");
    test::shell(dir.path(), QStringLiteral("git -c user.name=t -c user.email=t@t commit -qam ahead"));
    MainWindow w;
    w.show();
    w.openProject(dir.path());
    PipelineScene *scene = w.findChild<PipelineCanvas *>()->pipelineScene();
    QTRY_VERIFY_WITH_TIMEOUT(scene->card(QStringLiteral("train")), 10000);
    w.runPipeline({}, QStringLiteral("slurm"));
    QStringList seen;
    const auto trainSays = [&](const QString &words) {
        const QString line = scene->card(QStringLiteral("train"))->statusLine();
        if (!seen.contains(line))
            seen << line;
        return line.contains(words);
    };
    QTRY_VERIFY2_WITH_TIMEOUT(trainSays(QStringLiteral("held until its needs have ended (JobHeldUser)")),
                              qPrintable(seen.join(u'\n')), 60000);
    QCOMPARE(statusOf(scene, QStringLiteral("prep")), std::optional(core::JobStatus::Running));
    if (qEnvironmentVariableIsSet("TRAINYARD_SCREENSHOT"))
        w.grab().save(qEnvironmentVariable("TRAINYARD_SCREENSHOT"));
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(scene, QStringLiteral("train")), std::optional(core::JobStatus::Success), 60000);
    QTRY_VERIFY_WITH_TIMEOUT(!w.isRunning(), 30000);
}

QTEST_MAIN(tst_ClusterWindow)
#include "tst_clusterwindow.moc"
