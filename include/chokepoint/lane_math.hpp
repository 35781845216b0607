// The few operations the per-path step needs beyond arithmetic, for one path in a `double`.
//
// The step is written once, as a template over its number type `Real`: `double` for one path
// (the GPU's thread, the reference), or a SIMD pack of several paths on the CPU
// (host/simulate/simd_pack.hpp gives the same functions for packs). Where paths may take different
// branches, the step uses select() rather than `if`, so every lane follows its own path.
#pragma once

#include <cmath>

#include "chokepoint/distributions.hpp"
#include "chokepoint/macros.hpp"

namespace chokepoint {

CHOKEPOINT_HD CHOKEPOINT_FORCEINLINE double select(bool condition, double if_true, double if_false) {
  return condition ? if_true : if_false;
}

// Quantiles drawn only where `where` holds (an event fired), 0 elsewhere. Rare, so a pack
// evaluates them lane by lane.
CHOKEPOINT_HD inline double quantile_where(bool where, const Distribution& distribution, double u) {
  return where ? quantile(distribution, u) : 0.0;
}

CHOKEPOINT_HD inline double log1p_each(double x) { return log1p(x); }

// The mixed precision's exp of the factor index (precision.hpp): in float, widened back.
CHOKEPOINT_HD inline double exp_in_float(double x) { return static_cast<double>(expf(static_cast<float>(x))); }

// ln(1 + x) as the mixed precision takes it: one vector log on a pack (log1p has no vector
// variant), exact enough for a yearly growth rate (absolute error ≈1e-16 for |x| < 1).
CHOKEPOINT_HD inline double log_one_plus(double x) { return log(1.0 + x); }

}  // namespace chokepoint
