// `trainyard doctor`: what the machine lacks, each with its fix; never a crash, never a hang.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct RunResult
{
    int exitCode = -1;
    QString out;
};

RunResult runDoctor(const QStringList &args, const QString &dockerHost, const QString &path)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DOCKER_HOST"), dockerHost);
    env.insert(QStringLiteral("PATH"), path);
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(TRAINYARD_EXE), QStringList{QStringLiteral("doctor")} + args);
    if (!p.waitForFinished(60000))
        return {};
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput())};
}

QHash<QString, QJsonObject> byName(const QString &json)
{
    QHash<QString, QJsonObject> out;
    for (const QJsonValue &v : QJsonDocument::fromJson(json.toUtf8()).array())
        out.insert(v[QLatin1String("name")].toString(), v.toObject());
    return out;
}

} // namespace

class tst_DoctorCommand final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void noEngineNoGpu();
    void gpuWithoutContainerToolkit();
    void realEngine();
};

void tst_DoctorCommand::noEngineNoGpu()
{
    QTemporaryDir dir;
    const QString host = QStringLiteral("unix://") + dir.filePath(QStringLiteral("docker.sock"));
    const RunResult text = runDoctor({}, host, QStringLiteral("/usr/bin:/bin"));
    QCOMPARE(text.exitCode, 1);
    QVERIFY2(text.out.contains(QStringLiteral("MISSING  Docker engine: no engine: ") +
                               dir.filePath(QStringLiteral("docker.sock"))),
             qPrintable(text.out));
    QVERIFY(text.out.contains(QStringLiteral("fix: Install and start Docker")));
    QVERIFY(text.out.contains(QStringLiteral("warning  NVIDIA GPU: no NVIDIA GPU found")));

    const RunResult json = runDoctor({QStringLiteral("--json")}, host, QStringLiteral("/usr/bin:/bin"));
    QCOMPARE(json.exitCode, 1);
    const auto items = byName(json.out);
    QCOMPARE(items.size(), 4);
    QCOMPARE(items[QStringLiteral("Docker engine")][QLatin1String("state")].toString(), QStringLiteral("missing"));
    QCOMPARE(items[QStringLiteral("Docker permission")][QLatin1String("state")].toString(), QStringLiteral("warning"));
    QCOMPARE(items[QStringLiteral("NVIDIA GPU")][QLatin1String("state")].toString(), QStringLiteral("warning"));
    QCOMPARE(items[QStringLiteral("NVIDIA container runtime")][QLatin1String("detail")].toString(),
             QStringLiteral("not needed without an NVIDIA GPU"));
    // Nothing to do is not a warning.
    QCOMPARE(items[QStringLiteral("NVIDIA container runtime")][QLatin1String("state")].toString(),
             QStringLiteral("not needed"));
}

void tst_DoctorCommand::gpuWithoutContainerToolkit()
{
    // The nvidia-smi stand-in reports two H100s; nothing provides the container toolkit.
    QTemporaryDir dir;
    const QString host = QStringLiteral("unix://") + dir.filePath(QStringLiteral("docker.sock"));
    const QString path = QStringLiteral(TRAINYARD_TEST_DATA "/nvidia-smi:/usr/bin:/bin");
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DOCKER_HOST"), host);
    env.insert(QStringLiteral("PATH"), path);
    env.insert(QStringLiteral("FAKE_NVIDIA_SMI_CSV"), QStringLiteral(TRAINYARD_TEST_DATA "/nvidia-smi/h100x2.csv"));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(TRAINYARD_EXE), {QStringLiteral("doctor"), QStringLiteral("--json")});
    QVERIFY(p.waitForFinished(60000));
    const auto items = byName(QString::fromUtf8(p.readAllStandardOutput()));
    QCOMPARE(items[QStringLiteral("NVIDIA GPU")][QLatin1String("state")].toString(), QStringLiteral("ok"));
    QVERIFY(items[QStringLiteral("NVIDIA GPU")][QLatin1String("detail")].toString().contains(
        QStringLiteral("2 NVIDIA GPUs")));
    QCOMPARE(items[QStringLiteral("NVIDIA container runtime")][QLatin1String("state")].toString(),
             QStringLiteral("missing"));
    QVERIFY(items[QStringLiteral("NVIDIA container runtime")][QLatin1String("fix")].toString().contains(
        QStringLiteral("nvidia-ctk")));
}

void tst_DoctorCommand::realEngine()
{
    if (qEnvironmentVariableIsSet("TRAINYARD_SKIP_DOCKER") || !QFile::exists(QStringLiteral("/var/run/docker.sock")))
        QSKIP("no Docker engine here");
    const RunResult json = runDoctor({QStringLiteral("--json")}, QStringLiteral("unix:///var/run/docker.sock"),
                                     QStringLiteral("/usr/bin:/bin"));
    const auto items = byName(json.out);
    QCOMPARE(items[QStringLiteral("Docker engine")][QLatin1String("state")].toString(), QStringLiteral("ok"));
    QVERIFY(items[QStringLiteral("Docker engine")][QLatin1String("detail")].toString().startsWith(
        QStringLiteral("Docker ")));
    QCOMPARE(items[QStringLiteral("Docker permission")][QLatin1String("state")].toString(), QStringLiteral("ok"));
    QCOMPARE(json.exitCode, 0); // nothing missing: GPUs are warnings on a machine without one
}

QTEST_GUILESS_MAIN(tst_DoctorCommand)
#include "tst_doctorcommand.moc"
