// LineageRecorder fed by a real Scheduler run on the shell engine: every field it records, secrets
// kept out of the database, consumption as the scheduler stages artifacts, gates from a metrics
// JSON artifact, retries (reused jobs), dirty trees, and a damaged database not stopping a run.
#include "common/username.h"
#include "engine/runrecord.h"
#include "engine/scheduler.h"
#include "engine/shellexecutor.h"
#include "lineage/dataversioner.h"
#include "lineage/lineagerecorder.h"
#include "lineage/lineagestore.h"
#include "pipeline/gitlabcireader.h"
#include "pipeline/secretsource.h"
#include "vcs/gitinfo.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>

#include "support/files.h"
#include <unistd.h>

using trainyard::test::git;
using trainyard::test::writeFile;

using namespace trainyard::core;

namespace {

const char *const kSecret = "s3cr3t-value-9f2";

QByteArray pipelineYaml()
{
    QFile f(QStringLiteral(TRAINYARD_TEST_DATA "/lineage/recorder-pipeline.yml"));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

struct Project
{
    QTemporaryDir dir;
    Project()
    {
        writeFile(dir.filePath(QStringLiteral(".gitlab-ci.yml")), pipelineYaml());
        writeFile(dir.filePath(QStringLiteral(".gitignore")), ".trainyard/\n");
        writeFile(dir.filePath(QStringLiteral("data/train.csv")), "x,y\n1,0\n2,1\n");
        writeFile(dir.filePath(QStringLiteral("data/extra/notes.txt")), "notes\n");
        writeFile(dir.filePath(QStringLiteral(".trainyard/secrets.env")), QByteArray("API_TOKEN=") + kSecret + '\n');
        git(dir.path(), {QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("main")});
        git(dir.path(), {QStringLiteral("add"), QStringLiteral("-A")});
        git(dir.path(), {QStringLiteral("-c"), QStringLiteral("user.name=Tess"), QStringLiteral("-c"),
                         QStringLiteral("user.email=tess@example.org"), QStringLiteral("commit"), QStringLiteral("-qm"),
                         QStringLiteral("Initial model\n\nwith a body")});
    }
    QString path() const { return dir.path(); }
    QString db() const { return dir.filePath(QStringLiteral(".trainyard/lineage.db")); }

    /// One run through the scheduler with the recorder wired as runcommand.cpp wires it.
    RunRecord run(RunOptions options = {}, QStringList *messages = nullptr) const
    {
        GitlabCiReader::Options o;
        o.projectDir = dir.path();
        const Pipeline pipeline = GitlabCiReader::read(o);
        for (const Error &e : pipeline.problems)
            qWarning("%s", qPrintable(e.toString()));
        if (pipeline.hasErrors() || pipeline.jobs.empty())
            qFatal("the test pipeline is not valid");
        auto secrets = SecretSource::load(pipeline.projectDir, pipeline.trainyard.secrets);
        options.secrets = secrets ? secrets->values : QHash<QString, QString>{};
        ShellExecutor executor;
        LineageRecorder::Options lo;
        lo.onlyJobs = options.onlyJobs;
        lo.secrets = options.secrets;
        lo.trigger = options.trigger;
        lo.message = [messages](const QString &m) {
            if (messages)
                *messages << m;
        };
        LineageRecorder recorder(pipeline, lo);
        Scheduler scheduler(pipeline, executor, options, recorder.wrap({}));
        recorder.runStarted(scheduler.runId(), executor.name());
        const auto result = scheduler.run();
        if (!result)
            qWarning("the run failed: %s", qPrintable(result.error().toString()));
        const RunRecord record = result ? *result : scheduler.snapshot();
        recorder.runFinished(record);
        return record;
    }
};

std::unique_ptr<LineageStore> open(const Project &p)
{
    auto store = LineageStore::open(p.db());
    return store ? std::move(*store) : nullptr;
}

const LineageJob *find(const std::vector<LineageJob> &jobs, const QString &name)
{
    for (const LineageJob &j : jobs) {
        if (j.name == name)
            return &j;
    }
    return nullptr;
}

QByteArray fileBytes(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class tst_LineageRecorder final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void recordsEveryField();
    void secretsNeverReachTheDatabase();
    void retryRecordsReusedJobs();
    void dirtyTreeRecordsDiffHash();
    void damagedDatabaseDoesNotStopTheRun();
    void runNumberIsRecordedBeforeTheEnd();
};

void tst_LineageRecorder::recordsEveryField()
{
    Project p;
    QStringList messages;
    const RunRecord record = p.run({}, &messages);
    QCOMPARE(record.status, RunStatus::Success);
    QVERIFY2(messages.isEmpty(), qPrintable(messages.join(u'\n')));

    auto store = open(p);
    QVERIFY(store);
    auto run = store->run(record.id);
    QVERIFY(run && *run);
    const LineageRun &r = **run;
    const GitState git = *GitInfo::read(p.path());
    QCOMPARE(r.branch, QStringLiteral("main"));
    QCOMPARE(r.commitSha, git.sha);
    QCOMPARE(r.dirty, false);
    QVERIFY(r.diffHash.isEmpty());
    QCOMPARE(r.user, currentUserName());
    QVERIFY(!r.user.isEmpty());
    QCOMPARE(r.host, QSysInfo::machineHostName());
    QCOMPARE(r.pid, qint64(::getpid()));
    QCOMPARE(r.trigger, QStringLiteral("cli"));
    QCOMPARE(r.engine, QStringLiteral("shell"));
    QCOMPARE(r.status, QStringLiteral("success"));
    QCOMPARE(r.pipelineIid, record.pipelineIid);
    QCOMPARE(r.pipelineFile, QStringLiteral(".gitlab-ci.yml"));
    QCOMPARE(r.started, record.started);
    QCOMPARE(r.finished, record.finished);
    QCOMPARE(r.durationMs, record.started.msecsTo(record.finished));
    QCOMPARE(r.protectedBranches, QStringList{QStringLiteral("main")});

    auto commit = store->commit(git.sha);
    QVERIFY(commit && *commit);
    QCOMPARE((*commit)->authorName, QStringLiteral("Tess"));
    QCOMPARE((*commit)->authorEmail, QStringLiteral("tess@example.org"));
    QCOMPARE((*commit)->message, QStringLiteral("Initial model\n\nwith a body"));
    QCOMPARE((*commit)->committed, git.commitTime.toUTC());

    auto jobs = store->jobs(record.id);
    QVERIFY(jobs);
    QCOMPARE(jobs->size(), size_t(4));
    for (const LineageJob &j : *jobs) {
        const JobRecord &expected = record.jobs.at(j.name);
        QCOMPARE(j.status, jobStatusToString(expected.status));
        QCOMPARE(j.exitCode, expected.exitCode);
        QCOMPARE(j.attempts, expected.attempts);
        QCOMPARE(j.started, expected.started);
        QCOMPARE(j.finished, expected.finished);
        QCOMPARE(j.engine, QStringLiteral("shell"));
        QCOMPARE(j.isolation, expected.isolation);
        QCOMPARE(j.logFile, expected.logFile);
        QCOMPARE(j.stage, expected.stage);
        QCOMPARE(j.cpuFallback, false);
        QVERIFY(j.gpus.isEmpty());
        QVERIFY(j.reusedFrom.isEmpty());
    }
    const LineageJob *lint = find(*jobs, QStringLiteral("lint"));
    QCOMPARE(lint->status, QStringLiteral("failed (allowed)"));
    QCOMPARE(lint->exitCode, 3);
    QCOMPARE(lint->allowFailure, true);
    QCOMPARE(find(*jobs, QStringLiteral("train"))->tensorboardDir, QStringLiteral("logs"));
    QCOMPARE(*store->jobEdges(record.id, QStringLiteral("train")), QStringList{QStringLiteral("prepare")});
    QCOMPARE(*store->jobEdges(record.id, QStringLiteral("evaluate")), QStringList{QStringLiteral("train")});
    QVERIFY(store->jobEdges(record.id, QStringLiteral("prepare"))->isEmpty());

    // Artifacts, as the artifact store holds them, with their expiry.
    auto prepared = store->artifacts(record.id, QStringLiteral("prepare"));
    QVERIFY(prepared && prepared->size() == 1);
    QCOMPARE(prepared->front().path, QStringLiteral("out/clean.csv"));
    QCOMPARE(prepared->front().sha256, DataVersioner::sha256Hex("x,y\n1,0\n2,1\n"));
    QCOMPARE(prepared->front().size, 12);
    QCOMPARE(prepared->front().expires, record.jobs.at(QStringLiteral("prepare")).finished.addDays(7));
    auto model = store->artifacts(record.id, QStringLiteral("train"));
    QVERIFY(model && model->size() == 1);
    QCOMPARE(model->front().sha256, DataVersioner::sha256Hex("x,y\n1,0\n2,1\nlr=0.1\n"));
    QVERIFY(!model->front().expires.isValid());

    // Consumption: what the scheduler staged (needs), not everything upstream.
    auto trainIn = store->consumptions(record.id, QStringLiteral("train"));
    QVERIFY(trainIn && trainIn->size() == 1);
    QCOMPARE(trainIn->front().producerJob, QStringLiteral("prepare"));
    QCOMPARE(trainIn->front().path, QStringLiteral("out/clean.csv"));
    QCOMPARE(trainIn->front().sha256, prepared->front().sha256);
    auto evalIn = store->consumptions(record.id, QStringLiteral("evaluate"));
    QVERIFY(evalIn && evalIn->size() == 1);
    QCOMPARE(evalIn->front().path, QStringLiteral("models/model.txt"));

    // Data: the content hash of the declared input.
    auto data = store->dataVersions(record.id);
    QVERIFY(data && data->size() == 1);
    QCOMPARE(data->front().name, QStringLiteral("raw"));
    QCOMPARE(data->front().path, QStringLiteral("data"));
    QCOMPARE(data->front().hash, DataVersioner().version(p.dir.filePath(QStringLiteral("data")))->hash);
    QCOMPARE(data->front().fileCount, 2);
    QCOMPARE(data->front().totalBytes, 12 + 6);
    QVERIFY(data->front().dvcMd5.isEmpty());

    // Variables, run-wide and per job.
    auto variables = store->variables(record.id);
    QVERIFY(variables);
    QStringList names;
    for (const LineageVariable &v : *variables)
        names << (v.job.isEmpty() ? QString() : v.job + u':') + v.name + u'=' + v.value;
    QVERIFY2(names.contains(QStringLiteral("EPOCHS=3")), qPrintable(names.join(u' ')));
    QVERIFY2(names.contains(QStringLiteral("train:LR=0.1")), qPrintable(names.join(u' ')));

    // Numbers evaluate reported in files: its metrics.json, and its GitLab metrics and dotenv
    // reports (collected although `paths` does not name them); text values are not metrics, and
    // a secret's variable (API_TOKEN) never is.
    auto metrics = store->metrics(record.id);
    QVERIFY(metrics);
    QStringList reported;
    for (const LineageMetric &m : *metrics)
        reported << QStringLiteral("%1:%2=%3 (%4)").arg(m.job, m.name).arg(m.value).arg(m.source);
    QCOMPARE(reported.join(QStringLiteral("; ")), QStringLiteral("evaluate:HELD_OUT_ACCURACY=0.885 (eval.env); "
                                                                 "evaluate:accuracy=0.9 (metrics.json); "
                                                                 "evaluate:accuracy_top5=0.97 (metrics.txt); "
                                                                 "evaluate:loss=0.2 (metrics.json)"));
    QStringList evaluatePaths;
    const auto evaluated = store->artifacts(record.id, QStringLiteral("evaluate"));
    QVERIFY(evaluated);
    for (const LineageArtifact &a : *evaluated)
        evaluatePaths << a.path;
    QCOMPARE(evaluatePaths,
             (QStringList{QStringLiteral("eval.env"), QStringLiteral("metrics.json"), QStringLiteral("metrics.txt")}));

    // Gates, from the numbers of evaluate's metrics.json.
    auto gates = store->gates(record.id);
    QVERIFY(gates && gates->size() == 2);
    for (const LineageGate &g : *gates) {
        QCOMPARE(g.job, QStringLiteral("evaluate"));
        QCOMPARE(g.source, QStringLiteral("metrics.json"));
        if (g.metric == QLatin1String("accuracy")) {
            QCOMPARE(g.outcome, QStringLiteral("passed"));
            QCOMPARE(g.value, std::optional<double>(0.9));
            QCOMPARE(g.threshold, 0.85);
        } else {
            QCOMPARE(g.metric, QStringLiteral("loss"));
            QCOMPARE(g.op, QStringLiteral("<"));
            QCOMPARE(g.outcome, QStringLiteral("failed"));
        }
    }
    // Final TensorBoard values arrive later through the store (the metrics reader's call).
    QVERIFY(store->recordScalars(record.id, QStringLiteral("train"), {{QStringLiteral("loss"), 0.05}}));
    QCOMPARE(store->scalars(record.id)->front().value, 0.05);
    QVERIFY(store->images(record.id)->empty()); // the shell engine runs no image
}

void tst_LineageRecorder::secretsNeverReachTheDatabase()
{
    Project p;
    const RunRecord record = p.run();
    QCOMPARE(record.status, RunStatus::Success);
    auto store = open(p);
    const auto recorded = store->variables(record.id);
    QVERIFY(recorded);
    for (const LineageVariable &v : *recorded) {
        QVERIFY2(v.name != QLatin1String("API_TOKEN"), "a secret variable was recorded by name");
        if (v.name == QLatin1String("URL"))
            QCOMPARE(v.value, QStringLiteral("https://user:[MASKED]@example.org"));
    }
    store.reset();
    // Nowhere in the files: the database, its WAL, its shared memory.
    for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
        QVERIFY2(!fileBytes(p.db() + suffix).contains(kSecret), qPrintable(p.db() + suffix));
}

void tst_LineageRecorder::retryRecordsReusedJobs()
{
    Project p;
    const RunRecord first = p.run();
    RunOptions retry;
    retry.retryFrom = first;
    retry.onlyJobs = {QStringLiteral("evaluate")};
    const RunRecord second = p.run(retry);
    QCOMPARE(second.status, RunStatus::Success);
    auto store = open(p);
    const auto train = store->job(second.id, QStringLiteral("train"));
    QVERIFY(train && *train);
    QCOMPARE((*train)->reusedFrom, first.id);
    QCOMPARE((*train)->status, QStringLiteral("success"));
    QVERIFY((*store->job(second.id, QStringLiteral("evaluate")))->reusedFrom.isEmpty());
    // evaluate in the retry was staged the model the first run made.
    const auto in = store->consumptions(second.id, QStringLiteral("evaluate"));
    QCOMPARE(in->size(), size_t(1));
    QCOMPARE(in->front().sha256, store->artifacts(first.id, QStringLiteral("train"))->front().sha256);
    // Upstream of the retried evaluate: the reused train, and train/prepare of the first run.
    const auto up = store->upstreamOf(LineageJobRef{second.id, QStringLiteral("evaluate")});
    QVERIFY(up);
    QVERIFY(std::find(up->begin(), up->end(), LineageJobRef{first.id, QStringLiteral("train")}) != up->end());
    QVERIFY(std::find(up->begin(), up->end(), LineageJobRef{first.id, QStringLiteral("prepare")}) != up->end());
}

void tst_LineageRecorder::dirtyTreeRecordsDiffHash()
{
    Project p;
    QVERIFY(writeFile(p.dir.filePath(QStringLiteral("data/train.csv")), "x,y\n1,1\n"));
    const auto expected = GitInfo::diffHash(p.path());
    QVERIFY(expected && expected->size() == 64);
    const RunRecord record = p.run();
    auto store = open(p);
    const auto run = *store->run(record.id);
    QCOMPARE(run->dirty, true);
    QCOMPARE(run->diffHash, *expected);
    // Another change, another hash; undoing it, none.
    QVERIFY(writeFile(p.dir.filePath(QStringLiteral("data/train.csv")), "x,y\n1,2\n"));
    QVERIFY(*GitInfo::diffHash(p.path()) != *expected);
    git(p.path(), {QStringLiteral("checkout"), QStringLiteral("--"), QStringLiteral("data/train.csv")});
    QCOMPARE(*GitInfo::diffHash(p.path()), QString());
}

void tst_LineageRecorder::damagedDatabaseDoesNotStopTheRun()
{
    Project p;
    QVERIFY(writeFile(p.db(), QByteArray(8192, 'x')));
    QStringList messages;
    const RunRecord record = p.run({}, &messages);
    QCOMPARE(record.status, RunStatus::Success);
    QVERIFY(!messages.isEmpty());
    QVERIFY2(messages.first().contains(QStringLiteral("lineage is not recorded")), qPrintable(messages.join(u'\n')));
    QVERIFY(messages.first().contains(p.db()));
}

void tst_LineageRecorder::runNumberIsRecordedBeforeTheEnd()
{
    // A run killed mid-way keeps its number in the lineage: it is written when the scheduler
    // knows it, not at the end.
    Project p;
    p.run(); // #1
    GitlabCiReader::Options o;
    o.projectDir = p.path();
    const Pipeline pipeline = GitlabCiReader::read(o);
    ShellExecutor executor;
    LineageRecorder recorder(pipeline, {});
    qint64 iidWhileRunning = -1;
    QString runId;
    SchedulerEvents events;
    events.jobChanged = [&](const JobRecord &job) {
        if (job.status != JobStatus::Running || iidWhileRunning >= 0)
            return;
        recorder.flush();
        auto store = LineageStore::open(p.db());
        if (store && *(*store)->run(runId))
            iidWhileRunning = (*(*store)->run(runId))->pipelineIid;
    };
    RunOptions options; // numbered by the store, as the run service has it
    options.numberRun = [&](const RunRecord &record) -> Result<qint64> {
        auto store = LineageStore::open(p.db());
        return (*store)->allocatePipelineIid(record.id, pipeline.projectDir);
    };
    Scheduler scheduler(pipeline, executor, options, recorder.wrap(events));
    runId = scheduler.runId();
    recorder.runStarted(runId, executor.name());
    const auto result = scheduler.run();
    QVERIFY(result);
    recorder.runFinished(*result);
    QCOMPARE(result->pipelineIid, 2);
    QCOMPARE(iidWhileRunning, 2);
}

QTEST_GUILESS_MAIN(tst_LineageRecorder)
#include "tst_lineagerecorder.moc"
