#pragma once

#include "chartline.h"

#include <QString>

#include <vector>

namespace trainyard::ui {

/// The hover readout's text: a table with every run's smoothed and raw value at its nearest
/// point, with the step (and the time, when x is a time).
QString readoutHtml(const std::vector<ReadoutEntry> &entries, XAxisMode mode, double unitSeconds);

/// A value as the readout and the table show it: six significant digits, NaN, ∞ and −∞.
QString formatValue(double v);

} // namespace trainyard::ui
