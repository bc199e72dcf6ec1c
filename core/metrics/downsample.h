#pragma once

#include <span>
#include <vector>

namespace trainyard::core {

/// Choosing which points of a long series to draw. Both functions return indices into the
/// input, strictly increasing, so the caller draws `xs[i], ys[i]` for each (and can still show
/// the raw value under the mouse). Points whose y is not finite are never chosen as extremes.
namespace downsample {

/// Largest-Triangle-Three-Buckets (Steinarsson 2013): `threshold` points that keep the shape of
/// the line, first and last included. All indices when the series has no more than `threshold`
/// points (or `threshold` < 3).
std::vector<size_t> lttb(std::span<const double> xs, std::span<const double> ys, size_t threshold);

/// Per pixel column of [xMin, xMax] split into `columns`: the first, lowest, highest and last
/// point of the column (M4), so the drawn line covers exactly the vertical extent the full
/// series would at that width. Points with x outside the range (or NaN) are left out.
std::vector<size_t> minMaxPerColumn(std::span<const double> xs, std::span<const double> ys, double xMin, double xMax,
                                    int columns);

} // namespace downsample
} // namespace trainyard::core
