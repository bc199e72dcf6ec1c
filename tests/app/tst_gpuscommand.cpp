// Runs the real `trainyard gpus` with the nvidia-smi stand-in on PATH, and with no nvidia-smi at all.
#include <QFile>
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
    QString err;
};

QString standInDir()
{
    return QStringLiteral(TRAINYARD_TEST_DATA "/nvidia-smi");
}

// PATH is the only place `trainyard gpus` looks for nvidia-smi, so each test sets exactly that.
RunResult runGpus(const QStringList &args, const QString &path, const QStringList &extraEnv = {})
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    env.insert(QStringLiteral("PATH"), path);
    for (const QString &kv : extraEnv)
        env.insert(kv.section(u'=', 0, 0), kv.section(u'=', 1));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(TRAINYARD_EXE), QStringList{QStringLiteral("gpus")} + args);
    if (!p.waitForFinished(60000))
        return {};
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

QJsonObject parseJson(const QString &text)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError)
        QTest::qFail(qPrintable(error.errorString() + QStringLiteral(": ") + text), __FILE__, __LINE__);
    return doc.object();
}

} // namespace

class tst_GpusCommand final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void jsonWithStandIn();
    void tableWithStandIn();
    void noNvidiaSmi_data();
    void noNvidiaSmi();
    void driverFailureIsNotAnError();
    void malformedOutputFails();
};

void tst_GpusCommand::jsonWithStandIn()
{
    const RunResult r = runGpus({QStringLiteral("--json")}, standInDir());
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject root = parseJson(r.out);
    QCOMPARE(root.value(QStringLiteral("nvidia_smi")).toBool(), true);
    QCOMPARE(root.value(QStringLiteral("message")).toString(),
             QStringLiteral("2 NVIDIA GPUs found (driver 550.54.15)"));
    const QJsonArray gpus = root.value(QStringLiteral("gpus")).toArray();
    QCOMPARE(gpus.size(), 2);
    const QJsonObject first = gpus.at(0).toObject();
    QCOMPARE(first.value(QStringLiteral("index")).toInt(-1), 0);
    QCOMPARE(first.value(QStringLiteral("uuid")).toString(),
             QStringLiteral("GPU-8f5a3c1e-6b2d-4e9a-a7c4-1d2e3f4a5b6c"));
    QCOMPARE(first.value(QStringLiteral("name")).toString(), QStringLiteral("NVIDIA H100 80GB HBM3"));
    QCOMPARE(first.value(QStringLiteral("memory_total_mib")).toInteger(), 81559);
    QCOMPARE(first.value(QStringLiteral("memory_used_mib")).toInteger(), 1);
    QCOMPARE(first.value(QStringLiteral("utilization_percent")).toInt(-1), 0);
    QCOMPARE(first.value(QStringLiteral("driver_version")).toString(), QStringLiteral("550.54.15"));
    const QJsonObject second = gpus.at(1).toObject();
    QCOMPARE(second.value(QStringLiteral("index")).toInt(), 1);
    QCOMPARE(second.value(QStringLiteral("memory_used_mib")).toInteger(), 45210);
    QCOMPARE(second.value(QStringLiteral("utilization_percent")).toInt(), 87);
}

void tst_GpusCommand::tableWithStandIn()
{
    const RunResult r = runGpus({}, standInDir());
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QStringList lines = r.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 4);
    QVERIFY2(lines[0].startsWith(QStringLiteral("INDEX")) && lines[0].contains(QStringLiteral("UUID")),
             qPrintable(r.out));
    QVERIFY2(lines[2].startsWith(QStringLiteral("1 ")), qPrintable(r.out));
    QVERIFY2(lines[2].contains(QStringLiteral("45210 / 81559 MiB")), qPrintable(r.out));
    QVERIFY2(lines[2].contains(QStringLiteral("87%")), qPrintable(r.out));
    QVERIFY2(lines[2].contains(QStringLiteral("GPU-2b7e9d04-93f1-4c58-b6a2-7e8f9a0b1c2d")), qPrintable(r.out));
    QCOMPARE(lines[3], QStringLiteral("2 NVIDIA GPUs found (driver 550.54.15)"));
}

void tst_GpusCommand::noNvidiaSmi_data()
{
    QTest::addColumn<bool>("json");
    QTest::newRow("table") << false;
    QTest::newRow("json") << true;
}

void tst_GpusCommand::noNvidiaSmi()
{
    QFETCH(bool, json);
    QTemporaryDir empty;
    const RunResult r = runGpus(json ? QStringList{QStringLiteral("--json")} : QStringList{}, empty.path());
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QString message = QStringLiteral("no NVIDIA GPU found (nvidia-smi is not on PATH)");
    if (!json) {
        QCOMPARE(r.out, message + u'\n');
        return;
    }
    const QJsonObject root = parseJson(r.out);
    QCOMPARE(root.value(QStringLiteral("nvidia_smi")).toBool(true), false);
    QCOMPARE(root.value(QStringLiteral("message")).toString(), message);
    QVERIFY(root.value(QStringLiteral("gpus")).isArray());
    QCOMPARE(root.value(QStringLiteral("gpus")).toArray().size(), 0);
}

void tst_GpusCommand::driverFailureIsNotAnError()
{
    const RunResult r = runGpus({QStringLiteral("--json")}, standInDir(), {QStringLiteral("FAKE_NVIDIA_SMI_FAIL=1")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject root = parseJson(r.out);
    QCOMPARE(root.value(QStringLiteral("nvidia_smi")).toBool(), true);
    QVERIFY(root.value(QStringLiteral("message"))
                .toString()
                .contains(QStringLiteral("couldn't communicate with the NVIDIA driver")));
    QCOMPARE(root.value(QStringLiteral("gpus")).toArray().size(), 0);
}

void tst_GpusCommand::malformedOutputFails()
{
    QTemporaryDir dir;
    QFile csv(dir.filePath(QStringLiteral("bad.csv")));
    QVERIFY(csv.open(QIODevice::WriteOnly));
    csv.write("0, GPU-a, NVIDIA H100 80GB HBM3, lots, 1, 0, 550.54.15\n");
    csv.close();
    const RunResult r =
        runGpus({QStringLiteral("--json")}, standInDir(), {QStringLiteral("FAKE_NVIDIA_SMI_CSV=") + csv.fileName()});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QStringLiteral("line 1: memory.total 'lots' is not a number")), qPrintable(r.err));
    QVERIFY(r.out.isEmpty());
}

QTEST_GUILESS_MAIN(tst_GpusCommand)
#include "tst_gpuscommand.moc"
