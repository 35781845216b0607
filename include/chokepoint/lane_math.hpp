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
#include "chokepoint/model.hpp"

namespace chokepoint {
CHOKEPOINT_CODE_BEGIN

CHOKEPOINT_HD CHOKEPOINT_FORCEINLINE double select(bool condition, double if_true, double if_false) {
  return condition ? if_true : if_false;
}

// The quantile table that starts at node `first` of the model (−1: none).
CHOKEPOINT_HD CHOKEPOINT_FORCEINLINE const QuantileNode* table_at(const Model& model, int first) {
  return first >= 0 ? model.quantile_nodes + first : nullptr;
}

// z ↦ F⁻¹(Φ(z)): from the distribution's quantile table when it has one (`table`, see
// QuantileNode) and z lies within the table's reach, else exactly.
CHOKEPOINT_HD inline double quantile_of_normal(const QuantileNode* table, const Distribution& distribution, double z) {
  if (table != nullptr && fabs(z) < kQuantileTableReach)
    return interpolate_quantile(table, kQuantileNodes, -kQuantileTableReach,
                                2.0 * kQuantileTableReach / (kQuantileNodes - 1), z);
  return from_standard_normal(distribution, z);
}

// A quantile at cumulative probability u: exactly, or (with a table) through z = Φ⁻¹(u) and the
// table, which replaces a PERT's Newton iteration by one normal quantile and one interpolation.
CHOKEPOINT_HD inline double quantile_at(const QuantileNode* table, const Distribution& distribution, double u) {
  return table != nullptr ? quantile_of_normal(table, distribution, normal_quantile(u)) : quantile(distribution, u);
}

// Quantiles drawn only where `where` holds (an event fired), 0 elsewhere. Rare, so a pack
// evaluates them lane by lane.
CHOKEPOINT_HD inline double quantile_where(bool where, const Distribution& distribution, const QuantileNode* table,
                                           double u) {
  return where ? quantile_at(table, distribution, u) : 0.0;
}

CHOKEPOINT_HD inline double log1p_each(double x) { return log1p(x); }

// The mixed precision's exp of the factor index (precision.hpp): in float, widened back.
CHOKEPOINT_HD inline double exp_in_float(double x) { return static_cast<double>(expf(static_cast<float>(x))); }

// ln(1 + x) as the mixed precision takes it: one vector log on a pack (log1p has no vector
// variant), exact enough for a yearly growth rate (absolute error ≈1e-16 for |x| < 1).
CHOKEPOINT_HD inline double log_one_plus(double x) { return log(1.0 + x); }

CHOKEPOINT_CODE_END

}  // namespace chokepoint
