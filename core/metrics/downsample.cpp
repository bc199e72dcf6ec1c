#include "downsample.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace trainyard::core::downsample {

std::vector<size_t> lttb(std::span<const double> xs, std::span<const double> ys, size_t threshold)
{
    const size_t n = std::min(xs.size(), ys.size());
    std::vector<size_t> chosen;
    if (threshold >= n || threshold < 3) {
        chosen.resize(n);
        for (size_t i = 0; i < n; ++i)
            chosen[i] = i;
        return chosen;
    }
    chosen.reserve(threshold);
    chosen.push_back(0);
    // The n - 2 inner points in threshold - 2 buckets; bucket b is [start(b), start(b + 1)).
    const double bucketSize = double(n - 2) / double(threshold - 2);
    const auto start = [&](size_t b) { return std::min(n - 1, size_t(std::floor(double(b) * bucketSize)) + 1); };
    size_t previous = 0;
    for (size_t b = 0; b < threshold - 2; ++b) {
        const size_t from = start(b);
        const size_t to = start(b + 1);
        // The third corner: the average of the next bucket's finite points (the last point for
        // the last bucket).
        const size_t nextFrom = to;
        const size_t nextTo = b + 1 < threshold - 2 ? start(b + 2) : n;
        double avgX = 0, avgY = 0;
        size_t count = 0;
        for (size_t i = nextFrom; i < nextTo; ++i) {
            if (std::isfinite(ys[i]) && std::isfinite(xs[i])) {
                avgX += xs[i];
                avgY += ys[i];
                ++count;
            }
        }
        if (count > 0) {
            avgX /= double(count);
            avgY /= double(count);
        } else {
            avgX = xs[n - 1];
            avgY = ys[n - 1];
        }
        const double ax = xs[previous], ay = ys[previous];
        size_t best = from;
        double bestArea = -1;
        for (size_t i = from; i < to; ++i) {
            if (!std::isfinite(ys[i]) || !std::isfinite(xs[i]))
                continue;
            const double area = std::abs((ax - avgX) * (ys[i] - ay) - (ax - xs[i]) * (avgY - ay));
            if (area > bestArea) {
                bestArea = area;
                best = i;
            }
        }
        chosen.push_back(best);
        if (bestArea >= 0) // a bucket of only non-finite points keeps the previous anchor
            previous = best;
    }
    chosen.push_back(n - 1);
    return chosen;
}

std::vector<size_t> minMaxPerColumn(std::span<const double> xs, std::span<const double> ys, double xMin, double xMax,
                                    int columns)
{
    const size_t n = std::min(xs.size(), ys.size());
    std::vector<size_t> chosen;
    if (columns <= 0 || !(xMax >= xMin))
        return chosen;
    struct Column
    {
        size_t first = SIZE_MAX, last = 0, low = SIZE_MAX, high = SIZE_MAX;
    };
    std::vector<Column> cols(static_cast<size_t>(columns));
    const double width = xMax - xMin;
    for (size_t i = 0; i < n; ++i) {
        const double x = xs[i];
        if (!(x >= xMin && x <= xMax))
            continue;
        const size_t c = width > 0 ? std::min(size_t(columns) - 1, size_t((x - xMin) / width * double(columns))) : 0;
        Column &col = cols[c];
        if (col.first == SIZE_MAX)
            col.first = i;
        col.last = i;
        if (!std::isfinite(ys[i]))
            continue;
        if (col.low == SIZE_MAX || ys[i] < ys[col.low])
            col.low = i;
        if (col.high == SIZE_MAX || ys[i] > ys[col.high])
            col.high = i;
    }
    for (const Column &col : cols) {
        if (col.first == SIZE_MAX)
            continue;
        for (const size_t i : {col.first, col.low, col.high, col.last}) {
            if (i != SIZE_MAX)
                chosen.push_back(i);
        }
    }
    // Columns hold disjoint x ranges but, for series whose x goes back (a restarted run), not
    // disjoint index ranges: sort once and drop repeats.
    std::sort(chosen.begin(), chosen.end());
    chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
    return chosen;
}

} // namespace trainyard::core::downsample
