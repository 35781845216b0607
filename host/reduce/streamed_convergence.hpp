// Convergence traces for a run whose paths were not kept (streamed, checkpointed, sharded): the
// run's first paths are simulated again and traced as a kept run traces them, and the run's own
// summary gives the last point, at all P paths. Every path's draws depend only on (seed, path),
// so the first paths are the run's own, bit for bit, however it was split.
#pragma once

#include <cstdint>

#include "chokepoint/engine.hpp"

namespace chokepoint {

// How many of a streamed run's first paths are traced: 2¹⁶, 0.3 s of one core on the baseline.
inline constexpr std::uint64_t kTracedPrefixPaths = std::uint64_t{1} << 16;

// Fills summary.convergence: the points of convergence_traces over the first
// min(P, kTracedPrefixPaths) paths (n = 32, 64, …), then, where P is larger and the summary's
// quantile levels hold the median, the point at P from the summary's mean, SE, median and the
// median's interval (the same numbers a kept run's trace ends with). Between the two nothing is
// traced. `summary.paths` is P.
void add_streamed_convergence(const Scenario& scenario, std::uint64_t seed, Precision precision, int threads,
                              Summary& summary);

}  // namespace chokepoint
