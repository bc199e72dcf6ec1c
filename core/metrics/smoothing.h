#pragma once

#include <span>
#include <vector>

namespace trainyard::core {

/// TensorBoard's scalar-dashboard smoothing, value for value: a debiased exponential moving
/// average. For each finite y: `last = last * w + (1 - w) * y; n++; smoothed = last / (1 - w^n)`
/// (no debiasing when w = 1). Non-finite values are passed through and not counted; a series
/// whose values are all equal is returned as it is. `weight` is in [0, 1]; TensorBoard's default
/// is 0.6.
std::vector<double> smoothTensorBoard(std::span<const double> values, double weight = 0.6);

} // namespace trainyard::core
