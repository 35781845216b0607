// Per-path results are stored as float (engine.hpp, PathResults). A value the double-precision
// step computed as finite but beyond float's range (|x| > 3.4e38) would become ±inf in that
// conversion and read as a non-finite result that the model never produced. It is stored
// saturated at ±FLT_MAX instead, and the reduction counts such values (Summary::nonfinite,
// saturated_paths), so the run reports them rather than hiding them. NaN and ±inf pass through
// unchanged: they are the model's own non-finite results, counted as nonfinite_paths.
#pragma once

#include <cfloat>
#include <limits>

#include "chokepoint/macros.hpp"

namespace chokepoint {

CHOKEPOINT_HD inline float stored_value(double value) {
  constexpr double kLargest = static_cast<double>(FLT_MAX);
  constexpr double kInfinity = std::numeric_limits<double>::infinity();
  if (value > kLargest && value < kInfinity) return FLT_MAX;
  if (value < -kLargest && value > -kInfinity) return -FLT_MAX;
  return static_cast<float>(value);
}

}  // namespace chokepoint
