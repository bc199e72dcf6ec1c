#include "metrics/scalarseries.h"

#include <QTest>

#include <cstdint>
#include <utility>

using namespace trainyard::core;

namespace {

ScalarSeries ramp(int n)
{
    ScalarSeries s;
    for (int i = 0; i < n; ++i)
        s.append({qint64(i) * 10, 1000.0 + i, i * 0.5});
    return s;
}

bool isRamp(const ScalarSeries &s, int n)
{
    if (s.size() != n || s.steps().size() != size_t(n) || s.values().size() != size_t(n))
        return false;
    for (int i = 0; i < n; ++i) {
        if (s.steps()[size_t(i)] != qint64(i) * 10 || s.wallTimes()[size_t(i)] != 1000.0 + i ||
            s.values()[size_t(i)] != i * 0.5)
            return false;
        if (s.at(i).step != qint64(i) * 10)
            return false;
    }
    return true;
}

} // namespace

class tst_ScalarSeries final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void appendKeepsColumnsInStep();
    void growthSlackIsBoundedAndSqueezeIsExact();
    void copyMoveAssign();
    void clearAndEmpty();
    void roomReservedFarAheadIsSqueezedInPlace();
    void crossingIntoAMappingAndBack();
};

void tst_ScalarSeries::appendKeepsColumnsInStep()
{
    QVERIFY(isRamp(ramp(100000), 100000));
}

void tst_ScalarSeries::growthSlackIsBoundedAndSqueezeIsExact()
{
    ScalarSeries s;
    for (int i = 0; i < 50000; ++i) {
        s.append({i, 0, 0});
        QVERIFY(s.capacity() >= s.size());
        QVERIFY(s.memoryBytes() <= 24 * (s.size() + s.size() / 4 + 64));
    }
    s.squeeze();
    QCOMPARE(s.capacity(), s.size());
    QCOMPARE(s.memoryBytes(), 24 * s.size());
    s.reserve(10); // never shrinks
    QCOMPARE(s.capacity(), s.size());
}

void tst_ScalarSeries::copyMoveAssign()
{
    const ScalarSeries a = ramp(1000);
    ScalarSeries b = a; // deep copy, no slack
    QVERIFY(isRamp(b, 1000));
    QCOMPARE(b.capacity(), 1000);
    QVERIFY(b.steps().data() != a.steps().data());
    b.append({1, 2, 3});
    QCOMPARE(a.size(), 1000); // the copy is independent

    ScalarSeries c = std::move(b);
    QCOMPARE(c.size(), 1001);
    QVERIFY(b.isEmpty()); // NOLINT(bugprone-use-after-move): a moved-from series is empty
    c = a;
    QVERIFY(isRamp(c, 1000));
    c = ramp(3);
    QVERIFY(isRamp(c, 3));
}

void tst_ScalarSeries::clearAndEmpty()
{
    ScalarSeries s = ramp(10);
    s.clear();
    QVERIFY(s.isEmpty());
    QCOMPARE(s.memoryBytes(), 0);
    QVERIFY(s.steps().empty());
    s.append({5, 6, 7});
    QCOMPARE(s.at(0).value, 7.0);
}

// A bulk read reserves room for millions of points and squeezes the rest away (ScalarTailer):
// the columns stay where they are, keep every point, and hold exactly 24 bytes a point after.
void tst_ScalarSeries::roomReservedFarAheadIsSqueezedInPlace()
{
    ScalarSeries s;
    s.reserve(4'000'000); // 32 MB a column: a mapping of its own
    QCOMPARE(s.capacity(), 4'000'000);
    const qint64 *steps = s.steps().data();
#ifdef __linux__
    // Aligned to a huge page, so that every whole 2 MiB of the column can be one.
    QCOMPARE(reinterpret_cast<std::uintptr_t>(steps) % (std::uintptr_t(2) << 20), std::uintptr_t(0));
#endif
    for (int i = 0; i < 100000; ++i)
        s.append({qint64(i) * 10, 1000.0 + i, i * 0.5});
    QCOMPARE(s.steps().data(), steps); // never moved while it had room
    s.squeeze();
    QCOMPARE(s.capacity(), 100000);
    QCOMPARE(s.memoryBytes(), 24 * 100000);
    QVERIFY(isRamp(s, 100000));
    // Tailing on from there grows it by a quarter, squeezed again exactly.
    for (int i = 100000; i < 130000; ++i)
        s.append({qint64(i) * 10, 1000.0 + i, i * 0.5});
    QVERIFY(s.capacity() <= 130000 + 130000 / 4 + 64);
    s.squeeze();
    QCOMPARE(s.memoryBytes(), 24 * 130000);
    QVERIFY(isRamp(s, 130000));
    const ScalarSeries copy = s; // a copy of a series under 2 MiB a column is an ordinary block
    QVERIFY(isRamp(copy, 130000));
    s.clear();
    QCOMPARE(s.memoryBytes(), 0);
    QVERIFY(isRamp(copy, 130000));
}

// Appends one by one past 2 MiB a column (262,144 points) move the columns from the heap into
// mappings once; a copy and a move of the long series keep every point.
void tst_ScalarSeries::crossingIntoAMappingAndBack()
{
    ScalarSeries s = ramp(300000);
    QVERIFY(isRamp(s, 300000));
    s.squeeze();
    QVERIFY(isRamp(s, 300000));
    ScalarSeries copy = s;
    QVERIFY(isRamp(copy, 300000));
    ScalarSeries moved = std::move(copy);
    QVERIFY(isRamp(moved, 300000));
    moved = ramp(10); // the mapping given back, an ordinary block taken
    QVERIFY(isRamp(moved, 10));
    QVERIFY(isRamp(s, 300000));
}

QTEST_GUILESS_MAIN(tst_ScalarSeries)
#include "tst_scalarseries.moc"
