// Exact quantiles and their confidence intervals, both from order statistics
// (docs/uncertainty.md). Every quantile the engine reports goes through one request: "the order statistics
// of this column at these ranks" (order_statistics below). The ranks come from plan_quantiles();
// the quantiles and their intervals from quantiles_from_order_statistics(). A reduction that
// finds order statistics another way (a device sort, a streaming radix select across shards)
// serves the same rank list and gets the same numbers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace chokepoint {

// The coverage every reported quantile interval aims at.
inline constexpr double kQuantileConfidence = 0.95;

// A distribution-free interval for the q-quantile from P values: [X(lower), X(upper)], with
// 0-based ranks into the sorted values. The number of values below the true quantile is
// B ~ Binomial(P, q) for any continuous distribution; X(lower) lies above it when B ≤ lower and
// X(upper) below it when B > upper, so the interval covers it with probability
// `coverage` = F(upper) − F(lower) (F the Binomial(P, q) CDF), whatever the distribution.
// lower is the largest rank with F(lower) ≤ (1 − confidence)/2 and upper the smallest with
// F(upper) ≥ (1 + confidence)/2, so coverage ≥ confidence and each side misses at most half the
// rest. When P is too small for that (a p99 from 100 values), the ranks are clipped to the
// sample's range (0 and P − 1) and `clipped` says so. The interval is never narrower than the
// two order statistics the quantile interpolates between, so it holds the reported quantile.
// `coverage` is computed for the final ranks: below `confidence` where P is too small.
struct QuantileInterval {
  std::uint64_t lower = 0;
  std::uint64_t upper = 0;
  double coverage = 0.0;
  bool clipped = false;
};

// Exact: the Binomial(P, q) probabilities are summed outwards from the mode by their ratio
// recurrence and normalised by their total, so no approximation is made at any P (the terms
// further than ~9 standard deviations from the mode, below 1e-18 of the total, are dropped).
// `level` in (0, 1); P ≥ 1.
QuantileInterval quantile_interval(std::uint64_t paths, double level, double confidence = kQuantileConfidence);

// What a reduction must find for the quantiles at `levels` of P values, worked out once per
// run (the intervals depend on P and the level only, not on the values).
struct QuantilePlan {
  std::uint64_t paths = 0;
  std::vector<double> levels;
  std::vector<std::uint64_t> ranks;          // 0-based, sorted, unique: ⌊(P−1)q⌋ and the rank above
                                             // it per level (numpy's `linear`), and each interval's ends
  std::vector<QuantileInterval> intervals;   // per level; empty without intervals
};
QuantilePlan plan_quantiles(std::uint64_t paths, const std::vector<double>& levels, bool with_intervals = true);

// THE request every reduction serves: the values at 0-based `ranks` (sorted, unique, each < count)
// of `values` taken in ascending order; `values` is left as it is. Here by a radix select in two
// linear passes over the column. With `distribution`, its first pass's counts also give the
// column's value distribution (distribution_histogram.hpp), added to those kDistributionBuckets
// counts: the same numbers count_distribution adds, without another pass.
std::vector<double> order_statistics(const float* values, std::size_t count, const std::vector<std::uint64_t>& ranks,
                                     std::uint64_t* distribution = nullptr);

struct QuantileEstimates {
  std::vector<double> quantiles;  // at the plan's levels, numpy's `linear` rule
  std::vector<double> ci_low;     // X(lower) of the level's interval; NaN without intervals
  std::vector<double> ci_high;    // X(upper)
};

// Quantiles and intervals from the order statistics at plan.ranks, in that order. NaN
// everywhere when the plan has no paths or `statistics` does not match its ranks.
QuantileEstimates quantiles_from_order_statistics(const QuantilePlan& plan, const std::vector<double>& statistics);

// numpy.quantile(values, levels) with method="linear": h = (n−1)·q, then a lerp between the
// order statistics ⌊h⌋ and ⌊h⌋+1 written as numpy writes it. `values` is left as it is.
std::vector<double> exact_quantiles(const float* values, std::size_t count, const std::vector<double>& levels);

// The plan's quantiles and intervals of one column, from one pass of order_statistics() (which
// also adds the column's value distribution to `distribution` when given).
QuantileEstimates column_quantiles(const QuantilePlan& plan, const float* values, std::uint64_t* distribution = nullptr);

}  // namespace chokepoint
