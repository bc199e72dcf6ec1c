#include "metrics/smoothing.h"

#include <QTest>

#include <cmath>
#include <limits>
#include <vector>

using namespace trainyard::core;

namespace {

const double nanValue = std::numeric_limits<double>::quiet_NaN();
const double inf = std::numeric_limits<double>::infinity();

// The debiased EMA written the other way round: the weighted mean of the finite values so
// far, value k (0-based among the finite ones) weighted (1-w) w^(n-1-k), over 1 - w^n.
double closedForm(const std::vector<double> &finite, double w)
{
    const size_t n = finite.size();
    double sum = 0;
    for (size_t k = 0; k < n; ++k)
        sum += (1 - w) * std::pow(w, double(n - 1 - k)) * finite[k];
    return sum / (1 - std::pow(w, double(n)));
}

} // namespace

class tst_Smoothing final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void handComputed();
    void matchesTheClosedForm_data();
    void matchesTheClosedForm();
    void nonFiniteValuesPassThroughAndAreNotCounted();
    void constantSeriesIsLeftAsIs();
    void weightZeroIsTheIdentity();
    void emptySeries();
};

// Weight 0.6 (the default), values 1, 2, 3:
//   last = 0.4        n=1  0.4 / 0.4              = 1
//   last = 1.04       n=2  1.04 / (1 - 0.36)      = 1.625
//   last = 1.824      n=3  1.824 / (1 - 0.216)    = 2.326530612...
void tst_Smoothing::handComputed()
{
    const std::vector<double> s = smoothTensorBoard(std::vector<double>{1, 2, 3});
    QCOMPARE(s.size(), size_t(3));
    QCOMPARE(s[0], 1.0);
    QCOMPARE(s[1], 1.625);
    QVERIFY(std::abs(s[2] - 1.824 / 0.784) < 1e-12);
}

void tst_Smoothing::matchesTheClosedForm_data()
{
    QTest::addColumn<double>("weight");
    for (const double w : {0.0, 0.3, 0.6, 0.9, 0.99, 0.999})
        QTest::addRow("w=%g", w) << w;
}

void tst_Smoothing::matchesTheClosedForm()
{
    QFETCH(double, weight);
    std::vector<double> values;
    for (int i = 0; i < 300; ++i)
        values.push_back(std::sin(i * 0.1) * 10 + i * 0.05);
    const std::vector<double> s = smoothTensorBoard(values, weight);
    for (size_t i = 0; i < values.size(); ++i) {
        const double expected = closedForm(std::vector<double>(values.begin(), values.begin() + long(i) + 1), weight);
        if (std::abs(s[i] - expected) > 1e-9 * std::max(1.0, std::abs(expected)))
            QFAIL(qPrintable(
                QStringLiteral("point %1: %2, expected %3").arg(i).arg(s[i], 0, 'g', 17).arg(expected, 0, 'g', 17)));
    }
}

void tst_Smoothing::nonFiniteValuesPassThroughAndAreNotCounted()
{
    const std::vector<double> values{1, nanValue, 2, inf, -inf, 3};
    const std::vector<double> s = smoothTensorBoard(values, 0.6);
    QVERIFY(std::isnan(s[1]));
    QCOMPARE(s[3], inf);
    QCOMPARE(s[4], -inf);
    // The finite ones are smoothed as if the others were not there.
    const std::vector<double> finiteOnly = smoothTensorBoard(std::vector<double>{1, 2, 3}, 0.6);
    QCOMPARE(s[0], finiteOnly[0]);
    QCOMPARE(s[2], finiteOnly[1]);
    QCOMPARE(s[5], finiteOnly[2]);
}

void tst_Smoothing::constantSeriesIsLeftAsIs()
{
    // 0.1 is not exact in binary: smoothing it would give 0.1 ± an ulp, which TensorBoard avoids.
    const std::vector<double> values(50, 0.1);
    QCOMPARE(smoothTensorBoard(values, 0.9), values);
    // A NaN makes a series non-constant, as `NaN == NaN` is false in JavaScript too.
    const std::vector<double> withNan{5, 5, nanValue, 5};
    const std::vector<double> s = smoothTensorBoard(withNan, 0.9);
    QVERIFY(std::isnan(s[2]));
    QCOMPARE(s[0], 5.0); // 0.5 / 0.1 = 5, no longer taken as is but computed
}

void tst_Smoothing::weightZeroIsTheIdentity()
{
    const std::vector<double> values{3, -1, 4, 1, -5, 9};
    QCOMPARE(smoothTensorBoard(values, 0.0), values);
}

void tst_Smoothing::emptySeries()
{
    QVERIFY(smoothTensorBoard(std::vector<double>{}).empty());
    QCOMPARE(smoothTensorBoard(std::vector<double>{42}), std::vector<double>{42});
}

QTEST_GUILESS_MAIN(tst_Smoothing)
#include "tst_smoothing.moc"
