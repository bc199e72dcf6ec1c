#include "chartline.h"

#include "metrics/downsample.h"
#include "metrics/smoothing.h"

#include <QCoreApplication>

#include <algorithm>
#include <cmath>
#include <limits>

namespace trainyard::ui {

std::vector<size_t> minMaxPerColumnSorted(std::span<const double> xs, std::span<const double> ys, double xMin,
                                          double xMax, int columns)
{
    const size_t n = std::min(xs.size(), ys.size());
    std::vector<size_t> chosen;
    if (columns <= 0 || !(xMax >= xMin))
        return chosen;
    const double width = xMax - xMin;
    // The same column arithmetic as core: monotonic in x, so columns are contiguous slices.
    const auto columnOf = [&](double x) {
        return width > 0 ? std::min(size_t(columns) - 1, size_t((x - xMin) / width * double(columns))) : size_t(0);
    };
    const size_t begin = size_t(std::lower_bound(xs.begin(), xs.begin() + qsizetype(n), xMin) - xs.begin());
    const size_t end = size_t(std::upper_bound(xs.begin(), xs.begin() + qsizetype(n), xMax) - xs.begin());
    chosen.reserve(std::min(end - begin, size_t(columns) * 4));
    size_t i = begin;
    while (i < end) {
        const size_t column = columnOf(xs[i]);
        // Gallop to the first point of a later column, then bisect.
        size_t step = 1;
        while (i + step < end && columnOf(xs[i + step]) <= column)
            step *= 2;
        const size_t from = i + step / 2 + 1;
        const size_t to = std::min(i + step, end);
        const size_t next = size_t(std::partition_point(xs.begin() + qsizetype(from), xs.begin() + qsizetype(to),
                                                        [&](double x) { return columnOf(x) <= column; }) -
                                   xs.begin());
        size_t low = SIZE_MAX, high = SIZE_MAX;
        double lowValue = qInf(), highValue = -qInf();
        for (size_t k = i; k < next; ++k) {
            const double v = ys[k];
            if (!std::isfinite(v))
                continue;
            if (v < lowValue) { // strictly: the first of equal extremes, as core keeps
                lowValue = v;
                low = k;
            }
            if (v > highValue) {
                highValue = v;
                high = k;
            }
        }
        size_t picked[4] = {i, low, high, next - 1};
        std::sort(std::begin(picked), std::end(picked));
        for (const size_t p : picked) {
            if (p != SIZE_MAX && (chosen.empty() || chosen.back() != p))
                chosen.push_back(p);
        }
        i = next;
    }
    return chosen;
}

std::vector<size_t> PreparedLine::visibleIndices(double lo, double hi, int columns) const
{
    const size_t n = xs.size();
    if (n == 0 || columns <= 0 || !(hi >= lo))
        return {};
    const std::span<const double> x(xs);
    const std::span<const double> y = values();
    if (!xSorted)
        return core::downsample::minMaxPerColumn(x, y, lo, hi, columns);
    // Sorted: only the visible slice is scanned, so a pan costs what is on screen.
    std::vector<size_t> chosen = minMaxPerColumnSorted(x, y, lo, hi, columns);
    const size_t begin = size_t(std::lower_bound(xs.begin(), xs.end(), lo) - xs.begin());
    const size_t end = size_t(std::upper_bound(xs.begin(), xs.end(), hi) - xs.begin());
    // The nearest point beyond each end, so the line runs to the plot's edges.
    if (begin > 0 && std::isfinite(xs[begin - 1])) // a step <= 0 on a log axis is nowhere to run to
        chosen.insert(chosen.begin(), begin - 1);
    if (end < n)
        chosen.push_back(end);
    return chosen;
}

DrawnLine drawnLine(const PreparedLine &line, double lo, double hi, int columns, bool withRaw, bool logY)
{
    DrawnLine d{line.run.key, line.run.color, {}, {}};
    const std::vector<size_t> indices = line.visibleIndices(lo, hi, columns);
    const auto values = line.values();
    if (withRaw)
        d.raw.reserve(qsizetype(indices.size()));
    d.smoothed.reserve(qsizetype(indices.size()));
    // Under a raw line the smoothed one needs no column's extremes: its first point in each
    // pixel column (and the very last) draw it, at a quarter of the points. Alone (smoothing 0)
    // it is the raw line and keeps them all.
    const double toColumn = hi > lo ? columns / (hi - lo) : 0;
    qint64 lastColumn = std::numeric_limits<qint64>::min();
    for (size_t n = 0; n < indices.size(); ++n) {
        const size_t i = indices[n];
        const double x = line.xs[i];
        if (withRaw) {
            const double v = values[i];
            if (std::isfinite(v) && (!logY || v > 0))
                d.raw.append(QPointF(x, v));
            const double c = (x - lo) * toColumn;
            const qint64 column = c < 0 ? -1 : c >= columns ? columns : qint64(c);
            if (column == lastColumn && n + 1 < indices.size())
                continue;
            lastColumn = column;
        }
        const double s = line.smoothed[i];
        if (std::isfinite(s) && (!logY || s > 0))
            d.smoothed.append(QPointF(x, s));
    }
    return d;
}

qsizetype PreparedLine::nearestIndex(double x) const
{
    if (xs.empty())
        return -1;
    if (xSorted) {
        const auto it = std::lower_bound(xs.begin(), xs.end(), x);
        if (it == xs.begin())
            return 0;
        if (it == xs.end())
            return qsizetype(xs.size()) - 1;
        const auto before = it - 1;
        return qsizetype((x - *before <= *it - x ? before : it) - xs.begin());
    }
    qsizetype best = 0;
    for (size_t i = 1; i < xs.size(); ++i) {
        if (std::abs(xs[i] - x) < std::abs(xs[size_t(best)] - x))
            best = qsizetype(i);
    }
    return best;
}

QString LineSet::axisTitle() const
{
    switch (mode) {
    case XAxisMode::Step:
        return QCoreApplication::translate("trainyard::ui::ScalarChart", "Step");
    case XAxisMode::RelativeTime: {
        const QString unit = unitSeconds >= 3600 ? QStringLiteral("h")
                             : unitSeconds >= 60 ? QStringLiteral("min")
                                                 : QStringLiteral("s");
        return QCoreApplication::translate("trainyard::ui::ScalarChart", "Relative time (%1)").arg(unit);
    }
    case XAxisMode::WallTime:
        return QCoreApplication::translate("trainyard::ui::ScalarChart", "Wall time");
    case XAxisMode::LogStep:
        return QCoreApplication::translate("trainyard::ui::ScalarChart", "Step (log scale)");
    }
    return {};
}

std::pair<double, double> LineSet::autoYRange(bool logY, bool ignoreOutliers) const
{
    double lo = qInf(), hi = -qInf();
    if (ignoreOutliers) {
        // Percentiles of every drawable value; a strided sample of very long series is as good.
        qsizetype total = 0;
        for (const auto &line : lines)
            total += qsizetype(line->size());
        const size_t stride = size_t(std::max<qsizetype>(1, total / 200000));
        std::vector<double> sample;
        sample.reserve(size_t(std::min<qsizetype>(total, 200000 + qsizetype(lines.size()))));
        for (const auto &line : lines) {
            const auto values = line->values();
            for (size_t i = 0; i < values.size(); i += stride) {
                const double v = values[i];
                if (std::isfinite(v) && (!logY || v > 0))
                    sample.push_back(v);
            }
        }
        if (!sample.empty()) {
            const size_t low = size_t(std::floor(0.05 * double(sample.size() - 1)));
            const size_t high = size_t(std::ceil(0.95 * double(sample.size() - 1)));
            std::nth_element(sample.begin(), sample.begin() + qsizetype(low), sample.end());
            lo = sample[low];
            std::nth_element(sample.begin(), sample.begin() + qsizetype(high), sample.end());
            hi = sample[high];
        }
    } else {
        for (const auto &line : lines) {
            const double min = logY ? line->yMinPositive : line->yMin;
            if (std::isfinite(min))
                lo = std::min(lo, min);
            if (std::isfinite(line->yMax) && (!logY || line->yMax > 0))
                hi = std::max(hi, line->yMax);
        }
    }
    if (!std::isfinite(lo) || !std::isfinite(hi))
        return logY ? std::pair{1.0, 10.0} : std::pair{0.0, 1.0};
    if (logY) {
        double a = std::log10(lo), b = std::log10(hi);
        const double pad = b > a ? (b - a) * 0.05 : 0.5;
        return {std::pow(10.0, a - pad), std::pow(10.0, b + pad)};
    }
    const double span = hi - lo;
    const double pad = span > 0 ? span * 0.05 : std::max(std::abs(hi) * 0.1, 0.5);
    return {lo - pad, hi + pad};
}

double relativeTimeUnit(double longestSpanSeconds)
{
    if (longestSpanSeconds <= 120)
        return 1;
    if (longestSpanSeconds <= 7200)
        return 60;
    return 3600;
}

namespace {

std::shared_ptr<const PreparedLine> prepare(const ChartRun &run, const core::ScalarSeries &series, XAxisMode mode,
                                            double unitSeconds, double weight)
{
    auto line = std::make_shared<PreparedLine>();
    line->run = run;
    line->series = &series;
    const size_t n = size_t(series.size());
    const auto steps = series.steps();
    const auto walls = series.wallTimes();
    const auto values = series.values();
    line->xs.resize(n);
    const double firstWall = n > 0 ? walls[0] : 0;
    for (size_t i = 0; i < n; ++i) {
        switch (mode) {
        case XAxisMode::Step:
            line->xs[i] = double(steps[i]);
            break;
        case XAxisMode::RelativeTime:
            line->xs[i] = (walls[i] - firstWall) / unitSeconds;
            break;
        case XAxisMode::WallTime:
            line->xs[i] = walls[i] * 1000.0;
            break;
        case XAxisMode::LogStep:
            line->xs[i] = steps[i] > 0 ? std::log10(double(steps[i])) : -qInf();
            line->xHidden += steps[i] > 0 ? 0 : 1;
            break;
        }
    }
    bool sorted = true;
    double xMin = qInf(), xMax = -qInf();
    double yMin = qInf(), yMax = -qInf(), yMinPositive = qInf();
    for (size_t i = 0; i < n; ++i) {
        const double x = line->xs[i];
        // -inf (a step <= 0 on a log axis) sorts first: binary searches still hold.
        if (std::isnan(x) || x == qInf() || (i > 0 && x < line->xs[i - 1]))
            sorted = false;
        if (std::isfinite(x)) {
            xMin = std::min(xMin, x);
            xMax = std::max(xMax, x);
        }
        if (std::isinf(x))
            continue; // a step <= 0 on a log axis: never drawn, so not in the y range
        const double y = values[i];
        if (!std::isfinite(y)) {
            ++line->nonFinite;
            continue;
        }
        yMin = std::min(yMin, y);
        yMax = std::max(yMax, y);
        if (y > 0)
            yMinPositive = std::min(yMinPositive, y);
        else
            ++line->nonPositive;
    }
    line->xSorted = sorted;
    line->xMin = std::isfinite(xMin) ? xMin : 0;
    line->xMax = std::isfinite(xMax) ? xMax : 0;
    line->yMin = std::isfinite(yMin) ? yMin : qQNaN();
    line->yMax = std::isfinite(yMax) ? yMax : qQNaN();
    line->yMinPositive = std::isfinite(yMinPositive) ? yMinPositive : qQNaN();
    line->smoothed = core::smoothTensorBoard(values, weight);
    return line;
}

} // namespace

LineSet prepareLines(const QString &tag, const std::vector<ChartRun> &runs, XAxisMode mode, double weight,
                     const LineSet &previous)
{
    LineSet set;
    set.mode = mode;
    set.weight = weight;
    std::vector<std::pair<const ChartRun *, const core::ScalarSeries *>> found;
    double longestSpan = 0;
    for (const ChartRun &run : runs) {
        if (!run.scalars)
            continue;
        const auto it = run.scalars->series.find(tag);
        if (it == run.scalars->series.end() || it->second.isEmpty())
            continue;
        found.emplace_back(&run, &it->second);
        if (mode == XAxisMode::RelativeTime) {
            const auto walls = it->second.wallTimes();
            const auto [lo, hi] = std::minmax_element(walls.begin(), walls.end());
            longestSpan = std::max(longestSpan, std::max(*hi - walls.front(), walls.front() - *lo));
        }
    }
    set.unitSeconds = mode == XAxisMode::RelativeTime ? relativeTimeUnit(longestSpan) : 1;
    const bool sameSettings =
        previous.mode == mode && previous.weight == weight && previous.unitSeconds == set.unitSeconds;
    for (const auto &[run, series] : found) {
        std::shared_ptr<const PreparedLine> reused;
        if (sameSettings) {
            for (const auto &old : previous.lines) {
                if (old->series == series && old->run.scalars == run->scalars) {
                    reused = old;
                    break;
                }
            }
        }
        if (reused &&
            (reused->run.name != run->name || reused->run.color != run->color || reused->run.key != run->key)) {
            auto renamed = std::make_shared<PreparedLine>(*reused);
            renamed->run = *run;
            reused = renamed;
        }
        set.lines.push_back(reused ? reused : prepare(*run, *series, mode, set.unitSeconds, weight));
    }
    return set;
}

} // namespace trainyard::ui
