#include "seriesstats.h"

#include <cmath>

namespace trainyard::ui {

SeriesStats SeriesStats::of(const core::ScalarSeries &series)
{
    SeriesStats s;
    s.count = series.size();
    if (series.isEmpty())
        return s;
    const auto steps = series.steps();
    const auto values = series.values();
    s.last = values.back();
    s.lastStep = steps.back();
    for (size_t i = 0; i < values.size(); ++i) {
        const double v = values[i];
        if (!std::isfinite(v))
            continue;
        if (!(v >= s.min)) { // also when min is still NaN
            s.min = v;
            s.minStep = steps[i];
        }
        if (!(v <= s.max)) {
            s.max = v;
            s.maxStep = steps[i];
        }
    }
    return s;
}

std::map<QString, SeriesStats> SeriesStats::of(const core::RunScalars &run)
{
    std::map<QString, SeriesStats> stats;
    for (const auto &[tag, series] : run.series)
        stats.emplace(tag, of(series));
    return stats;
}

} // namespace trainyard::ui
