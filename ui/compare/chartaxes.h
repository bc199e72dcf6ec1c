#pragma once

#include <QFont>
#include <QRectF>

#include <utility>

class QAbstractAxis;

namespace trainyard::ui {

/// The compare charts' axes: one look, range access over QValueAxis, QLogValueAxis and
/// QDateTimeAxis alike (date axes in milliseconds since the epoch), and tick spacing that suits
/// the plot's size.
class ChartAxes final
{
public:
    static QFont smallFont(int pointSize, bool bold = false);
    static void style(QAbstractAxis *axis);
    static std::pair<double, double> range(const QAbstractAxis *axis);
    /// Sets a finite, non-empty range (others are ignored). A value axis gets coarse ticks
    /// first: its old interval on a much wider range would ask QtCharts for millions of labels.
    static void setRange(QAbstractAxis *axis, double lo, double hi);
    /// 1, 2 or 5 times a power of ten, at least `raw`.
    static double niceStep(double raw);
    /// The round step (1, 2 or 5 × 10^n) that cuts `span` into the number of intervals nearest `intervals`.
    static double niceStepNear(double span, double intervals);
    /// Round tick intervals for the plot's size (about one per 110 px across, 32 px up);
    /// `steps`: x shows whole steps.
    static void updateTicks(QAbstractAxis *xAxis, QAbstractAxis *yAxis, const QRectF &plot, bool steps);
};

} // namespace trainyard::ui
