#include "chartaxes.h"

#include <QDateTime>
#include <QDateTimeAxis>
#include <QLogValueAxis>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace trainyard::ui {

QFont ChartAxes::smallFont(int pointSize, bool bold)
{
    QFont f;
    f.setPointSize(pointSize);
    f.setBold(bold);
    return f;
}

void ChartAxes::style(QAbstractAxis *axis)
{
    axis->setLabelsFont(smallFont(8));
    axis->setTitleFont(smallFont(8));
    axis->setLabelsColor(QColor(0x44, 0x44, 0x44));
    axis->setTitleBrush(QColor(0x44, 0x44, 0x44));
    axis->setGridLineColor(QColor(0xe4, 0xe4, 0xe4));
    axis->setLinePenColor(QColor(0xb0, 0xb0, 0xb0));
    axis->setMinorGridLineColor(QColor(0xf2, 0xf2, 0xf2));
}

std::pair<double, double> ChartAxes::range(const QAbstractAxis *axis)
{
    if (const auto *v = qobject_cast<const QValueAxis *>(axis))
        return {v->min(), v->max()};
    if (const auto *l = qobject_cast<const QLogValueAxis *>(axis))
        return {l->min(), l->max()};
    if (const auto *d = qobject_cast<const QDateTimeAxis *>(axis))
        return {double(d->min().toMSecsSinceEpoch()), double(d->max().toMSecsSinceEpoch())};
    return {0, 1};
}

void ChartAxes::setRange(QAbstractAxis *axis, double lo, double hi)
{
    if (!std::isfinite(lo) || !std::isfinite(hi) || !(hi > lo))
        return;
    if (auto *v = qobject_cast<QValueAxis *>(axis)) {
        // Coarse ticks first; updateTicks() refines them for the plot's size.
        v->setTickInterval(niceStep((hi - lo) / 5));
        v->setTickAnchor(lo);
        v->setRange(lo, hi);
    } else if (auto *l = qobject_cast<QLogValueAxis *>(axis))
        l->setRange(lo, hi);
    else if (auto *d = qobject_cast<QDateTimeAxis *>(axis))
        d->setRange(QDateTime::fromMSecsSinceEpoch(qint64(std::floor(lo))),
                    QDateTime::fromMSecsSinceEpoch(qint64(std::ceil(hi))));
}

double ChartAxes::niceStep(double raw)
{
    if (!(raw > 0) || !std::isfinite(raw))
        return 1;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (const double m : {1.0, 2.0, 5.0, 10.0}) {
        if (m * magnitude >= raw)
            return m * magnitude;
    }
    return 10 * magnitude;
}

double ChartAxes::niceStepNear(double span, double intervals)
{
    if (!(span > 0) || !std::isfinite(span) || !(intervals > 0))
        return 1;
    // 1, 2 or 5 × 10^n: the one that cuts `span` into the number of intervals nearest `intervals`.
    const double magnitude = std::pow(10.0, std::floor(std::log10(span / intervals)));
    double best = niceStep(span / intervals);
    for (const double scale : {0.1, 1.0, 10.0}) {
        for (const double m : {1.0, 2.0, 5.0}) {
            const double step = m * magnitude * scale;
            if (std::abs(span / step - intervals) < std::abs(span / best - intervals))
                best = step;
        }
    }
    return best;
}

void ChartAxes::updateTicks(QAbstractAxis *xAxis, QAbstractAxis *yAxis, const QRectF &plot, bool steps)
{
    const double width = std::max(100.0, plot.width());
    const double height = std::max(80.0, plot.height());
    if (auto *x = qobject_cast<QValueAxis *>(xAxis)) {
        const double span = x->max() - x->min();
        const double step = niceStep(span / std::max(2.0, width / 110));
        x->setTickInterval(step);
        x->setTickAnchor(std::floor(x->min() / step) * step);
        const bool whole = step >= 1 && steps && std::max(std::abs(x->min()), std::abs(x->max())) < 1e7;
        x->setLabelFormat(whole ? QStringLiteral("%.0f") : QStringLiteral("%g"));
    } else if (auto *d = qobject_cast<QDateTimeAxis *>(xAxis)) {
        const qint64 span = d->min().msecsTo(d->max());
        d->setTickCount(std::clamp(int(width / 120), 2, 8));
        d->setFormat(span < 10 * 60 * 1000         ? QStringLiteral("hh:mm:ss")
                     : span < 2 * 24 * 3600 * 1000 ? QStringLiteral("hh:mm")
                                                   : QStringLiteral("MM-dd hh:mm"));
    }
    if (auto *y = qobject_cast<QValueAxis *>(yAxis)) {
        const double span = y->max() - y->min();
        // A labelled line every ~32 px: about six on a chart of 200 px (TensorBoard's density),
        // never fewer than four intervals.
        const double step = niceStepNear(span, std::max(4.0, height / 32));
        y->setTickInterval(step);
        y->setTickAnchor(std::floor(y->min() / step) * step);
        y->setLabelFormat(QStringLiteral("%.4g"));
    }
}

} // namespace trainyard::ui
