// `trainyard run --engine slurm` end to end on a real one-node Slurm cluster (the CTest fixture
// `slurm`: tests/tools/slurm-cluster.sh, two stand-in GPUs as GRES), through slurmrestd and
// through the Slurm commands: the offline demo in Docker on the node, GPU jobs taking turns on
// two GPUs, cancel, a node that goes down under a job, a REST daemon that is gone, and
// `trainyard cluster`.
#include "support/cli.h"
#include "support/demoproject.h"
#include "support/files.h"
#include "support/registryserver.h"
#include "support/slurmcluster.h"
#include "support/slurmproject.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <csignal>

using trainyard::test::runTrainyard;
using trainyard::test::shell;
using trainyard::test::writeFile;
using trainyard::test::writeGpuProject;

namespace {

QString run(const QString &program, const QStringList &args)
{
    QProcess p;
    p.start(program, args);
    p.waitForFinished(60000);
    return QString::fromUtf8(p.readAllStandardOutput());
}

/// Builds `tag` (FROM scratch: a static busybox, nothing pulled) in `contextDir` with the docker
/// command; what went wrong, or empty when built.
/// `more`: Dockerfile lines after busybox's (files they copy are written to `contextDir` first).
QString buildBusyboxImage(const QString &contextDir, const QString &tag, const QByteArray &more = {})
{
    if (!QDir().mkpath(contextDir) ||
        !QFile::copy(QStringLiteral("/bin/busybox"), contextDir + QStringLiteral("/busybox")))
        return QStringLiteral("cannot copy /bin/busybox into %1").arg(contextDir);
    writeFile(contextDir + QStringLiteral("/Dockerfile"),
              "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n" +
                  more);
    QProcess build;
    build.setProcessChannelMode(QProcess::MergedChannels);
    build.start(QStringLiteral("docker"),
                {QStringLiteral("build"), QStringLiteral("-q"), QStringLiteral("-t"), tag, contextDir});
    if (!build.waitForFinished(120000) || build.exitCode() != 0)
        return QString::fromUtf8(build.readAll());
    return {};
}

/// `trainyard run --engine slurm -C dir` with `env`.
trainyard::test::CliResult runOnCluster(const QString &dir, const QProcessEnvironment &env, int timeoutMs = 300000)
{
    return runTrainyard(
        {QStringLiteral("run"), QStringLiteral("--engine"), QStringLiteral("slurm"), QStringLiteral("-C"), dir}, env,
        timeoutMs);
}

/// A git project in `dir` (branch main, one commit) whose pipeline is `pipeline`; false when not made.
bool writeCommittedProject(const QString &dir, const QByteArray &pipeline)
{
    const bool ok = writeFile(dir + QStringLiteral("/.gitignore"), ".trainyard/\n") &&
                    writeFile(dir + QStringLiteral("/.gitlab-ci.yml"), pipeline);
    shell(dir,
          QStringLiteral("git init -q -b main && git add -A && git -c user.name=t -c user.email=t@t commit -qm i"));
    return ok && QFile::exists(dir + QStringLiteral("/.git"));
}

/// The jobs of `artifact`'s lineage (the producing one first), as `trainyard lineage --json` says.
QJsonArray lineageJobs(const QString &dir, const QString &artifact, const QProcessEnvironment &env)
{
    const auto r =
        runTrainyard({QStringLiteral("lineage"), QStringLiteral("--json"), QStringLiteral("-C"), dir, artifact}, env);
    return QJsonDocument::fromJson(r.out.toUtf8()).object().value(QLatin1String("jobs")).toArray();
}

} // namespace

class tst_SlurmEngine final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void demoRunsOnTheCluster_data();
    void demoRunsOnTheCluster();
    void gpuJobsTakeTurnsOnTwoGpus_data();
    void gpuJobsTakeTurnsOnTwoGpus();
    void cancelStopsTheClusterJob();
    void nodeDownFailsTheJob();
    void nodeFailureIsRetried();
    void queuedAheadWithAfterok_data();
    void queuedAheadWithAfterok();
    void preemptionIsRetried_data();
    void preemptionIsRetried();
    void gpusReachTheContainerAsDevices();
    void podmanRunsTheJob();
    void timeLimitEndsTheJob();
    void outOfMemoryInTheContainerIsNamed();
    void restDaemonDownIsSaid();
    void workFolderAndSecrets();
    void variablesArriveAsWritten();
    void builtImagesReachTheNodesByDigest();
    void pulledImagesArePinnedByDigest();
    void clusterCommandShowsGpus();

private:
    static void bothPaths();
    /// The environment of `trainyard` for this row's path: slurmrestd's address and token, or neither.
    QProcessEnvironment environment() const;
    QProcessEnvironment environment(bool rest) const;
    /// Starts `trainyard run --engine slurm -C dir` in `p` (through slurmrestd, or the commands),
    /// its output and errors in one channel; false when it does not start.
    bool startRun(QProcess &p, const QString &dir, bool rest) const;
    /// Starts `trainyard run --engine slurm -C dir` in `p` (through slurmrestd, or the commands)
    /// and waits until its job `job` runs on the cluster; false when it does not within 30 s.
    bool startRunUntilItsJobRuns(QProcess &p, const QString &dir, const QString &job, bool rest) const;

    QMap<QString, QString> m_env;
    QString m_node;
};

void tst_SlurmEngine::initTestCase()
{
    m_env = trainyard::test::slurmClusterEnvironment();
    QVERIFY2(!m_env.isEmpty(), "no test cluster (the fixture `slurm` starts one)");
    qputenv("SLURM_CONF", m_env.value(QStringLiteral("SLURM_CONF")).toUtf8());
    m_node = run(QStringLiteral("sinfo"), {QStringLiteral("-h"), QStringLiteral("-o"), QStringLiteral("%n")}).trimmed();
    QVERIFY(!m_node.isEmpty());
}

void tst_SlurmEngine::bothPaths()
{
    QTest::addColumn<bool>("rest");
    QTest::newRow("slurmrestd") << true;
    QTest::newRow("commands") << false;
}

QProcessEnvironment tst_SlurmEngine::environment() const
{
    QFETCH(bool, rest);
    return environment(rest);
}

QProcessEnvironment tst_SlurmEngine::environment(bool rest) const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("SLURM_CONF"), m_env.value(QStringLiteral("SLURM_CONF")));
    env.remove(QStringLiteral("SLURMRESTD_URL"));
    env.remove(QStringLiteral("SLURM_JWT"));
    env.remove(QStringLiteral("TRAINYARD_LINEAGE_URL"));
    if (rest) {
        env.insert(QStringLiteral("SLURMRESTD_URL"), m_env.value(QStringLiteral("SLURMRESTD_URL")));
        env.insert(QStringLiteral("SLURM_JWT"), m_env.value(QStringLiteral("SLURM_JWT")));
    }
    return env;
}

bool tst_SlurmEngine::startRun(QProcess &p, const QString &dir, bool rest) const
{
    QProcessEnvironment env = environment(rest);
    env.remove(QStringLiteral("DISPLAY"));
    p.setProcessEnvironment(env);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral(TRAINYARD_EXE),
            {QStringLiteral("run"), QStringLiteral("--engine"), QStringLiteral("slurm"), QStringLiteral("-C"), dir});
    return p.waitForStarted();
}

bool tst_SlurmEngine::startRunUntilItsJobRuns(QProcess &p, const QString &dir, const QString &job, bool rest) const
{
    QProcessEnvironment env = environment(rest);
    env.remove(QStringLiteral("DISPLAY"));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(TRAINYARD_EXE),
            {QStringLiteral("run"), QStringLiteral("--engine"), QStringLiteral("slurm"), QStringLiteral("-C"), dir});
    if (!p.waitForStarted())
        return false;
    const QRegularExpression running(QStringLiteral("^trainyard-%1-\\S+ RUNNING$").arg(job),
                                     QRegularExpression::MultilineOption);
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 30000) {
        if (run(QStringLiteral("squeue"), {QStringLiteral("-h"), QStringLiteral("-o"), QStringLiteral("%j %T")})
                .contains(running))
            return true;
        QTest::qWait(200);
    }
    return false;
}

void tst_SlurmEngine::demoRunsOnTheCluster_data()
{
    bothPaths();
}

// The defaults: only the cluster's address (or its commands) set; the nodes see the project
// folder; the demo's image built here and run by Docker on the node.
void tst_SlurmEngine::demoRunsOnTheCluster()
{
    QTemporaryDir dir;
    QVERIFY(trainyard::test::copyOfflineDemo(dir.path()));
    const auto r =
        runTrainyard({QStringLiteral("run"), QStringLiteral("--engine"), QStringLiteral("slurm"),
                      QStringLiteral("--approve"), QStringLiteral("export"), QStringLiteral("-C"), dir.path()},
                     environment());
    QVERIFY2(r.exitCode == 0, qPrintable(r.out.right(3000) + r.err.right(2000)));
    QVERIFY2(QString(r.out + r.err).contains(QStringLiteral("engine: Slurm cluster")), qPrintable(r.out.left(2000)));
    QVERIFY2(r.out.contains(QStringLiteral("evaluate: accuracy")), qPrintable(r.out.right(2000)));
    // The model's lineage names the cluster, the Slurm job and the node, and the image it ran in.
    const QJsonArray jobs = lineageJobs(dir.path(), QStringLiteral("models/model.txt"), environment());
    QVERIFY(!jobs.isEmpty());
    const QJsonObject train = jobs.first().toObject();
    QCOMPARE(train.value(QLatin1String("name")).toString(), QStringLiteral("train"));
    QCOMPARE(train.value(QLatin1String("engine")).toString(), QStringLiteral("slurm"));
    const QString isolation = train.value(QLatin1String("isolation")).toString();
    QVERIFY2(
        QRegularExpression(
            QStringLiteral("^docker container \\(Slurm cluster trainyard-test, job \\d+ on node %1\\)$").arg(m_node))
            .match(isolation)
            .hasMatch(),
        qPrintable(isolation));
    QVERIFY2(train.value(QLatin1String("image_id")).toString().startsWith(QStringLiteral("sha256:")),
             QJsonDocument(train).toJson().constData());
}

void tst_SlurmEngine::gpuJobsTakeTurnsOnTwoGpus_data()
{
    bothPaths();
}

// Three one-GPU jobs on two GPUs: each runs with a GPU of its own (the GPU preflight sees it),
// one waits and says why, then runs; the records name the GPU each was given.
void tst_SlurmEngine::gpuJobsTakeTurnsOnTwoGpus()
{
    QTemporaryDir dir;
    QVERIFY(writeGpuProject(dir.path()));
    const auto r = runOnCluster(dir.path(), environment());
    QVERIFY2(r.exitCode == 0, qPrintable(r.out.right(3000) + r.err.right(2000)));
    QVERIFY2(r.out.contains(QStringLiteral("waiting for GPUs (Resources)")), qPrintable(r.out));
    QSet<QString> given;
    for (const QString &job : {QStringLiteral("train-a"), QStringLiteral("train-b"), QStringLiteral("train-c")}) {
        // What the job saw is what Slurm gave it and what its record says.
        const QRegularExpressionMatch seen =
            QRegularExpression(QStringLiteral("\\[%1\\] visible=(\\d)\\n").arg(job)).match(r.out);
        QVERIFY2(seen.hasMatch(), qPrintable(job + u'\n' + r.out));
        QVERIFY2(r.out.contains(QStringLiteral("[%1] GPU %2: Stand-in GPU").arg(job, seen.captured(1))),
                 qPrintable(r.out)); // the nvidia-smi preflight ran on the node
        const QJsonArray jobs = lineageJobs(dir.path(), job + QStringLiteral(".txt"), environment());
        QVERIFY(!jobs.isEmpty());
        const QJsonArray gpus = jobs.first().toObject().value(QLatin1String("gpus")).toArray();
        QCOMPARE(gpus.size(), 1);
        QCOMPARE(gpus.first().toString(), QStringLiteral("gpu:1(IDX:%1)").arg(seen.captured(1)));
        given.insert(seen.captured(1));
    }
    QCOMPARE(given, (QSet<QString>{QStringLiteral("0"), QStringLiteral("1")}));
}

void tst_SlurmEngine::cancelStopsTheClusterJob()
{
    QTemporaryDir dir;
    QVERIFY(writeGpuProject(dir.path()));
    writeFile(dir.path() + QStringLiteral("/.gitlab-ci.yml"), ".trainyard:\n"
                                                              "  slurm: {runtime: none}\n"
                                                              "long:\n"
                                                              "  script: [echo started, sleep 300]\n");
    shell(dir.path(), QStringLiteral("git -c user.name=t -c user.email=t@t commit -qam long"));
    QProcess p;
    QVERIFY(startRunUntilItsJobRuns(p, dir.path(), QStringLiteral("long"), true));
    ::kill(pid_t(p.processId()), SIGINT); // Ctrl-C
    QVERIFY(p.waitForFinished(60000));
    const QString out = QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError());
    QVERIFY2(p.exitCode() == 130, qPrintable(out.right(2000)));
    QVERIFY2(out.contains(QStringLiteral("Cancelling Slurm job")), qPrintable(out.right(2000)));
    // Cancelled on the cluster, not left running there.
    QTRY_VERIFY_WITH_TIMEOUT(
        run(QStringLiteral("squeue"), {QStringLiteral("-h"), QStringLiteral("-o"), QStringLiteral("%i")})
            .trimmed()
            .isEmpty(),
        30000);
    const QString jobs =
        run(QStringLiteral("scontrol"), {QStringLiteral("show"), QStringLiteral("job"), QStringLiteral("-o")});
    QVERIFY2(QRegularExpression(QStringLiteral("JobName=trainyard-long-\\S+ [^\n]*JobState=CANCELLED"))
                 .match(jobs)
                 .hasMatch(),
             qPrintable(jobs.right(1500)));
}

// A node that goes down under a running job: the job fails, saying so, and the run with it.
void tst_SlurmEngine::nodeDownFailsTheJob()
{
    QTemporaryDir dir;
    QVERIFY(writeGpuProject(dir.path()));
    writeFile(dir.path() + QStringLiteral("/.gitlab-ci.yml"), ".trainyard:\n"
                                                              "  slurm: {runtime: none}\n"
                                                              "doomed:\n"
                                                              "  script: [echo started, sleep 300]\n");
    shell(dir.path(), QStringLiteral("git -c user.name=t -c user.email=t@t commit -qam doomed"));
    QProcess p;
    QVERIFY(startRunUntilItsJobRuns(p, dir.path(), QStringLiteral("doomed"), false));
    QProcess::execute(QStringLiteral("scontrol"),
                      {QStringLiteral("update"), QStringLiteral("nodename=") + m_node, QStringLiteral("state=down"),
                       QStringLiteral("reason=trainyard-test")});
    const bool ended = p.waitForFinished(60000);
    // The node comes back for the next cases, whatever happened here.
    QProcess::execute(QStringLiteral("scontrol"),
                      {QStringLiteral("update"), QStringLiteral("nodename=") + m_node, QStringLiteral("state=resume")});
    QTRY_VERIFY_WITH_TIMEOUT(
        run(QStringLiteral("sinfo"), {QStringLiteral("-h"), QStringLiteral("-o"), QStringLiteral("%T")}).trimmed() ==
            QLatin1String("idle"),
        30000);
    QVERIFY(ended);
    const QString out = QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError());
    QCOMPARE(p.exitCode(), 1);
    QVERIFY2(out.contains(QStringLiteral("the node %1 failed (NodeDown)").arg(m_node)), qPrintable(out.right(2000)));
}

// Slurm is asked not to requeue a job; a node that fails under it is a system failure, which
// `retry: when: runner_system_failure` counts: the job is submitted again and runs once the
// node is back.
void tst_SlurmEngine::nodeFailureIsRetried()
{
    QTemporaryDir dir;
    QTemporaryDir marks;
    QVERIFY(writeGpuProject(dir.path()));
    writeFile(
        dir.path() + QStringLiteral("/.gitlab-ci.yml"),
        QStringLiteral(".trainyard:\n"
                       "  slurm: {runtime: none}\n"
                       "sturdy:\n"
                       "  retry: {max: 1, when: [runner_system_failure]}\n"
                       "  script:\n"
                       "    - 'if [ -e %1/first ]; then echo second attempt; else touch %1/first; sleep 300; fi'\n")
            .arg(marks.path())
            .toUtf8());
    shell(dir.path(), QStringLiteral("git -c user.name=t -c user.email=t@t commit -qam sturdy"));
    QProcess p;
    QVERIFY(startRun(p, dir.path(), true));
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(marks.filePath(QStringLiteral("first"))), 30000);
    const auto resume = qScopeGuard([this] { // the node comes back for the next cases, whatever happens here
        QProcess::execute(QStringLiteral("scontrol"), {QStringLiteral("update"), QStringLiteral("nodename=") + m_node,
                                                       QStringLiteral("state=resume")});
    });
    QProcess::execute(QStringLiteral("scontrol"),
                      {QStringLiteral("update"), QStringLiteral("nodename=") + m_node, QStringLiteral("state=down"),
                       QStringLiteral("reason=trainyard-test")});
    QString out;
    QTRY_VERIFY_WITH_TIMEOUT(
        (out += QString::fromUtf8(p.readAll())).contains(QStringLiteral("retrying (attempt 2 of 2)")), 60000);
    QProcess::execute(QStringLiteral("scontrol"),
                      {QStringLiteral("update"), QStringLiteral("nodename=") + m_node, QStringLiteral("state=resume")});
    QVERIFY(p.waitForFinished(90000));
    out += QString::fromUtf8(p.readAll());
    QVERIFY2(p.exitCode() == 0, qPrintable(out.right(3000)));
    // Through slurmrestd Slurm requeues it (22.05 ignores `requeue: false` there): the same.
    QVERIFY2((out.contains(QStringLiteral("the node %1 failed (NodeDown)").arg(m_node)) ||
              out.contains(QStringLiteral("its node failed, or it was preempted"))) &&
                 out.contains(QStringLiteral("[sturdy] second attempt")),
             qPrintable(out.right(3000)));
    QTRY_VERIFY_WITH_TIMEOUT(
        run(QStringLiteral("sinfo"), {QStringLiteral("-h"), QStringLiteral("-o"), QStringLiteral("%T")}).trimmed() ==
            QLatin1String("idle"),
        30000);
}

void tst_SlurmEngine::queuedAheadWithAfterok_data()
{
    bothPaths();
}

// A job that needs another but none of its artifacts is submitted while that one still runs,
// with --dependency=afterok: Slurm queues it ahead and starts it once the other succeeded. One
// that takes artifacts, or needs a job allowed to fail, waits for it as before. When the job it needs fails, the queued
// one is withdrawn from Slurm and skipped, as GitLab skips it.
void tst_SlurmEngine::queuedAheadWithAfterok()
{
    QFETCH(bool, rest);
    QTemporaryDir dir;
    QVERIFY(writeGpuProject(dir.path()));
    const auto pipeline = [&](const char *prepEnd) {
        writeFile(dir.path() + QStringLiteral("/.gitlab-ci.yml"),
                  QByteArray(".trainyard:\n"
                             "  slurm: {runtime: none}\n"
                             "stages: [prep, train]\n"
                             "prep:\n"
                             "  stage: prep\n"
                             "  script: [echo prep-start, sleep 5, ") +
                      prepEnd +
                      "]\n"
                      "  artifacts: {paths: [prep.txt]}\n"
                      "train:\n"
                      "  stage: train\n"
                      "  needs: [{job: prep, artifacts: false}]\n"
                      "  script: ['test ! -e prep.txt && echo train-ran-without-artifacts']\n"
                      "report:\n"
                      "  stage: train\n"
                      "  needs: [prep]\n"
                      "  script: ['cat prep.txt']\n"
                      "lenient:\n"
                      "  stage: prep\n"
                      "  allow_failure: true\n"
                      "  script: [sleep 5]\n"
                      "after-lenient:\n"
                      "  stage: train\n"
                      "  needs: [{job: lenient, artifacts: false}]\n"
                      "  script: [echo after-lenient]\n");
        shell(dir.path(), QStringLiteral("git -c user.name=t -c user.email=t@t commit -qam pipeline"));
    };
    pipeline("'echo prep-end | tee prep.txt'");
    const auto r = runOnCluster(dir.path(), environment(rest), 240000);
    QVERIFY2(r.exitCode == 0, qPrintable(r.out.right(3000) + r.err.right(2000)));
    const QRegularExpressionMatch prep =
        QRegularExpression(QStringLiteral("\\[prep\\] Submitted as Slurm job (\\d+)\\n")).match(r.out);
    QVERIFY2(prep.hasMatch(), qPrintable(r.out));
    const QRegularExpressionMatch train =
        QRegularExpression(QStringLiteral("\\[train\\] Submitted as Slurm job (\\d+), queued behind job\\(s\\) %1 "
                                          "\\(afterok\\) and held until the run has them\\n")
                               .arg(prep.captured(1)))
            .match(r.out);
    QVERIFY2(train.hasMatch(), qPrintable(r.out));
    // Submitted while prep still ran; ran after it; the one that takes prep's artifacts waited.
    QVERIFY2(r.out.indexOf(train.captured(0)) < r.out.indexOf(QStringLiteral("[prep] prep-end")), qPrintable(r.out));
    QVERIFY2(r.out.contains(
                 QStringLiteral("[train] Slurm job %1 released: the jobs it needs have ended").arg(train.captured(1))),
             qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("[train] train-ran-without-artifacts")), qPrintable(r.out));
    const QRegularExpressionMatch report =
        QRegularExpression(QStringLiteral("\\[report\\] Submitted as Slurm job \\d+\\n")).match(r.out);
    QVERIFY2(report.hasMatch(), qPrintable(r.out));
    QVERIFY2(r.out.indexOf(report.captured(0)) > r.out.indexOf(QStringLiteral("[prep] prep-end")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("[report] prep-end")), qPrintable(r.out));
    // A job it needs may fail (allow_failure), which Slurm's afterok cannot say: not queued ahead.
    QVERIFY2(QRegularExpression(QStringLiteral("\\[after-lenient\\] Submitted as Slurm job \\d+\\n"))
                 .match(r.out)
                 .hasMatch(),
             qPrintable(r.out));

    // prep fails: train, queued behind it, never runs; Slurm holds nothing of it.
    pipeline("exit 3");
    const auto failed = runOnCluster(dir.path(), environment(rest), 240000);
    QVERIFY2(failed.exitCode == 1, qPrintable(failed.out.right(3000) + failed.err.right(2000)));
    const QRegularExpressionMatch withdrawn =
        QRegularExpression(
            QStringLiteral("\\[train\\] Slurm job (\\d+) withdrawn\\n\\[train\\] not run: 'prep' did not succeed"))
            .match(failed.out);
    QVERIFY2(withdrawn.hasMatch(), qPrintable(failed.out));
    QVERIFY2(!failed.out.contains(QStringLiteral("train-ran")), qPrintable(failed.out));
    const QString state =
        run(QStringLiteral("scontrol"), {QStringLiteral("show"), QStringLiteral("job"), withdrawn.captured(1)});
    QVERIFY2(state.contains(QStringLiteral("JobState=CANCELLED")), qPrintable(state));
    const QRegularExpressionMatch runId = QRegularExpression(QStringLiteral("Run (\\S+) \\(#2\\)")).match(failed.out);
    QVERIFY2(runId.hasMatch(), qPrintable(failed.out.left(2000)));
    const QJsonArray jobs = lineageJobs(dir.path(), runId.captured(1), environment(rest));
    const auto it = std::find_if(jobs.begin(), jobs.end(), [](const QJsonValue &j) {
        return j.toObject().value(QLatin1String("name")).toString() == QLatin1String("train");
    });
    QVERIFY2(it != jobs.end(), QJsonDocument(jobs).toJson().constData());
    QCOMPARE(it->toObject().value(QLatin1String("status")).toString(), QStringLiteral("skipped"));
    QVERIFY2(QJsonDocument(it->toObject()).toJson().contains("'prep' did not succeed"),
             QJsonDocument(it->toObject()).toJson().constData());
}

void tst_SlurmEngine::preemptionIsRetried_data()
{
    bothPaths();
}

// A job in the test cluster's partition `urgent` preempts one in `gpu` (the default) that holds
// the GPUs it needs. Slurm requeues (or, asked not to, ends) the preempted job: a system failure,
// which `retry: when: runner_system_failure` counts; the second attempt runs once the GPUs are free.
void tst_SlurmEngine::preemptionIsRetried()
{
    QFETCH(bool, rest);
    QTemporaryDir dir;
    QTemporaryDir marks;
    QVERIFY(writeGpuProject(dir.path()));
    writeFile(
        dir.path() + QStringLiteral("/.gitlab-ci.yml"),
        QStringLiteral("variables:\n"
                       "  PATH: \"%1/bin:/usr/local/bin:/usr/bin:/bin\"\n"
                       ".trainyard:\n"
                       "  slurm: {runtime: none}\n"
                       "  jobs:\n"
                       "    yielding: {gpus: 2}\n"
                       "yielding:\n"
                       "  retry: {max: 1, when: [runner_system_failure]}\n"
                       "  script:\n"
                       "    - 'if [ -e %2/first ]; then echo second attempt; else touch %2/first; sleep 300; fi'\n")
            .arg(dir.path(), marks.path())
            .toUtf8());
    shell(dir.path(), QStringLiteral("git -c user.name=t -c user.email=t@t commit -qam yielding"));
    QProcess p;
    QVERIFY(startRun(p, dir.path(), rest));
    const auto stop = qScopeGuard([&p] { // nothing left holding the GPUs for the next cases
        if (p.state() != QProcess::NotRunning) {
            p.kill();
            p.waitForFinished();
        }
        QProcess::execute(QStringLiteral("scancel"), {QStringLiteral("--name"), QStringLiteral("urgent")});
        QProcess::execute(
            QStringLiteral("bash"),
            {QStringLiteral("-c"), QStringLiteral("squeue -h -o '%i %j' | awk '$2 ~ /^trainyard-yielding-/ "
                                                  "{print $1}' | xargs -r scancel")});
    });
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(marks.filePath(QStringLiteral("first"))), 30000);
    const QString urgent =
        run(QStringLiteral("sbatch"),
            {QStringLiteral("--parsable"), QStringLiteral("-p"), QStringLiteral("urgent"),
             QStringLiteral("--gres=gpu:2"), QStringLiteral("-J"), QStringLiteral("urgent"), QStringLiteral("-o"),
             QStringLiteral("/dev/null"), QStringLiteral("--wrap"), QStringLiteral("sleep 3")})
            .trimmed();
    QVERIFY2(!urgent.isEmpty(), "sbatch -p urgent submitted nothing");
    QVERIFY(p.waitForFinished(120000));
    const QString out = QString::fromUtf8(p.readAll());
    QVERIFY2(p.exitCode() == 0, qPrintable(out.right(3000)));
    QVERIFY2(out.contains(QStringLiteral("retrying (attempt 2 of 2)")) &&
                 out.contains(QStringLiteral("[yielding] second attempt")),
             qPrintable(out.right(3000)));
    QVERIFY2(out.contains(QStringLiteral("it was preempted")), qPrintable(out.right(3000)));
    // The urgent job ran to its end in between (slurmctld keeps ended jobs an hour here).
    const QString state = run(QStringLiteral("scontrol"), {QStringLiteral("show"), QStringLiteral("job"), urgent});
    QVERIFY2(state.contains(QStringLiteral("JobState=COMPLETED")), qPrintable(state));
}

// A node without the NVIDIA container runtime: the GPUs Slurm allocated reach the container as
// their device nodes (`.trainyard: slurm: gpu_devices:`, here the stand-ins the test cluster's
// gres.conf names), each job only its own, and the nvidia-smi preflight runs in the container.
void tst_SlurmEngine::gpusReachTheContainerAsDevices()
{
    if (run(QStringLiteral("docker"), {QStringLiteral("info")}).contains(QLatin1String("nvidia"), Qt::CaseInsensitive))
        QSKIP("this Docker engine has the NVIDIA runtime: GPUs go through it, not as device nodes");
    QTemporaryDir tmp;
    const QString devices = QStringLiteral(TRAINYARD_TEST_SLURM_DIR);
    const QString context = tmp.filePath(QStringLiteral("context"));
    QVERIFY(QDir().mkpath(context));
    // A stand-in nvidia-smi in the image: it lists the device nodes the container has, numbered
    // from 0 as CUDA numbers the GPUs it sees.
    QVERIFY(
        writeFile(context + QStringLiteral("/nvidia-smi"),
                  QStringLiteral("#!/bin/sh\nn=0\n"
                                 "for f in %1/fakegpu*; do\n"
                                 "  [ -e \"$f\" ] && { echo \"GPU $n: Stand-in GPU ($(basename $f))\"; n=$((n+1)); }\n"
                                 "done\n[ $n -gt 0 ]\n")
                      .arg(devices)
                      .toUtf8(),
                  true));
    const QString image = QStringLiteral("trainyard-test/slurm-gpu:1");
    const QString built = buildBusyboxImage(context, image, "COPY nvidia-smi /bin/nvidia-smi\n");
    QVERIFY2(built.isEmpty(), qPrintable(built));
    const auto removeImage = qScopeGuard([&] { run(QStringLiteral("docker"), {QStringLiteral("rmi"), image}); });

    QTemporaryDir dir;
    QVERIFY(writeCommittedProject(
        dir.path(), QStringLiteral(".trainyard:\n"
                                   "  slurm: {gpu_devices: \"%1/fakegpu{}\"}\n"
                                   "  jobs:\n"
                                   "    train-a: {gpus: 1}\n"
                                   "    train-b: {gpus: 1}\n"
                                   "train-a: &t\n"
                                   "  image: %2\n"
                                   "  script:\n"
                                   "    - echo \"devices=$(ls %1 | grep fakegpu | xargs) cuda=$CUDA_VISIBLE_DEVICES\"\n"
                                   "    - echo \"$CI_JOB_NAME\" > \"$CI_JOB_NAME.txt\"\n"
                                   "  artifacts: {paths: [\"$CI_JOB_NAME.txt\"]}\n"
                                   "train-b: *t\n")
                        .arg(devices, image)
                        .toUtf8()));
    const auto r = runOnCluster(dir.path(), environment(true), 240000);
    QVERIFY2(r.exitCode == 0, qPrintable(r.out.right(3000) + r.err.right(2000)));
    for (const QString &job : {QStringLiteral("train-a"), QStringLiteral("train-b")}) {
        // Only the device node of the GPU Slurm gave it (its record says which), seen by CUDA as
        // GPU 0, and the preflight in the container saw it.
        const QRegularExpressionMatch seen =
            QRegularExpression(QStringLiteral("\\[%1\\] devices=fakegpu(\\d) cuda=0\\n").arg(job)).match(r.out);
        QVERIFY2(seen.hasMatch(), qPrintable(job + u'\n' + r.out));
        QVERIFY2(r.out.contains(QStringLiteral("[%1] GPU 0: Stand-in GPU (fakegpu%2)").arg(job, seen.captured(1))),
                 qPrintable(r.out));
        const QJsonArray jobs = lineageJobs(dir.path(), job + QStringLiteral(".txt"), environment(true));
        QVERIFY(!jobs.isEmpty());
        const QJsonArray gpus = jobs.first().toObject().value(QLatin1String("gpus")).toArray();
        QCOMPARE(gpus.size(), 1);
        QCOMPARE(gpus.first().toString(), QStringLiteral("gpu:1(IDX:%1)").arg(seen.captured(1)));
    }

    // A node without the device node the setting names: the job fails saying which.
    writeFile(dir.path() + QStringLiteral("/.gitlab-ci.yml"),
              QStringLiteral(".trainyard:\n"
                             "  slurm: {gpu_devices: \"/dev/trainyard-no-such-gpu{}\"}\n"
                             "  jobs:\n"
                             "    train-a: {gpus: 1}\n"
                             "train-a:\n"
                             "  image: %1\n"
                             "  script: [echo never]\n")
                  .arg(image)
                  .toUtf8());
    shell(dir.path(), QStringLiteral("git -c user.name=t -c user.email=t@t commit -qam missing"));
    const auto missing = runOnCluster(dir.path(), environment(false), 240000);
    QVERIFY2(missing.exitCode == 1, qPrintable(missing.out.right(3000) + missing.err.right(2000)));
    QVERIFY2(QRegularExpression(
                 QStringLiteral("GPU \\d has no device node /dev/trainyard-no-such-gpu\\d on node %1").arg(m_node))
                 .match(missing.out)
                 .hasMatch(),
             qPrintable(missing.out.right(3000)));
    QVERIFY(!missing.out.contains(QStringLiteral("[train-a] never")));
}

// `.trainyard: slurm: runtime: podman`: the job's image runs with the node's podman (the test
// cluster's TaskProlog gives jobs the containers.conf this sandbox needs), recorded as such.
void tst_SlurmEngine::podmanRunsTheJob()
{
    QTemporaryDir tmp;
    const QString image = QStringLiteral("trainyard-test/slurm-podman:1");
    const QString built = buildBusyboxImage(tmp.filePath(QStringLiteral("context")), image);
    QVERIFY2(built.isEmpty(), qPrintable(built));
    // Podman keeps images of its own: this one is loaded there, as a node would have pulled it.
    QProcess load;
    load.setProcessChannelMode(QProcess::MergedChannels);
    load.start(QStringLiteral("bash"),
               {QStringLiteral("-c"), QStringLiteral("docker save %1 | podman load && docker rmi %1").arg(image)});
    QVERIFY(load.waitForFinished(120000));
    QVERIFY2(load.exitCode() == 0, load.readAll().constData());
    const auto removeImage = qScopeGuard([&] { run(QStringLiteral("podman"), {QStringLiteral("rmi"), image}); });

    QTemporaryDir dir;
    writeFile(dir.path() + QStringLiteral("/.gitignore"), ".trainyard/\n");
    writeFile(dir.path() + QStringLiteral("/.gitlab-ci.yml"), QStringLiteral(".trainyard:\n"
                                                                             "  slurm: {runtime: podman}\n"
                                                                             "  jobs:\n"
                                                                             "    contained: {cpus: 1}\n"
                                                                             "contained:\n"
                                                                             "  image: %1\n"
                                                                             "  script:\n"
                                                                             "    - echo \"container=$container\"\n"
                                                                             "    - echo made > made.txt\n"
                                                                             "  artifacts: {paths: [made.txt]}\n")
                                                                  .arg(image)
                                                                  .toUtf8());
    shell(dir.path(),
          QStringLiteral("git init -q -b main && git add -A && git -c user.name=t -c user.email=t@t commit -qm i"));
    const auto r = runOnCluster(dir.path(), environment(true), 240000);
    QVERIFY2(r.exitCode == 0, qPrintable(r.out.right(3000) + r.err.right(2000)));
    // Podman tells its containers so (the variable `container`); Docker does not.
    QVERIFY2(r.out.contains(QStringLiteral("[contained] container=podman")), qPrintable(r.out.right(3000)));
    const QJsonArray jobs = lineageJobs(dir.path(), QStringLiteral("made.txt"), environment(true));
    QVERIFY(!jobs.isEmpty());
    const QJsonObject job = jobs.first().toObject();
    const QString isolation = job.value(QLatin1String("isolation")).toString();
    QVERIFY2(
        QRegularExpression(
            QStringLiteral("^podman container \\(Slurm cluster trainyard-test, job \\d+ on node %1\\)$").arg(m_node))
            .match(isolation)
            .hasMatch(),
        qPrintable(isolation));
    // Podman's bare hex ID is recorded in Docker's form; the digests it made up for an image
    // loaded from an archive are no registry's, and are not recorded.
    QVERIFY2(QRegularExpression(QStringLiteral("^sha256:[0-9a-f]{64}$"))
                 .match(job.value(QLatin1String("image_id")).toString())
                 .hasMatch(),
             QJsonDocument(job).toJson().constData());
    const auto images = runTrainyard({QStringLiteral("lineage"), QStringLiteral("--json"), QStringLiteral("-C"),
                                      dir.path(), QStringLiteral("made.txt")},
                                     environment(true));
    const QJsonArray recorded =
        QJsonDocument::fromJson(images.out.toUtf8()).object().value(QLatin1String("images")).toArray();
    QVERIFY2(images.exitCode == 0 && !recorded.isEmpty(), qPrintable(images.out.left(3000)));
    for (const QJsonValue &i : recorded)
        QVERIFY2(i.toObject().value(QLatin1String("repo_digests")).toArray().isEmpty(),
                 qPrintable(images.out.left(3000)));
}

// GitLab's `timeout` is the Slurm job's time limit (in minutes, Slurm's unit): a job past it
// ends TIMEOUT, recorded as timed out.
void tst_SlurmEngine::timeLimitEndsTheJob()
{
    QTemporaryDir dir;
    QVERIFY(writeGpuProject(dir.path()));
    writeFile(dir.path() + QStringLiteral("/.gitlab-ci.yml"), ".trainyard:\n"
                                                              "  slurm: {runtime: none}\n"
                                                              "slow:\n"
                                                              "  timeout: 1 minute\n"
                                                              "  script: [echo started, sleep 300]\n"
                                                              "  artifacts: {paths: [nothing/]}\n");
    shell(dir.path(), QStringLiteral("git -c user.name=t -c user.email=t@t commit -qam slow"));
    const auto r = runOnCluster(dir.path(), environment(false), 240000);
    QVERIFY2(r.exitCode == 1, qPrintable(r.out.right(2000) + r.err.right(1000)));
    QVERIFY2(r.out.contains(QStringLiteral("the time limit was reached")), qPrintable(r.out.right(2000)));
    const QRegularExpressionMatch runId = QRegularExpression(QStringLiteral("Run (\\S+) \\(#1\\)")).match(r.out);
    QVERIFY(runId.hasMatch());
    const QJsonArray jobs = lineageJobs(dir.path(), runId.captured(1), environment(false));
    QVERIFY(!jobs.isEmpty());
    QVERIFY2(jobs.first().toObject().value(QLatin1String("timed_out")).toBool(),
             QJsonDocument(jobs.first().toObject()).toJson().constData());
}

// A job over the memory it asked for (`.trainyard: jobs: JOB: memory:`): the container on the node
// gets the Slurm job's memory as its limit, is killed for it, and the job fails saying so.
void tst_SlurmEngine::outOfMemoryInTheContainerIsNamed()
{
    QTemporaryDir tmp;
    const QString image = QStringLiteral("trainyard-test/slurm-busybox:1");
    const QString built = buildBusyboxImage(tmp.filePath(QStringLiteral("context")), image);
    QVERIFY2(built.isEmpty(), qPrintable(built));

    // Whether this kernel enforces a container's memory limit at all, asked of Docker directly: if
    // not, nothing here can be killed for memory (the Slurm run below must be, when it does).
    QProcess direct;
    direct.setProcessChannelMode(QProcess::MergedChannels);
    direct.start(QStringLiteral("docker"),
                 {QStringLiteral("run"), QStringLiteral("--rm"), QStringLiteral("--memory"), QStringLiteral("8m"),
                  image, QStringLiteral("sh"), QStringLiteral("-c"),
                  QStringLiteral("x=$(head -c 64000000 /dev/zero | tr \"\\0\" a); echo done")});
    QVERIFY(direct.waitForFinished(120000));
    if (direct.exitCode() == 0 && direct.readAll().contains("done"))
        QSKIP("This kernel does not enforce container memory limits (64 MB allocated under an 8 MiB limit)");

    QTemporaryDir dir;
    QVERIFY(writeCommittedProject(
        dir.path(), QStringLiteral(".trainyard:\n  jobs:\n    hog: {memory: 8m}\n"
                                   "hog:\n  image: %1\n"
                                   "  script: ['x=$(head -c 64000000 /dev/zero | tr \"\\\\0\" a); echo done']\n")
                        .arg(image)
                        .toUtf8()));
    const auto r = runOnCluster(dir.path(), environment(true), 240000);
    QVERIFY2(r.exitCode == 1, qPrintable(r.out.right(2000) + r.err.right(1000)));
    QVERIFY2(r.out.contains(QStringLiteral("out of memory")), qPrintable(r.out.right(2000)));
    const QRegularExpressionMatch runId = QRegularExpression(QStringLiteral("Run (\\S+) \\(#1\\)")).match(r.out);
    QVERIFY(runId.hasMatch());
    const QJsonArray jobs = lineageJobs(dir.path(), runId.captured(1), environment(true));
    QVERIFY(!jobs.isEmpty());
    QCOMPARE(jobs.first().toObject().value(QLatin1String("exit_code")).toInt(), 137);
}

void tst_SlurmEngine::restDaemonDownIsSaid()
{
    QVERIFY(trainyard::test::slurmCluster(QStringLiteral("rest-stop")));
    QTemporaryDir dir;
    QVERIFY(writeGpuProject(dir.path()));
    QElapsedTimer timer;
    timer.start();
    const auto r = runOnCluster(dir.path(), environment(true), 60000);
    const qint64 took = timer.elapsed();
    QVERIFY(trainyard::test::slurmCluster(QStringLiteral("rest-start")));
    QVERIFY2(r.exitCode != 0 && r.exitCode != -1, qPrintable(r.out + r.err));
    const QString said = r.out + r.err;
    QVERIFY2(
        said.contains(
            QStringLiteral("slurmrestd at %1 does not answer").arg(m_env.value(QStringLiteral("SLURMRESTD_URL")))) &&
            said.contains(QStringLiteral("no job ran")),
        qPrintable(said));
    QVERIFY2(took < 20000, "no hang");
}

void tst_SlurmEngine::clusterCommandShowsGpus()
{
    for (const bool rest : {true, false}) {
        const auto json = runTrainyard({QStringLiteral("cluster"), QStringLiteral("--json")}, environment(rest));
        QVERIFY2(json.exitCode == 0, qPrintable(json.err));
        const QJsonObject o = QJsonDocument::fromJson(json.out.toUtf8()).object();
        QCOMPARE(o.value(QLatin1String("cluster")).toString(), QStringLiteral("trainyard-test"));
        const QJsonObject node = o.value(QLatin1String("nodes")).toArray().first().toObject();
        QCOMPARE(node.value(QLatin1String("name")).toString(), m_node);
        QCOMPARE(node.value(QLatin1String("gpus")).toInt(), 2);
        QCOMPARE(node.value(QLatin1String("gpus_free")).toInt(), 2);
        QVERIFY(o.value(QLatin1String("via"))
                    .toString()
                    .startsWith(rest ? QStringLiteral("slurmrestd v0.0.38") : QStringLiteral("the Slurm commands")));
        const auto text = runTrainyard({QStringLiteral("cluster")}, environment(rest));
        QVERIFY2(text.exitCode == 0 && text.out.contains(QStringLiteral("GPUS FREE/ALL")) &&
                     text.out.contains(QStringLiteral("2/2")),
                 qPrintable(text.out));
    }
}

// `.trainyard: slurm: work_dir:` (a folder the nodes see): the job runs in a copy there and its
// artifacts come back. A secret reaches the job, masked in every log, and never goes to
// slurmctld (its copy of the batch script) nor stays in the work folder.
void tst_SlurmEngine::workFolderAndSecrets()
{
    QTemporaryDir dir;
    QTemporaryDir shared;
    QVERIFY(writeGpuProject(dir.path()));
    writeFile(
        dir.path() + QStringLiteral("/.gitlab-ci.yml"),
        QStringLiteral(".trainyard:\n"
                       "  secrets: [API_TOKEN]\n"
                       "  slurm:\n"
                       "    runtime: none\n"
                       "    work_dir: %1\n"
                       "  data:\n"
                       "    labels: {path: labels}\n"
                       "    vocab: {path: vocab.txt}\n"
                       "train:\n"
                       "  script:\n"
                       "    - pwd\n"
                       "    - echo \"data=$TRAINYARD_DATA_LABELS\"\n"
                       "    - cat \"$TRAINYARD_DATA_LABELS/labels.csv\"\n"
                       "    - echo \"vocab=$(basename \"$TRAINYARD_DATA_VOCAB\") $(cat \"$TRAINYARD_DATA_VOCAB\")\"\n"
                       "    - echo \"token=$API_TOKEN\"\n"
                       "    - test \"$API_TOKEN\" = s3cret-t0ken-value && echo has-the-value\n"
                       "    - mkdir -p models && echo weights > models/model.txt\n"
                       "  artifacts: {paths: [models/]}\n")
            .arg(shared.path())
            .toUtf8());
    writeFile(dir.path() + QStringLiteral("/.trainyard/secrets.env"), "API_TOKEN=s3cret-t0ken-value\n");
    // A data input outside git (as data is): the nodes may not see the project, so it is copied.
    writeFile(dir.path() + QStringLiteral("/labels/labels.csv"), "id,label\n1,cat-label-row\n");
    writeFile(dir.path() + QStringLiteral("/vocab.txt"), "the-vocabulary\n");
    writeFile(dir.path() + QStringLiteral("/.gitignore"), ".trainyard/\nlabels/\nvocab.txt\n");
    shell(dir.path(), QStringLiteral("git -c user.name=t -c user.email=t@t commit -qam workdir"));
    const auto r = runOnCluster(dir.path(), environment(true));
    QVERIFY2(r.exitCode == 0, qPrintable(r.out.right(3000) + r.err.right(2000)));
    const QRegularExpressionMatch pwd = QRegularExpression(QStringLiteral("\\[train\\] (/\\S+)\\n")).match(r.out);
    QVERIFY2(pwd.hasMatch() && pwd.captured(1).startsWith(shared.path() + u'/'), qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("has-the-value")) && r.out.contains(QStringLiteral("token=[MASKED]")),
             qPrintable(r.out));
    // The data input was read from its copy in the work folder (gone afterwards, as checked below).
    const QRegularExpressionMatch data = QRegularExpression(QStringLiteral("\\[train\\] data=(/\\S+)\\n")).match(r.out);
    QVERIFY2(data.hasMatch() && data.captured(1).startsWith(shared.path() + u'/'), qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("[train] 1,cat-label-row")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("[train] vocab=vocab.txt the-vocabulary")),
             qPrintable(r.out)); // a file keeps its name
    QVERIFY(!r.out.contains(QStringLiteral("s3cret-t0ken-value")) &&
            !r.err.contains(QStringLiteral("s3cret-t0ken-value")));
    // The artifact came back into the project's store and lineage.
    const QJsonArray jobs = lineageJobs(dir.path(), QStringLiteral("models/model.txt"), environment(true));
    QVERIFY(!jobs.isEmpty());
    QCOMPARE(jobs.first().toObject().value(QLatin1String("name")).toString(), QStringLiteral("train"));
    // Not in slurmctld's copy of the batch script, not left in the work folder.
    const QRegularExpressionMatch id = QRegularExpression(QStringLiteral("Submitted as Slurm job (\\d+)")).match(r.out);
    QVERIFY(id.hasMatch());
    const QString script = run(QStringLiteral("scontrol"), {QStringLiteral("write"), QStringLiteral("batch_script"),
                                                            id.captured(1), QStringLiteral("-")});
    QVERIFY2(script.contains(QStringLiteral("# Trainyard: job train")), qPrintable(script));
    QVERIFY(!script.contains(QStringLiteral("s3cret-t0ken-value")));
    const QString left =
        run(QStringLiteral("grep"), {QStringLiteral("-rl"), QStringLiteral("s3cret-t0ken-value"), shared.path()});
    QVERIFY2(left.trimmed().isEmpty(), qPrintable(left));
    QVERIFY2(QDir(shared.path()).isEmpty(),
             qPrintable(run(QStringLiteral("ls"), {QStringLiteral("-R"), shared.path()})));
}

// With a team registry set, an image the pipeline builds is pushed there first and every job
// The job's variables reach its script as written, whatever they hold, and none of them steers
// the batch script around it (one named like its own variables, PATH, a name no shell takes).
void tst_SlurmEngine::variablesArriveAsWritten()
{
    QTemporaryDir dir;
    QVERIFY(writeGpuProject(dir.path()));
    writeFile(dir.path() + QStringLiteral("/.gitlab-ci.yml"), ".trainyard:\n"
                                                              "  slurm: {runtime: none}\n"
                                                              "variables:\n"
                                                              "  __ty_side: /etc\n"
                                                              "  side: /etc\n"
                                                              "  QUOTED: \"it's \\\"$(date)\\\" `id` $$HOME\"\n"
                                                              "  MULTI: \"line one\\nline two\"\n"
                                                              "  dotted.name: x\n"
                                                              "show:\n"
                                                              "  script:\n"
                                                              "    - 'echo \"side=$side\"'\n"
                                                              "    - 'printf \"quoted=%s\\n\" \"$QUOTED\"'\n"
                                                              "    - 'printf \"multi=%s\\n\" \"$MULTI\"'\n"
                                                              "    - echo done > done.txt\n"
                                                              "  artifacts: {paths: [done.txt]}\n");
    shell(dir.path(), QStringLiteral("git -c user.name=t -c user.email=t@t commit -qam vars"));
    const auto r = runOnCluster(dir.path(), environment(true));
    QVERIFY2(r.exitCode == 0, qPrintable(r.out.right(3000) + r.err.right(2000)));
    QVERIFY2(r.out.contains(QStringLiteral("[show] side=/etc\n")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("[show] quoted=it's \"$(date)\" `id` $HOME\n")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("[show] multi=line one\n[show] line two\n")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("variable 'dotted.name' is not a shell variable's name")) &&
                 r.out.contains(QStringLiteral("variable '__ty_side' is named as the Slurm engine's own")),
             qPrintable(r.out));
}

// pulls it by digest (not by a name only this machine knows); the record names that digest.
void tst_SlurmEngine::builtImagesReachTheNodesByDigest()
{
    QTemporaryDir tmp;
    QVERIFY(QDir().mkpath(tmp.filePath(QStringLiteral("docker")))); // no login of the tester's is read
    trainyard::test::RegistryServer registry(tmp.filePath(QStringLiteral("registry")));
    QVERIFY2(registry.error().isEmpty(), qPrintable(registry.error()));
    const QString dir = tmp.filePath(QStringLiteral("demo"));
    QVERIFY(QDir().mkpath(dir));
    QVERIFY(trainyard::test::copyOfflineDemo(dir));
    QProcessEnvironment env = environment(true);
    const QString prefix = registry.host() + QStringLiteral("/ml/demo");
    env.insert(QStringLiteral("TRAINYARD_REGISTRY"), prefix);
    env.insert(QStringLiteral("DOCKER_CONFIG"), tmp.filePath(QStringLiteral("docker")));
    const auto untag = qScopeGuard([&prefix] { // the tags the push gave the demo's image, in this registry
        QProcess::execute(QStringLiteral("bash"),
                          {QStringLiteral("-c"), QStringLiteral("docker images --format '{{.Repository}}:{{.Tag}}' | "
                                                                "grep -F '%1/' | xargs -r docker rmi >/dev/null")
                                                     .arg(prefix)});
    });
    const auto r = runTrainyard(
        {QStringLiteral("run"), QStringLiteral("--engine"), QStringLiteral("slurm"), QStringLiteral("-C"), dir}, env);
    QVERIFY2(r.exitCode == 0, qPrintable(r.out.right(3000) + r.err.right(2000)));
    const QString pulled = prefix + QStringLiteral("/trainyard-demo/trainer@sha256:");
    QVERIFY2(r.out.contains(QStringLiteral("published for the cluster's nodes as ") + pulled),
             qPrintable(r.out.left(3000)));
    // The train job's batch script, as slurmctld keeps it, pulls the digest.
    const QRegularExpressionMatch id =
        QRegularExpression(QStringLiteral("\\[train\\] Submitted as Slurm job (\\d+)")).match(r.out);
    QVERIFY(id.hasMatch());
    const QString script = run(QStringLiteral("scontrol"), {QStringLiteral("write"), QStringLiteral("batch_script"),
                                                            id.captured(1), QStringLiteral("-")});
    QVERIFY2(script.contains(pulled), qPrintable(script));
    const auto lineage = runTrainyard({QStringLiteral("lineage"), QStringLiteral("--json"), QStringLiteral("-C"), dir,
                                       QStringLiteral("models/model.txt")},
                                      env);
    const QJsonArray images =
        QJsonDocument::fromJson(lineage.out.toUtf8()).object().value(QLatin1String("images")).toArray();
    QVERIFY2(std::any_of(images.cbegin(), images.cend(),
                         [&](const QJsonValue &image) {
                             const QJsonArray digests = image.toObject().value(QLatin1String("repo_digests")).toArray();
                             return std::any_of(digests.cbegin(), digests.cend(),
                                                [&](const QJsonValue &d) { return d.toString().startsWith(pulled); });
                         }),
             qPrintable(lineage.out.left(3000)));
}

// An image the pipeline does not build, known here with a digest (pushed to, or pulled from, a
// registry), is pinned to that digest: the nodes pull exactly that, whatever its tag says later.
void tst_SlurmEngine::pulledImagesArePinnedByDigest()
{
    QTemporaryDir tmp;
    QVERIFY(QDir().mkpath(tmp.filePath(QStringLiteral("docker"))));
    trainyard::test::RegistryServer registry(tmp.filePath(QStringLiteral("registry")));
    QVERIFY2(registry.error().isEmpty(), qPrintable(registry.error()));
    const QString context = tmp.filePath(QStringLiteral("context"));
    const QString image = registry.host() + QStringLiteral("/ml/tools:1");
    const QString built = buildBusyboxImage(context, image);
    QVERIFY2(built.isEmpty(), qPrintable(built));
    const QString docker = QStringLiteral("DOCKER_CONFIG=%1 docker").arg(tmp.filePath(QStringLiteral("docker")));
    const auto sh = [&](const QString &command) {
        QProcess p;
        p.setWorkingDirectory(context);
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(QStringLiteral("bash"), {QStringLiteral("-c"), command});
        const bool ok = p.waitForFinished(120000) && p.exitCode() == 0;
        if (!ok)
            qWarning("%s: %s", qPrintable(command), p.readAll().constData());
        return ok;
    };
    QVERIFY(sh(QStringLiteral("%1 push -q %2").arg(docker, image)));
    const auto cleanup = qScopeGuard([&] { sh(QStringLiteral("%1 rmi -f %2").arg(docker, image)); });

    QTemporaryDir dir;
    QVERIFY(writeCommittedProject(
        dir.path(), QStringLiteral("tool:\n  image: %1\n  script: [\"echo tool-ran\"]\n").arg(image).toUtf8()));
    QProcessEnvironment env = environment(true);
    env.insert(QStringLiteral("DOCKER_CONFIG"), tmp.filePath(QStringLiteral("docker")));
    const auto r = runOnCluster(dir.path(), env);
    QVERIFY2(r.exitCode == 0, qPrintable(r.out.right(3000) + r.err.right(2000)));
    const QString pinned = registry.host() + QStringLiteral("/ml/tools@sha256:");
    QVERIFY2(r.out.contains(image + QStringLiteral(" pinned for the cluster's nodes as ") + pinned),
             qPrintable(r.out.left(3000)));
    QVERIFY2(r.out.contains(QStringLiteral("[tool] tool-ran")), qPrintable(r.out));
    const QRegularExpressionMatch id =
        QRegularExpression(QStringLiteral("\\[tool\\] Submitted as Slurm job (\\d+)")).match(r.out);
    QVERIFY(id.hasMatch());
    const QString script = run(QStringLiteral("scontrol"), {QStringLiteral("write"), QStringLiteral("batch_script"),
                                                            id.captured(1), QStringLiteral("-")});
    QVERIFY2(script.contains(pinned) && !script.contains(QStringLiteral(" pull '") + image), qPrintable(script));
}

QTEST_GUILESS_MAIN(tst_SlurmEngine)
#include "tst_slurmengine.moc"
