#include "reduce/streamed_convergence.hpp"

#include <algorithm>
#include <cstddef>
#include <iterator>

namespace chokepoint {

namespace {

// The point at all the run's paths, from its summary: nullptr-safe, false where the summary
// lacks the variable-year or the median.
bool last_point(const Summary& summary, const ConvergenceTrace& trace, ConvergencePoint& point) {
  const auto level = std::find(summary.quantile_levels.begin(), summary.quantile_levels.end(), 0.5);
  const VariableSummary* variable = summary.find_variable(trace.variable);
  if (level == summary.quantile_levels.end() || variable == nullptr) return false;
  const auto median = static_cast<std::size_t>(std::distance(summary.quantile_levels.begin(), level));
  for (const YearStatistics& year : variable->years) {
    if (year.year != trace.year) continue;
    if (median >= year.quantiles.size() || median >= year.quantile_ci_low.size() ||
        median >= year.quantile_ci_high.size())
      return false;
    point.paths = summary.paths;
    point.mean = year.mean;
    point.mean_se = year.se;
    point.median = year.quantiles[median];
    point.median_low = year.quantile_ci_low[median];
    point.median_high = year.quantile_ci_high[median];
    return true;
  }
  return false;
}

}  // namespace

void add_streamed_convergence(const Scenario& scenario, std::uint64_t seed, Precision precision, int threads,
                              Summary& summary) {
  const std::uint64_t traced = std::min(summary.paths, kTracedPrefixPaths);
  if (traced == 0) return;
  PathResults first_paths = simulate_cpu(scenario, traced, seed, threads, {}, precision);
  add_derived_outputs(scenario, first_paths, seed, threads);
  summary.convergence = convergence_traces(scenario, first_paths, threads);
  if (summary.paths <= traced) return;
  for (ConvergenceTrace& trace : summary.convergence) {
    ConvergencePoint point;
    if (last_point(summary, trace, point)) trace.points.push_back(point);
  }
}

}  // namespace chokepoint
