// Refusing scenarios whose results cannot be finite (docs/errors.md, "Numbers out of range").
#pragma once

#include "chokepoint/engine.hpp"

namespace chokepoint {

// Results are stored as float, whose largest value is 3.4e38. Along the central path (every
// uncertain value at its median, every factor at its median growth, no shocks, no events), this
// estimates the largest value of each reported quantity over the horizon from the scenario's
// magnitudes: demand tok·I_demand, units wanted demand / (eff·I_throughput), revenue
// demand·price / 10^6, each stage's capacity in its own units and in accelerators (÷ per_unit),
// and derived outputs from their terms. Where a quantity depends on the state (units wanted
// once the installed capacity serves part of demand) the estimate is an upper bound. A scenario
// whose estimate reaches 3.4e38 is refused with InputError naming the quantity and its inputs:
// it would come out as infinity or NaN on the typical path, not only in a rare tail (which the
// run's non-finite count reports instead).
void check_central_path_is_finite(const Scenario& scenario);

}  // namespace chokepoint
