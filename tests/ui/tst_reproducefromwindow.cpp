// The Runs list's "Reproduce run…" in the window: a recorded run (shell engine, git project)
// reproduced identically, its jobs shown in the run console and the result in a box; a run
// whose data changed since is refused with the difference, and nothing runs.
#include "mainwindow.h"
#include "runcontrol/reproductionresult.h"

#include "console/runconsole.h"
#include "engine/scheduler.h"
#include "engine/shellexecutor.h"
#include "lineage/lineagerecorder.h"
#include "lineage/lineagestore.h"
#include "pipeline/gitlabcireader.h"
#include "runs/runslist.h"

#include "support/files.h"
#include <QDialog>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using trainyard::test::git;
using trainyard::test::writeFile;

using namespace trainyard::core;
using namespace trainyard::ui;

namespace {

/// A git project whose `build` job copies its data input into an artifact; data/ is not
/// committed when `ignoreData` (it is then read from the project folder).
struct Project
{
    QTemporaryDir dir;
    explicit Project(bool ignoreData)
    {
        writeFile(
            dir.filePath(QStringLiteral(".gitlab-ci.yml")),
            "stages: [build]\n.trainyard:\n  data:\n    inputs: data\n"
            "build:\n  stage: build\n  script: ['mkdir -p out && cat \"$TRAINYARD_DATA_INPUTS/a.txt\" > out/a.txt']\n"
            "  artifacts:\n    paths: [out/]\n");
        writeFile(dir.filePath(QStringLiteral(".gitignore")), ignoreData ? ".trainyard/\ndata/\n" : ".trainyard/\n");
        writeFile(dir.filePath(QStringLiteral("data/a.txt")), "hello\n");
        git(path(), {QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("main")});
        git(path(), {QStringLiteral("add"), QStringLiteral("-A")});
        git(path(), {QStringLiteral("commit"), QStringLiteral("-qm"), QStringLiteral("init")});
    }
    QString path() const { return dir.path(); }

    /// Runs the pipeline with the shell engine, lineage recorded, as `trainyard run` does.
    QString run() const
    {
        GitlabCiReader::Options o;
        o.projectDir = path();
        const Pipeline pipeline = GitlabCiReader::read(o);
        ShellExecutor executor;
        LineageRecorder lineage(pipeline, {});
        Scheduler scheduler(pipeline, executor, {}, lineage.wrap({}));
        lineage.runStarted(scheduler.runId(), executor.name());
        const auto result = scheduler.run();
        lineage.runFinished(result ? *result : scheduler.snapshot());
        return result && result->status == RunStatus::Success ? scheduler.runId() : QString();
    }

    size_t recordedRuns() const
    {
        auto store = LineageStore::open(LineageStore::defaultPath(path()));
        return store ? (*store)->runs()->size() : 0;
    }
};

/// Shows the window with the project in `dir` open; false when it did not show within 10 s.
bool showProject(MainWindow &w, const QString &dir)
{
    w.show();
    QSignalSpy shown(&w, &MainWindow::projectShown);
    w.openProject(dir);
    return shown.wait(10000);
}

QDialog *resultBox(const QWidget &w)
{
    return w.findChild<QDialog *>(QStringLiteral("reproductionResult"));
}

QString headlineOf(const QDialog *box)
{
    const auto *label = box->findChild<QLabel *>(QStringLiteral("headline"));
    return label ? label->text() : QString();
}

} // namespace

class tst_ReproduceFromWindow final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void reproducesIdentically();
    void changedDataIsRefused();
    void differencesAreATable();
    void erroredReproductionIsNoVerdict();

private:
    QTemporaryDir m_settings;
};

void tst_ReproduceFromWindow::initTestCase()
{
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settings.path());
    QCoreApplication::setOrganizationName(QStringLiteral("TrainyardTests"));
}

void tst_ReproduceFromWindow::reproducesIdentically()
{
    Project project(false);
    const QString runId = project.run();
    QVERIFY(!runId.isEmpty());
    MainWindow w;
    QVERIFY(showProject(w, project.path()));
    QSignalSpy finished(&w, &MainWindow::reproductionFinished);
    w.reproduceRun(runId, false);
    QVERIFY(w.isRunning()); // on a worker thread: the window goes on
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.at(0).at(0).toString(), runId);
    QVERIFY2(finished.at(0).at(1).toBool(), qPrintable(finished.at(0).at(2).toString())); // identical
    QVERIFY(!w.isRunning());
    QDialog *box = resultBox(w);
    QVERIFY(box);
    QVERIFY(!box->isModal()); // the window stays usable
    QVERIFY2(headlineOf(box).contains(QStringLiteral("identical")), qPrintable(headlineOf(box)));
    QVERIFY(!box->findChild<QTableWidget *>(QStringLiteral("differences"))); // nothing differs
    // The reproduction's job ran in the console, and its run is in the lineage.
    auto *console = w.findChild<RunConsole *>();
    QVERIFY(console && console->viewFor(QStringLiteral("build")));
    QCOMPARE(project.recordedRuns(), size_t(2));
    auto store = LineageStore::open(LineageStore::defaultPath(project.path()));
    QVERIFY(store);
    const auto reproductions = (*store)->reproductions(runId);
    QVERIFY(reproductions && reproductions->size() == 1);
    QVERIFY(reproductions->front().identical);
    // The Runs list shows it as a run of its own number that says which run it reproduces.
    auto *runs = w.findChild<RunsList *>()->findChild<QTreeWidget *>(QStringLiteral("runs"));
    QVERIFY(runs);
    QTRY_COMPARE_WITH_TIMEOUT(runs->topLevelItemCount(), 2, 5000);
    QCOMPARE(runs->topLevelItem(0)->text(0), QStringLiteral("#2 \u21bb #1"));
    QCOMPARE(runs->topLevelItem(1)->text(0), QStringLiteral("#1"));
    box->close();
}

void tst_ReproduceFromWindow::changedDataIsRefused()
{
    Project project(true);
    const QString runId = project.run();
    QVERIFY(!runId.isEmpty());
    QVERIFY(writeFile(project.dir.filePath(QStringLiteral("data/a.txt")), "HELLO\n"));
    MainWindow w;
    QVERIFY(showProject(w, project.path()));
    QSignalSpy finished(&w, &MainWindow::reproductionFinished);
    w.reproduceRun(runId, false);
    QVERIFY(finished.wait(60000));
    QVERIFY(!finished.at(0).at(1).toBool());
    const QString refusal = finished.at(0).at(2).toString();
    QVERIFY2(refusal.contains(QStringLiteral("inputs")), qPrintable(refusal)); // names the data input
    QDialog *box = resultBox(w);
    QVERIFY(box);
    QVERIFY(box->windowTitle().contains(QStringLiteral("cannot be reproduced")));
    QCOMPARE(box->findChild<QPlainTextEdit *>(QStringLiteral("reason"))->toPlainText(), refusal);
    QCOMPARE(project.recordedRuns(), size_t(1)); // nothing ran
    box->close();
}

void tst_ReproduceFromWindow::differencesAreATable()
{
    // A job that writes the time: its reproduction differs in that artifact.
    Project project(false);
    writeFile(project.dir.filePath(QStringLiteral(".gitlab-ci.yml")),
              "build:\n  script: ['date +%s%N > now.txt', 'echo same > same.txt']\n"
              "  artifacts:\n    paths: [now.txt, same.txt]\n");
    git(project.path(), {QStringLiteral("commit"), QStringLiteral("-qam"), QStringLiteral("stamp")});
    const QString runId = project.run();
    QVERIFY(!runId.isEmpty());
    MainWindow w;
    QVERIFY(showProject(w, project.path()));
    QSignalSpy finished(&w, &MainWindow::reproductionFinished);
    w.reproduceRun(runId, false);
    QVERIFY(finished.wait(60000));
    QVERIFY(!finished.at(0).at(1).toBool());
    QDialog *box = resultBox(w);
    QVERIFY(box);
    QVERIFY2(headlineOf(box).contains(QStringLiteral("1 of 2 artifact")), qPrintable(headlineOf(box)));
    auto *table = box->findChild<QTableWidget *>(QStringLiteral("differences"));
    QVERIFY(table);
    QCOMPARE(table->rowCount(), 1);
    QCOMPARE(table->item(0, 0)->text(), QStringLiteral("build"));
    QCOMPARE(table->item(0, 1)->text(), QStringLiteral("now.txt"));
    QCOMPARE(table->item(0, 2)->toolTip().size(), 64); // the whole SHA-256 on hover
    QVERIFY(table->item(0, 2)->text().endsWith(QStringLiteral("…")));
    QVERIFY(table->item(0, 2)->toolTip() != table->item(0, 3)->toolTip());
    box->close();
}

void tst_ReproduceFromWindow::erroredReproductionIsNoVerdict()
{
    QWidget parent;
    ReproductionReport report;
    report.originalRunId = QStringLiteral("run-1");
    report.reproductionRunId = QStringLiteral("run-2");
    report.errored = true;
    report.failure = QStringLiteral("job train could not be run: Starting the container: the Docker Engine API "
                                    "answered HTTP 500 (Internal Server Error)");
    QDialog *box = ReproductionResult::show(&parent, QStringLiteral("run-1"), report, {});
    QVERIFY(box->windowTitle().contains(QStringLiteral("errored")));
    QVERIFY(headlineOf(box).contains(QStringLiteral("Nothing was compared")));
    QVERIFY(!box->findChild<QTableWidget *>(QStringLiteral("differences")));
    QCOMPARE(box->findChild<QPlainTextEdit *>(QStringLiteral("reason"))->toPlainText(), report.failure); // whole
    QVERIFY(ReproductionResult::summary(QStringLiteral("run-1"), report, {}).contains(QStringLiteral("errored")));
    box->close();
}

QTEST_MAIN(tst_ReproduceFromWindow)
#include "tst_reproducefromwindow.moc"
