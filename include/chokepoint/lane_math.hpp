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

}  // namespace chokepoint
