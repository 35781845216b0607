// The parts of a run's Summary that both routes compute alike from integer counts: the CPU
// accumulators (run_accumulators.cpp) and the CUDA backend's host assembly
// (simulate/cuda_support.cpp). One function for both, so that their summaries agree to the bit.
#pragma once

#include <cstdint>
#include <vector>

#include "chokepoint/engine.hpp"
#include "reduce/run_accumulators.hpp"

namespace chokepoint {

// A Summary of `paths` paths: the scenario's name, the seed, the calendar years, the quantile
// levels with their intervals' coverage, the notes; each threshold's probability from its hit
// count (per Scenario::thresholds entry); the stages from the binding counts (binding_summary());
// and one VariableSummary per Scenario::variables entry, named, with one YearStatistics per
// calendar year that holds only its year. The years' moments and quantiles and
// Summary::nonfinite are the caller's to fill: each route computes those its own way.
Summary summary_outline(const Scenario& scenario, std::uint64_t paths, std::uint64_t seed,
                        const std::vector<std::uint64_t>& threshold_hits, const std::vector<BindingCounts>& binding);

}  // namespace chokepoint
