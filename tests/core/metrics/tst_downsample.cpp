#include "metrics/downsample.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

using namespace trainyard::core;

namespace {

struct Series
{
    std::vector<double> xs, ys;
};

Series noisySine(int n)
{
    Series s;
    for (int i = 0; i < n; ++i) {
        s.xs.push_back(i);
        s.ys.push_back(std::sin(i * 0.002) * 100 + std::sin(i * 0.7) * 3);
    }
    return s;
}

bool strictlyIncreasing(const std::vector<size_t> &v)
{
    return std::adjacent_find(v.begin(), v.end(), [](size_t a, size_t b) { return a >= b; }) == v.end();
}

// The largest vertical distance between the original points and the downsampled polyline.
double maxDeviation(const Series &s, const std::vector<size_t> &kept)
{
    double worst = 0;
    for (size_t k = 0; k + 1 < kept.size(); ++k) {
        const size_t a = kept[k], b = kept[k + 1];
        for (size_t i = a; i <= b; ++i) {
            const double t = (s.xs[i] - s.xs[a]) / (s.xs[b] - s.xs[a]);
            worst = std::max(worst, std::abs(s.ys[a] + t * (s.ys[b] - s.ys[a]) - s.ys[i]));
        }
    }
    return worst;
}

} // namespace

class tst_Downsample final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void lttbKeepsEndsAndCount();
    void lttbKeepsTheShape();
    void lttbKeepsASpike();
    void lttbShortSeriesUntouched();
    void lttbNonFinite();
    void minMaxKeepsEveryColumnsExtent();
    void minMaxRangeAndEdgeCases();
};

void tst_Downsample::lttbKeepsEndsAndCount()
{
    const Series s = noisySine(100000);
    const std::vector<size_t> kept = downsample::lttb(s.xs, s.ys, 1000);
    QCOMPARE(kept.size(), size_t(1000));
    QCOMPARE(kept.front(), size_t(0));
    QCOMPARE(kept.back(), size_t(99999));
    QVERIFY(strictlyIncreasing(kept));
}

// 200 of 20,000 points of three periods of a sine: the polyline stays within a quarter of a
// percent of the amplitude of every original point (under a pixel on any chart).
void tst_Downsample::lttbKeepsTheShape()
{
    Series s;
    for (int i = 0; i < 20000; ++i) {
        s.xs.push_back(i);
        s.ys.push_back(std::sin(i * 0.001) * 100);
    }
    const std::vector<size_t> kept = downsample::lttb(s.xs, s.ys, 200);
    const double error = maxDeviation(s, kept);
    QVERIFY2(error < 0.25, qPrintable(QString::number(error)));
}

void tst_Downsample::lttbKeepsASpike()
{
    Series s = noisySine(50000);
    s.ys[31337] = 1e6;
    s.ys[4242] = -1e6;
    const std::vector<size_t> kept = downsample::lttb(s.xs, s.ys, 500);
    QVERIFY(std::binary_search(kept.begin(), kept.end(), size_t(31337)));
    QVERIFY(std::binary_search(kept.begin(), kept.end(), size_t(4242)));
}

void tst_Downsample::lttbShortSeriesUntouched()
{
    const Series s = noisySine(50);
    QCOMPARE(downsample::lttb(s.xs, s.ys, 50).size(), size_t(50));
    QCOMPARE(downsample::lttb(s.xs, s.ys, 1000).size(), size_t(50));
    QCOMPARE(downsample::lttb(s.xs, s.ys, 2).size(), size_t(50));
    QVERIFY(downsample::lttb({}, {}, 10).empty());
}

void tst_Downsample::lttbNonFinite()
{
    Series s = noisySine(10000);
    for (size_t i = 3000; i < 3500; ++i) // a whole stretch of NaN (a diverged run), and an inf
        s.ys[i] = std::numeric_limits<double>::quiet_NaN();
    s.ys[7000] = std::numeric_limits<double>::infinity();
    const std::vector<size_t> kept = downsample::lttb(s.xs, s.ys, 100);
    QCOMPARE(kept.size(), size_t(100));
    QVERIFY(strictlyIncreasing(kept));
    QVERIFY(!std::binary_search(kept.begin(), kept.end(), size_t(7000)));
}

// What a chart shows of a dense series at a given width is, per pixel column, the segment from
// its lowest to its highest point: min/max per column must keep exactly that.
void tst_Downsample::minMaxKeepsEveryColumnsExtent()
{
    const Series s = noisySine(100000);
    const int columns = 800;
    const std::vector<size_t> kept = downsample::minMaxPerColumn(s.xs, s.ys, 0, 99999, columns);
    QVERIFY(kept.size() <= size_t(4 * columns));
    QVERIFY(kept.size() >= size_t(2 * columns));
    QVERIFY(strictlyIncreasing(kept));
    QCOMPARE(kept.front(), size_t(0));
    QCOMPARE(kept.back(), size_t(99999));
    const auto columnOf = [&](size_t i) { return std::min(columns - 1, int(s.xs[i] / 99999 * columns)); };
    std::vector<double> lo(columns, 1e300), hi(columns, -1e300), keptLo(columns, 1e300), keptHi(columns, -1e300);
    for (size_t i = 0; i < s.xs.size(); ++i) {
        lo[size_t(columnOf(i))] = std::min(lo[size_t(columnOf(i))], s.ys[i]);
        hi[size_t(columnOf(i))] = std::max(hi[size_t(columnOf(i))], s.ys[i]);
    }
    for (size_t i : kept) {
        keptLo[size_t(columnOf(i))] = std::min(keptLo[size_t(columnOf(i))], s.ys[i]);
        keptHi[size_t(columnOf(i))] = std::max(keptHi[size_t(columnOf(i))], s.ys[i]);
    }
    QCOMPARE(keptLo, lo);
    QCOMPARE(keptHi, hi);
}

void tst_Downsample::minMaxRangeAndEdgeCases()
{
    const Series s = noisySine(1000);
    // A zoomed range: only points inside it.
    const std::vector<size_t> zoomed = downsample::minMaxPerColumn(s.xs, s.ys, 100, 199, 10);
    QVERIFY(!zoomed.empty());
    QCOMPARE(zoomed.front(), size_t(100));
    QCOMPARE(zoomed.back(), size_t(199));
    QVERIFY(zoomed.size() <= 40);
    // More columns than points: every point.
    QCOMPARE(downsample::minMaxPerColumn(s.xs, s.ys, 0, 999, 5000).size(), size_t(1000));
    QVERIFY(downsample::minMaxPerColumn(s.xs, s.ys, 0, 999, 0).empty());
    QVERIFY(downsample::minMaxPerColumn(s.xs, s.ys, 10, 5, 10).empty());
    // NaN values are never extremes but their column's first/last may still be them.
    Series withNan = s;
    withNan.ys[500] = std::numeric_limits<double>::quiet_NaN();
    const std::vector<size_t> k = downsample::minMaxPerColumn(withNan.xs, withNan.ys, 0, 999, 1000);
    QCOMPARE(k.size(), size_t(1000));
}

QTEST_GUILESS_MAIN(tst_Downsample)
#include "tst_downsample.moc"
