// Summary::stages from a run's binding counts. The CPU accumulators (run_accumulators.cpp) and
// the CUDA backend's host assembly (simulate/cuda_support.cpp) both end with these counts, so
// both turn them into shares and probabilities here, with the same arithmetic to the bit.
#pragma once

#include <cstdint>
#include <vector>

#include "chokepoint/engine.hpp"
#include "reduce/run_accumulators.hpp"

namespace chokepoint {

// "demand", then each of the scenario's stages; per calendar year the share of the year's steps
// that it binds and the probability that it binds at least once, with their standard errors
// over `paths` paths. `binding` is [code][year], code 0 = demand (MomentCounts::binding).
std::vector<StageSummary> binding_summary(const Scenario& scenario, std::uint64_t paths,
                                          const std::vector<BindingCounts>& binding);

}  // namespace chokepoint
