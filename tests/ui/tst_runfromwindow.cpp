// Runs the offline demo from the window on the real Docker engine: every card reaches its final
// state, the log tabs fill, the manual export is approved; and a long job is cancelled.
#include "mainwindow.h"

#include "canvas/jobcarditem.h"
#include "canvas/pipelinecanvas.h"
#include "canvas/pipelinescene.h"
#include "console/joblogview.h"
#include "console/runconsole.h"
#include "runs/runslist.h"

#include <QFile>
#include <QTreeWidget>

#include <QAction>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QPlainTextEdit>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "support/demoproject.h"

using namespace trainyard;
using namespace trainyard::ui;

namespace {

QAction *action(MainWindow &w, const QString &text)
{
    for (QAction *a : w.findChildren<QAction *>()) {
        if (a->text() == text)
            return a;
    }
    return nullptr;
}

std::optional<core::JobStatus> statusOf(PipelineScene *scene, const QString &job)
{
    JobCardItem *card = scene->card(job);
    return card ? card->status() : std::nullopt;
}

} // namespace

class tst_RunFromWindow final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void runDemoAndApproveExport();
    void cancelLongJob();
    void retryFailedJobReusesItsNeeds();
    void secretsReachTheJobMasked();
    void nextProjectStartsClean();
    void manualJobEndsTheRunAndStaysPlayable();
};

void tst_RunFromWindow::initTestCase()
{
    if (qEnvironmentVariableIsSet("TRAINYARD_SKIP_DOCKER"))
        QSKIP("TRAINYARD_SKIP_DOCKER is set");
}

void tst_RunFromWindow::runDemoAndApproveExport()
{
    QTemporaryDir dir;
    QVERIFY2(test::copyOfflineDemo(dir.path()), "the demo's trainer is not built");
    MainWindow w;
    w.show();
    w.openProject(dir.path());
    PipelineScene *scene = w.findChild<PipelineCanvas *>()->pipelineScene();
    QTRY_VERIFY_WITH_TIMEOUT(scene->card(QStringLiteral("export")), 10000);
    QAction *run = action(w, QStringLiteral("&Run pipeline"));
    QVERIFY(run && run->isEnabled());
    run->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(scene, QStringLiteral("export")), std::optional(core::JobStatus::Manual),
                              180000);
    for (const char *job : {"unit-tests", "train", "evaluate"})
        QCOMPARE(statusOf(scene, QLatin1String(job)), std::optional(core::JobStatus::Success));
    // As in GitLab, the run ends when only the manual job is left: Run is enabled again.
    QTRY_VERIFY_WITH_TIMEOUT(run->isEnabled(), 30000);
    RunConsole *console = w.findChild<RunConsole *>();
    QVERIFY(console);
    JobLogView *log = console->existingView(QStringLiteral("train"));
    QVERIFY(log);
    QTRY_VERIFY_WITH_TIMEOUT(
        log->findChild<QPlainTextEdit *>()->toPlainText().contains(QStringLiteral("artifacts collected")), 10000);
    // The card's own Approve button, clicked on the canvas, plays it: a run of export that
    // reuses train and evaluate.
    auto *view = w.findChild<PipelineCanvas *>();
    JobCardItem *exportCard = scene->card(QStringLiteral("export"));
    QVERIFY(exportCard->isApprovable());
    view->centerOn(exportCard);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {},
                      view->mapFromScene(exportCard->mapToScene(JobCardItem::approveRect().center())));
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(scene, QStringLiteral("export")), std::optional(core::JobStatus::Success),
                              60000);
    QTRY_VERIFY_WITH_TIMEOUT(run->isEnabled(), 30000); // the run is over
    if (qEnvironmentVariableIsSet("TRAINYARD_SCREENSHOT"))
        w.grab().save(qEnvironmentVariable("TRAINYARD_SCREENSHOT"));

    // The Runs list has both runs; re-opening the first brings its logs back into a fresh console.
    RunsList *runs = w.findChild<RunsList *>();
    QTRY_COMPARE_WITH_TIMEOUT(int(runs->runs().size()), 2, 10000);
    // The list is re-read on a worker thread when the run ends: it catches up with the record.
    QTRY_COMPARE_WITH_TIMEOUT(runs->runs().front().status, core::RunStatus::Success, 10000);
    console->reset();
    QVERIFY(!console->existingView(QStringLiteral("train")));
    QTreeWidgetItem *item = runs->tree()->topLevelItem(1); // newest first: #1 is the second
    QVERIFY(item);
    Q_EMIT runs->tree()->itemActivated(item, 0);
    QTRY_VERIFY_WITH_TIMEOUT(console->existingView(QStringLiteral("train")) &&
                                 console->existingView(QStringLiteral("train"))
                                     ->findChild<QPlainTextEdit *>()
                                     ->toPlainText()
                                     .contains(QStringLiteral("artifacts collected")),
                             10000);
}

void tst_RunFromWindow::retryFailedJobReusesItsNeeds()
{
    // In the host shell (no Docker needed): `prepare` counts its runs and hands on an artifact;
    // `flaky` fails the first time. Retrying flaky must not run prepare again.
    QTemporaryDir dir;
    const QString marker = dir.filePath(QStringLiteral("flaky-ran"));
    const QString count = dir.filePath(QStringLiteral("prepare-count"));
    QFile file(dir.filePath(QStringLiteral(".gitlab-ci.yml")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(
        QStringLiteral("stages: [build, test]\n"
                       "prepare:\n  stage: build\n  script:\n    - echo run >> '%1'\n    - echo data > data.txt\n"
                       "  artifacts:\n    paths: [data.txt]\n"
                       "flaky:\n  stage: test\n  needs: [prepare]\n  script:\n    - cat data.txt\n"
                       "    - if [ -f '%2' ]; then echo second; else touch '%2'; exit 1; fi\n")
            .arg(count, marker)
            .toUtf8());
    file.close();
    test::shell(
        dir.path(),
        QStringLiteral("printf '.trainyard/\nflaky-ran\nprepare-count\n' > .gitignore && git init -q -b main && "
                       "git add -A && git -c user.name=t -c user.email=t@t commit -qm flaky"));
    MainWindow w;
    w.show();
    w.openProject(dir.path());
    PipelineScene *scene = w.findChild<PipelineCanvas *>()->pipelineScene();
    QTRY_VERIFY_WITH_TIMEOUT(scene->card(QStringLiteral("flaky")), 10000);
    w.runPipeline({}, QStringLiteral("shell"));
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(scene, QStringLiteral("flaky")), std::optional(core::JobStatus::Failed), 60000);
    QTRY_VERIFY_WITH_TIMEOUT(!w.isRunning(), 30000);
    RunsList *runs = w.findChild<RunsList *>();
    QTRY_COMPARE_WITH_TIMEOUT(int(runs->runs().size()), 1, 10000);
    const QString firstRun = runs->runs().front().id;
    QCOMPARE(runs->runs().front().engine, QStringLiteral("shell"));
    // Retry from the Runs list, as the user would from its context menu.
    Q_EMIT runs->retryJobRequested(firstRun, QStringLiteral("flaky"));
    QVERIFY(w.isRunning());
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(scene, QStringLiteral("flaky")), std::optional(core::JobStatus::Success), 60000);
    QTRY_VERIFY_WITH_TIMEOUT(!w.isRunning(), 30000);
    QFile counted(count);
    QVERIFY(counted.open(QIODevice::ReadOnly));
    QCOMPARE(counted.readAll(), QByteArray("run\n")); // prepare ran once, in the first run only
    QTRY_COMPARE_WITH_TIMEOUT(int(runs->runs().size()), 2, 10000);
}

// The run-path issue: a run started from the window loaded no secrets (only the CLI and the
// reproducer did). Now it goes through the same run service as `trainyard run` (whose side
// tests/security/tst_secretleaks checks): the job gets the value, every log shows it masked.
void tst_RunFromWindow::secretsReachTheJobMasked()
{
    QTemporaryDir dir;
    QFile file(dir.filePath(QStringLiteral(".gitlab-ci.yml")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("deploy:\n  script:\n    - echo \"token=$TOKEN\"\n    - test \"$TOKEN\" = abcd1234efgh && echo "
               "has-the-value\n");
    file.close();
    test::shell(dir.path(),
                QStringLiteral("printf '.trainyard/\\n' > .gitignore && git init -q -b main && git add -A && "
                               "git -c user.name=t -c user.email=t@t commit -qm secrets && mkdir -p .trainyard && "
                               "printf 'TOKEN=abcd1234efgh\\n' > .trainyard/secrets.env"));
    MainWindow w;
    w.show();
    w.openProject(dir.path());
    PipelineScene *scene = w.findChild<PipelineCanvas *>()->pipelineScene();
    QTRY_VERIFY_WITH_TIMEOUT(scene->card(QStringLiteral("deploy")), 10000);
    w.runPipeline({}, QStringLiteral("shell"));
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(scene, QStringLiteral("deploy")), std::optional(core::JobStatus::Success),
                              60000);
    QTRY_VERIFY_WITH_TIMEOUT(!w.isRunning(), 30000);
    QByteArray logs;
    QDirIterator it(dir.filePath(QStringLiteral(".trainyard/logs")), {QStringLiteral("*.log")}, QDir::Files,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile log(it.next());
        QVERIFY(log.open(QIODevice::ReadOnly));
        logs += log.readAll();
    }
    QVERIFY2(logs.contains("token=[MASKED]"), logs.constData());
    QVERIFY2(logs.contains("has-the-value"), logs.constData()); // the job got the value
    QVERIFY(!logs.contains("abcd1234efgh"));
    auto *console = w.findChild<RunConsole *>();
    QVERIFY(console);
    QVERIFY(!console->viewFor(QStringLiteral("deploy"))
                 ->textEdit()
                 ->toPlainText()
                 .contains(QStringLiteral("abcd1234efgh")));
}

void tst_RunFromWindow::nextProjectStartsClean()
{
    // Two projects with the same job: the second has never run.
    QTemporaryDir first;
    QTemporaryDir second;
    for (const QTemporaryDir *dir : {&first, &second}) {
        QFile file(dir->filePath(QStringLiteral(".gitlab-ci.yml")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("train:\n  script: [echo trained-in-the-first]\n");
        file.close();
        test::shell(dir->path(), QStringLiteral("git init -q -b main && git add -A && "
                                                "git -c user.name=t -c user.email=t@t commit -qm one"));
    }
    MainWindow w;
    w.show();
    w.openProject(first.path());
    PipelineScene *scene = w.findChild<PipelineCanvas *>()->pipelineScene();
    QTRY_VERIFY_WITH_TIMEOUT(scene->card(QStringLiteral("train")), 10000);
    w.runPipeline({}, QStringLiteral("shell"));
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(scene, QStringLiteral("train")), std::optional(core::JobStatus::Success), 60000);
    QTRY_VERIFY_WITH_TIMEOUT(!w.isRunning(), 30000);
    auto *console = w.findChild<RunConsole *>();
    QVERIFY(console && console->existingView(QStringLiteral("train")));

    QSignalSpy shown(&w, &MainWindow::projectShown);
    w.openProject(second.path());
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, 10000); // the second project's pipeline is on the canvas
    QVERIFY(scene->card(QStringLiteral("train")));
    QCOMPARE(statusOf(scene, QStringLiteral("train")), std::nullopt); // not the first project's success
    QVERIFY(!console->existingView(QStringLiteral("train")));         // nor its log
    QCOMPARE(console->count(), 0);
}

void tst_RunFromWindow::manualJobEndsTheRunAndStaysPlayable()
{
    // deploy is manual and may not fail: the run stops there, blocked, as GitLab's does.
    QTemporaryDir dir;
    QFile file(dir.filePath(QStringLiteral(".gitlab-ci.yml")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("stages: [build, deploy]\n"
               "build:\n  stage: build\n  script: ['echo built-once >> out.txt']\n  artifacts:\n    paths: [out.txt]\n"
               "deploy:\n  stage: deploy\n  needs: [build]\n  when: manual\n  allow_failure: false\n"
               "  script: ['cat out.txt']\n"
               "notify:\n  stage: deploy\n  needs: [deploy]\n  script: [echo notified]\n");
    file.close();
    test::shell(dir.path(),
                QStringLiteral("printf '.trainyard/\\n' > .gitignore && git init -q -b main && git add -A && "
                               "git -c user.name=t -c user.email=t@t commit -qm one"));
    MainWindow w;
    w.show();
    w.openProject(dir.path());
    PipelineScene *scene = w.findChild<PipelineCanvas *>()->pipelineScene();
    QTRY_VERIFY_WITH_TIMEOUT(scene->card(QStringLiteral("deploy")), 10000);
    QAction *run = action(w, QStringLiteral("&Run pipeline"));
    w.runPipeline({}, QStringLiteral("shell"));
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(scene, QStringLiteral("deploy")), std::optional(core::JobStatus::Manual), 60000);
    QTRY_VERIFY_WITH_TIMEOUT(!w.isRunning(), 10000); // not "running" while the job waits
    QVERIFY(run->isEnabled());
    RunsList *runs = w.findChild<RunsList *>();
    QTRY_COMPARE_WITH_TIMEOUT(int(runs->runs().size()), 1, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(runs->runs().front().status, core::RunStatus::Blocked, 10000);
    const core::RunRecord &first = runs->runs().front();
    const qint64 firstDuration = first.started.msecsTo(first.finished);
    auto *console = w.findChild<RunConsole *>();
    QVERIFY2(console->runTitle().startsWith(QStringLiteral("Run #1 · blocked · ")), qPrintable(console->runTitle()));

    // Later, its card still plays it: deploy and what waited for it run; build is reused.
    QTest::qWait(1500);
    JobCardItem *deploy = scene->card(QStringLiteral("deploy"));
    QVERIFY(deploy->isApprovable());
    Q_EMIT scene->approveRequested(QStringLiteral("deploy"));
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(scene, QStringLiteral("notify")), std::optional(core::JobStatus::Success),
                              60000);
    QCOMPARE(statusOf(scene, QStringLiteral("deploy")), std::optional(core::JobStatus::Success));
    QCOMPARE(statusOf(scene, QStringLiteral("build")), std::optional(core::JobStatus::Success));
    QTRY_VERIFY_WITH_TIMEOUT(!w.isRunning(), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(int(runs->runs().size()), 2, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(runs->runs().front().status, core::RunStatus::Success, 10000);
    QVERIFY2(console->runTitle().startsWith(QStringLiteral("Run #2 · success · ")), qPrintable(console->runTitle()));
    QTRY_VERIFY_WITH_TIMEOUT(console->existingView(QStringLiteral("deploy")) &&
                                 console->existingView(QStringLiteral("deploy"))
                                     ->textEdit()
                                     ->toPlainText()
                                     .contains(QStringLiteral("built-once")),
                             10000);
    // build ran once: its artifact came from the first run (it would say built-once twice otherwise).
    QVERIFY(!console->existingView(QStringLiteral("deploy"))
                 ->textEdit()
                 ->toPlainText()
                 .contains(QStringLiteral("built-once\nbuilt-once")));
    QVERIFY2(firstDuration < 1500, qPrintable(QString::number(firstDuration))); // the wait was not counted
}

void tst_RunFromWindow::cancelLongJob()
{
    QTemporaryDir dir;
    QVERIFY(test::copyOfflineDemo(dir.path()));
    test::shell(dir.path(),
                QStringLiteral("printf 'slow:\\n  stage: test\\n  script: [sleep 120]\\n' >> .gitlab-ci.yml && "
                               "git -c user.name=t -c user.email=t@t commit -qam slow"));
    MainWindow w;
    w.show();
    w.openProject(dir.path());
    PipelineScene *scene = w.findChild<PipelineCanvas *>()->pipelineScene();
    QTRY_VERIFY_WITH_TIMEOUT(scene->card(QStringLiteral("slow")), 10000);
    action(w, QStringLiteral("&Run pipeline"))->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(scene, QStringLiteral("slow")), std::optional(core::JobStatus::Running), 120000);
    QElapsedTimer t;
    t.start();
    w.cancelJob(QStringLiteral("slow"));
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(scene, QStringLiteral("slow")), std::optional(core::JobStatus::Cancelled),
                              30000);
    QVERIFY(t.elapsed() < 30000);
    // The rest of the run would wait for the manual export: cancel the whole run too.
    action(w, QStringLiteral("&Cancel run"))->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(action(w, QStringLiteral("&Run pipeline"))->isEnabled(), 120000);
}

QTEST_MAIN(tst_RunFromWindow)
#include "tst_runfromwindow.moc"
