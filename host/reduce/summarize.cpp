// Reductions of per-path results held in memory into the Summary (docs/model.md, Statistics),
// for callers that keep every path (tests, diff, --per-path). The numbers are those of the
// streaming run (run_accumulators.hpp): the same exact sums and the same order statistics, so
// a summary does not depend on whether its paths were stored, streamed, sharded or spread over
// MPI ranks.
#include <omp.h>

#include <cfloat>
#include <algorithm>
#include <cmath>

#include "chokepoint/engine.hpp"
#include "reduce/distribution_histogram.hpp"
#include "reduce/quantiles.hpp"
#include "reduce/run_accumulators.hpp"
#include "reduce/statistics.hpp"

namespace chokepoint {

const VariableSummary* Summary::find_variable(const std::string& name) const {
  for (const VariableSummary& variable : variables)
    if (variable.name == name) return &variable;
  return nullptr;
}

const StageSummary* Summary::find_stage(const std::string& name) const {
  for (const StageSummary& stage : stages)
    if (stage.name == name) return &stage;
  return nullptr;
}

void moments_from_exact_sums(const ExactMoments& sums, YearStatistics& out) {
  out.mean = sums.mean();
  out.sd = sums.sd();
  out.se = out.sd / std::sqrt(static_cast<double>(sums.count()));
}

void column_moments(const float* column, std::uint64_t paths, YearStatistics& out) {
  ExactMoments sums;
  for (std::uint64_t p = 0; p < paths; ++p) sums.add(column[p]);
  moments_from_exact_sums(sums, out);
}

UnusualValues count_unusual_values(const float* column, std::uint64_t paths) {
  UnusualValues counts;
  for (std::uint64_t p = 0; p < paths; ++p) {
    counts.nonfinite += !std::isfinite(column[p]);
    counts.saturated += std::fabs(column[p]) == FLT_MAX;
  }
  return counts;
}

double standard_error_from_sums(double sum, double sum_of_squares, std::uint64_t paths) {
  if (paths < 2) return 0.0;
  const double n = static_cast<double>(paths);
  const double variance = std::max(0.0, (sum_of_squares - sum * sum / n) / (n - 1.0));
  return std::sqrt(variance / n);
}

// The first-order sums as the streaming run forms them (the pilot's scales, each path's inputs
// recomputed), in chunks over the threads: integer sums, so the same bits.
void add_first_order(const Scenario& scenario, const PathResults& results, std::uint64_t seed, int threads,
                     MomentCounts& moments) {
  const FirstOrderSums zero(scenario, first_order_scales(scenario, pilot_paths(scenario, results.paths, seed)));
  moments.first_order = zero;
  if (zero.empty()) return;
  constexpr std::uint64_t kChunk = 4096;
  const std::int64_t chunks = static_cast<std::int64_t>((results.paths + kChunk - 1) / kChunk);
#pragma omp parallel num_threads(threads)
  {
    FirstOrderSums local = zero;
    PathInputs inputs;
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t c = 0; c < chunks; ++c) {
      const std::uint64_t first = static_cast<std::uint64_t>(c) * kChunk;
      compute_path_inputs(scenario, seed, first, std::min(kChunk, results.paths - first), inputs, false);
      local.add(inputs, results, first);
    }
#pragma omp critical(chokepoint_first_order_merge)
    moments.first_order.merge(local);
  }
}

Summary summarize(const Scenario& scenario, PathResults& results, std::uint64_t seed, int threads) {
  add_derived_outputs(scenario, results, seed, threads);  // a no-op when run() has added them
  // Moments, binding and threshold counts as the streaming run adds them, with the whole run as
  // one batch; quantiles by an in-memory selection of the same order statistics.
  const SelectionPlan no_selection = first_selection_plan(0, results.paths, {});
  PassAccumulators sums = empty_pass_accumulators(scenario, no_selection);
  const std::size_t columns = scenario.variables.size() * static_cast<std::size_t>(results.years);
  const QuantilePlan quantile_plan = plan_quantiles(results.paths, scenario.quantile_levels);
  std::vector<QuantileEstimates> quantiles(columns);
  const int thread_count = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel for schedule(dynamic, 1) num_threads(thread_count)
  for (std::int64_t c = 0; c < static_cast<std::int64_t>(columns); ++c) {
    const int v = static_cast<int>(c / results.years);
    const int y = static_cast<int>(c % results.years);
    const float* column = results.column(v, y);
    ExactMoments& moments = sums.moments.columns[static_cast<std::size_t>(c)];
    for (std::uint64_t p = 0; p < results.paths; ++p) moments.add(column[p]);
    // The value distribution from the selection's first pass (the same counts count_distribution adds).
    quantiles[static_cast<std::size_t>(c)] =
        column_quantiles(quantile_plan, column, sums.moments.distribution.data() + c * kDistributionBuckets);
  }
  add_batch_counts(scenario, results, sums.moments);
  add_first_order(scenario, results, seed, thread_count, sums.moments);
  return summary_from_moments(scenario, seed, sums.moments, quantiles);
}

}  // namespace chokepoint
