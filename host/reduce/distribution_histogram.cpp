#include "reduce/distribution_histogram.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "reduce/headline_variables.hpp"
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
  for (const char* name : kHeadlineVariables)
    if (variable == name) return true;
  return false;
}

namespace {

// The median of each prefix and its interval: four order statistics. The prefixes grow, so a
// histogram of the top 16 key bits grows with them (each path counted once); at a checkpoint
// it locates the bucket of each wanted rank, and one scan of the prefix collects those few
// buckets' keys, sorted to read the ranks off. Linear in the paths overall, where a selection
// per prefix (radix or nth_element) cost more than the run's whole summary.
class PrefixMedians {
 public:
  // The keys and counts live in this thread's scratch, reused column after column: fresh buffers
  // (0.9 MB per column at 10⁵ paths) would be mapped and zeroed by the kernel every time.
  explicit PrefixMedians(const float* column, std::uint64_t paths) : keys_(scratch_keys()), counts_(scratch_counts()) {
    keys_.resize(paths);
    counts_.assign(kBuckets, 0);
    for (std::uint64_t p = 0; p < paths; ++p) keys_[p] = order_key(column[p]);
  }

  // Counts paths [counted, paths) in, and returns the plan's order statistics of the prefix.
  std::vector<double> order_statistics(std::uint64_t paths, const std::vector<std::uint64_t>& ranks) {
    for (; counted_ < paths; ++counted_) ++counts_[keys_[counted_] >> kLowBits];
    struct Wanted {
      std::uint32_t bucket;
      std::uint64_t rank_in_bucket;
    };
    std::vector<Wanted> wanted;
    std::uint64_t below = 0;
    std::size_t bucket = 0;
    for (std::uint64_t rank : ranks) {  // ascending
      while (below + counts_[bucket] <= rank) below += counts_[bucket++];
      wanted.push_back(Wanted{static_cast<std::uint32_t>(bucket), rank - below});
    }
    std::vector<std::uint32_t> buckets;
    for (const Wanted& w : wanted)
      if (buckets.empty() || buckets.back() != w.bucket) buckets.push_back(w.bucket);
    std::vector<std::vector<std::uint32_t>> held(buckets.size());
    for (std::uint64_t p = 0; p < paths; ++p) {
      const std::uint32_t top = keys_[p] >> kLowBits;
      for (std::size_t b = 0; b < buckets.size(); ++b)
        if (buckets[b] == top) held[b].push_back(keys_[p]);
    }
    for (std::vector<std::uint32_t>& keys : held) std::sort(keys.begin(), keys.end());
    std::vector<double> values;
    for (const Wanted& w : wanted) {
      const std::size_t b = static_cast<std::size_t>(std::find(buckets.begin(), buckets.end(), w.bucket) - buckets.begin());
      values.push_back(value_of_key(held[b][w.rank_in_bucket]));
    }
    return values;
  }

 private:
  static constexpr int kLowBits = 16;
  static constexpr std::size_t kBuckets = std::size_t{1} << (32 - kLowBits);
  static std::vector<std::uint32_t>& scratch_keys() {
    thread_local std::vector<std::uint32_t> keys;
    return keys;
  }
  static std::vector<std::uint64_t>& scratch_counts() {
    thread_local std::vector<std::uint64_t> counts;
    return counts;
  }
  std::vector<std::uint32_t>& keys_;
  std::vector<std::uint64_t>& counts_;
  std::uint64_t counted_ = 0;
};

ConvergencePoint prefix_point(PrefixMedians& medians, std::uint64_t paths, const ExactMoments& sums) {
  ConvergencePoint point;
  point.paths = paths;
  YearStatistics moments;
  moments_from_exact_sums(sums, moments);
  point.mean = moments.mean;
  point.mean_se = moments.se;
  const QuantilePlan plan = plan_quantiles(paths, {0.5});
  const QuantileEstimates median = quantiles_from_order_statistics(plan, medians.order_statistics(paths, plan.ranks));
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
    PrefixMedians medians(column, results.paths);
    std::uint64_t added = 0;
    std::vector<ConvergencePoint>& points = traces[static_cast<std::size_t>(c)].points;
    for (std::uint64_t n = kFirstTracedPaths;; n *= 2) {
      const std::uint64_t upto = std::min(n, results.paths);
      for (; added < upto; ++added) sums.add(column[added]);
      if (upto >= 2) points.push_back(prefix_point(medians, upto, sums));
      if (upto == results.paths) break;
    }
  }
  return traces;
}

}  // namespace chokepoint
