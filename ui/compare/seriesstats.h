#pragma once

#include "metrics/scalarseries.h"

#include <QString>

#include <map>

namespace trainyard::ui {

/// Last, lowest and highest value of a series with their steps, as the compare table shows
/// them. NaN and infinities are left out of min and max (a series of only those has NaN there);
/// the last value is the last point's, whatever it is. The first of equal extremes wins.
struct SeriesStats
{
    qsizetype count = 0;
    double last = qQNaN();
    qint64 lastStep = 0;
    double min = qQNaN();
    qint64 minStep = 0;
    double max = qQNaN();
    qint64 maxStep = 0;

    static SeriesStats of(const core::ScalarSeries &series);
    /// Every tag's stats of a run.
    static std::map<QString, SeriesStats> of(const core::RunScalars &run);
};

} // namespace trainyard::ui
