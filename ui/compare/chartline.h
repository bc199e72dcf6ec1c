#pragma once

#include "metrics/scalarseries.h"

#include <QColor>
#include <QList>
#include <QPointF>
#include <QString>

#include <memory>
#include <span>
#include <utility>
#include <vector>

namespace trainyard::ui {

/// What the x axis of the compare charts shows.
enum class XAxisMode {
    Step,         ///< the step, as written
    RelativeTime, ///< time since the series' first point, in seconds, minutes or hours
    WallTime,     ///< date and time of day (QDateTimeAxis: milliseconds since the epoch)
    /// The step on a logarithmic axis (QLogValueAxis). Lines keep log10(step) as their x, so that
    /// a pixel column holds the same share of decades everywhere; steps <= 0 cannot be drawn.
    LogStep,
};

/// One run as a chart gets it: its series of the chart's tag are drawn in its colour.
struct ChartRun
{
    QString key;  ///< the run's key in CompareModel
    QString name; ///< shown in the readout and exports
    QColor color;
    std::shared_ptr<const core::RunScalars> scalars; ///< kept alive by every line drawn from it
};

/// A run's series prepared for drawing: x in the axis' units and the smoothed values, computed
/// once per (data, x mode, smoothing) on a worker thread. Immutable once made.
struct PreparedLine
{
    ChartRun run;
    const core::ScalarSeries *series = nullptr; ///< the tag's series inside run.scalars
    std::vector<double> xs;       ///< in axis units (LogStep: log10 of the step, -inf for steps <= 0), point by point
    std::vector<double> smoothed; ///< core::smoothTensorBoard of the values
    bool xSorted = true;          ///< xs never go back (binary searches allowed)
    double xMin = 0, xMax = 0;    ///< extent of xs
    double yMin = qQNaN(), yMax = qQNaN(); ///< finite values; NaN when there are none
    double yMinPositive = qQNaN();         ///< smallest value > 0, for a log scale
    qsizetype nonPositive = 0;             ///< finite values <= 0: not drawable on a log scale
    qsizetype nonFinite = 0;               ///< NaN and infinite values: never drawn
    qsizetype xHidden = 0;                 ///< LogStep: points at steps <= 0, not drawn

    std::span<const double> values() const { return series->values(); }
    size_t size() const { return xs.size(); }
    /// Points to draw for the x range at `columns` pixel columns: first, lowest, highest and last
    /// of each column (core::downsample::minMaxPerColumn), plus the nearest point beyond each end
    /// so the line runs to the plot's edge. Increasing indices.
    std::vector<size_t> visibleIndices(double xMin, double xMax, int columns) const;
    /// The point nearest to `x`; -1 for an empty line.
    qsizetype nearestIndex(double x) const;
};

/// The lines of one chart, with the settings they were prepared for.
struct LineSet
{
    XAxisMode mode = XAxisMode::Step;
    double weight = 0;
    double unitSeconds = 1; ///< relative time: seconds per axis unit (1, 60 or 3600)
    std::vector<std::shared_ptr<const PreparedLine>> lines;

    /// "Step", "Relative time (min)", "Wall time".
    QString axisTitle() const;
    /// The y range that shows the lines: their lowest to highest value (the smallest positive
    /// one on a log scale), or with `ignoreOutliers` the 5th to the 95th percentile of the
    /// values (a strided sample of at most 200,000 for long runs); padded by 5 % (of the decades
    /// on a log scale). 0..1 (1..10 on a log scale) when there is nothing to show.
    std::pair<double, double> autoYRange(bool logY, bool ignoreOutliers) const;
};

/// One run's values at the point nearest to an x position (the hover readout).
struct ReadoutEntry
{
    QString key;
    QString name;
    QColor color;
    qint64 step = 0;
    double x = 0;        ///< axis units
    double wallTime = 0; ///< seconds since the epoch
    double value = 0;
    double smoothed = 0;
};

/// What a chart draws of one line for an x range: the chosen points as (x, value).
struct DrawnLine
{
    QString key;
    QColor color;
    QList<QPointF> raw; ///< empty when there is no raw layer (smoothing 0)
    QList<QPointF> smoothed;
};

/// The points of `line` to draw for [lo, hi] at `columns` pixel columns: the raw layer at
/// PreparedLine::visibleIndices() (when `withRaw`), the smoothed layer at the first of those
/// in each pixel column (and the last), or at all of them without a raw layer. Non-finite
/// values, and values <= 0 on a log scale (`logY`), are left out.
DrawnLine drawnLine(const PreparedLine &line, double lo, double hi, int columns, bool withRaw, bool logY);

/// Prepares each run's series of `tag` (runs without one are left out). Lines of `previous`
/// whose data, mode, unit and weight are unchanged are reused as they are. Thread-safe: takes
/// only shared, immutable data.
LineSet prepareLines(const QString &tag, const std::vector<ChartRun> &runs, XAxisMode mode, double weight,
                     const LineSet &previous);

/// core::downsample::minMaxPerColumn for xs that never decrease (and are never NaN), with the
/// same result: each column's points are a contiguous slice, found by a galloping search and
/// scanned for their extremes, so a frame costs the visible points once, branch-light, instead
/// of a division and a column lookup per point. The charts' pans and zooms depend on it.
std::vector<size_t> minMaxPerColumnSorted(std::span<const double> xs, std::span<const double> ys, double xMin,
                                          double xMax, int columns);

/// Seconds per axis unit for relative time: seconds up to 2 minutes, minutes up to 2 hours,
/// hours beyond.
double relativeTimeUnit(double longestSpanSeconds);

} // namespace trainyard::ui
