// The parts of the CUDA backend that are plain host code: the memory plan, the order statistics
// that exact quantiles need, and the assembly of a Summary from reduced columns. Built in every
// configuration, so that the CPU tests cover all of the backend but its kernel launches.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "chokepoint/checked_size.hpp"
#include "chokepoint/cuda_backend.hpp"
#include "reduce/distribution_histogram.hpp"
#include "reduce/quantiles.hpp"
#include "reduce/run_accumulators.hpp"
#include "reduce/statistics.hpp"
#include "reduce/summary_outline.hpp"

namespace chokepoint::cuda {

namespace {

std::uint64_t saturating_multiply(std::uint64_t a, std::uint64_t b) { return saturating_product({a, b}); }

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) { return saturating_sum({a, b}); }

std::uint64_t chunks_of(std::uint64_t paths) { return (paths + kReductionChunk - 1) / kReductionChunk; }

// Fixed device allocations besides the per-column ones (the model, counters, CUB's small needs).
constexpr std::uint64_t kFixedBytes = std::uint64_t{1} << 20;

// Per column: one partial sum per chunk, its sum, mean, squared deviations, order statistics,
// binding counts and value distribution.
std::uint64_t per_column_scratch(std::uint64_t paths, std::uint64_t ranks) {
  return saturating_add(saturating_multiply(chunks_of(paths), sizeof(double)),
                        4 * sizeof(double) + ranks * sizeof(float) + kDistributionBuckets * sizeof(std::uint64_t));
}

std::string mebibytes(std::uint64_t bytes) { return std::to_string((bytes + (1u << 20) - 1) >> 20) + " MiB"; }

// Mean, sd and se from a column's sum and squared deviations: summarize()'s column_moments.
void moments_from_sums(double sum, double squared_deviations, std::uint64_t paths, YearStatistics& out) {
  out.mean = sum / static_cast<double>(paths);
  out.sd = paths > 1 ? std::sqrt(squared_deviations / static_cast<double>(paths - 1)) : 0.0;
  out.se = out.sd / std::sqrt(static_cast<double>(paths));
}

}  // namespace

std::uint64_t reduction_scratch_bytes(std::uint64_t paths, std::uint64_t columns, std::uint64_t sort_temp_bytes,
                                      std::uint64_t ranks, std::uint64_t thresholds) {
  // the sort's second buffer and CUB's storage, then what each column needs
  std::uint64_t bytes = saturating_add(saturating_multiply(paths, sizeof(float)), sort_temp_bytes);
  bytes = saturating_add(bytes, saturating_multiply(columns, per_column_scratch(paths, ranks)));
  bytes = saturating_add(bytes, saturating_multiply(thresholds, 2 * sizeof(double)));
  return saturating_add(bytes, kFixedBytes);
}

MemoryPlan plan_memory(const MemoryNeeds& needs) {
  MemoryPlan plan;
  const std::uint64_t paths = needs.paths;
  if (paths == 0) return plan;
  // Up to 4 per quantile level (2 to interpolate, 2 for its interval); 16 levels is generous.
  constexpr std::uint64_t kAssumedRanks = 64;
  const std::uint64_t all_columns = needs.value_columns + needs.binding_columns;
  const std::uint64_t resident_bytes = saturating_add(
      saturating_multiply(paths, needs.value_columns * sizeof(float) + needs.binding_columns),
      reduction_scratch_bytes(paths, all_columns, needs.sort_temp_bytes, kAssumedRanks, 64));
  if (!needs.must_stage && resident_bytes <= needs.budget_bytes) {
    plan.resident = true;
    plan.batch_paths = std::min(paths, needs.requested_batch > 0 ? needs.requested_batch : kDefaultLaunchPaths);
    plan.value_columns_per_group = needs.value_columns;
    plan.binding_columns_per_group = needs.binding_columns;
    plan.device_bytes = resident_bytes;
    return plan;
  }

  // Staged: batches of paths are simulated and copied back, then column groups are uploaded
  // and reduced. Each phase frees its memory before the next allocates.
  const std::uint64_t simulated_per_path = needs.simulated_value_columns * sizeof(float) + needs.binding_columns;
  const std::uint64_t usable = needs.budget_bytes > kFixedBytes ? needs.budget_bytes - kFixedBytes : 0;
  const std::uint64_t fitting_batch = simulated_per_path > 0 ? usable / simulated_per_path : paths;
  if (fitting_batch == 0)
    throw ResourceError("CUDA: not enough device memory for even one path: " + mebibytes(needs.budget_bytes) +
                        " usable, " + std::to_string(simulated_per_path) + " bytes per path needed");
  plan.batch_paths = std::min({paths, fitting_batch, needs.requested_batch > 0 ? needs.requested_batch : paths});
  plan.device_bytes = saturating_add(saturating_multiply(plan.batch_paths, simulated_per_path), kFixedBytes);

  // One value column costs the column, its partial sums and its outputs; the sort's second
  // buffer and temporary storage are shared by the group.
  const std::uint64_t shared = reduction_scratch_bytes(paths, 0, needs.sort_temp_bytes, 0, 64);
  const std::uint64_t per_value_column =
      saturating_add(saturating_multiply(paths, sizeof(float)), per_column_scratch(paths, kAssumedRanks));
  const std::uint64_t per_binding_column = saturating_add(paths, 4 * sizeof(double));
  if (needs.budget_bytes <= shared) {
    plan.reduce_on_device = false;
    return plan;
  }
  const std::uint64_t value_group = (needs.budget_bytes - shared) / per_value_column;
  const std::uint64_t binding_group = (needs.budget_bytes - kFixedBytes) / per_binding_column;
  if (value_group == 0 || binding_group == 0) {
    plan.reduce_on_device = false;
    return plan;
  }
  plan.value_columns_per_group = std::min(value_group, needs.value_columns);
  plan.binding_columns_per_group = std::min(binding_group, needs.binding_columns);
  plan.device_bytes = std::max(plan.device_bytes, saturating_add(shared, saturating_multiply(plan.value_columns_per_group,
                                                                                              per_value_column)));
  return plan;
}

std::vector<std::uint64_t> quantile_ranks(std::uint64_t paths, const std::vector<double>& levels) {
  return plan_quantiles(paths, levels).ranks;
}

Summary assemble_summary(const Scenario& scenario, const RunReduction& reduction, std::uint64_t seed) {
  const std::vector<int> years = scenario.calendar_years();
  const std::uint64_t paths = reduction.paths;
  const std::size_t year_count = years.size();
  if (reduction.columns.size() != scenario.variables.size() * year_count ||
      reduction.binding.size() != (1 + scenario.stage_names.size()) * year_count ||
      reduction.threshold_hits.size() != scenario.thresholds.size())
    throw std::logic_error("assemble_summary: the reduction does not match the scenario");

  // The device's counts are its own struct (cuda_backend.hpp is shared with nvcc's C++17); the
  // summary's stages are computed from them as from the CPU's.
  std::vector<BindingCounts> binding;
  for (const BindingReduction& counts : reduction.binding) binding.push_back({counts.steps, counts.squares, counts.any});
  Summary summary = summary_outline(scenario, paths, seed, reduction.threshold_hits, binding);
  const QuantilePlan quantile_plan = plan_quantiles(paths, scenario.quantile_levels);
  for (std::size_t v = 0; v < summary.variables.size(); ++v) {
    VariableSummary& variable = summary.variables[v];
    for (std::size_t y = 0; y < year_count; ++y) {
      const ColumnReduction& column = reduction.columns[v * year_count + y];
      YearStatistics& stats = variable.years[y];
      if (column.has_exact) moments_from_exact_sums(column.exact, stats);
      else moments_from_sums(column.sum, column.squared_deviations, paths, stats);
      // The device sums but does not count: a non-finite sum means at least one non-finite path
      // (a lower bound; saturated values are not detected on this backend, docs/errors.md).
      if (!std::isfinite(column.sum)) summary.nonfinite.push_back(NonfiniteCount{variable.name, stats.year, 1, 0});
      QuantileEstimates estimates = quantiles_from_order_statistics(
          quantile_plan, std::vector<double>(column.order_statistics.begin(), column.order_statistics.end()));
      stats.quantiles = std::move(estimates.quantiles);
      stats.quantile_ci_low = std::move(estimates.ci_low);
      stats.quantile_ci_high = std::move(estimates.ci_high);
    }
  }
  // The value distributions, when the reduction counted every column's.
  std::vector<std::uint64_t> counts;
  for (const ColumnReduction& column : reduction.columns) {
    if (column.distribution.size() != kDistributionBuckets) return summary;
    counts.insert(counts.end(), column.distribution.begin(), column.distribution.end());
  }
  summary.distributions = value_histograms(scenario, counts);
  return summary;
}

RunReduction reduce_on_host(const Scenario& scenario, const PathResults& results) {
  const std::uint64_t paths = results.paths;
  const int years = results.years;
  RunReduction reduction;
  reduction.paths = paths;
  const std::vector<std::uint64_t> ranks = quantile_ranks(paths, scenario.quantile_levels);
  std::vector<float> sorted(paths);
  for (int v = 0; v < results.variables; ++v)
    for (int y = 0; y < years; ++y) {
      const float* column = results.column(v, y);
      ColumnReduction out;
      for (std::uint64_t p = 0; p < paths; ++p) out.sum += column[p];
      const double mean = out.sum / static_cast<double>(paths);
      for (std::uint64_t p = 0; p < paths; ++p) {
        const double deviation = column[p] - mean;
        out.squared_deviations += deviation * deviation;
      }
      for (std::uint64_t p = 0; p < paths; ++p) out.exact.add(column[p]);
      out.has_exact = true;
      sorted.assign(column, column + paths);
      std::sort(sorted.begin(), sorted.end());
      for (std::uint64_t rank : ranks) out.order_statistics.push_back(sorted[rank]);
      out.distribution.assign(kDistributionBuckets, 0);
      count_distribution(column, paths, out.distribution.data());
      reduction.columns.push_back(std::move(out));
    }
  // The counts as the CPU accumulators take them (run_accumulators.hpp).
  for (int code = 0; code < results.binding_codes; ++code)
    for (int y = 0; y < years; ++y) {
      BindingCounts counts;
      counts.add_column(results.binding_column(code, y), paths);
      reduction.binding.push_back({counts.steps, counts.squares, counts.any});
    }
  for (const ThresholdRequest& request : scenario.thresholds)
    reduction.threshold_hits.push_back(count_threshold_hits(scenario, request, results));
  return reduction;
}

}  // namespace chokepoint::cuda
