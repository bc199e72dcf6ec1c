// The scheduler with the shell executor: GitLab's run semantics without Docker.
#include "engine/dockerclient.h"
#include "engine/dockerexecutor.h"
#include "engine/runrecord.h"
#include "engine/scheduler.h"
#include "engine/shellexecutor.h"
#include "pipeline/gitlabcireader.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include "support/files.h"
#include "support/scopedenv.h"
#include <mutex>
#include <thread>

using trainyard::test::git;

using namespace trainyard::core;

namespace {

#ifdef TRAINYARD_SCHEDULER_DOCKER
constexpr bool kDocker = true;
#else
constexpr bool kDocker = false;
#endif
const char *const kImage = "trainyard-test/scheduler-busybox:1";

struct Project
{
    QTemporaryDir dir;
    explicit Project(const QByteArray &yaml)
    {
        QFile f(dir.filePath(QStringLiteral(".gitlab-ci.yml")));
        (void)f.open(QIODevice::WriteOnly);
        if (kDocker && !yaml.contains("default:"))
            f.write(QByteArray("default:\n  image: ") + kImage + "\n");
        f.write(yaml);
        f.close();
        QFile ignore(dir.filePath(QStringLiteral(".gitignore")));
        (void)ignore.open(QIODevice::WriteOnly);
        ignore.write(".trainyard/\n");
        ignore.close();
        git(dir.path(), {QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("main")});
        git(dir.path(), {QStringLiteral("add"), QStringLiteral("-A")});
        git(dir.path(), {QStringLiteral("commit"), QStringLiteral("-qm"), QStringLiteral("init")});
    }
    Pipeline pipeline() const
    {
        GitlabCiReader::Options o;
        o.projectDir = dir.path();
        return GitlabCiReader::read(o);
    }
    QString log(const RunRecord &r, const QString &job) const
    {
        QFile f(dir.filePath(r.jobs.at(job).logFile));
        (void)f.open(QIODevice::ReadOnly);
        return QString::fromUtf8(f.readAll());
    }
};

struct Recorder
{
    std::mutex mutex;
    QStringList lines;
    SchedulerEvents events()
    {
        SchedulerEvents e;
        e.log = [this](const QString &job, const LogLine &l) {
            std::lock_guard lock(mutex);
            lines << job + QStringLiteral(": ") + l.text;
        };
        return e;
    }
};

std::unique_ptr<JobExecutor> makeExecutor(const Project &p)
{
    if (kDocker) {
        const Pipeline pipeline = p.pipeline();
        return std::make_unique<DockerExecutor>(DockerClient::defaultEndpoint(), pipeline.trainyard, p.dir.path());
    }
    return std::make_unique<ShellExecutor>();
}

JobStatus statusOf(const RunRecord &r, const QString &job)
{
    return r.jobs.at(job).status;
}

} // namespace

class tst_Scheduler final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void needsRunInParallel();
    void teamStoreCredentialsStayOutOfJobs();
    void failuresSkipAndAllow();
    void retryThenSuccess();
    void timeoutStopsJob();
    void cancelRun();
    void cancelOneJob();
    void manualJobs();
    void secretsAreMasked();
    void artifactsTravel();
    void artifactPathEscapeIsRefused();
    void artifactPathsExpandVariablesAndWarn();
    void gpuJobRefusedWithoutGpu();
    void gpuJobsGetDistinctGpus();
    void retryReusesSucceededNeeds();
    void outOfMemoryIsRecorded();
    void servicesAreReachableByAlias();
    void privilegedServiceIsRefused();
    void serviceThatCannotStartLeavesNothing();
    void pinnedImageIsUsedNotBuilt();
    void namesThatSanitiseAlikeDoNotCollide();

private:
    QString m_originalPath;
};

void tst_Scheduler::initTestCase()
{
    m_originalPath = qEnvironmentVariable("PATH");
    if (!kDocker)
        return;
    if (qEnvironmentVariableIsSet("TRAINYARD_SKIP_DOCKER"))
        QSKIP("TRAINYARD_SKIP_DOCKER is set");
    // A tiny shell image, built offline: FROM scratch + a static busybox.
    DockerClient client(DockerClient::defaultEndpoint());
    const auto ping = client.ping();
    QVERIFY2(ping,
             qPrintable(ping ? QString()
                             : ping.error().message + QStringLiteral(" — start one with `bash .ci/start-docker`")));
    QTemporaryDir context;
    QVERIFY(QFile::copy(QStringLiteral("/bin/busybox"), context.filePath(QStringLiteral("busybox"))));
    QFile dockerfile(context.filePath(QStringLiteral("Dockerfile")));
    QVERIFY(dockerfile.open(QIODevice::WriteOnly));
    dockerfile.write(
        "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n");
    dockerfile.close();
    const auto built =
        client.buildImage(context.path(), QString(), QString::fromLatin1(kImage), [](const QString &) {});
    QVERIFY2(built, qPrintable(built ? QString() : built.error().message));
}

void tst_Scheduler::needsRunInParallel()
{
    Project p("stages: [build, test]\n"
              "a:\n  stage: build\n  script: [sleep 1, echo a-done]\n"
              "b:\n  stage: build\n  script: [sleep 1]\n"
              "c:\n  stage: test\n  needs: [a]\n  script: [echo c]\n"
              "d:\n  stage: test\n  script: [echo d]\n");
    const Pipeline pipeline = p.pipeline();
    auto executorPtr = makeExecutor(p);
    JobExecutor &shell = *executorPtr;
    RunOptions options;
    options.concurrency = 2;
    Scheduler s(pipeline, shell, options, {});
    const auto r = s.run();
    QVERIFY2(r, r ? "" : qPrintable(r.error().toString()));
    QCOMPARE(r->status, RunStatus::Success);
    const auto &a = r->jobs.at(QStringLiteral("a"));
    const auto &b = r->jobs.at(QStringLiteral("b"));
    const auto &c = r->jobs.at(QStringLiteral("c"));
    QVERIFY(a.started < b.finished && b.started < a.finished); // a and b overlapped
    QVERIFY(c.started >= a.finished);
    QVERIFY(r->jobs.at(QStringLiteral("d")).started >= b.finished); // stage order without needs
    QVERIFY(p.log(*r, QStringLiteral("a")).contains(QStringLiteral("a-done")));
    QCOMPARE(a.exitCode, 0);
    QCOMPARE(a.isolation, kDocker ? QStringLiteral("docker container") : QStringLiteral("none (host shell)"));
}

void tst_Scheduler::teamStoreCredentialsStayOutOfJobs()
{
    // What reaches Trainyard's team store is Trainyard's: a job that prints its environment must
    // not log the password (the shell engine starts jobs from Trainyard's own environment).
    trainyard::test::ScopedEnv password("PGPASSWORD", "pg-secret-value");
    trainyard::test::ScopedEnv url("TRAINYARD_LINEAGE_URL", "postgresql://ada:url-secret-value@db/lineage");
    Project p("show:\n  script: ['echo \"pw=[$PGPASSWORD] url=[$TRAINYARD_LINEAGE_URL]\"']\n");
    const Pipeline pipeline = p.pipeline();
    auto executor = makeExecutor(p);
    Scheduler s(pipeline, *executor, {}, {});
    const auto r = s.run();
    QVERIFY(r);
    QCOMPARE(r->status, RunStatus::Success);
    const QString log = p.log(*r, QStringLiteral("show"));
    QVERIFY2(log.contains(QStringLiteral("pw=[] url=[]")), qPrintable(log));
    QVERIFY(!log.contains(QStringLiteral("secret-value")));
}

// The hardening issue's M2: `a/b`, `a_b` and `a\b` once shared a workspace, a log file and a
// container name: jobs failed for no reason or their logs mixed.
void tst_Scheduler::namesThatSanitiseAlikeDoNotCollide()
{
    Project p("stages: [one]\n"
              "a/b:\n  stage: one\n  script: [echo slash > mine.txt, sleep 1, cat mine.txt]\n"
              "a_b:\n  stage: one\n  script: [echo underscore > mine.txt, sleep 1, cat mine.txt]\n"
              "'a\\b':\n  stage: one\n  script: [echo backslash > mine.txt, sleep 1, cat mine.txt]\n");
    const Pipeline pipeline = p.pipeline();
    QCOMPARE(pipeline.jobs.size(), size_t(3));
    auto executor = makeExecutor(p);
    RunOptions options;
    options.concurrency = 3;
    Scheduler s(pipeline, *executor, options, {});
    const auto r = s.run();
    QVERIFY2(r, r ? "" : qPrintable(r.error().toString()));
    QCOMPARE(r->status, RunStatus::Success);
    QSet<QString> logFiles;
    for (const auto &[job, word] : {std::pair{QStringLiteral("a/b"), QStringLiteral("slash")},
                                    std::pair{QStringLiteral("a_b"), QStringLiteral("underscore")},
                                    std::pair{QStringLiteral("a\\b"), QStringLiteral("backslash")}}) {
        const QString log = p.log(*r, job);
        QVERIFY2(log.contains(word), qPrintable(job + QStringLiteral(": ") + log));
        for (const QString &other :
             {QStringLiteral("slash\n"), QStringLiteral("underscore\n"), QStringLiteral("backslash\n")})
            QVERIFY2(other == word + u'\n' || !log.contains(u'\n' + other),
                     qPrintable(job + QStringLiteral(": ") + log));
        logFiles << r->jobs.at(job).logFile;
    }
    QCOMPARE(logFiles.size(), 3);
}

void tst_Scheduler::failuresSkipAndAllow()
{
    Project p("stages: [one, two, three]\n"
              "ok:\n  stage: one\n  script: [exit 0]\n"
              "flaky:\n  stage: one\n  allow_failure: true\n  script: [exit 3]\n"
              "codes:\n  stage: one\n  allow_failure: {exit_codes: [4]}\n  script: [exit 4]\n"
              "broken:\n  stage: two\n  script: [exit 2]\n"
              "after:\n  stage: three\n  script: [echo never]\n"
              "cleanup:\n  stage: three\n  when: always\n  script: [echo cleanup]\n"
              "notify:\n  stage: three\n  when: on_failure\n  script: [echo notify]\n");
    auto executorPtr = makeExecutor(p);
    JobExecutor &shell = *executorPtr;
    const Pipeline pipeline = p.pipeline();
    Scheduler s(pipeline, shell, {}, {});
    const auto r = s.run();
    QVERIFY(r);
    QCOMPARE(statusOf(*r, QStringLiteral("flaky")), JobStatus::FailedAllowed);
    QCOMPARE(statusOf(*r, QStringLiteral("codes")), JobStatus::FailedAllowed);
    QCOMPARE(statusOf(*r, QStringLiteral("broken")), JobStatus::Failed);
    QCOMPARE(r->jobs.at(QStringLiteral("broken")).exitCode, 2);
    QVERIFY(!r->jobs.at(QStringLiteral("broken")).couldNotRun); // its script ran and failed
    QCOMPARE(statusOf(*r, QStringLiteral("after")), JobStatus::Skipped);
    QCOMPARE(statusOf(*r, QStringLiteral("cleanup")), JobStatus::Success);
    QCOMPARE(statusOf(*r, QStringLiteral("notify")), JobStatus::Success);
    QCOMPARE(r->status, RunStatus::Failed);
}

void tst_Scheduler::retryThenSuccess()
{
    // Attempts share the job's workspace, so a file left by the first tells the second.
    Project p(
        "j:\n  retry: 2\n  script:\n    - if [ -f .attempt ]; then echo second; else touch .attempt; exit 1; fi\n");
    auto executorPtr = makeExecutor(p);
    JobExecutor &shell = *executorPtr;
    const Pipeline pipeline = p.pipeline();
    Scheduler s(pipeline, shell, {}, {});
    const auto r = s.run();
    QVERIFY(r);
    QCOMPARE(statusOf(*r, QStringLiteral("j")), JobStatus::Success);
    QCOMPARE(r->jobs.at(QStringLiteral("j")).attempts, 2);
}

void tst_Scheduler::timeoutStopsJob()
{
    Project p("slow:\n  timeout: 2 seconds\n  script: [sleep 30]\n");
    auto executorPtr = makeExecutor(p);
    JobExecutor &shell = *executorPtr;
    const Pipeline pipeline = p.pipeline();
    Scheduler s(pipeline, shell, {}, {});
    QElapsedTimer t;
    t.start();
    const auto r = s.run();
    QVERIFY(r);
    QVERIFY(t.elapsed() < 15000);
    const auto &j = r->jobs.at(QStringLiteral("slow"));
    QCOMPARE(j.status, JobStatus::Failed);
    QVERIFY(j.timedOut);
    QVERIFY(j.reason.contains(QStringLiteral("timed out")));
}

void tst_Scheduler::cancelRun()
{
    Project p("stages: [a, b]\nlong:\n  stage: a\n  script: [sleep 30]\nnext:\n  stage: b\n  script: [echo next]\n");
    auto executorPtr = makeExecutor(p);
    JobExecutor &shell = *executorPtr;
    const Pipeline pipeline = p.pipeline();
    Scheduler s(pipeline, shell, {}, {});
    std::thread canceller([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        s.cancel();
    });
    QElapsedTimer t;
    t.start();
    const auto r = s.run();
    canceller.join();
    QVERIFY(r);
    QVERIFY(t.elapsed() < 15000);
    QCOMPARE(r->status, RunStatus::Cancelled);
    QCOMPARE(statusOf(*r, QStringLiteral("long")), JobStatus::Cancelled);
    QCOMPARE(statusOf(*r, QStringLiteral("next")), JobStatus::Cancelled);
}

void tst_Scheduler::cancelOneJob()
{
    Project p("long:\n  script: [sleep 30]\nshort:\n  script: [sleep 1, echo short-done]\n");
    auto executorPtr = makeExecutor(p);
    const Pipeline pipeline = p.pipeline();
    RunOptions o;
    o.concurrency = 2;
    Scheduler s(pipeline, *executorPtr, o, {});
    std::thread canceller([&] {
        for (int i = 0; i < 200 && s.snapshot().jobs[QStringLiteral("long")].status != JobStatus::Running; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        s.cancelJob(QStringLiteral("long"));
    });
    QElapsedTimer t;
    t.start();
    const auto r = s.run();
    canceller.join();
    QVERIFY(r);
    QVERIFY(t.elapsed() < 20000);
    QCOMPARE(statusOf(*r, QStringLiteral("long")), JobStatus::Cancelled);
    QCOMPARE(statusOf(*r, QStringLiteral("short")), JobStatus::Success);
    QCOMPARE(r->status, RunStatus::Cancelled);
}

void tst_Scheduler::manualJobs()
{
    const QByteArray yaml = "stages: [train, export, deploy]\n"
                            "train:\n  stage: train\n  script: [echo train]\n"
                            "export:\n  stage: export\n  when: manual\n  script: [echo exported]\n"
                            "gate:\n  stage: export\n  when: manual\n  allow_failure: false\n  script: [echo gate]\n"
                            "deploy:\n  stage: deploy\n  script: [echo deploy]\n";
    Project p(yaml);
    auto executorPtr = makeExecutor(p);
    JobExecutor &shell = *executorPtr;
    const Pipeline pipeline = p.pipeline();
    {
        Scheduler s(pipeline, shell, {}, {});
        const auto r = s.run();
        QVERIFY(r);
        QCOMPARE(statusOf(*r, QStringLiteral("export")), JobStatus::Manual);
        QCOMPARE(statusOf(*r, QStringLiteral("gate")), JobStatus::Manual);
        QCOMPARE(statusOf(*r, QStringLiteral("deploy")), JobStatus::Skipped); // blocked by the gate
        QCOMPARE(r->status, RunStatus::Blocked);
    }
    {
        RunOptions o;
        o.approvals = {QStringLiteral("export"), QStringLiteral("gate")};
        Scheduler s(pipeline, shell, o, {});
        const auto r = s.run();
        QVERIFY(r);
        QCOMPARE(statusOf(*r, QStringLiteral("export")), JobStatus::Success);
        QCOMPARE(statusOf(*r, QStringLiteral("deploy")), JobStatus::Success);
        QVERIFY(r->jobs.at(QStringLiteral("export")).reason.isEmpty());
        QCOMPARE(r->status, RunStatus::Success);
    }
    {
        // Approving while the run waits (the GUI's way).
        RunOptions o;
        o.waitForApprovals = true;
        o.approvals = {QStringLiteral("gate")};
        Scheduler s(pipeline, shell, o, {});
        std::thread approver([&] {
            for (int i = 0; i < 100 && s.snapshot().jobs[QStringLiteral("export")].status != JobStatus::Manual; ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            s.approve(QStringLiteral("export"));
        });
        const auto r = s.run();
        approver.join();
        QVERIFY(r);
        QCOMPARE(statusOf(*r, QStringLiteral("export")), JobStatus::Success);
        QVERIFY2(r->jobs.at(QStringLiteral("export")).reason.isEmpty(),
                 qPrintable(r->jobs.at(QStringLiteral("export")).reason));
    }
}

void tst_Scheduler::secretsAreMasked()
{
    Project p("leak:\n  script: ['echo token=$API_TOKEN', 'echo $API_TOKEN >&2']\n");
    auto executorPtr = makeExecutor(p);
    JobExecutor &shell = *executorPtr;
    const Pipeline pipeline = p.pipeline();
    RunOptions o;
    o.secrets.insert(QStringLiteral("API_TOKEN"), QStringLiteral("tk-9f8e7d6c5b"));
    Recorder rec;
    Scheduler s(pipeline, shell, o, rec.events());
    const auto r = s.run();
    QVERIFY(r);
    QCOMPARE(statusOf(*r, QStringLiteral("leak")), JobStatus::Success);
    const QString log = p.log(*r, QStringLiteral("leak"));
    QVERIFY2(log.contains(QStringLiteral("token=[MASKED]")), qPrintable(log));
    QVERIFY(!log.contains(QStringLiteral("tk-9f8e7d6c5b")));
    QVERIFY(!rec.lines.join(u'\n').contains(QStringLiteral("tk-9f8e7d6c5b")));
    QVERIFY(!QJsonDocument(r->toJson()).toJson().contains("tk-9f8e7d6c5b")); // nor the record (its export)
}

void tst_Scheduler::artifactsTravel()
{
    Project p("stages: [train, evaluate]\n"
              "train:\n  stage: train\n  script: [mkdir -p models, echo weights-42 > models/model.txt]\n"
              "  artifacts:\n    paths: [models/]\n"
              "evaluate:\n  stage: evaluate\n  needs: [train]\n  script: [cat models/model.txt]\n");
    auto executorPtr = makeExecutor(p);
    JobExecutor &shell = *executorPtr;
    const Pipeline pipeline = p.pipeline();
    Scheduler s(pipeline, shell, {}, {});
    const auto r = s.run();
    QVERIFY(r);
    QCOMPARE(r->status, RunStatus::Success);
    QVERIFY(p.log(*r, QStringLiteral("evaluate")).contains(QStringLiteral("weights-42")));
    QVERIFY(!r->jobs.at(QStringLiteral("train")).artifacts.isEmpty());
    QVERIFY(QDir(p.dir.filePath(QStringLiteral(".trainyard/artifacts/sha256"))).exists());
}

// The hardening issue's M4: $VARS in artifacts:paths are expanded, as GitLab does (the files
// were dropped and the job still succeeded); a declared path that matches nothing is a warning
// in the record (the card shows it), and so is a file left out.
void tst_Scheduler::artifactPathsExpandVariablesAndWarn()
{
    Project p("variables:\n  OUT: models\n"
              "train:\n  variables:\n    NAME: model\n"
              "  script: [mkdir -p models, echo w > models/model.txt, echo w > models/extra.txt, ln -s /etc/hostname "
              "models/host]\n"
              "  artifacts:\n    paths:\n      - $OUT/${NAME}.txt\n      - $OUT/host\n      - missing-$NAME/\n");
    QVERIFY(!p.pipeline().hasErrors());
    auto executor = makeExecutor(p);
    const Pipeline pipeline = p.pipeline();
    Scheduler s(pipeline, *executor, {}, {});
    const auto r = s.run();
    QVERIFY(r);
    const JobRecord &train = r->jobs.at(QStringLiteral("train"));
    QCOMPARE(train.status, JobStatus::Success);
    QStringList stored;
    for (const QJsonValue f : train.artifacts.value(QStringLiteral("files")).toArray())
        stored << f.toObject().value(QStringLiteral("path")).toString();
    QCOMPARE(stored, QStringList{QStringLiteral("models/model.txt")});
    QVERIFY2(train.warnings.contains(QStringLiteral("artifacts: 'missing-$NAME/' (missing-model/) matched no files")),
             qPrintable(train.warnings.join(u'\n')));
    QVERIFY2(!train.warnings.filter(QStringLiteral("artifacts: 'models/host' left out")).isEmpty(),
             qPrintable(train.warnings.join(u'\n')));
    QVERIFY(p.log(*r, QStringLiteral("train")).contains(QStringLiteral("warning: artifacts: 'missing-$NAME/'")));
}

void tst_Scheduler::artifactPathEscapeIsRefused()
{
    // Refused before any job runs (it used to fail the job once it had run).
    Project p("j:\n  script: [echo x > ../outside.txt]\n  artifacts:\n    paths: [../outside.txt]\n");
    auto executorPtr = makeExecutor(p);
    JobExecutor &shell = *executorPtr;
    const Pipeline pipeline = p.pipeline();
    Scheduler s(pipeline, shell, {}, {});
    const auto r = s.run();
    QVERIFY(!r);
    QVERIFY2(r.error().message.contains(QStringLiteral("'../outside.txt' is outside the job's workspace; no job ran")),
             qPrintable(r.error().message));
    QCOMPARE(s.snapshot().status, RunStatus::NotStarted);
    QCOMPARE(s.snapshot().jobs.at(QStringLiteral("j")).status, JobStatus::Skipped);
}

void tst_Scheduler::gpuJobRefusedWithoutGpu()
{
    QTemporaryDir emptyBin;
    qputenv("PATH", (emptyBin.path() + QStringLiteral(":/usr/bin:/bin")).toLocal8Bit());
    Project p(".trainyard:\n  jobs:\n    train:\n      gpus: 2\ntrain:\n  tags: [gpu-runner]\n  script: [echo "
              "cuda=$CUDA_VISIBLE_DEVICES]\n");
    auto executorPtr = makeExecutor(p);
    JobExecutor &shell = *executorPtr;
    const Pipeline pipeline = p.pipeline();
    {
        Scheduler s(pipeline, shell, {}, {});
        const auto r = s.run();
        QVERIFY(!r);
        QVERIFY2(r.error().message.contains(QStringLiteral("'train' needs 2 GPU(s)")), qPrintable(r.error().message));
        QVERIFY(r.error().message.contains(QStringLiteral("no NVIDIA GPU found")));
    }
    {
        RunOptions o;
        o.cpuFallback = true;
        Scheduler s(pipeline, shell, o, {});
        const auto r = s.run();
        QVERIFY(r);
        QCOMPARE(statusOf(*r, QStringLiteral("train")), JobStatus::Success);
        QVERIFY(r->jobs.at(QStringLiteral("train")).cpuFallback);
    }
    qputenv("PATH", m_originalPath.toLocal8Bit());
}

void tst_Scheduler::gpuJobsGetDistinctGpus()
{
    if (kDocker)
        QSKIP("Docker here has no NVIDIA runtime for DeviceRequests");
    // The nvidia-smi stand-in prints a recorded two-GPU machine.
    qputenv("PATH", (QStringLiteral(TRAINYARD_TEST_DATA "/nvidia-smi:") + m_originalPath).toLocal8Bit());
    Project p("a:\n  tags: [gpu]\n  script: ['echo gpu=$CUDA_VISIBLE_DEVICES', sleep 1]\n"
              "b:\n  tags: [gpu]\n  script: ['echo gpu=$CUDA_VISIBLE_DEVICES', sleep 1]\n");
    auto executorPtr = makeExecutor(p);
    JobExecutor &shell = *executorPtr;
    const Pipeline pipeline = p.pipeline();
    Scheduler s(pipeline, shell, {}, {});
    const auto r = s.run();
    qputenv("PATH", m_originalPath.toLocal8Bit());
    QVERIFY(r);
    QCOMPARE(r->status, RunStatus::Success);
    const QStringList ga = r->jobs.at(QStringLiteral("a")).gpus;
    const QStringList gb = r->jobs.at(QStringLiteral("b")).gpus;
    QCOMPARE(ga.size(), 1);
    QCOMPARE(gb.size(), 1);
    QVERIFY(ga != gb);
    QVERIFY(p.log(*r, QStringLiteral("a")).contains(QStringLiteral("gpu=") + ga.first()));
    QVERIFY(p.log(*r, QStringLiteral("a")).contains(QStringLiteral("$ nvidia-smi -L"))); // Trainyard's preflight
}

void tst_Scheduler::retryReusesSucceededNeeds()
{
    // Run 1: train succeeds (its artifact names the pipeline that built it), evaluate fails,
    // report is skipped. The retry of evaluate alone must not run train again, yet stage
    // train's artifact from run 1.
    const QByteArray head = "stages: [train, evaluate, report]\n"
                            "train:\n  stage: train\n"
                            "  script: [mkdir -p models, 'echo built-by-$CI_PIPELINE_ID > models/model.txt']\n"
                            "  artifacts:\n    paths: [models/]\n";
    Project p(head + "evaluate:\n  stage: evaluate\n  needs: [train]\n  script: [cat models/model.txt, exit 5]\n"
                     "report:\n  stage: report\n  needs: [evaluate]\n  script: [echo report]\n");
    auto executorPtr = makeExecutor(p);
    const Pipeline first = p.pipeline();
    Scheduler s1(first, *executorPtr, {}, {});
    const auto r1 = s1.run();
    QVERIFY(r1);
    QCOMPARE(statusOf(*r1, QStringLiteral("train")), JobStatus::Success);
    QCOMPARE(statusOf(*r1, QStringLiteral("evaluate")), JobStatus::Failed);
    QCOMPARE(statusOf(*r1, QStringLiteral("report")), JobStatus::Skipped);

    // The user fixes evaluate and retries it.
    {
        QFile f(p.dir.filePath(QStringLiteral(".gitlab-ci.yml")));
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        if (kDocker)
            f.write(QByteArray("default:\n  image: ") + kImage + "\n");
        f.write(head + "evaluate:\n  stage: evaluate\n  needs: [train]\n  script: [cat models/model.txt]\n"
                       "report:\n  stage: report\n  needs: [evaluate]\n  script: [echo report]\n");
    }
    const Pipeline fixed = p.pipeline();
    RunOptions o;
    o.onlyJobs = {QStringLiteral("evaluate")};
    o.retryFrom = *r1;
    o.numberRun = [](const RunRecord &) -> Result<qint64> { return 2; }; // the run service numbers runs
    QStringList announced;
    std::mutex announcedMutex;
    SchedulerEvents events;
    events.jobChanged = [&](const JobRecord &j) {
        std::lock_guard lock(announcedMutex);
        announced << j.name + u'=' + jobStatusToString(j.status);
    };
    Scheduler s2(fixed, *executorPtr, o, events);
    const auto r2 = s2.run();
    QVERIFY2(r2, r2 ? "" : qPrintable(r2.error().toString()));
    QVERIFY(r2->id != r1->id);
    QCOMPARE(r2->status, RunStatus::Success);
    QCOMPARE(r2->jobOrder, (QStringList{QStringLiteral("train"), QStringLiteral("evaluate")})); // not report
    const JobRecord &train = r2->jobs.at(QStringLiteral("train"));
    QCOMPARE(train.status, JobStatus::Success);
    QCOMPARE(train.started, r1->jobs.at(QStringLiteral("train")).started); // not run again
    QCOMPARE(train.logFile, r1->jobs.at(QStringLiteral("train")).logFile);
    QVERIFY2(train.reason.contains(r1->id), qPrintable(train.reason));
    QVERIFY(!QFile::exists(p.dir.filePath(QStringLiteral(".trainyard/logs/") + r2->id + QStringLiteral("/train.log"))));
    QCOMPARE(statusOf(*r2, QStringLiteral("evaluate")), JobStatus::Success);
    // The artifact came from run 1's train (pipeline 1), staged into run 2's evaluate.
    QCOMPARE(r1->pipelineIid, 1);
    QCOMPARE(r2->pipelineIid, 2);
    QVERIFY2(p.log(*r2, QStringLiteral("evaluate")).contains(QStringLiteral("built-by-1")),
             qPrintable(p.log(*r2, QStringLiteral("evaluate"))));
    QVERIFY2(announced.contains(QStringLiteral("train=success")), qPrintable(announced.join(u' ')));

    // Retrying run 1 as a whole reruns only what did not succeed there: train is reused again.
    RunOptions all;
    all.retryFrom = *r1;
    all.numberRun = [](const RunRecord &) -> Result<qint64> { return 3; };
    Scheduler s3(fixed, *executorPtr, all, {});
    const auto r3 = s3.run();
    QVERIFY(r3);
    QCOMPARE(r3->status, RunStatus::Success);
    QCOMPARE(r3->jobs.at(QStringLiteral("train")).started, r1->jobs.at(QStringLiteral("train")).started);
    QCOMPARE(statusOf(*r3, QStringLiteral("report")), JobStatus::Success);
    QVERIFY(p.log(*r3, QStringLiteral("evaluate")).contains(QStringLiteral("built-by-1")));
}

void tst_Scheduler::outOfMemoryIsRecorded()
{
    if (!kDocker)
        QSKIP("memory limits need the docker engine");
    Project p(".trainyard:\n  jobs:\n    hog:\n      memory: 8m\n"
              "hog:\n  script: ['x=$(head -c 64000000 /dev/zero | tr \"\\\\0\" a); echo done']\n");
    auto executor = makeExecutor(p);
    const Pipeline pipeline = p.pipeline();
    Scheduler s(pipeline, *executor, {}, {});
    const auto r = s.run();
    QVERIFY(r);
    const auto &j = r->jobs.at(QStringLiteral("hog"));
    QCOMPARE(j.status, JobStatus::Failed);
    QCOMPARE(j.exitCode, 137);
    QVERIFY(j.oomKilled);
    QVERIFY2(j.reason.contains(QStringLiteral("out of memory")), qPrintable(j.reason));
}

void tst_Scheduler::servicesAreReachableByAlias()
{
    if (!kDocker)
        QSKIP("services need the docker engine");
    Project p(QByteArray("web-test:\n  services:\n    - name: ") + kImage +
              "\n      alias: web\n      command: [sh, -c, 'mkdir -p /tmp && echo hello-from-service > /tmp/index.html "
              "&& httpd -f -p 8080 -h /tmp']\n"
              "  script:\n    - for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://web:8080/index.html && exit 0; "
              "sleep 0.5; done; exit 1\n");
    auto executor = makeExecutor(p);
    const Pipeline pipeline = p.pipeline();
    Scheduler s(pipeline, *executor, {}, {});
    const auto r = s.run();
    QVERIFY(r);
    QVERIFY2(statusOf(*r, QStringLiteral("web-test")) == JobStatus::Success,
             qPrintable(r->jobs.at(QStringLiteral("web-test")).reason + u'\n' + p.log(*r, QStringLiteral("web-test"))));
    QVERIFY(p.log(*r, QStringLiteral("web-test")).contains(QStringLiteral("hello-from-service")));
}

void tst_Scheduler::privilegedServiceIsRefused()
{
    if (!kDocker)
        QSKIP("services need the docker engine");
    Project p("build:\n  services: ['docker:24-dind']\n  script: [docker info]\n");
    auto executor = makeExecutor(p);
    const Pipeline pipeline = p.pipeline();
    Scheduler s(pipeline, *executor, {}, {});
    const auto r = s.run();
    QVERIFY(!r); // before any job starts
    QVERIFY2(r.error().message.contains(QStringLiteral("allow_privileged_services")), qPrintable(r.error().message));
    QCOMPARE(r.error().location.line, 4); // the service, after the two lines of default: the test adds
}

void tst_Scheduler::serviceThatCannotStartLeavesNothing()
{
    if (!kDocker)
        QSKIP("services need the docker engine");
    // The first service starts; the second's image cannot be had (nothing listens on port 1).
    Project p(QByteArray("svc:\n  services:\n    - name: ") + kImage +
              "\n      command: [sleep, '60']\n    - 127.0.0.1:1/trainyard-test/no-such-service:1\n"
              "  script: [true]\n");
    auto executor = makeExecutor(p);
    const Pipeline pipeline = p.pipeline();
    Scheduler s(pipeline, *executor, {}, {});
    const auto r = s.run();
    QVERIFY(r);
    QCOMPARE(statusOf(*r, QStringLiteral("svc")), JobStatus::Failed);
    QVERIFY(r->jobs.at(QStringLiteral("svc")).couldNotRun); // its script never started: no verdict on it
    DockerClient client(DockerClient::defaultEndpoint());
    const QString label = QStringLiteral("trainyard.run=") + r->id;
    const auto containers = client.listContainers(label);
    QVERIFY(containers);
    QVERIFY2(containers->isEmpty(), qPrintable(QStringLiteral("left behind: ") + containers->join(u' ')));
    const auto networks = client.listNetworks(label);
    QVERIFY(networks);
    QVERIFY2(networks->isEmpty(), qPrintable(QStringLiteral("left behind: ") + networks->join(u' ')));
}

namespace {

/// Forwards to another executor and notes which images it was asked for.
class NotingExecutor final : public JobExecutor
{
public:
    explicit NotingExecutor(JobExecutor &inner)
        : m_inner(inner)
    {}
    QString name() const override { return m_inner.name(); }
    Result<QString> preflight() override { return m_inner.preflight(); }
    Result<void> prepareImage(const QString &image, const ExecutionCallbacks &cb,
                              const std::atomic_bool &cancel) override
    {
        std::lock_guard lock(mutex);
        prepared << image;
        return m_inner.prepareImage(image, cb, cancel);
    }
    Result<JobOutcome> run(const JobExecution &e, const ExecutionCallbacks &cb, const std::atomic_bool &cancel) override
    {
        {
            std::lock_guard lock(mutex);
            ranIn << e.image;
        }
        return m_inner.run(e, cb, cancel);
    }
    int cleanupRun(const QString &runId) override { return m_inner.cleanupRun(runId); }

    std::mutex mutex;
    QStringList prepared;
    QStringList ranIn;

private:
    JobExecutor &m_inner;
};

} // namespace

void tst_Scheduler::pinnedImageIsUsedNotBuilt()
{
    // The reference is declared to be built from a context that does not exist: building it fails.
    Project p(".trainyard:\n  images:\n    trainyard-test/pinned:1:\n      context: no-such-context\n"
              "default:\n  image: trainyard-test/pinned:1\n"
              "job:\n  script: [echo pinned]\n");
    QString pin = QStringLiteral("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    if (kDocker) {
        const auto info = DockerClient(DockerClient::defaultEndpoint()).inspectImage(QString::fromLatin1(kImage));
        QVERIFY(info && info->exists);
        pin = info->id;
    }
    auto inner = makeExecutor(p);
    NotingExecutor executor(*inner);
    const Pipeline pipeline = p.pipeline();
    RunOptions o;
    o.imageOverrides.insert(QStringLiteral("trainyard-test/pinned:1"), pin);
    Scheduler s(pipeline, executor, o, {});
    const auto r = s.run();
    QVERIFY2(r, qPrintable(r ? QString() : r.error().toString()));
    QCOMPARE(executor.prepared, QStringList{pin});
    QCOMPARE(executor.ranIn, QStringList{pin});
    const JobRecord &j = r->jobs.at(QStringLiteral("job"));
    QVERIFY2(j.status == JobStatus::Success, qPrintable(j.reason));
    QCOMPARE(j.image, QStringLiteral("trainyard-test/pinned:1")); // recorded as written
    if (kDocker)
        QCOMPARE(j.imageId, pin);
}

QTEST_GUILESS_MAIN(tst_Scheduler)
#include "tst_scheduler.moc"
