// Runs made outside the window (`trainyard run` in a terminal) appear in it while it is open:
// in the Runs list and in Compare, within a couple of seconds, without reopening the project.
#include "mainwindow.h"

#include "canvas/pipelinecanvas.h"
#include "canvas/pipelinescene.h"
#include "compare/comparemodel.h"
#include "compare/compareview.h"
#include "project/lineagewatcher.h"
#include "runs/runslist.h"

#include "support/cli.h"
#include "support/demoproject.h"
#include "support/eventfilewriter.h"
#include "support/files.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace trainyard;
using namespace trainyard::ui;

namespace {

/// A git project whose job `train` writes one TensorBoard event file into logs/ (collected as
/// its artifact): on the shell engine, no Docker needed.
bool writeProject(const QString &dir)
{
    QList<QByteArray> events{test::fileVersionEvent(1000)};
    for (int step = 0; step < 10; ++step)
        events << test::summaryEvent(1000 + step, step, {test::simpleValue("loss", float(1.0 / (1 + step)))});
    if (!test::writeFile(dir + QStringLiteral("/fixture/events.out.tfevents.1.host"), test::records(events)) ||
        !test::writeFile(dir + QStringLiteral("/.gitlab-ci.yml"),
                         ".trainyard:\n  jobs:\n    train:\n      tensorboard: logs\n"
                         "train:\n  script: [mkdir -p logs, cp fixture/events.out.tfevents.1.host logs/]\n"
                         "  artifacts:\n    paths: [logs]\n"))
        return false;
    test::shell(dir, QStringLiteral("printf '.trainyard/\\n' > .gitignore && git init -q -b main && git add -A && "
                                    "git -c user.name=t -c user.email=t@t commit -qm one"));
    return QFile::exists(dir + QStringLiteral("/.git"));
}

int recordedRuns(const CompareView *compare)
{
    int n = 0;
    for (const CompareRun &run : compare->model()->runs())
        n += run.recorded ? 1 : 0;
    return n;
}

} // namespace

class tst_RunsOutsideWindow final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void terminalRunsAppearInTheOpenWindow();
    void readingTheStoreDoesNotWakeTheWatcher();
};

void tst_RunsOutsideWindow::terminalRunsAppearInTheOpenWindow()
{
    QTemporaryDir dir;
    QVERIFY(writeProject(dir.path()));
    MainWindow w;
    w.show();
    QSignalSpy shown(&w, &MainWindow::projectShown);
    w.openProject(dir.path());
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, 10000);
    auto *runs = w.findChild<RunsList *>();
    auto *compare = w.findChild<CompareView *>();
    QVERIFY(runs && compare);
    QTest::qWait(500);
    QCOMPARE(int(runs->runs().size()), 0);
    QCOMPARE(recordedRuns(compare), 0);

    // Two runs from a terminal while the window stays open: the first creates the database,
    // the second adds to it.
    for (int n = 1; n <= 2; ++n) {
        const auto run = test::runTrainyard({QStringLiteral("run"), QStringLiteral("-C"), dir.path(),
                                             QStringLiteral("--engine"), QStringLiteral("shell")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
        QElapsedTimer shownAfter;
        shownAfter.start();
        QTRY_COMPARE_WITH_TIMEOUT(int(runs->runs().size()), n, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(recordedRuns(compare), n, 5000);
        qInfo("run %d shown %lld ms after the CLI ended", n, shownAfter.elapsed());
    }
    QCOMPARE(runs->runs().front().pipelineIid, 2); // the newest first
}

void tst_RunsOutsideWindow::readingTheStoreDoesNotWakeTheWatcher()
{
    QTemporaryDir dir;
    QVERIFY(writeProject(dir.path()));
    const auto first = test::runTrainyard(
        {QStringLiteral("run"), QStringLiteral("-C"), dir.path(), QStringLiteral("--engine"), QStringLiteral("shell")});
    QVERIFY2(first.exitCode == 0, qPrintable(first.out + first.err));

    LineageWatcher watcher;
    watcher.setInterval(100);
    QSignalSpy changed(&watcher, &LineageWatcher::changed);
    watcher.setProjectDir(dir.path());
    // Readers open and close the database (SQLite makes and removes its -wal file): no change.
    for (int i = 0; i < 3; ++i) {
        const auto listed = test::runTrainyard({QStringLiteral("runs"), QStringLiteral("-C"), dir.path()});
        QVERIFY2(listed.exitCode == 0, qPrintable(listed.out + listed.err));
    }
    QTest::qWait(600);
    QCOMPARE(changed.count(), 0);
    // A writer: one change (or two, when a reader's close checkpoints the log), not a stream.
    const auto second = test::runTrainyard(
        {QStringLiteral("run"), QStringLiteral("-C"), dir.path(), QStringLiteral("--engine"), QStringLiteral("shell")});
    QVERIFY2(second.exitCode == 0, qPrintable(second.out + second.err));
    QTRY_VERIFY_WITH_TIMEOUT(changed.count() >= 1, 3000);
    QTest::qWait(1000);
    QVERIFY2(changed.count() <= 2, qPrintable(QString::number(changed.count())));
}

QTEST_MAIN(tst_RunsOutsideWindow)
#include "tst_runsoutsidewindow.moc"
