// RunReproducer on the shell engine: a deterministic run reproduced identically in a git
// worktree, a run whose artifact holds the time reported as different, and the refusals
// (unknown, unfinished, dirty and git-less runs, changed data) that run nothing.
#include "engine/scheduler.h"
#include "engine/shellexecutor.h"
#include "lineage/dataversioner.h"
#include "lineage/lineagerecorder.h"
#include "lineage/lineagestore.h"
#include "lineage/runrecordmapping.h"
#include "lineage/runreproducer.h"
#include "run/runexecution.h"
#include "run/runservice.h"
#include "vcs/gitinfo.h"
#include "vcs/gitworktree.h"

#include "pipeline/gitlabcireader.h"
#include <QSignalSpy>

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <thread>

#include "support/files.h"
#include "support/scopedenv.h"
#include <unistd.h>

using trainyard::test::git;
using trainyard::test::writeFile;

using namespace trainyard::core;

namespace {

/// What the run service does with a prepared reproduction: run it through RunExecution.
std::pair<RunRecord, QString> execute(const ReproductionRun &r)
{
    RunExecution execution(RunExecution::Setup{
        r.pipeline, r.engine, r.dockerEndpoint, r.options, true, r.databasePath, r.numberIn, r.events, {}, {}, {}});
    const auto result = execution.run();
    return {result ? *result : execution.snapshot(), result ? QString() : result.error().toString()};
}

/// A project with data/a.txt, committed (data too, unless `ignoreData`) on branch main.
struct Project
{
    QTemporaryDir dir;
    Project(const QByteArray &jobs, bool ignoreData = false, bool commit = true)
    {
        writeFile(dir.filePath(QStringLiteral(".gitlab-ci.yml")),
                  "stages: [build, test, deploy]\n.trainyard:\n  data:\n    inputs: data\n" + jobs);
        writeFile(dir.filePath(QStringLiteral(".gitignore")), ignoreData ? ".trainyard/\ndata/\n" : ".trainyard/\n");
        writeFile(dir.filePath(QStringLiteral("data/a.txt")), "hello\n");
        writeFile(dir.filePath(QStringLiteral("data/b.txt")), "world\n");
        if (!commit)
            return;
        git(path(), {QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("main")});
        git(path(), {QStringLiteral("add"), QStringLiteral("-A")});
        git(path(), {QStringLiteral("commit"), QStringLiteral("-qm"), QStringLiteral("init")});
    }
    QString path() const { return dir.path(); }

    /// Runs the pipeline with the shell engine as `trainyard run` does, lineage recorded; the run id.
    QString run(const QStringList &approvals = {}) const
    {
        GitlabCiReader::Options o;
        o.projectDir = path();
        RunExecution::Setup setup;
        setup.pipeline = GitlabCiReader::read(o);
        setup.engine = QStringLiteral("shell");
        setup.options.approvals = approvals;
        RunExecution execution(std::move(setup));
        const auto result = execution.run();
        return result ? result->id : execution.snapshot().id;
    }

    std::unique_ptr<LineageStore> store() const
    {
        return std::move(*LineageStore::open(LineageStore::defaultPath(path())));
    }

    Result<ReproductionReport> reproduce(const QString &runId, bool keepWorktree = true,
                                         std::vector<DataDifference> *data = nullptr) const
    {
        RunReproducer::Options options;
        options.execute = execute;
        options.engine = QStringLiteral("shell");
        options.keepWorktree = keepWorktree;
        options.execute = execute;
        RunReproducer reproducer(path(), runId, options);
        auto report = reproducer.run();
        if (data)
            *data = reproducer.dataDifferences();
        return report;
    }

    QStringList reproduceFolders() const
    {
        return QDir(dir.filePath(QStringLiteral(".trainyard/reproduce"))).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    }
};

const QByteArray kDeterministic = "build:\n  stage: build\n  script:\n"
                                  "    - mkdir -p out && cat data/a.txt > out/a.txt && echo fixed > out/fixed.txt\n"
                                  "  artifacts:\n    paths: [out/]\n"
                                  "lint:\n  stage: test\n  when: manual\n  script: [exit 1]\n"
                                  "publish:\n  stage: deploy\n  needs: [build]\n  when: manual\n"
                                  "  script: [\"mkdir -p pub && cp out/a.txt pub/a.txt\"]\n"
                                  "  artifacts:\n    paths: [pub/]\n";

const QByteArray kStamped = "stamp:\n  stage: build\n  script: ['date +%s%N > now.txt', 'echo same > same.txt']\n"
                            "  artifacts:\n    paths: [now.txt, same.txt]\n";

} // namespace

class tst_RunReproducer final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void reproducesIdentically();
    void reportsDifferentArtifacts();
    void jobsSeeTheOriginalsPipelineNumber();
    void removesTheWorktreeWhenAsked();
    void untrackedDataIsVerifiedWhereItWasRead();
    void refusesChangedData();
    void refusesUnknownRun();
    void refusesDirtyRun();
    void refusesUnfinishedRun();
    void refusesRunWithoutCommit();
    void cancelStopsTheReproduction();
    void reproductionThatCannotStartIsErrored();
};

void tst_RunReproducer::reproducesIdentically()
{
    Project p(kDeterministic);
    (void)p.run({QStringLiteral("publish")});                    // #1
    const QString original = p.run({QStringLiteral("publish")}); // #2
    const auto report = p.reproduce(original);
    QVERIFY2(report, qPrintable(report ? QString() : report.error().toString()));
    QVERIFY2(report->identical, qPrintable(report->toText()));
    QCOMPARE(report->comparedArtifacts, 3); // out/a.txt, out/fixed.txt, pub/a.txt
    QCOMPARE(report->reproductionStatus, QStringLiteral("success"));
    QVERIFY(report->toText().startsWith(QStringLiteral("identical: 3 artifacts")));

    auto store = p.store();
    const auto rows = *store->reproductions(original);
    QCOMPARE(rows.size(), size_t(1));
    QCOMPARE(rows.front().reproductionRunId, report->reproductionRunId);
    QVERIFY(rows.front().identical);
    QVERIFY(rows.front().differences.isEmpty());

    const auto originalRun = **store->run(original);
    const auto copy = **store->run(report->reproductionRunId);
    QCOMPARE(copy.trigger, QStringLiteral("reproduce"));
    QCOMPARE(originalRun.pipelineIid, 2);
    QCOMPARE(copy.pipelineIid, 3); // a run of its own: the project's next number, as GitLab would give it
    QCOMPARE(copy.reproduces, original);
    QCOMPARE(RunRecordMapping::toRunRecord(copy, {}, {}).reproduces, original);
    QCOMPARE(copy.commitSha, originalRun.commitSha);
    QCOMPARE(copy.branch, QStringLiteral("main"));
    QCOMPARE(copy.dirty, false);
    QCOMPARE(copy.status, QStringLiteral("success"));
    // The same jobs ran: the manual one that ran is approved again, the one that did not stays out.
    QStringList jobs;
    const std::vector<LineageJob> copyJobs = *store->jobs(copy.id);
    for (const LineageJob &j : copyJobs)
        jobs << j.name;
    jobs.sort();
    QCOMPARE(jobs, (QStringList{QStringLiteral("build"), QStringLiteral("publish")}));
    QCOMPARE(store->dataVersions(copy.id)->front().hash, store->dataVersions(original)->front().hash);

    // A real worktree at the recorded commit, HEAD detached, kept for inspection.
    QVERIFY(report->worktree.startsWith(p.path() + QStringLiteral("/.trainyard/reproduce/") + original +
                                        QStringLiteral("-1/")));
    const auto state = GitInfo::read(report->worktree);
    QVERIFY(state && state->isRepository);
    QCOMPARE(state->sha, originalRun.commitSha);
    QVERIFY(state->detached);
    QVERIFY(!state->dirty);
    QVERIFY(QFile::exists(report->worktree + QStringLiteral("/.git"))); // a linked worktree: .git is a file
    QVERIFY(QFileInfo(report->worktree + QStringLiteral("/.git")).isFile());
    QVERIFY(GitWorktree::nameInUse(p.path(), original + QStringLiteral("-1")));

    // A second reproduction gets a worktree of its own.
    const auto again = p.reproduce(original);
    QVERIFY(again && again->identical);
    QVERIFY(again->worktree.contains(original + QStringLiteral("-2/")));
    QCOMPARE(store->reproductions(original)->size(), size_t(2));
}

void tst_RunReproducer::reportsDifferentArtifacts()
{
    Project p(kStamped);
    const QString original = p.run();
    const auto report = p.reproduce(original);
    QVERIFY2(report, qPrintable(report ? QString() : report.error().toString()));
    QVERIFY(!report->identical);
    QCOMPARE(report->comparedArtifacts, 2);
    QCOMPARE(report->differences.size(), size_t(1));
    const ArtifactDifference &d = report->differences.front();
    QCOMPARE(d.job, QStringLiteral("stamp"));
    QCOMPARE(d.path, QStringLiteral("now.txt"));
    QCOMPARE(d.originalSha256.size(), 64);
    QCOMPARE(d.reproducedSha256.size(), 64);
    QVERIFY(d.originalSha256 != d.reproducedSha256);
    QVERIFY(report->jobDifferences.empty());
    const QString text = report->toText();
    QVERIFY2(text.contains(QStringLiteral("1 of 2 artifacts differ")), qPrintable(text));
    for (const QString &s : {QStringLiteral("JOB"), QStringLiteral("REPRODUCED"), d.originalSha256, d.reproducedSha256})
        QVERIFY2(text.contains(s), qPrintable(text));
    QVERIFY(text.contains(QRegularExpression(QStringLiteral("stamp +now.txt +") + d.originalSha256)));
    QVERIFY(!text.contains(QStringLiteral("same.txt")));

    const auto rows = *p.store()->reproductions(original);
    QCOMPARE(rows.size(), size_t(1));
    QVERIFY(!rows.front().identical);
    QCOMPARE(rows.front().differences, text);
}

void tst_RunReproducer::jobsSeeTheOriginalsPipelineNumber()
{
    // The reproduction is run #3, but a job that writes CI_PIPELINE_IID into what it makes must
    // make the same bytes as in #2: its jobs see the original's number.
    Project p("build:\n  stage: build\n  script: ['echo $CI_PIPELINE_IID $CI_PIPELINE_ID > iid.txt']\n"
              "  artifacts:\n    paths: [iid.txt]\n");
    (void)p.run();                    // #1
    const QString original = p.run(); // #2
    const auto report = p.reproduce(original);
    QVERIFY2(report && report->identical, qPrintable(report ? report->toText() : report.error().toString()));
    QCOMPARE(report->comparedArtifacts, 1);
    QCOMPARE((**p.store()->run(report->reproductionRunId)).pipelineIid, 3);
    const auto made = *p.store()->artifacts(report->reproductionRunId);
    QCOMPARE(made.size(), size_t(1));
    QCOMPARE(made.front().sha256,
             QString::fromLatin1(QCryptographicHash::hash("2 2\n", QCryptographicHash::Sha256).toHex()));
}

void tst_RunReproducer::removesTheWorktreeWhenAsked()
{
    Project p(kDeterministic);
    const QString original = p.run();
    const auto report = p.reproduce(original, false);
    QVERIFY(report && report->identical);
    QCOMPARE(report->comparedArtifacts, 2);
    QVERIFY(!QFile::exists(report->worktree));
    QVERIFY(p.reproduceFolders().isEmpty());
    QVERIFY(!GitWorktree::nameInUse(p.path(), original + QStringLiteral("-1")));
    QVERIFY(p.store()->run(report->reproductionRunId)->has_value()); // its lineage stays
}

void tst_RunReproducer::untrackedDataIsVerifiedWhereItWasRead()
{
    Project p(kStamped, true);
    const QString original = p.run();
    const auto report = p.reproduce(original);
    QVERIFY2(report, qPrintable(report ? QString() : report.error().toString()));
    QVERIFY(!QFile::exists(report->worktree + QStringLiteral("/data"))); // not in git, so not in the checkout
    auto store = p.store();
    const auto data = *store->dataVersions(report->reproductionRunId);
    QCOMPARE(data.size(), size_t(1));
    QCOMPARE(data.front().hash, store->dataVersions(original)->front().hash);
    QCOMPARE(data.front().path, p.path() + QStringLiteral("/data")); // mounted from where it was verified
}

void tst_RunReproducer::refusesChangedData()
{
    Project p(kStamped, true);
    const QString original = p.run();
    auto store = p.store();
    const LineageDataVersion recorded = store->dataVersions(original)->front();
    QTest::qWait(20); // the change lands after the run started
    QVERIFY(writeFile(p.dir.filePath(QStringLiteral("data/a.txt")), "hellO\n"));
    const QString now = DataVersioner().version(p.dir.filePath(QStringLiteral("data")))->hash;

    std::vector<DataDifference> differences;
    const auto report = p.reproduce(original, true, &differences);
    QVERIFY(!report);
    const QString message = report.error().message;
    for (const QString &s :
         {QStringLiteral("data input 'inputs'"), p.dir.filePath(QStringLiteral("data")), recorded.hash, now})
        QVERIFY2(message.contains(s), qPrintable(message));
    QCOMPARE(differences.size(), size_t(1));
    const DataDifference &d = differences.front();
    QCOMPARE(d.name, QStringLiteral("inputs"));
    QCOMPARE(d.path, p.dir.filePath(QStringLiteral("data")));
    QCOMPARE(d.recordedHash, recorded.hash);
    QCOMPARE(d.currentHash, now);
    QCOMPARE(d.recordedFiles, 2);
    QCOMPARE(d.currentFiles, 2);
    QCOMPARE(d.changedFiles, QStringList{QStringLiteral("a.txt")});

    // Nothing ran and nothing is left behind.
    QCOMPARE(store->runs()->size(), size_t(1));
    QVERIFY(store->reproductions(original)->empty());
    QVERIFY(p.reproduceFolders().isEmpty());
    QVERIFY(!GitWorktree::nameInUse(p.path(), original + QStringLiteral("-1")));

    // A removed input is a difference too.
    QVERIFY(QDir(p.dir.filePath(QStringLiteral("data"))).removeRecursively());
    const auto missing = p.reproduce(original, true, &differences);
    QVERIFY(!missing);
    QVERIFY2(missing.error().message.contains(QStringLiteral("does not exist")), qPrintable(missing.error().message));
}

void tst_RunReproducer::refusesUnknownRun()
{
    Project p(kStamped);
    (void)p.run();
    const auto report = p.reproduce(QStringLiteral("20000101-000000-dead"));
    QVERIFY(!report);
    QVERIFY2(report.error().message.contains(QStringLiteral("no run '20000101-000000-dead'")) &&
                 report.error().message.contains(QStringLiteral("trainyard runs")),
             qPrintable(report.error().message));
    // A project without lineage at all says so (and creates nothing).
    QTemporaryDir empty;
    RunReproducer none(empty.path(), QStringLiteral("x"), {});
    const auto nothing = none.run();
    QVERIFY(!nothing);
    QVERIFY2(nothing.error().message.contains(QStringLiteral("no lineage is recorded")),
             qPrintable(nothing.error().message));
    QVERIFY(!QFile::exists(LineageStore::defaultPath(empty.path())));
}

void tst_RunReproducer::refusesDirtyRun()
{
    Project p(kStamped);
    QVERIFY(writeFile(p.dir.filePath(QStringLiteral("data/a.txt")), "uncommitted\n"));
    const QString original = p.run();
    auto store = p.store();
    const LineageRun run = **store->run(original);
    QVERIFY(run.dirty);
    const auto report = p.reproduce(original);
    QVERIFY(!report);
    QVERIFY2(report.error().message.contains(QStringLiteral("uncommitted changes")) &&
                 report.error().message.contains(run.diffHash.left(12)) && report.error().message.contains(original),
             qPrintable(report.error().message));
    QCOMPARE(store->runs()->size(), size_t(1));
    QVERIFY(p.reproduceFolders().isEmpty());
}

void tst_RunReproducer::refusesUnfinishedRun()
{
    Project p(kStamped);
    const QString original = p.run();
    auto store = p.store();
    LineageRun running = **store->run(original);
    running.id = QStringLiteral("20000101-000000-beef");
    running.status = QStringLiteral("running");
    running.pid = ::getpid(); // alive: not taken for an interrupted run
    QVERIFY(store->recordRun(running));
    const auto report = p.reproduce(running.id);
    QVERIFY(!report);
    QVERIFY2(report.error().message.contains(QStringLiteral("has not finished")), qPrintable(report.error().message));
}

void tst_RunReproducer::refusesRunWithoutCommit()
{
    Project p(kStamped, false, false);
    const QString original = p.run();
    const auto report = p.reproduce(original);
    QVERIFY(!report);
    QVERIFY2(report.error().message.contains(QStringLiteral("not made in a git repository")),
             qPrintable(report.error().message));
}

void tst_RunReproducer::cancelStopsTheReproduction()
{
    // The job naps only when NAP is set (the shell engine passes the environment on): in the reproduction.
    Project p("nap:\n  stage: build\n  script: ['sleep ${NAP:-0}', 'echo done > out.txt']\n"
              "  artifacts:\n    paths: [out.txt]\n");
    const QString original = p.run();
    qputenv("NAP", "30");
    // Cancelled as the window and Ctrl-C cancel it: through the run service.
    RunService service;
    std::optional<ReproductionReport> report;
    QSignalSpy finished(&service, &RunService::finished);
    connect(&service, &RunService::reproduced, this, [&](const ReproductionReport &r) { report = r; });
    RunService::Request request;
    request.projectDir = p.path();
    request.reproduce = original;
    request.engine = QStringLiteral("shell");
    QElapsedTimer timer;
    timer.start();
    QVERIFY(service.start(std::move(request)));
    QTest::qWait(800);
    service.cancel();
    QVERIFY(finished.wait(30000));
    qunsetenv("NAP");
    QVERIFY(report);
    QCOMPARE(report->reproductionStatus, QStringLiteral("cancelled"));
    QVERIFY(!report->identical);
    QCOMPARE(report->jobDifferences.size(), size_t(1));
    QCOMPARE(report->jobDifferences.front().reproducedStatus, QStringLiteral("cancelled"));
    QVERIFY2(timer.elapsed() < 20000, qPrintable(QString::number(timer.elapsed())));
}

void tst_RunReproducer::reproductionThatCannotStartIsErrored()
{
    // The original ran; its reproduction finds no shell to run jobs with (as an engine that
    // refuses to create containers): that is an error of the reproduction, not a verdict.
    Project p(kDeterministic);
    const QString original = p.run();
    RunReproducer::Options options;
    options.engine = QStringLiteral("shell");
    options.execute = [](const ReproductionRun &r) {
        const trainyard::test::ScopedEnv noShell("PATH", "/nonexistent");
        return execute(r);
    };
    RunReproducer reproducer(p.path(), original, options);
    const auto report = reproducer.run();
    QVERIFY2(report, qPrintable(report ? QString() : report.error().toString()));
    QVERIFY(report->errored);
    QVERIFY(!report->identical);
    QVERIFY2(report->failure.contains(QStringLiteral("no shell")), qPrintable(report->failure));
    QVERIFY(report->differences.empty()); // nothing compared: not "2 of 2 artifacts differ (missing)"
    const QString text = report->toText();
    QVERIFY2(text.startsWith(QStringLiteral("errored: ")) && text.contains(QStringLiteral("no verdict")),
             qPrintable(text));
    QVERIFY(!text.contains(QStringLiteral("differ")));

    const auto rows = *p.store()->reproductions(original);
    QCOMPARE(rows.size(), size_t(1));
    QVERIFY(rows.front().errored);
    QVERIFY(!rows.front().identical);
    QCOMPARE(rows.front().differences, text);
}

QTEST_GUILESS_MAIN(tst_RunReproducer)
#include "tst_runreproducer.moc"
