#include "reduce/summary_outline.hpp"

#include "reduce/binding_summary.hpp"
#include "reduce/quantiles.hpp"
#include "reduce/statistics.hpp"

namespace chokepoint {

namespace {

std::vector<ThresholdResult> threshold_results(const Scenario& scenario, std::uint64_t paths,
                                               const std::vector<std::uint64_t>& threshold_hits) {
  std::vector<ThresholdResult> results;
  for (std::size_t t = 0; t < scenario.thresholds.size(); ++t) {
    const ThresholdRequest& request = scenario.thresholds[t];
    const double hits = static_cast<double>(threshold_hits[t]);
    ThresholdResult result;
    result.variable = scenario.variables[request.variable].name;
    result.year = request.year;
    result.at_least = request.at_least;
    result.p = hits / static_cast<double>(paths);
    result.se = standard_error_from_sums(hits, hits, paths);
    results.push_back(result);
  }
  return results;
}

}  // namespace

Summary summary_outline(const Scenario& scenario, std::uint64_t paths, std::uint64_t seed,
                        const std::vector<std::uint64_t>& threshold_hits, const std::vector<BindingCounts>& binding) {
  const std::vector<int> years = scenario.calendar_years();
  Summary summary;
  summary.scenario = scenario.name;
  summary.paths = paths;
  summary.seed = seed;
  summary.years = years;
  summary.quantile_levels = scenario.quantile_levels;
  summary.notes = scenario.notes;
  for (const QuantileInterval& interval : plan_quantiles(paths, scenario.quantile_levels).intervals)
    summary.quantile_ci_coverage.push_back(interval.coverage);
  summary.thresholds = threshold_results(scenario, paths, threshold_hits);
  summary.variables.resize(scenario.variables.size());
  for (std::size_t v = 0; v < scenario.variables.size(); ++v) {
    VariableSummary& variable = summary.variables[v];
    variable.name = scenario.variables[v].name;
    variable.unit = scenario.variables[v].unit;
    variable.kind = scenario.variables[v].is_flow ? "flow" : "stock";
    variable.years.resize(years.size());
    for (std::size_t y = 0; y < years.size(); ++y) variable.years[y].year = years[y];
  }
  summary.stages = binding_summary(scenario, paths, binding);
  return summary;
}

}  // namespace chokepoint
