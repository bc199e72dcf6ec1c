// SlurmClient against a real one-node Slurm cluster (tests/tools/slurm-cluster.sh, the CTest
// fixture `slurm`): two stand-in GPUs as GRES, slurmrestd with JWT. Each case runs through
// slurmrestd and through the Slurm commands.
#include "engine/slurmclient.h"
#include "engine/slurmexecutor.h"

#include "support/files.h"
#include "support/slurmcluster.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <functional>

using namespace trainyard::core;

namespace {

QString readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

/// Polls `client` for job `id` until `done` says so (or 60 s pass); the last state seen.
SlurmJobState waitFor(SlurmClient &client, const QString &id, const std::function<bool(const SlurmJobState &)> &done)
{
    SlurmJobState last;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 60000) {
        const auto state = client.job(id);
        if (state) {
            last = *state;
            if (done(last))
                break;
        }
        QThread::msleep(250);
    }
    return last;
}

bool finished(const SlurmJobState &s)
{
    return s.isFinished();
}

} // namespace

class tst_SlurmClient final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void parsesScontrolWords();
    void gresOfAJobsGpus();
    void choosesTheNewestVersionOffered();
    void submitsAndReportsAJob_data();
    void submitsAndReportsAJob();
    void failuresAreNamed_data();
    void failuresAreNamed();
    void threeJobsOnTwoGpus_data();
    void threeJobsOnTwoGpus();
    void cancelEndsAJob_data();
    void cancelEndsAJob();
    void dependencyWaitsForItsJob_data();
    void dependencyWaitsForItsJob();
    void heldJobWaitsForItsRelease_data();
    void heldJobWaitsForItsRelease();
    void clusterShowsNodesAndGpus_data();
    void clusterShowsNodesAndGpus();
    void restDaemonDownIsAClearError();
    void tokenFromScontrolWhenNoneIsSet();

private:
    static void bothPaths();
    /// The client for this row's path ("rest" or "commands").
    SlurmClient::Options options() const;
    SlurmJobRequest request(const QString &name, const QString &body) const;

    QMap<QString, QString> m_env;
    std::unique_ptr<QTemporaryDir> m_work;
    QStringList m_submitted;
};

void tst_SlurmClient::initTestCase()
{
    m_env = trainyard::test::slurmClusterEnvironment();
    QVERIFY2(!m_env.isEmpty(), "no test cluster (the fixture `slurm` starts one)");
    qputenv("SLURM_CONF", m_env.value(QStringLiteral("SLURM_CONF")).toUtf8());
    qunsetenv("SLURMRESTD_URL");
    qunsetenv("SLURM_JWT");
}

void tst_SlurmClient::init()
{
    m_work = std::make_unique<QTemporaryDir>();
    QVERIFY(m_work->isValid());
    QFile::setPermissions(m_work->path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                                              QFileDevice::ReadOther | QFileDevice::ExeOther);
    m_submitted.clear();
}

void tst_SlurmClient::cleanup()
{
    // Nothing a failed case left behind holds the GPUs of the next.
    if (!m_submitted.isEmpty()) {
        QProcess::execute(QStringLiteral("scancel"), m_submitted);
        QProcess p;
        for (int i = 0; i < 100; ++i) {
            p.start(QStringLiteral("squeue"), {QStringLiteral("-h")});
            p.waitForFinished();
            if (p.readAllStandardOutput().trimmed().isEmpty())
                break;
            QThread::msleep(200);
        }
    }
}

void tst_SlurmClient::bothPaths()
{
    QTest::addColumn<bool>("rest");
    QTest::newRow("slurmrestd") << true;
    QTest::newRow("commands") << false;
}

SlurmClient::Options tst_SlurmClient::options() const
{
    QFETCH(bool, rest);
    SlurmClient::Options o;
    if (rest) {
        o.restUrl = m_env.value(QStringLiteral("SLURMRESTD_URL"));
        o.token = m_env.value(QStringLiteral("SLURM_JWT"));
    }
    return o;
}

SlurmJobRequest tst_SlurmClient::request(const QString &name, const QString &body) const
{
    SlurmJobRequest r;
    r.name = name;
    r.script = QStringLiteral("#!/bin/bash\n") + body + u'\n';
    r.workDir = m_work->path();
    r.outputFile = m_work->filePath(name + QStringLiteral(".out"));
    return r;
}

// The record of a job too short to be seen running names its GPUs as Slurm does, from the
// numbers its script was given; a GRES list splits between entries, not inside IDX lists.
void tst_SlurmClient::gresOfAJobsGpus()
{
    QCOMPARE(SlurmExecutor::gresOfJobGpus(QStringLiteral("1\n")), QStringLiteral("gpu:1(IDX:1)"));
    QCOMPARE(SlurmExecutor::gresOfJobGpus(QStringLiteral("3,0,1")), QStringLiteral("gpu:3(IDX:0-1,3)"));
    QCOMPARE(SlurmExecutor::gresOfJobGpus(QStringLiteral("0,1,2,3")), QStringLiteral("gpu:4(IDX:0-3)"));
    QVERIFY(SlurmExecutor::gresOfJobGpus(QStringLiteral("NoDevFiles")).isEmpty());
    QVERIFY(SlurmExecutor::gresOfJobGpus(QString()).isEmpty());
    QCOMPARE(SlurmExecutor::splitGres(QStringLiteral("gpu:1(IDX:0),gpu:a100:2(IDX:0,2)")),
             (QStringList{QStringLiteral("gpu:1(IDX:0)"), QStringLiteral("gpu:a100:2(IDX:0,2)")}));
    QVERIFY(SlurmExecutor::splitGres(QString()).isEmpty());
}

void tst_SlurmClient::parsesScontrolWords()
{
    const SlurmJobState job = SlurmClient::parseScontrolJob(
        QStringLiteral("JobId=12 JobName=train UserId=root(0) JobState=PENDING Reason=Resources Dependency=(null) "
                       "Restarts=1 ExitCode=0:0 NodeList=(null) Partition=gpu JOB_GRES=(null) TresPerNode=gres:gpu:1"));
    QCOMPARE(job.id, QStringLiteral("12"));
    QCOMPARE(job.state, QStringLiteral("PENDING"));
    QCOMPARE(job.restarts, 1);
    QVERIFY(job.nodes.isEmpty());
    QVERIFY(job.isPending() && !job.isFinished());
    QCOMPARE(job.gpusAsked, 1);
    QCOMPARE(job.waitingWhy(), QStringLiteral("waiting for GPUs (Resources)"));
    const SlurmJobState ended =
        SlurmClient::parseScontrolJob(QStringLiteral("JobId=13 JobState=FAILED Reason=NonZeroExitCode ExitCode=3:0 "
                                                     "NodeList=vm GRES=gpu:1(IDX:1)"));
    QCOMPARE(ended.exitCode, 3);
    QCOMPARE(ended.gpus, QStringLiteral("gpu:1(IDX:1)"));
    QCOMPARE(ended.failure(), QStringLiteral("exit code 3 (NonZeroExitCode)"));
    const SlurmNode node = SlurmClient::parseScontrolNode(
        QStringLiteral("NodeName=gpu01 CPUAlloc=4 CPUTot=16 Gres=gpu:a100:4(S:0-1) GresUsed=gpu:a100:3(IDX:0-2) "
                       "RealMemory=64000 AllocMem=1000 State=MIXED+DRAIN Partitions=gpu,debug Reason=maintenance"));
    QCOMPARE(node.gpus, 4);
    QCOMPARE(node.gpusUsed, 3);
    QCOMPARE(node.state, QStringLiteral("mixed+drain"));
    QCOMPARE(node.partitions, (QStringList{QStringLiteral("gpu"), QStringLiteral("debug")}));
    QCOMPARE(node.reason, QStringLiteral("maintenance"));
}

void tst_SlurmClient::choosesTheNewestVersionOffered()
{
    QCOMPARE(SlurmClient::chooseVersion(R"({"paths": {"/slurm/v0.0.36/job/submit": {}, "/slurm/v0.0.37/job/submit": {},
                                          "/slurm/v0.0.40/job/submit": {}}})"),
             QStringLiteral("v0.0.37"));
    QCOMPARE(SlurmClient::chooseVersion(R"({"paths": {"/slurm/v0.0.41/job/submit": {}}})"), QString());

    // The real daemon, offering all three, then only the oldest.
    SlurmClient::Options o;
    o.restUrl = m_env.value(QStringLiteral("SLURMRESTD_URL"));
    o.token = m_env.value(QStringLiteral("SLURM_JWT"));
    {
        SlurmClient client(o);
        QVERIFY2(client.connect(), "connect");
        QCOMPARE(client.apiVersion(), QStringLiteral("v0.0.38"));
    }
    QVERIFY(trainyard::test::slurmCluster(QStringLiteral("rest-stop")));
    QVERIFY(trainyard::test::slurmCluster(QStringLiteral("rest-start"), {QStringLiteral("openapi/v0.0.36")}));
    {
        SlurmClient client(o);
        const auto ok = client.connect();
        QVERIFY2(ok, ok ? "" : qPrintable(ok.error().message));
        QCOMPARE(client.apiVersion(), QStringLiteral("v0.0.36"));
        // The old version's own field names: the job runs and writes its output.
        SlurmJobRequest r = request(QStringLiteral("old-api"), QStringLiteral("echo spoke v36"));
        const auto id = client.submit(r);
        QVERIFY2(id, id ? "" : qPrintable(id.error().message));
        m_submitted << *id;
        const SlurmJobState s = waitFor(client, *id, finished);
        QCOMPARE(s.state, QStringLiteral("COMPLETED"));
        QCOMPARE(readAll(r.outputFile), QStringLiteral("spoke v36\n"));
    }
    QVERIFY(trainyard::test::slurmCluster(QStringLiteral("rest-stop")));
    QVERIFY(trainyard::test::slurmCluster(QStringLiteral("rest-start")));
}

void tst_SlurmClient::submitsAndReportsAJob_data()
{
    bothPaths();
}

void tst_SlurmClient::submitsAndReportsAJob()
{
    SlurmClient client(options());
    SlurmJobRequest r = request(QStringLiteral("hello"), QStringLiteral("echo \"lr=$LEARNING_RATE msg=$MESSAGE\"\n"
                                                                        "echo \"gpus=$CUDA_VISIBLE_DEVICES\"\n"
                                                                        "pwd"));
    r.environment.insert(QStringLiteral("LEARNING_RATE"), QStringLiteral("0.05"));
    r.environment.insert(QStringLiteral("MESSAGE"), QStringLiteral("it's a, b"));
    r.gpus = 1;
    r.cpus = 1;
    r.memoryMiB = 200;
    r.timeLimitMin = 2;
    const auto id = client.submit(r);
    QVERIFY2(id, id ? "" : qPrintable(id.error().message));
    m_submitted << *id;
    const SlurmJobState s = waitFor(client, *id, finished);
    QCOMPARE(s.state, QStringLiteral("COMPLETED"));
    QCOMPARE(s.exitCode, 0);
    QVERIFY(s.failure().isEmpty());
    QVERIFY(!s.nodes.isEmpty());
    const QString out = readAll(r.outputFile);
    QVERIFY2(out.startsWith(QStringLiteral("lr=0.05 msg=it's a, b\ngpus=")), qPrintable(out));
    // One of the two GPUs, by index.
    QVERIFY2(out.contains(QStringLiteral("gpus=0\n")) || out.contains(QStringLiteral("gpus=1\n")), qPrintable(out));
    QVERIFY2(out.endsWith(m_work->path() + u'\n'), qPrintable(out));
}

void tst_SlurmClient::failuresAreNamed_data()
{
    bothPaths();
}

void tst_SlurmClient::failuresAreNamed()
{
    SlurmClient client(options());
    const auto failing = client.submit(request(QStringLiteral("fails"), QStringLiteral("exit 3")));
    QVERIFY2(failing, failing ? "" : qPrintable(failing.error().message));
    m_submitted << *failing;
    const SlurmJobState failed = waitFor(client, *failing, finished);
    QCOMPARE(failed.state, QStringLiteral("FAILED"));
    QCOMPARE(failed.exitCode, 3);
    QVERIFY2(failed.failure().startsWith(QStringLiteral("exit code 3")), qPrintable(failed.failure()));
    // An unknown partition is refused at submission, with Slurm's words.
    SlurmJobRequest nowhere = request(QStringLiteral("nowhere"), QStringLiteral("true"));
    nowhere.partition = QStringLiteral("no-such-partition");
    const auto refused = client.submit(nowhere);
    QVERIFY(!refused);
    QVERIFY2(refused.error().message.contains(QStringLiteral("partition"), Qt::CaseInsensitive),
             qPrintable(refused.error().message));
}

void tst_SlurmClient::threeJobsOnTwoGpus_data()
{
    bothPaths();
}

void tst_SlurmClient::threeJobsOnTwoGpus()
{
    SlurmClient client(options());
    QStringList ids;
    QStringList outputs;
    for (int i = 0; i < 3; ++i) {
        SlurmJobRequest r =
            request(QStringLiteral("gpu-%1").arg(i), QStringLiteral("echo $CUDA_VISIBLE_DEVICES\nsleep 4"));
        r.gpus = 1;
        r.memoryMiB = 100;
        const auto id = client.submit(r);
        QVERIFY2(id, id ? "" : qPrintable(id.error().message));
        ids << *id;
        outputs << r.outputFile;
        m_submitted << *id;
    }
    // Two run, each with a GPU of its own; the third waits, saying why.
    SlurmJobState first =
        waitFor(client, ids[0], [](const SlurmJobState &s) { return s.isRunning() || s.isFinished(); });
    SlurmJobState second =
        waitFor(client, ids[1], [](const SlurmJobState &s) { return s.isRunning() || s.isFinished(); });
    QCOMPARE(first.state, QStringLiteral("RUNNING"));
    QCOMPARE(second.state, QStringLiteral("RUNNING"));
    const auto third = client.job(ids[2]);
    QVERIFY(third);
    QCOMPARE(third->state, QStringLiteral("PENDING"));
    QCOMPARE(third->reason, QStringLiteral("Resources"));
    QCOMPARE(third->waitingWhy(), QStringLiteral("waiting for GPUs (Resources)"));
    // …then runs, once a GPU is free.
    for (const QString &id : std::as_const(ids))
        QCOMPARE(waitFor(client, id, finished).state, QStringLiteral("COMPLETED"));
    const QString gpu0 = readAll(outputs[0]).trimmed();
    const QString gpu1 = readAll(outputs[1]).trimmed();
    QVERIFY2(QSet<QString>({gpu0, gpu1}) == QSet<QString>({QStringLiteral("0"), QStringLiteral("1")}),
             qPrintable(gpu0 + u' ' + gpu1));
    QVERIFY(!readAll(outputs[2]).trimmed().isEmpty());
}

void tst_SlurmClient::cancelEndsAJob_data()
{
    bothPaths();
}

void tst_SlurmClient::cancelEndsAJob()
{
    SlurmClient client(options());
    const auto id = client.submit(request(QStringLiteral("long"), QStringLiteral("echo started\nsleep 300")));
    QVERIFY2(id, id ? "" : qPrintable(id.error().message));
    m_submitted << *id;
    QCOMPARE(waitFor(client, *id, [](const SlurmJobState &s) { return s.isRunning(); }).state,
             QStringLiteral("RUNNING"));
    QVERIFY(client.cancel(*id));
    const SlurmJobState s = waitFor(client, *id, finished);
    QCOMPARE(s.state, QStringLiteral("CANCELLED"));
    QVERIFY2(s.failure().startsWith(QStringLiteral("it was cancelled")), qPrintable(s.failure()));
}

void tst_SlurmClient::dependencyWaitsForItsJob_data()
{
    bothPaths();
}

void tst_SlurmClient::dependencyWaitsForItsJob()
{
    SlurmClient client(options());
    const auto first = client.submit(request(QStringLiteral("first"), QStringLiteral("sleep 3")));
    QVERIFY(first);
    m_submitted << *first;
    SlurmJobRequest after = request(QStringLiteral("after"), QStringLiteral("echo after"));
    after.afterOk = {*first};
    const auto second = client.submit(after);
    QVERIFY2(second, second ? "" : qPrintable(second.error().message));
    m_submitted << *second;
    const auto waiting = client.job(*second);
    QVERIFY(waiting);
    QCOMPARE(waiting->state, QStringLiteral("PENDING"));
    QVERIFY2(waiting->reason == QLatin1String("Dependency") || waiting->reason == QLatin1String("None"),
             qPrintable(waiting->reason));
    QCOMPARE(waitFor(client, *second, finished).state, QStringLiteral("COMPLETED"));
    QCOMPARE(readAll(after.outputFile), QStringLiteral("after\n"));
}

void tst_SlurmClient::heldJobWaitsForItsRelease_data()
{
    bothPaths();
}

// Submitted held behind a job (afterok): it stays in the queue after that one ended, until released.
void tst_SlurmClient::heldJobWaitsForItsRelease()
{
    SlurmClient client(options());
    const auto first = client.submit(request(QStringLiteral("first"), QStringLiteral("true")));
    QVERIFY(first);
    m_submitted << *first;
    SlurmJobRequest held = request(QStringLiteral("held"), QStringLiteral("echo released"));
    held.afterOk = {*first};
    held.hold = true;
    const auto id = client.submit(held);
    QVERIFY2(id, id ? "" : qPrintable(id.error().message));
    m_submitted << *id;
    QCOMPARE(waitFor(client, *first, finished).state, QStringLiteral("COMPLETED"));
    QThread::sleep(2); // slurmctld schedules every second here: it would have started by now
    const auto waiting = client.job(*id);
    QVERIFY(waiting);
    QCOMPARE(waiting->state, QStringLiteral("PENDING"));
    QCOMPARE(waiting->reason, QStringLiteral("JobHeldUser"));
    QCOMPARE(waiting->waitingWhy(), QStringLiteral("held until its needs have ended (JobHeldUser)"));
    QVERIFY(client.release(*id));
    QCOMPARE(waitFor(client, *id, finished).state, QStringLiteral("COMPLETED"));
    QCOMPARE(readAll(held.outputFile), QStringLiteral("released\n"));
}

void tst_SlurmClient::clusterShowsNodesAndGpus_data()
{
    bothPaths();
}

void tst_SlurmClient::clusterShowsNodesAndGpus()
{
    SlurmClient client(options());
    SlurmJobRequest r = request(QStringLiteral("holds-a-gpu"), QStringLiteral("sleep 300"));
    r.gpus = 1;
    const auto id = client.submit(r);
    QVERIFY(id);
    m_submitted << *id;
    QCOMPARE(waitFor(client, *id, [](const SlurmJobState &s) { return s.isRunning(); }).state,
             QStringLiteral("RUNNING"));
    const auto info = client.cluster();
    QVERIFY2(info, info ? "" : qPrintable(info.error().message));
    QCOMPARE(info->clusterName, QStringLiteral("trainyard-test"));
    QVERIFY(info->slurmVersion.startsWith(QStringLiteral("22.05")));
    // The test cluster's two partitions (`urgent` preempts `gpu`), the default one said so.
    QCOMPARE(info->partitions.size(), size_t(2));
    for (const SlurmPartition &p : info->partitions) {
        QVERIFY2(p.name == QLatin1String("gpu") || p.name == QLatin1String("urgent"), qPrintable(p.name));
        QCOMPARE(p.isDefault, p.name == QLatin1String("gpu"));
        QCOMPARE(p.state, QStringLiteral("UP"));
    }
    QCOMPARE(info->nodes.size(), size_t(1));
    QCOMPARE(info->nodes[0].gpus, 2);
    QCOMPARE(info->nodes[0].gpusUsed, 1);
    QVERIFY(std::any_of(info->queue.cbegin(), info->queue.cend(),
                        [&](const SlurmJobState &j) { return j.id == *id && j.isRunning(); }));
    QVERIFY(client.cancel(*id));
}

void tst_SlurmClient::restDaemonDownIsAClearError()
{
    QVERIFY(trainyard::test::slurmCluster(QStringLiteral("rest-stop")));
    SlurmClient::Options o;
    o.restUrl = m_env.value(QStringLiteral("SLURMRESTD_URL"));
    o.token = m_env.value(QStringLiteral("SLURM_JWT"));
    SlurmClient client(o);
    QElapsedTimer timer;
    timer.start();
    const auto submitted = client.submit(request(QStringLiteral("nobody-hears"), QStringLiteral("true")));
    QVERIFY(!submitted);
    QVERIFY2(submitted.error().message.contains(QStringLiteral("does not answer")) &&
                 submitted.error().message.contains(o.restUrl),
             qPrintable(submitted.error().message));
    QVERIFY2(timer.elapsed() < 10000, "no hang"); // the connection is refused at once
    // A wrong token is refused with how to get a good one; the token itself is never repeated.
    QVERIFY(trainyard::test::slurmCluster(QStringLiteral("rest-start")));
    o.token = QStringLiteral("not-a-token");
    SlurmClient refused(o);
    const auto info = refused.cluster();
    QVERIFY(!info);
    QVERIFY2(info.error().message.contains(QStringLiteral("SLURM_JWT")) &&
                 !info.error().message.contains(QStringLiteral("not-a-token")),
             qPrintable(info.error().message));
}

// No SLURM_JWT: on a machine of the cluster, the client asks `scontrol token` for one.
void tst_SlurmClient::tokenFromScontrolWhenNoneIsSet()
{
    SlurmClient::Options o;
    o.restUrl = m_env.value(QStringLiteral("SLURMRESTD_URL"));
    SlurmClient client(o);
    const auto info = client.cluster();
    QVERIFY2(info, info ? "" : qPrintable(info.error().message));
    QCOMPARE(info->nodes.size(), size_t(1));
    QVERIFY(info->via.startsWith(QStringLiteral("slurmrestd")));
}

QTEST_GUILESS_MAIN(tst_SlurmClient)
#include "tst_slurmclient.moc"
