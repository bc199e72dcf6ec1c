#include "smoothing.h"

#include <algorithm>
#include <cmath>

namespace trainyard::core {

// Mirrors resampleSmoothing of TensorBoard's line chart (tf_line_chart_data_loader): the same
// operations in the same order, so the same doubles come out.
std::vector<double> smoothTensorBoard(std::span<const double> values, double weight)
{
    std::vector<double> smoothed(values.begin(), values.end());
    // `v == first` as in JavaScript: a NaN makes the series non-constant.
    const bool constant = std::all_of(values.begin(), values.end(), [&](double v) { return v == values.front(); });
    if (constant)
        return smoothed;
    double last = 0;
    int counted = 0;
    for (size_t i = 0; i < values.size(); ++i) {
        const double y = values[i];
        if (!std::isfinite(y))
            continue;
        last = last * weight + (1 - weight) * y;
        ++counted;
        double debias = 1;
        if (weight != 1)
            debias = 1 - std::pow(weight, counted);
        smoothed[i] = last / debias;
    }
    return smoothed;
}

} // namespace trainyard::core
