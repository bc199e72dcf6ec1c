// The Runs list's "Reproduce run…" in the window: a recorded run (shell engine, git project)
// reproduced identically, its jobs shown in the run console and the result in a box; a run
// whose data changed since is refused with the difference, and nothing runs.
#include "mainwindow.h"

#include "console/runconsole.h"
#include "engine/scheduler.h"
#include "engine/shellexecutor.h"
#include "lineage/lineagerecorder.h"
#include "lineage/lineagestore.h"
#include "pipeline/gitlabcireader.h"
#include "runs/runslist.h"

#include "support/files.h"
#include <QDir>
#include <QFile>
#include <QMessageBox>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

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

QMessageBox *resultBox(const MainWindow &w)
{
    return w.findChild<QMessageBox *>(QStringLiteral("reproductionResult"));
}

} // namespace

class tst_ReproduceFromWindow final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void reproducesIdentically();
    void changedDataIsRefused();

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
    w.show();
    QSignalSpy shown(&w, &MainWindow::projectShown);
    w.openProject(project.path());
    QVERIFY(shown.wait(10000));
    QSignalSpy finished(&w, &MainWindow::reproductionFinished);
    w.reproduceRun(runId, false);
    QVERIFY(w.isRunning()); // on a worker thread: the window goes on
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.at(0).at(0).toString(), runId);
    QVERIFY2(finished.at(0).at(1).toBool(), qPrintable(finished.at(0).at(2).toString())); // identical
    QVERIFY(!w.isRunning());
    QMessageBox *box = resultBox(w);
    QVERIFY(box);
    QVERIFY2(box->text().contains(QStringLiteral("identical")), qPrintable(box->text()));
    QVERIFY(box->detailedText().contains(QStringLiteral("identical")));
    // The reproduction's job ran in the console, and its run is in the lineage.
    auto *console = w.findChild<RunConsole *>();
    QVERIFY(console && console->viewFor(QStringLiteral("build")));
    QCOMPARE(project.recordedRuns(), size_t(2));
    auto store = LineageStore::open(LineageStore::defaultPath(project.path()));
    QVERIFY(store);
    const auto reproductions = (*store)->reproductions(runId);
    QVERIFY(reproductions && reproductions->size() == 1);
    QVERIFY(reproductions->front().identical);
    box->close();
}

void tst_ReproduceFromWindow::changedDataIsRefused()
{
    Project project(true);
    const QString runId = project.run();
    QVERIFY(!runId.isEmpty());
    QVERIFY(writeFile(project.dir.filePath(QStringLiteral("data/a.txt")), "HELLO\n"));
    MainWindow w;
    w.show();
    QSignalSpy shown(&w, &MainWindow::projectShown);
    w.openProject(project.path());
    QVERIFY(shown.wait(10000));
    QSignalSpy finished(&w, &MainWindow::reproductionFinished);
    w.reproduceRun(runId, false);
    QVERIFY(finished.wait(60000));
    QVERIFY(!finished.at(0).at(1).toBool());
    const QString refusal = finished.at(0).at(2).toString();
    QVERIFY2(refusal.contains(QStringLiteral("inputs")), qPrintable(refusal)); // names the data input
    QMessageBox *box = resultBox(w);
    QVERIFY(box);
    QVERIFY(box->windowTitle().contains(QStringLiteral("cannot be reproduced")));
    QCOMPARE(box->detailedText(), refusal);
    QCOMPARE(project.recordedRuns(), size_t(1)); // nothing ran
    box->close();
}

QTEST_MAIN(tst_ReproduceFromWindow)
#include "tst_reproducefromwindow.moc"
