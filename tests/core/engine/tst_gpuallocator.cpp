// GpuAllocator: specific free GPUs per job, waiting, refusals, and no double assignment under threads.
#include "engine/gpuallocator.h"

#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>

using namespace trainyard::core;

namespace {

GpuInfo gpu(int index, const QString &name = QStringLiteral("NVIDIA H100 80GB HBM3"))
{
    GpuInfo g;
    g.index = index;
    g.uuid = QStringLiteral("GPU-%1").arg(index);
    g.name = name;
    g.driverVersion = QStringLiteral("550.54.15");
    g.memoryTotalMiB = 81559;
    g.memoryUsedMiB = 1;
    g.utilizationPercent = 0;
    return g;
}

std::vector<GpuInfo> gpus(int n)
{
    std::vector<GpuInfo> all;
    for (int i = 0; i < n; ++i)
        all.push_back(gpu(i));
    return all;
}

// The indexes granted, failing the test on an error or a wait.
QList<int> granted(const Result<std::optional<QList<int>>> &r)
{
    if (!r) {
        QTest::qFail(qPrintable(r.error().message), __FILE__, __LINE__);
        return {};
    }
    if (!*r) {
        QTest::qFail("expected GPUs, got 'wait'", __FILE__, __LINE__);
        return {};
    }
    return **r;
}

bool waits(const Result<std::optional<QList<int>>> &r)
{
    return r && !r->has_value();
}

} // namespace

class tst_GpuAllocator final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void twoJobsGetDifferentCards();
    void thirdJobWaitsUntilRelease();
    void allIsExclusive();
    void zeroGpusNeedsNothing();
    void refusals_data();
    void refusals();
    void refusalUsesInventoryMessage();
    void nonContiguousIndexes();
    void environmentFor_data();
    void environmentFor();
    void concurrentAcquireNeverDoubleAssigns();
};

void tst_GpuAllocator::twoJobsGetDifferentCards()
{
    GpuAllocator allocator(gpus(2));
    const QList<int> a = granted(allocator.tryAcquire({QStringLiteral("train-a"), 1}));
    const QList<int> b = granted(allocator.tryAcquire({QStringLiteral("train-b"), 1}));
    QCOMPARE(a, QList<int>{0});
    QCOMPARE(b, QList<int>{1});
    QCOMPARE(allocator.freeCount(), 0);
}

void tst_GpuAllocator::thirdJobWaitsUntilRelease()
{
    GpuAllocator allocator(gpus(2));
    const QList<int> a = granted(allocator.tryAcquire({QStringLiteral("a"), 1}));
    granted(allocator.tryAcquire({QStringLiteral("b"), 1}));
    QVERIFY(waits(allocator.tryAcquire({QStringLiteral("c"), 1})));
    allocator.release(a);
    QCOMPARE(allocator.freeCount(), 1);
    QCOMPARE(granted(allocator.tryAcquire({QStringLiteral("c"), 1})), a);
}

void tst_GpuAllocator::allIsExclusive()
{
    GpuAllocator allocator(gpus(2));
    const QList<int> one = granted(allocator.tryAcquire({QStringLiteral("small"), 1}));
    QVERIFY(waits(allocator.tryAcquire({QStringLiteral("big"), -1})));
    allocator.release(one);
    const QList<int> all = granted(allocator.tryAcquire({QStringLiteral("big"), -1}));
    QCOMPARE(all, (QList<int>{0, 1}));
    QVERIFY(waits(allocator.tryAcquire({QStringLiteral("small"), 1})));
    QVERIFY(waits(allocator.tryAcquire({QStringLiteral("other-big"), -1})));
    allocator.release(all);
    QCOMPARE(allocator.freeCount(), 2);
}

void tst_GpuAllocator::zeroGpusNeedsNothing()
{
    GpuAllocator none(std::vector<GpuInfo>{});
    QCOMPARE(granted(none.tryAcquire({QStringLiteral("lint"), 0})), QList<int>());
}

void tst_GpuAllocator::refusals_data()
{
    QTest::addColumn<int>("gpuCount");
    QTest::addColumn<int>("count");
    QTest::addColumn<QString>("message");

    QTest::newRow("3 of 2") << 2 << 3
                            << "job 'train' needs 3 GPUs; found 2: 0 NVIDIA H100 80GB HBM3, 1 NVIDIA H100 80GB HBM3";
    QTest::newRow("2 of 1") << 1 << 2 << "job 'train' needs 2 GPUs; found 1: 0 NVIDIA H100 80GB HBM3";
    QTest::newRow("1 of none") << 0 << 1 << "job 'train' needs 1 GPU; no NVIDIA GPU found";
    QTest::newRow("all of none") << 0 << -1 << "job 'train' needs all GPUs; no NVIDIA GPU found";
    QTest::newRow("negative") << 2 << -3 << "job 'train' asks for -3 GPUs; ask for a positive number, or -1 for all";
}

void tst_GpuAllocator::refusals()
{
    QFETCH(int, gpuCount);
    QFETCH(int, count);
    QFETCH(QString, message);
    GpuAllocator allocator(gpus(gpuCount));
    const GpuRequest request{QStringLiteral("train"), count};
    const auto r = allocator.tryAcquire(request);
    QVERIFY(!r);
    QCOMPARE(r.error().message, message);
    QCOMPARE(r.error().job, QStringLiteral("train"));
    QVERIFY(allocator.impossible(request).has_value());
    QCOMPARE(allocator.freeCount(), gpuCount); // a refusal reserves nothing
}

void tst_GpuAllocator::refusalUsesInventoryMessage()
{
    GpuInventorySnapshot snapshot;
    snapshot.message = QStringLiteral("no NVIDIA GPU found (nvidia-smi is not on PATH)");
    GpuAllocator allocator(snapshot);
    const auto r = allocator.tryAcquire({QStringLiteral("train"), 1});
    QVERIFY(!r);
    QCOMPARE(r.error().message,
             QStringLiteral("job 'train' needs 1 GPU; no NVIDIA GPU found (nvidia-smi is not on PATH)"));
}

void tst_GpuAllocator::nonContiguousIndexes()
{
    // A machine where some cards are hidden (CUDA_VISIBLE_DEVICES upstream, a dead card): indexes are nvidia-smi's.
    GpuAllocator allocator({gpu(2), gpu(5)});
    QCOMPARE(granted(allocator.tryAcquire({QStringLiteral("a"), 1})), QList<int>{2});
    QCOMPARE(granted(allocator.tryAcquire({QStringLiteral("b"), 1})), QList<int>{5});
    allocator.release({5});
    QTest::ignoreMessage(QtWarningMsg, "GPU 7 released but not known");
    allocator.release({7}); // unknown: logged, ignored
    QCOMPARE(allocator.freeCount(), 1);
}

void tst_GpuAllocator::environmentFor_data()
{
    QTest::addColumn<QList<int>>("ids");
    QTest::addColumn<bool>("shell");
    QTest::addColumn<QStringList>("env");
    QTest::newRow("docker two") << QList<int>{0, 1} << false
                                << QStringList{QStringLiteral("NVIDIA_VISIBLE_DEVICES=0,1")};
    QTest::newRow("shell two") << QList<int>{0, 1} << true << QStringList{QStringLiteral("CUDA_VISIBLE_DEVICES=0,1")};
    QTest::newRow("shell one") << QList<int>{3} << true << QStringList{QStringLiteral("CUDA_VISIBLE_DEVICES=3")};
    QTest::newRow("none") << QList<int>{} << true << QStringList{};
}

void tst_GpuAllocator::environmentFor()
{
    QFETCH(QList<int>, ids);
    QFETCH(bool, shell);
    QFETCH(QStringList, env);
    QCOMPARE(GpuAllocator::environmentFor(ids, shell), env);
}

void tst_GpuAllocator::concurrentAcquireNeverDoubleAssigns()
{
    constexpr int GpuCount = 4;
    constexpr int Threads = 8;
    constexpr int Rounds = 2000;
    GpuAllocator allocator(gpus(GpuCount));
    std::atomic<int> owner[GpuCount];
    for (auto &o : owner)
        o = -1;
    std::atomic<int> doubleAssigned{0};
    std::atomic<int> errors{0};
    std::atomic<int> grants{0};

    std::vector<std::unique_ptr<QThread>> threads;
    for (int t = 0; t < Threads; ++t) {
        threads.emplace_back(QThread::create([&, t] {
            // Mix 1-GPU, 2-GPU and all-GPU jobs.
            const int count = t % 4 == 3 ? -1 : 1 + t % 2;
            for (int round = 0; round < Rounds; ++round) {
                const auto r = allocator.tryAcquire({QStringLiteral("job%1").arg(t), count});
                if (!r) {
                    ++errors;
                    return;
                }
                if (!*r) {
                    QThread::yieldCurrentThread();
                    continue;
                }
                ++grants;
                for (int id : **r) {
                    int expected = -1;
                    if (!owner[id].compare_exchange_strong(expected, t))
                        ++doubleAssigned;
                }
                QThread::yieldCurrentThread();
                for (int id : **r) {
                    int expected = t;
                    if (!owner[id].compare_exchange_strong(expected, -1))
                        ++doubleAssigned;
                }
                allocator.release(**r);
            }
        }));
    }
    for (auto &thread : threads)
        thread->start();
    for (auto &thread : threads)
        QVERIFY(thread->wait(60000));
    QCOMPARE(errors.load(), 0);
    QCOMPARE(doubleAssigned.load(), 0);
    QVERIFY(grants.load() > 0);
    QCOMPARE(allocator.freeCount(), GpuCount);
}

QTEST_GUILESS_MAIN(tst_GpuAllocator)
#include "tst_gpuallocator.moc"
