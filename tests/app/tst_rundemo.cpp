// `trainyard run` end to end on a real Docker engine: the offline demo copied into a fresh git
// repository (as a new hire would), crash safety, and the same demo on Podman's socket.
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "lineage/runhistory.h"

#include "support/demoproject.h"
#include <QUrl>

#include <csignal>

namespace {

struct RunResult
{
    int exitCode = -1;
    QString out;
    QString err;
};

RunResult runTrainyard(const QStringList &args,
                       const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment(),
                       int timeoutMs = 300000)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(TRAINYARD_EXE), args);
    p.closeWriteChannel(); // not a terminal: no interactive approval
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
    }
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

/// The project's newest run as the lineage store has it (the one record of runs), as JSON.
QJsonObject lastRun(const QString &project)
{
    const auto runs = trainyard::core::RunHistory::read(project);
    if (!runs || runs->empty())
        return {};
    return runs->back().record.toJson();
}

QString artifactSha(const QJsonObject &run, const QString &job, const QString &path)
{
    for (const auto &j : run.value(QStringLiteral("jobs")).toArray()) {
        const QJsonObject o = j.toObject();
        if (o.value(QStringLiteral("name")).toString() != job)
            continue;
        for (const auto &f : o.value(QStringLiteral("artifacts")).toObject().value(QStringLiteral("files")).toArray()) {
            if (f.toObject().value(QStringLiteral("path")).toString() == path)
                return f.toObject().value(QStringLiteral("sha256")).toString();
        }
    }
    return {};
}

int countContainers(const QString &label)
{
    QProcess p;
    p.start(QStringLiteral("curl"),
            {QStringLiteral("-s"), QStringLiteral("--unix-socket"), QStringLiteral("/var/run/docker.sock"),
             QStringLiteral("http://localhost/containers/json?all=1&filters=") +
                 QString::fromUtf8(QUrl::toPercentEncoding(QStringLiteral("{\"label\":[\"%1\"]}").arg(label)))});
    p.waitForFinished();
    return int(QJsonDocument::fromJson(p.readAllStandardOutput()).array().size());
}

} // namespace

class tst_RunDemo final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void demoRunsEndToEndAndIsDeterministic();
    void failingGateStopsExport();
    void killedRunIsReportedAndCleanedUp();
    void demoRunsOnPodman();
};

void tst_RunDemo::initTestCase()
{
    if (qEnvironmentVariableIsSet("TRAINYARD_SKIP_DOCKER"))
        QSKIP("TRAINYARD_SKIP_DOCKER is set");
    QProcess ping;
    ping.start(QStringLiteral("curl"),
               {QStringLiteral("-sf"), QStringLiteral("--unix-socket"), QStringLiteral("/var/run/docker.sock"),
                QStringLiteral("http://localhost/_ping")});
    ping.waitForFinished();
    QVERIFY2(ping.exitCode() == 0, "No Docker engine at /var/run/docker.sock: start one with `bash .ci/start-docker` "
                                   "(or set TRAINYARD_SKIP_DOCKER=1 to skip the docker tests).");
}

void tst_RunDemo::demoRunsEndToEndAndIsDeterministic()
{
    QTemporaryDir dir;
    QVERIFY2(trainyard::test::copyOfflineDemo(dir.path()), "the demo's trainer is not built: build the project first");
    const RunResult first = runTrainyard({QStringLiteral("run"), QStringLiteral("-C"), dir.path(),
                                          QStringLiteral("--approve"), QStringLiteral("export")});
    QVERIFY2(first.exitCode == 0, qPrintable(first.out + first.err));
    for (const char *job : {"unit-tests", "train", "evaluate", "export"})
        QVERIFY2(first.out.contains(QRegularExpression(QStringLiteral("\\n  %1\\s+success").arg(QLatin1String(job)))),
                 qPrintable(first.out));
    const QJsonObject run1 = lastRun(dir.path());
    QCOMPARE(run1.value(QStringLiteral("status")).toString(), QStringLiteral("success"));
    const QString model1 = artifactSha(run1, QStringLiteral("train"), QStringLiteral("models/model.txt"));
    QVERIFY2(!model1.isEmpty(), QJsonDocument(run1).toJson().constData());
    QVERIFY(!artifactSha(run1, QStringLiteral("export"), QStringLiteral("export/model.tar")).isEmpty());
    // Image identity is recorded for lineage.
    const QJsonObject trainJob = run1.value(QStringLiteral("jobs")).toArray().at(1).toObject();
    QVERIFY(trainJob.value(QStringLiteral("image_id")).toString().startsWith(QStringLiteral("sha256:")));

    // Same commit, image and data: the same model bytes.
    const RunResult second = runTrainyard({QStringLiteral("run"), QStringLiteral("-C"), dir.path(),
                                           QStringLiteral("--approve"), QStringLiteral("export")});
    QCOMPARE(second.exitCode, 0);
    QCOMPARE(artifactSha(lastRun(dir.path()), QStringLiteral("train"), QStringLiteral("models/model.txt")), model1);
    QCOMPARE(countContainers(QStringLiteral("trainyard.project=") + QDir(dir.path()).absolutePath()), 0);
}

void tst_RunDemo::failingGateStopsExport()
{
    QTemporaryDir dir;
    QVERIFY(trainyard::test::copyOfflineDemo(dir.path()));
    trainyard::test::shell(dir.path(),
                           QStringLiteral("sed -i 's/--min-accuracy 0.85/--min-accuracy 0.999/' .gitlab-ci.yml && "
                                          "git -c user.name=t -c user.email=t@t commit -qam 'raise the bar'"));
    const RunResult r = runTrainyard({QStringLiteral("run"), QStringLiteral("-C"), dir.path(),
                                      QStringLiteral("--approve"), QStringLiteral("export")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.out.contains(QRegularExpression(QStringLiteral("\\n  evaluate\\s+failed"))), qPrintable(r.out));
    QVERIFY(r.out.contains(QRegularExpression(QStringLiteral("\\n  export\\s+skipped"))));
}

void tst_RunDemo::killedRunIsReportedAndCleanedUp()
{
    QTemporaryDir dir;
    QVERIFY(trainyard::test::copyOfflineDemo(dir.path()));
    trainyard::test::shell(
        dir.path(), QStringLiteral("printf 'slow:\\n  stage: test\\n  script: [sleep 120]\\n' >> .gitlab-ci.yml && "
                                   "git -c user.name=t -c user.email=t@t commit -qam slow"));
    QProcess run;
    run.start(QStringLiteral(TRAINYARD_EXE), {QStringLiteral("run"), QStringLiteral("-C"), dir.path(),
                                              QStringLiteral("--job"), QStringLiteral("slow")});
    QVERIFY(run.waitForStarted());
    // Wait until the job's container runs, then kill trainyard without warning.
    const QString label = QStringLiteral("trainyard.project=") + QDir(dir.path()).absolutePath();
    QTRY_VERIFY_WITH_TIMEOUT(countContainers(label) > 0, 60000);
    ::kill(static_cast<pid_t>(run.processId()), SIGKILL);
    run.waitForFinished();
    const QJsonObject killed = lastRun(dir.path());
    QCOMPARE(killed.value(QStringLiteral("status")).toString(), QStringLiteral("running"));
    const QString workspaces =
        dir.filePath(QStringLiteral(".trainyard/workspaces/") + killed.value(QStringLiteral("id")).toString());
    QVERIFY(QFileInfo::exists(workspaces));

    const RunResult next = runTrainyard({QStringLiteral("run"), QStringLiteral("-C"), dir.path(),
                                         QStringLiteral("--job"), QStringLiteral("unit-tests")});
    QVERIFY2(next.exitCode == 0, qPrintable(next.out + next.err));
    QVERIFY2(next.err.contains(QStringLiteral("was interrupted")), qPrintable(next.err));
    QVERIFY(next.err.contains(QStringLiteral("removed")));
    QVERIFY2(next.err.contains(QStringLiteral("removed its job workspaces")), qPrintable(next.err));
    QVERIFY(!QFileInfo::exists(workspaces)); // leftovers: 4.2 GB after 8 kills, once
    QCOMPARE(countContainers(label), 0);
}

void tst_RunDemo::demoRunsOnPodman()
{
    const QString podman = QStandardPaths::findExecutable(QStringLiteral("podman"));
    if (podman.isEmpty())
        QSKIP("podman is not installed (the README's test command installs it)");
    QTemporaryDir state;
    QFile conf(state.filePath(QStringLiteral("containers.conf")));
    QVERIFY(conf.open(QIODevice::WriteOnly));
    conf.write("[containers]\ndefault_ulimits = []\n"); // runc fails on rlimits in this sandbox without it
    conf.close();
    const QString socket = state.filePath(QStringLiteral("podman.sock"));
    QProcess service;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("CONTAINERS_CONF"), conf.fileName());
    service.setProcessEnvironment(env);
    service.start(podman, {QStringLiteral("system"), QStringLiteral("service"), QStringLiteral("--time=0"),
                           QStringLiteral("unix://") + socket});
    QVERIFY(service.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(socket), 20000);

    QTemporaryDir dir;
    QVERIFY(trainyard::test::copyOfflineDemo(dir.path()));
    QProcessEnvironment runEnv = QProcessEnvironment::systemEnvironment();
    runEnv.insert(QStringLiteral("DOCKER_HOST"), QStringLiteral("unix://") + socket);
    const RunResult r = runTrainyard({QStringLiteral("run"), QStringLiteral("-C"), dir.path(),
                                      QStringLiteral("--approve"), QStringLiteral("export")},
                                     runEnv);
    service.terminate();
    service.waitForFinished(10000);
    QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
    QVERIFY(r.out.contains(QStringLiteral("Podman")));
}

QTEST_GUILESS_MAIN(tst_RunDemo)
#include "tst_rundemo.moc"
