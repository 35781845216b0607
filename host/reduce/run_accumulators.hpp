// Everything a run's summary needs from its paths, as accumulators that batches of paths add
// into and that merge exactly: exact moments per (variable, year), integer binding and
// threshold counts, and the integer counts of the quantile selection (streaming_quantiles.hpp).
// Memory depends on the scenario's columns and requested ranks, never on the path count.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chokepoint/engine.hpp"
#include "chokepoint/exact_sum.hpp"
#include "reduce/first_order_sums.hpp"
#include "reduce/quantiles.hpp"
#include "reduce/streaming_quantiles.hpp"

namespace chokepoint {

struct BindingCounts {
  std::uint64_t steps = 0;    // Σ binding steps over paths
  std::uint64_t squares = 0;  // Σ steps²
  std::uint64_t any = 0;      // paths with at least one binding step

  // Adds one (code, year) column of `paths` paths' binding steps (PathResults::binding_column).
  void add_column(const std::uint8_t* column, std::uint64_t paths);
  void merge(const BindingCounts& other);
};

// The sums of the first pass: moments, binding and threshold counts.
struct MomentCounts {
  std::uint64_t paths = 0;
  std::vector<ExactMoments> columns;          // [variable][year], Scenario::variables order
  std::vector<std::uint64_t> distribution;    // [variable][year][bucket] (distribution_histogram.hpp)
  std::vector<BindingCounts> binding;         // [code][year], code 0 = demand
  std::vector<std::uint64_t> threshold_hits;  // per Scenario::thresholds entry
  FirstOrderSums first_order;                 // sensitivity; empty when the plan has no scales

  void merge(const MomentCounts& other);
};

MomentCounts empty_moment_counts(const Scenario& scenario, const std::vector<std::int32_t>& first_order_scales = {});

// One pass's accumulators: the moments (first pass only) and the selection counts.
struct PassAccumulators {
  MomentCounts moments;
  SelectionCounts selection;

  void merge(const PassAccumulators& other);
};

PassAccumulators empty_pass_accumulators(const Scenario& scenario, const SelectionPlan& plan);

// Adds a batch of paths (one column per Scenario::variables entry, derived outputs included).
void add_batch(const Scenario& scenario, const SelectionPlan& plan, const PathResults& batch,
               PassAccumulators& accumulators);

// The binding and threshold counts of a batch (part of add_batch's first pass).
void add_batch_counts(const Scenario& scenario, const PathResults& batch, MomentCounts& counts);

// How many of a batch's paths reach the threshold: a value at or above request.at_least.
std::uint64_t count_threshold_hits(const Scenario& scenario, const ThresholdRequest& request, const PathResults& batch);

// The run's pilot: its first min(paths, kPilotPaths) paths in the default precision, the same
// in every shard, rank and resumed run.
PathResults pilot_paths(const Scenario& scenario, std::uint64_t paths, std::uint64_t seed);

// The first plan of a run of `paths` paths: every (variable, year) column searched for the
// order statistics its quantiles need, with the top buckets a pilot of the run's first
// kPilotPaths paths guesses (simulated here: a few milliseconds). The ranks are those of
// plan_quantiles(): each quantile's and its confidence interval's. `extra_ranks` adds more
// order statistics, at no extra pass;
// order_statistics() of the finished plan returns them among the others, in rank order.
inline constexpr std::uint64_t kPilotPaths = 4096;
SelectionPlan first_run_plan(const Scenario& scenario, std::uint64_t paths, std::uint64_t seed,
                             const std::vector<std::uint64_t>& extra_ranks = {});

// The summary from the first pass's moments and each column's quantiles at the scenario's levels
// with their confidence intervals (reduce/quantiles.hpp). Variable-years whose paths hold NaN,
// infinities or saturated values are listed in Summary::nonfinite.
Summary summary_from_moments(const Scenario& scenario, std::uint64_t seed, const MomentCounts& moments,
                             const std::vector<QuantileEstimates>& quantiles);

// The summary from the first pass's moments and a finished selection.
Summary summary_from_accumulators(const Scenario& scenario, std::uint64_t seed, const MomentCounts& moments,
                                  const SelectionPlan& finished_plan);

// Bytes for shard files, checkpoints and MPI messages: a fixed little-endian layout of the
// integers above (the same on every machine this engine builds for).
std::string encode_plan(const SelectionPlan& plan);
SelectionPlan decode_plan(const std::string& bytes);  // throws std::runtime_error when malformed
std::string encode_pass(const PassAccumulators& accumulators, bool with_moments);
// Reads into `accumulators`, which must be empty_pass_accumulators() of the same plan.
void decode_pass(const std::string& bytes, bool with_moments, PassAccumulators& accumulators);

// FNV-1a, 64 bits: the identity of a scenario text or a plan, and a file's checksum.
std::uint64_t fnv1a(const std::string& bytes, std::uint64_t hash = 0xcbf29ce484222325ull);

}  // namespace chokepoint
