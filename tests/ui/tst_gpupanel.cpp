// GpuPanel and Sparkline with the nvidia-smi stand-in in tests/data/nvidia-smi: rows, history,
// assignments, the placeholder without nvidia-smi, and an event loop that keeps turning while
// a slow nvidia-smi answers.
#include "gpu/gpupanel.h"
#include "gpu/sparkline.h"

#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QLocale>
#include <QPointer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include "support/files.h"
#include <cmath>

using trainyard::test::writeFile;

using namespace trainyard::ui;
using trainyard::core::GpuInventorySnapshot;
using trainyard::core::JobRecord;
using trainyard::core::JobStatus;

#include "support/scopedenv.h"

using trainyard::test::ScopedEnv;

namespace {

const QString kGpu0Uuid = QStringLiteral("GPU-8f5a3c1e-6b2d-4e9a-a7c4-1d2e3f4a5b6c");

QString standIn()
{
    return QStringLiteral(TRAINYARD_TEST_DATA "/nvidia-smi/nvidia-smi");
}

// A two-GPU machine whose GPU 1 has `utilization` % and `usedMiB` in use.
QByteArray machine(int utilization, qint64 usedMiB)
{
    return "0, " + kGpu0Uuid.toUtf8() +
           ", NVIDIA H100 80GB HBM3, 81559, 1, 0, 550.54.15\n"
           "1, GPU-2b7e9d04-93f1-4c58-b6a2-7e8f9a0b1c2d, NVIDIA H100 80GB HBM3, 81559, " +
           QByteArray::number(usedMiB) + ", " + QByteArray::number(utilization) + ", 550.54.15\n";
}

QLabel *label(const GpuPanel &panel, int gpu, const char *name)
{
    QWidget *row = panel.findChild<QWidget *>(QStringLiteral("gpu%1").arg(gpu));
    return row ? row->findChild<QLabel *>(QLatin1String(name)) : nullptr;
}

Sparkline *chart(const GpuPanel &panel, int gpu, const char *name)
{
    QWidget *row = panel.findChild<QWidget *>(QStringLiteral("gpu%1").arg(gpu));
    return row ? row->findChild<Sparkline *>(QLatin1String(name)) : nullptr;
}

} // namespace

class tst_GpuPanel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sparklineKeepsLastValues();
    void rowsShowTheStandIn();
    void sparklinesCollectPolls();
    void pollingFollowsSetPolling();
    void assignmentsByIndexAndUuid();
    void placeholderWithoutNvidiaSmi();
    void placeholderForUnreadableOutput();
    void slowNvidiaSmiDoesNotBlock();
    void panelDeletedWhileQuerying();
};

void tst_GpuPanel::sparklineKeepsLastValues()
{
    Sparkline s;
    s.setCapacity(3);
    QCOMPARE(s.count(), 0);
    s.addValue(1);
    s.addValue(2);
    QCOMPARE(s.values(), (std::vector<double>{1, 2}));
    s.addValue(3);
    s.addValue(4);
    QCOMPARE(s.count(), 3);
    QCOMPARE(s.values(), (std::vector<double>{2, 3, 4}));
    s.addValue(-1); // unknown: kept as a gap
    const std::vector<double> v = s.values();
    QCOMPARE(v.size(), size_t(3));
    QCOMPARE(v[1], 4.0);
    QVERIFY(std::isnan(v[2]));
    s.setCapacity(2); // keeps the newest
    QCOMPARE(s.values().front(), 4.0);
    s.clear();
    QCOMPARE(s.count(), 0);

    // It paints a line of the highlight colour, rising to the right.
    Sparkline p;
    p.setCapacity(4);
    p.setMaximum(100);
    p.resize(120, 40);
    p.addValue(0);
    p.addValue(50);
    p.addValue(100);
    p.addValue(100);
    QImage image(p.size(), QImage::Format_ARGB32);
    image.fill(Qt::transparent);
    p.render(&image);
    const QColor accent = p.palette().color(QPalette::Highlight);
    auto accentInColumn = [&](int x) {
        for (int y = 0; y < image.height(); ++y) {
            const QColor c = image.pixelColor(x, y);
            if (std::abs(c.red() - accent.red()) < 40 && std::abs(c.green() - accent.green()) < 40 &&
                std::abs(c.blue() - accent.blue()) < 40 && c.alpha() > 200)
                return y;
        }
        return -1;
    };
    const int left = accentInColumn(4);
    const int right = accentInColumn(110);
    QVERIFY2(left >= 0 && right >= 0, "the line is drawn across the width");
    QVERIFY2(right < left, qPrintable(QStringLiteral("high values are drawn higher: %1 vs %2").arg(right).arg(left)));
}

void tst_GpuPanel::rowsShowTheStandIn()
{
    GpuPanel panel(standIn());
    QSignalSpy answered(&panel, &GpuPanel::snapshotChanged);
    QVERIFY(!panel.isPolling());
    panel.show(); // polls once when shown
    QVERIFY(answered.wait(10000));
    QCOMPARE(answered.count(), 1);
    QCOMPARE(int(panel.snapshot().gpus.size()), 2);
    QVERIFY(panel.placeholderText().isEmpty());
    QVERIFY(label(panel, 0, "name"));
    QCOMPARE(label(panel, 0, "name")->text(), QStringLiteral("GPU 0 · NVIDIA H100 80GB HBM3"));
    QCOMPARE(label(panel, 1, "name")->text(), QStringLiteral("GPU 1 · NVIDIA H100 80GB HBM3"));
    const QLocale locale;
    QCOMPARE(label(panel, 1, "memory")->text(),
             QStringLiteral("%1 / %2 MiB").arg(locale.toString(45210), locale.toString(81559)));
    QCOMPARE(label(panel, 1, "utilization")->text(), QStringLiteral("87 %"));
    QCOMPARE(label(panel, 0, "heldBy")->text(), QStringLiteral("free"));
    QCOMPARE(panel.findChild<QLabel *>(QStringLiteral("summary"))->text(),
             QStringLiteral("2 NVIDIA GPUs found (driver 550.54.15)"));
    // Without polling, nothing more comes.
    QTest::qWait(300);
    QCOMPARE(answered.count(), 1);
}

void tst_GpuPanel::sparklinesCollectPolls()
{
    QTemporaryDir dir;
    const QString csv = dir.filePath(QStringLiteral("gpus.csv"));
    const ScopedEnv env("FAKE_NVIDIA_SMI_CSV", QFile::encodeName(csv));
    GpuPanel panel(standIn());
    QSignalSpy answered(&panel, &GpuPanel::snapshotChanged);
    const QList<int> utilization{5, 40, 90, 60, 20};
    for (int i = 0; i < utilization.size(); ++i) {
        QVERIFY(writeFile(csv, machine(utilization[i], 1000 * (i + 1))));
        panel.refresh();
        QVERIFY(answered.wait(10000));
        QCOMPARE(answered.count(), i + 1);
    }
    Sparkline *util = chart(panel, 1, "utilizationSparkline");
    Sparkline *memory = chart(panel, 1, "memorySparkline");
    QVERIFY(util && memory);
    QCOMPARE(util->values(), (std::vector<double>{5, 40, 90, 60, 20}));
    QCOMPARE(util->maximum(), 100.0);
    QCOMPARE(memory->values(), (std::vector<double>{1000, 2000, 3000, 4000, 5000}));
    QCOMPARE(memory->maximum(), 81559.0);
    QCOMPARE(chart(panel, 0, "utilizationSparkline")->values(), (std::vector<double>{0, 0, 0, 0, 0}));
    QCOMPARE(label(panel, 1, "utilization")->text(), QStringLiteral("20 %"));
    QCOMPARE(label(panel, 1, "memory")->text(),
             QStringLiteral("%1 / %2 MiB").arg(QLocale().toString(5000), QLocale().toString(81559)));
}

void tst_GpuPanel::pollingFollowsSetPolling()
{
    GpuPanel panel(standIn());
    panel.setInterval(100);
    QSignalSpy answered(&panel, &GpuPanel::snapshotChanged);
    panel.setPolling(true);
    QVERIFY(panel.isPolling());
    QTRY_VERIFY_WITH_TIMEOUT(answered.count() >= 4, 20000);
    panel.setPolling(false);
    QTRY_VERIFY_WITH_TIMEOUT(!panel.isQuerying(), 10000);
    const qsizetype stopped = answered.count();
    QTest::qWait(500);
    QCOMPARE(answered.count(), stopped);
    QCOMPARE(chart(panel, 1, "utilizationSparkline")->count(), int(stopped));
}

void tst_GpuPanel::assignmentsByIndexAndUuid()
{
    GpuPanel panel(standIn());
    QSignalSpy answered(&panel, &GpuPanel::snapshotChanged);
    panel.refresh();
    QVERIFY(answered.wait(10000));

    panel.setAssignments({{1, QStringLiteral("train")}});
    QCOMPARE(label(panel, 1, "heldBy")->text(), QStringLiteral("held by: train"));
    QCOMPARE(label(panel, 0, "heldBy")->text(), QStringLiteral("free"));

    // A running job's JobRecord::gpus may name GPUs by UUID.
    JobRecord evaluate;
    evaluate.name = QStringLiteral("evaluate");
    evaluate.status = JobStatus::Running;
    evaluate.gpus = {kGpu0Uuid};
    panel.updateJob(evaluate);
    QCOMPARE(label(panel, 0, "heldBy")->text(), QStringLiteral("held by: evaluate"));
    QCOMPARE(panel.holderOf(0), QStringLiteral("evaluate"));
    QCOMPARE(label(panel, 1, "heldBy")->text(), QStringLiteral("held by: train"));

    // The assignment survives the next poll, and ends with the job.
    panel.refresh();
    QVERIFY(answered.wait(10000));
    QCOMPARE(label(panel, 0, "heldBy")->text(), QStringLiteral("held by: evaluate"));
    evaluate.status = JobStatus::Success;
    panel.updateJob(evaluate);
    QCOMPARE(label(panel, 0, "heldBy")->text(), QStringLiteral("free"));

    JobRecord byIndex;
    byIndex.name = QStringLiteral("finetune");
    byIndex.status = JobStatus::Running;
    byIndex.gpus = {QStringLiteral("0")};
    panel.updateJob(byIndex);
    QCOMPARE(label(panel, 0, "heldBy")->text(), QStringLiteral("held by: finetune"));
    panel.clearAssignments();
    QCOMPARE(label(panel, 0, "heldBy")->text(), QStringLiteral("free"));
    QCOMPARE(label(panel, 1, "heldBy")->text(), QStringLiteral("free"));
}

void tst_GpuPanel::placeholderWithoutNvidiaSmi()
{
    {
        QTemporaryDir emptyBin;
        const ScopedEnv path("PATH", QFile::encodeName(emptyBin.path()));
        GpuPanel panel; // looks nvidia-smi up on PATH
        QSignalSpy answered(&panel, &GpuPanel::snapshotChanged);
        panel.refresh();
        QVERIFY(answered.wait(10000));
        QCOMPARE(panel.placeholderText(), QStringLiteral("no NVIDIA GPU found (nvidia-smi is not on PATH)"));
        QVERIFY(!panel.findChild<QWidget *>(QStringLiteral("gpu0")));
    }
    {
        GpuPanel panel(QStringLiteral("/nonexistent/nvidia-smi"));
        QSignalSpy answered(&panel, &GpuPanel::snapshotChanged);
        panel.refresh();
        QVERIFY(answered.wait(10000));
        QCOMPARE(panel.placeholderText(),
                 QStringLiteral("no NVIDIA GPU found (no executable nvidia-smi at /nonexistent/nvidia-smi)"));
    }
    {
        const ScopedEnv fail("FAKE_NVIDIA_SMI_FAIL", "1");
        GpuPanel panel(standIn());
        QSignalSpy answered(&panel, &GpuPanel::snapshotChanged);
        panel.refresh();
        QVERIFY(answered.wait(10000));
        QVERIFY2(panel.placeholderText().contains(QStringLiteral("exit code 9")), qPrintable(panel.placeholderText()));
    }
    {
        // GPUs found, then the executable is replaced by one that is missing: rows go, the reason shows.
        GpuPanel panel(standIn());
        QSignalSpy answered(&panel, &GpuPanel::snapshotChanged);
        panel.refresh();
        QVERIFY(answered.wait(10000));
        QVERIFY(panel.findChild<QWidget *>(QStringLiteral("gpu1")));
        panel.setNvidiaSmi(QStringLiteral("/nonexistent/nvidia-smi"));
        QTRY_VERIFY_WITH_TIMEOUT(panel.placeholderText().contains(QStringLiteral("/nonexistent/nvidia-smi")), 10000);
        QVERIFY(!panel.findChild<QWidget *>(QStringLiteral("gpu1")));
    }
}

void tst_GpuPanel::placeholderForUnreadableOutput()
{
    QTemporaryDir dir;
    const QString csv = dir.filePath(QStringLiteral("gpus.csv"));
    QVERIFY(writeFile(csv, "0, GPU-a, Tesla T4, lots, 0, 0, 535.1\n"));
    const ScopedEnv env("FAKE_NVIDIA_SMI_CSV", QFile::encodeName(csv));
    GpuPanel panel(standIn());
    QSignalSpy failed(&panel, &GpuPanel::queryFailed);
    panel.refresh();
    QVERIFY(failed.wait(10000));
    QVERIFY2(panel.placeholderText().startsWith(QStringLiteral("Cannot read the GPU list")),
             qPrintable(panel.placeholderText()));
    QVERIFY2(panel.placeholderText().contains(QStringLiteral("line 1: memory.total 'lots' is not a number")),
             qPrintable(panel.placeholderText()));
}

void tst_GpuPanel::slowNvidiaSmiDoesNotBlock()
{
    // A stand-in that takes a second to answer, like nvidia-smi on a busy driver.
    QTemporaryDir dir;
    const QString slow = dir.filePath(QStringLiteral("nvidia-smi"));
    QVERIFY(writeFile(slow, "#!/bin/bash\nsleep 1\nexec '" + QFile::encodeName(standIn()) + "' \"$@\"\n"));
    QVERIFY(QFile::setPermissions(slow, QFile::permissions(slow) | QFileDevice::ExeOwner));

    GpuPanel panel(slow);
    QSignalSpy answered(&panel, &GpuPanel::snapshotChanged);
    QElapsedTimer clock;
    qint64 last = 0;
    qint64 worstGap = 0;
    int ticks = 0;
    QTimer ticker;
    ticker.setInterval(10);
    connect(&ticker, &QTimer::timeout, this, [&] {
        const qint64 now = clock.elapsed();
        worstGap = std::max(worstGap, now - last);
        last = now;
        ++ticks;
    });
    clock.start();
    ticker.start();
    panel.refresh();
    QVERIFY(panel.isQuerying());
    QVERIFY(answered.wait(10000));
    const qint64 took = clock.elapsed();
    ticker.stop();
    qInfo("nvidia-smi answered after %lld ms; %d ticks of 10 ms meanwhile, the longest gap %lld ms", took, ticks,
          worstGap);
    QVERIFY2(took >= 900, "the stand-in really was slow");
    QVERIFY2(ticks >= 40, qPrintable(QString::number(ticks)));
    QVERIFY2(worstGap < 100, qPrintable(QString::number(worstGap)));
    QCOMPARE(int(panel.snapshot().gpus.size()), 2);
}

void tst_GpuPanel::panelDeletedWhileQuerying()
{
    QTemporaryDir dir;
    const QString slow = dir.filePath(QStringLiteral("nvidia-smi"));
    QVERIFY(writeFile(slow, "#!/bin/bash\nsleep 0.5\nexec '" + QFile::encodeName(standIn()) + "' \"$@\"\n"));
    QVERIFY(QFile::setPermissions(slow, QFile::permissions(slow) | QFileDevice::ExeOwner));
    auto *panel = new GpuPanel(slow);
    panel->refresh();
    QVERIFY(panel->isQuerying());
    delete panel; // the answer arrives at no panel
    QTest::qWait(1200);
    // A new panel still works.
    GpuPanel again(standIn());
    QSignalSpy answered(&again, &GpuPanel::snapshotChanged);
    again.refresh();
    QVERIFY(answered.wait(10000));
}

QTEST_MAIN(tst_GpuPanel)
#include "tst_gpupanel.moc"
