// Reductions of per-path results into the Summary (README.md, "Using it", lists it).
// Each (variable, year) column is reduced by one thread in path order, so sums do not depend on
// the thread count; binding and threshold statistics are integer counts, exact in any order.
#include <omp.h>

#include <cfloat>
#include <cmath>

#include "chokepoint/engine.hpp"
#include "reduce/quantiles.hpp"
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

void column_moments(const float* column, std::uint64_t paths, YearStatistics& out) {
  double sum = 0.0;
  for (std::uint64_t p = 0; p < paths; ++p) sum += column[p];
  const double mean = sum / static_cast<double>(paths);
  double squares = 0.0;
  for (std::uint64_t p = 0; p < paths; ++p) {
    const double deviation = column[p] - mean;
    squares += deviation * deviation;
  }
  out.mean = mean;
  out.sd = paths > 1 ? std::sqrt(squares / static_cast<double>(paths - 1)) : 0.0;
  out.se = out.sd / std::sqrt(static_cast<double>(paths));
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

static StageYear binding_statistics(const std::uint8_t* column, std::uint64_t paths, int steps_per_year, int year) {
  std::uint64_t steps = 0, squares = 0, any = 0;
  for (std::uint64_t p = 0; p < paths; ++p) {
    const std::uint64_t count = column[p];
    steps += count;
    squares += count * count;
    any += count > 0;
  }
  const double n = static_cast<double>(paths);
  const double per_year = steps_per_year;
  StageYear out;
  out.year = year;
  out.binding_share = static_cast<double>(steps) / (n * per_year);
  out.binding_share_se =
      standard_error_from_sums(static_cast<double>(steps), static_cast<double>(squares), paths) / per_year;
  out.binding_any = static_cast<double>(any) / n;
  out.binding_any_se = standard_error_from_sums(static_cast<double>(any), static_cast<double>(any), paths);
  return out;
}

Summary summarize(const Scenario& scenario, PathResults& results, std::uint64_t seed, int threads) {
  const Model& model = *scenario.model;
  add_derived_outputs(scenario, results, seed, threads);  // a no-op when run() has added them
  const std::vector<int> years = scenario.calendar_years();
  const std::uint64_t paths = results.paths;
  Summary summary;
  summary.scenario = scenario.name;
  summary.paths = paths;
  summary.seed = seed;
  summary.years = years;
  summary.quantile_levels = scenario.quantile_levels;
  summary.notes = scenario.notes;
  const QuantilePlan quantile_plan = plan_quantiles(paths, scenario.quantile_levels);
  for (const QuantileInterval& interval : quantile_plan.intervals) summary.quantile_ci_coverage.push_back(interval.coverage);

  for (const ThresholdRequest& request : scenario.thresholds) {
    const float* column = results.column(request.variable, request.year - model.start_year);
    std::uint64_t hits = 0;
    for (std::uint64_t p = 0; p < paths; ++p) hits += static_cast<double>(column[p]) >= request.at_least;
    ThresholdResult result;
    result.variable = scenario.variables[request.variable].name;
    result.year = request.year;
    result.at_least = request.at_least;
    result.p = static_cast<double>(hits) / static_cast<double>(paths);
    result.se = standard_error_from_sums(static_cast<double>(hits), static_cast<double>(hits), paths);
    summary.thresholds.push_back(result);
  }

  summary.variables.resize(scenario.variables.size());
  for (std::size_t v = 0; v < scenario.variables.size(); ++v) {
    summary.variables[v].name = scenario.variables[v].name;
    summary.variables[v].unit = scenario.variables[v].unit;
    summary.variables[v].kind = scenario.variables[v].is_flow ? "flow" : "stock";
    summary.variables[v].years.resize(years.size());
  }
  const std::int64_t columns = static_cast<std::int64_t>(scenario.variables.size() * years.size());
  const int thread_count = threads > 0 ? threads : omp_get_max_threads();
  std::vector<UnusualValues> unusual(static_cast<std::size_t>(columns));
#pragma omp parallel for schedule(dynamic, 1) num_threads(thread_count)
  for (std::int64_t c = 0; c < columns; ++c) {
    const int v = static_cast<int>(c / static_cast<std::int64_t>(years.size()));
    const int y = static_cast<int>(c % static_cast<std::int64_t>(years.size()));
    YearStatistics& stats = summary.variables[v].years[y];
    float* column = results.column(v, y);
    stats.year = years[y];
    column_moments(column, paths, stats);
    unusual[static_cast<std::size_t>(c)] = count_unusual_values(column, paths);
    QuantileEstimates estimates = column_quantiles(quantile_plan, column);
    stats.quantiles = std::move(estimates.quantiles);
    stats.quantile_ci_low = std::move(estimates.ci_low);
    stats.quantile_ci_high = std::move(estimates.ci_high);
  }
  for (std::int64_t c = 0; c < columns; ++c) {
    const UnusualValues& counts = unusual[static_cast<std::size_t>(c)];
    if (counts.nonfinite == 0 && counts.saturated == 0) continue;
    const std::size_t v = static_cast<std::size_t>(c) / years.size(), y = static_cast<std::size_t>(c) % years.size();
    summary.nonfinite.push_back(NonfiniteCount{scenario.variables[v].name, years[y], counts.nonfinite, counts.saturated});
  }

  std::vector<std::string> codes{"demand"};
  codes.insert(codes.end(), scenario.stage_names.begin(), scenario.stage_names.end());
  for (std::size_t code = 0; code < codes.size(); ++code) {
    StageSummary stage;
    stage.name = codes[code];
    for (std::size_t y = 0; y < years.size(); ++y)
      stage.years.push_back(binding_statistics(results.binding_column(static_cast<int>(code), static_cast<int>(y)),
                                               paths, model.steps_per_year, years[y]));
    summary.stages.push_back(stage);
  }
  return summary;
}

}  // namespace chokepoint
