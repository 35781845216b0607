// Which arithmetic a run's step uses (docs/model.md, "Precision").
//   reference  every number in double: the yardstick, and what the closed-form tests check to 1e-12.
//   mixed      the factor shocks' normals (uniform and Box–Muller) and the exp of the factor
//              index in float, everything else (the stock-flow chain, the binding comparisons,
//              the year sums) in double; an event's PERT severity from its quantile table
//              (model.hpp) instead of Newton's iteration; the year's reciprocals (1/per_unit,
//              per_unit/yield) multiplied where the reference divides. Agrees with reference to ≈1e-6 per
//              path, far below the Monte Carlo error, and is the default because it is the faster.
#pragma once

namespace chokepoint {

enum class Precision { reference, mixed };

inline const char* precision_name(Precision precision) {
  return precision == Precision::mixed ? "mixed" : "reference";
}

}  // namespace chokepoint
