#include "metrics/scalarseries.h"

#include <QTest>

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

QTEST_GUILESS_MAIN(tst_ScalarSeries)
#include "tst_scalarseries.moc"
