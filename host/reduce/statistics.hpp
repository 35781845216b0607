// Order-independent statistics over per-path columns, shared by summaries and paired differences.
#pragma once

#include <cstdint>

#include "chokepoint/summary.hpp"
#include "chokepoint/exact_sum.hpp"

namespace chokepoint {

// Mean, sample sd (divisor P − 1) and the standard error of the mean from exact sums
// (exact_sum.hpp), so that the result depends only on the values, never on their order or on
// how the paths were split.
void moments_from_exact_sums(const ExactMoments& sums, YearStatistics& out);
void column_moments(const float* column, std::uint64_t paths, YearStatistics& out);

// The standard error of a mean of P values from their sum and sum of squares.
double standard_error_from_sums(double sum, double sum_of_squares, std::uint64_t paths);

// Paths of a column whose value is NaN or ±inf, and those stored saturated at ±FLT_MAX
// (stored_value.hpp).
struct UnusualValues {
  std::uint64_t nonfinite = 0;
  std::uint64_t saturated = 0;
};
UnusualValues count_unusual_values(const float* column, std::uint64_t paths);

}  // namespace chokepoint
