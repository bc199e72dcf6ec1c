// GpuInventory: parsing nvidia-smi's CSV, and running the stand-in in tests/data/nvidia-smi.
#include "engine/gpuinventory.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace trainyard::core;

#include "support/scopedenv.h"

using trainyard::test::ScopedEnv;

namespace {

QString standInDir()
{
    return QStringLiteral(TRAINYARD_TEST_DATA "/nvidia-smi");
}

QString standIn()
{
    return standInDir() + QStringLiteral("/nvidia-smi");
}

} // namespace

class tst_GpuInventory final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parseCsv_data();
    void parseCsv();
    void parseCsvRejects_data();
    void parseCsvRejects();
    void queryStandIn();
    void queryMalformedOutput();
    void queryWithoutNvidiaSmi();
    void queryMissingExplicitPath();
    void queryDriverFailure();
    void queryHangIsKilled();
};

void tst_GpuInventory::parseCsv_data()
{
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<int>("count");
    QTest::addColumn<int>("index"); // of the last GPU
    QTest::addColumn<QString>("uuid");
    QTest::addColumn<QString>("name");
    QTest::addColumn<qint64>("total");
    QTest::addColumn<qint64>("used");
    QTest::addColumn<int>("utilization");
    QTest::addColumn<QString>("driver");

    QFile sample(standInDir() + QStringLiteral("/h100x2.csv"));
    QVERIFY(sample.open(QIODevice::ReadOnly));
    QTest::newRow("recorded h100x2") << sample.readAll() << 2 << 1 << "GPU-2b7e9d04-93f1-4c58-b6a2-7e8f9a0b1c2d"
                                     << "NVIDIA H100 80GB HBM3" << qint64(81559) << qint64(45210) << 87 << "550.54.15";
    QTest::newRow("empty") << QByteArray() << 0 << 0 << ""
                           << "" << qint64(0) << qint64(0) << 0 << "";
    QTest::newRow("blank lines, CRLF, spaces")
        << QByteArray("\r\n  0 ,GPU-a,  Tesla T4 ,15360,  0,0 , 535.104.05  \r\n\n") << 1 << 0 << "GPU-a"
        << "Tesla T4" << qint64(15360) << qint64(0) << 0 << "535.104.05";
    QTest::newRow("N/A values") << QByteArray(
                                       "3, GPU-b, NVIDIA A100-SXM4-40GB, [N/A], [N/A], [Not Supported], 525.85.12\n")
                                << 1 << 3 << "GPU-b"
                                << "NVIDIA A100-SXM4-40GB" << qint64(-1) << qint64(-1) << -1 << "525.85.12";
    QTest::newRow("bare N/A, unknown error, N/A text")
        << QByteArray("0, [N/A], [N/A], N/A, [Unknown Error], 5, [N/A]\n") << 1 << 0 << ""
        << "" << qint64(-1) << qint64(-1) << 5 << "";
    QTest::newRow("comma in name") << QByteArray("0, GPU-c, Odd, Name, 100, 10, 1, 1.0\n") << 1 << 0 << "GPU-c"
                                   << "Odd, Name" << qint64(100) << qint64(10) << 1 << "1.0";
    QTest::newRow("no trailing newline") << QByteArray("0, GPU-d, NVIDIA L4, 23034, 0, 0, 550.54.15") << 1 << 0
                                         << "GPU-d"
                                         << "NVIDIA L4" << qint64(23034) << qint64(0) << 0 << "550.54.15";
}

void tst_GpuInventory::parseCsv()
{
    QFETCH(QByteArray, csv);
    QFETCH(int, count);
    const Result<std::vector<GpuInfo>> gpus = GpuInventory::parseCsv(csv);
    QVERIFY2(gpus, gpus ? "" : qPrintable(gpus.error().message));
    QCOMPARE(int(gpus->size()), count);
    if (count == 0)
        return;
    const GpuInfo &g = gpus->back();
    QTEST(g.index, "index");
    QTEST(g.uuid, "uuid");
    QTEST(g.name, "name");
    QTEST(g.memoryTotalMiB, "total");
    QTEST(g.memoryUsedMiB, "used");
    QTEST(g.utilizationPercent, "utilization");
    QTEST(g.driverVersion, "driver");
}

void tst_GpuInventory::parseCsvRejects_data()
{
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<QString>("expected"); // a part of the message

    QTest::newRow("too few fields") << QByteArray("0, GPU-a, Tesla T4, 15360, 0, 0, 535.1\n\n1, GPU-b, Tesla T4\n")
                                    << "line 3: expected 7 comma-separated fields";
    QTest::newRow("header left in")
        << QByteArray("index, uuid, name, memory.total [MiB], memory.used [MiB], utilization.gpu [%], driver_version\n")
        << "line 1: GPU index 'index' is not a number";
    QTest::newRow("units left in") << QByteArray("0, GPU-a, Tesla T4, 15360 MiB, 0 MiB, 0 %, 535.1\n")
                                   << "line 1: memory.total '15360 MiB' is not a number";
    QTest::newRow("bad utilization") << QByteArray("\n0, GPU-a, Tesla T4, 15360, 0, lots, 535.1\n")
                                     << "line 2: utilization.gpu 'lots' is not a number";
    QTest::newRow("driver message") << QByteArray("No devices were found\n") << "line 1: expected 7";
}

void tst_GpuInventory::parseCsvRejects()
{
    QFETCH(QByteArray, csv);
    QFETCH(QString, expected);
    const Result<std::vector<GpuInfo>> gpus = GpuInventory::parseCsv(csv);
    QVERIFY(!gpus);
    QVERIFY2(gpus.error().message.contains(expected), qPrintable(gpus.error().message));
}

void tst_GpuInventory::queryStandIn()
{
    const Result<GpuInventorySnapshot> s = GpuInventory::query(standIn());
    QVERIFY2(s, s ? "" : qPrintable(s.error().message));
    QVERIFY(s->nvidiaSmiFound);
    QCOMPARE(s->nvidiaSmiPath, standIn());
    QCOMPARE(int(s->gpus.size()), 2);
    QCOMPARE(s->gpus[0].index, 0);
    QCOMPARE(s->gpus[0].uuid, QStringLiteral("GPU-8f5a3c1e-6b2d-4e9a-a7c4-1d2e3f4a5b6c"));
    QCOMPARE(s->gpus[0].memoryTotalMiB, qint64(81559));
    QCOMPARE(s->gpus[1].utilizationPercent, 87);
    QCOMPARE(s->message, QStringLiteral("2 NVIDIA GPUs found (driver 550.54.15)"));

    // Found on PATH by name, too.
    ScopedEnv path("PATH", QFile::encodeName(standInDir()));
    const Result<GpuInventorySnapshot> onPath = GpuInventory::query();
    QVERIFY(onPath);
    QCOMPARE(onPath->nvidiaSmiPath, standIn());
    QCOMPARE(int(onPath->gpus.size()), 2);
}

void tst_GpuInventory::queryMalformedOutput()
{
    QTemporaryDir dir;
    QFile csv(dir.filePath(QStringLiteral("bad.csv")));
    QVERIFY(csv.open(QIODevice::WriteOnly));
    csv.write("0, GPU-a, NVIDIA H100 80GB HBM3, 81559, 1, 0, 550.54.15\n1, GPU-b\n");
    csv.close();
    ScopedEnv fake("FAKE_NVIDIA_SMI_CSV", QFile::encodeName(csv.fileName()));
    const Result<GpuInventorySnapshot> s = GpuInventory::query(standIn());
    QVERIFY(!s);
    QVERIFY2(s.error().message.contains(QStringLiteral("line 2:")), qPrintable(s.error().message));
    QVERIFY2(s.error().message.contains(standIn()), qPrintable(s.error().message));
}

void tst_GpuInventory::queryWithoutNvidiaSmi()
{
    QTemporaryDir empty;
    ScopedEnv path("PATH", QFile::encodeName(empty.path()));
    const Result<GpuInventorySnapshot> s = GpuInventory::query();
    QVERIFY2(s, s ? "" : qPrintable(s.error().message));
    QVERIFY(!s->nvidiaSmiFound);
    QVERIFY(s->nvidiaSmiPath.isEmpty());
    QVERIFY(s->gpus.empty());
    QCOMPARE(s->message, QStringLiteral("no NVIDIA GPU found (nvidia-smi is not on PATH)"));
}

void tst_GpuInventory::queryMissingExplicitPath()
{
    QTemporaryDir empty;
    const QString path = empty.filePath(QStringLiteral("nvidia-smi"));
    const Result<GpuInventorySnapshot> s = GpuInventory::query(path);
    QVERIFY(s);
    QVERIFY(!s->nvidiaSmiFound);
    QVERIFY(s->gpus.empty());
    QVERIFY2(s->message.startsWith(QStringLiteral("no NVIDIA GPU found")) && s->message.contains(path),
             qPrintable(s->message));
}

void tst_GpuInventory::queryDriverFailure()
{
    ScopedEnv fail("FAKE_NVIDIA_SMI_FAIL", "1");
    const Result<GpuInventorySnapshot> s = GpuInventory::query(standIn());
    QVERIFY2(s, s ? "" : qPrintable(s.error().message));
    QVERIFY(s->nvidiaSmiFound);
    QVERIFY(s->gpus.empty());
    QVERIFY2(s->message.startsWith(QStringLiteral("no NVIDIA GPU found (nvidia-smi failed with exit code 9: ")),
             qPrintable(s->message));
    QVERIFY2(s->message.contains(QStringLiteral("couldn't communicate with the NVIDIA driver")),
             qPrintable(s->message));
}

void tst_GpuInventory::queryHangIsKilled()
{
    ScopedEnv hang("FAKE_NVIDIA_SMI_HANG", "1");
    QElapsedTimer timer;
    timer.start();
    const Result<GpuInventorySnapshot> s = GpuInventory::query(standIn(), 500);
    QVERIFY(timer.elapsed() < 10000);
    QVERIFY2(s, s ? "" : qPrintable(s.error().message));
    QVERIFY(s->nvidiaSmiFound);
    QVERIFY(s->gpus.empty());
    QVERIFY2(s->message.contains(QStringLiteral("did not answer within 500 ms and was killed")),
             qPrintable(s->message));
}

QTEST_GUILESS_MAIN(tst_GpuInventory)
#include "tst_gpuinventory.moc"
