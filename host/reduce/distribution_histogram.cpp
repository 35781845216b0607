#include "reduce/distribution_histogram.hpp"

#include <omp.h>

#include <cmath>
#include <string>

#include "reduce/quantiles.hpp"
#include "reduce/statistics.hpp"
#include "reduce/streaming_quantiles.hpp"

namespace chokepoint {

static_assert(kDistributionKeyBits == kTopKeyBits, "the summary's buckets are pass 1's top buckets");

namespace {
constexpr int kShift = 32 - kDistributionKeyBits;
// Prefixes shorter than this say little (the median's interval spans most of the sample).
constexpr std::uint64_t kFirstTracedPaths = 32;
}  // namespace

std::uint32_t distribution_bucket(float value) { return order_key(value) >> kShift; }

float bucket_lower_value(std::uint32_t bucket) {
  // For negative buckets the smallest key holds the most negative value; value_of_key keeps order.
  return value_of_key(bucket << kShift);
}

float bucket_upper_value(std::uint32_t bucket) {
  return value_of_key((bucket << kShift) | ((1u << kShift) - 1u));
}

void count_distribution(const float* values, std::size_t count, std::uint64_t* histogram) {
  for (std::size_t i = 0; i < count; ++i) ++histogram[distribution_bucket(values[i])];
}

std::vector<ValueHistogram> value_histograms(const Scenario& scenario, const std::vector<std::uint64_t>& counts) {
  std::vector<ValueHistogram> histograms;
  const std::vector<int> years = scenario.calendar_years();
  if (counts.size() != scenario.variables.size() * years.size() * kDistributionBuckets) return histograms;
  for (std::size_t v = 0; v < scenario.variables.size(); ++v)
    for (std::size_t y = 0; y < years.size(); ++y) {
      ValueHistogram histogram{scenario.variables[v].name, years[y], {}, {}};
      const std::uint64_t* column = counts.data() + (v * years.size() + y) * kDistributionBuckets;
      for (std::size_t b = 0; b < kDistributionBuckets; ++b)
        if (column[b]) {
          histogram.buckets.push_back(static_cast<std::uint32_t>(b));
          histogram.counts.push_back(column[b]);
        }
      histograms.push_back(std::move(histogram));
    }
  return histograms;
}

bool traces_convergence(const std::string& variable) {
  for (const char* name : {"token_demand", "tokens_served", "produced_units", "installed_base", "power.capacity", "revenue"})
    if (variable == name) return true;
  return false;
}

namespace {

ConvergencePoint prefix_point(const float* column, std::uint64_t paths, const ExactMoments& sums) {
  ConvergencePoint point;
  point.paths = paths;
  YearStatistics moments;
  moments_from_exact_sums(sums, moments);
  point.mean = moments.mean;
  point.mean_se = moments.se;
  const QuantileEstimates median = column_quantiles(plan_quantiles(paths, {0.5}), column);
  point.median = median.quantiles.at(0);
  point.median_low = median.ci_low.at(0);
  point.median_high = median.ci_high.at(0);
  return point;
}

}  // namespace

std::vector<ConvergenceTrace> convergence_traces(const Scenario& scenario, const PathResults& results, int threads) {
  const std::vector<int> years = scenario.calendar_years();
  std::vector<ConvergenceTrace> traces;
  std::vector<std::pair<int, int>> columns;
  for (int v = 0; v < results.variables && v < static_cast<int>(scenario.variables.size()); ++v)
    if (traces_convergence(scenario.variables[static_cast<std::size_t>(v)].name))
      for (int y = 0; y < results.years; ++y) {
        traces.push_back(ConvergenceTrace{scenario.variables[static_cast<std::size_t>(v)].name,
                                          years[static_cast<std::size_t>(y)], {}});
        columns.emplace_back(v, y);
      }
  const int thread_count = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel for schedule(dynamic, 1) num_threads(thread_count)
  for (std::int64_t c = 0; c < static_cast<std::int64_t>(columns.size()); ++c) {
    const float* column = results.column(columns[static_cast<std::size_t>(c)].first, columns[static_cast<std::size_t>(c)].second);
    ExactMoments sums;
    std::uint64_t added = 0;
    std::vector<ConvergencePoint>& points = traces[static_cast<std::size_t>(c)].points;
    for (std::uint64_t n = kFirstTracedPaths;; n *= 2) {
      const std::uint64_t upto = std::min(n, results.paths);
      for (; added < upto; ++added) sums.add(column[added]);
      if (upto >= 2) points.push_back(prefix_point(column, upto, sums));
      if (upto == results.paths) break;
    }
  }
  return traces;
}

}  // namespace chokepoint
