#include "reduce/quantiles.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "chokepoint/order_key.hpp"
#include "chokepoint/summary.hpp"

namespace chokepoint {

namespace {

constexpr int kBucketBits = 16;
constexpr std::size_t kBuckets = std::size_t{1} << kBucketBits;
static_assert(kBucketBits >= kDistributionKeyBits, "a distribution bucket is whole selection buckets");

std::uint32_t bucket_of(float value) { return order_key(value) >> (32 - kBucketBits); }

// numpy's _lerp: a + (b−a)·t, or b − (b−a)·(1−t) when t ≥ ½ (exact at both ends).
double numpy_lerp(double a, double b, double t) {
  const double difference = b - a;
  return t >= 0.5 ? b - difference * (1.0 - t) : a + difference * t;
}

// The Binomial(n, q) distribution of the number of values below the true q-quantile, as far out
// from its mode as it carries any weight: cumulative[k − first] = F(k) for k in [first, last];
// F is 0 below `first` and 1 from `last` on (to 1e-18).
struct BinomialCdf {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  std::vector<double> cumulative;

  double at(std::int64_t k) const {
    if (k < static_cast<std::int64_t>(first)) return 0.0;
    if (k >= static_cast<std::int64_t>(last)) return 1.0;
    return cumulative[static_cast<std::size_t>(static_cast<std::uint64_t>(k) - first)];
  }
};

// The terms relative to the mode's, by the ratio P(k+1)/P(k) = (n−k)/(k+1) · q/(1−q): no
// factorials, no lgamma (whose rounding at n = 10⁹ would cost six digits), exact to rounding.
BinomialCdf binomial_cdf(std::uint64_t n, double q) {
  constexpr double kNegligible = 1e-18;
  const double odds = q / (1.0 - q);
  const double nd = static_cast<double>(n);
  const std::uint64_t mode = std::min(n, static_cast<std::uint64_t>(std::floor((nd + 1.0) * q)));
  std::vector<double> below;  // terms at mode−1, mode−2, …
  for (std::uint64_t k = mode, i = 0; k > 0; --k, ++i) {
    const double previous = i == 0 ? 1.0 : below.back();
    const double term = previous * static_cast<double>(k) / (nd - static_cast<double>(k) + 1.0) / odds;
    if (term < kNegligible) break;
    below.push_back(term);
  }
  std::vector<double> above;  // terms at mode+1, mode+2, …
  for (std::uint64_t k = mode; k < n; ++k) {
    const double previous = above.empty() ? 1.0 : above.back();
    const double term = previous * (nd - static_cast<double>(k)) / (static_cast<double>(k) + 1.0) * odds;
    if (term < kNegligible) break;
    above.push_back(term);
  }
  BinomialCdf cdf;
  cdf.first = mode - below.size();
  cdf.last = mode + above.size();
  std::vector<double> terms(below.rbegin(), below.rend());
  terms.push_back(1.0);
  terms.insert(terms.end(), above.begin(), above.end());
  double total = 0.0;
  for (double term : terms) total += term;
  double running = 0.0;
  cdf.cumulative.reserve(terms.size());
  for (double term : terms) {
    running += term;
    cdf.cumulative.push_back(running / total);
  }
  // F(last) is 1 by definition; the sum's rounding must not leave it a hair below.
  cdf.cumulative.back() = 1.0;
  return cdf;
}

// numpy's ⌊(n−1)q⌋ and the rank above it.
std::pair<std::uint64_t, std::uint64_t> interpolation_ranks(std::uint64_t paths, double level) {
  const double h = static_cast<double>(paths - 1) * level;
  const std::uint64_t low = std::min(static_cast<std::uint64_t>(std::floor(h)), paths - 1);
  return {low, std::min(low + 1, paths - 1)};
}

}  // namespace

QuantileInterval quantile_interval(std::uint64_t paths, double level, double confidence) {
  QuantileInterval interval;
  if (paths == 0) return interval;
  const double tail = (1.0 - confidence) / 2.0;
  const BinomialCdf cdf = binomial_cdf(paths, level);
  const std::int64_t n = static_cast<std::int64_t>(paths);
  // lower: the largest k in [−1, n−1] with F(k) ≤ tail (−1: no order statistic is low enough).
  std::int64_t lower = static_cast<std::int64_t>(cdf.first) - 1;
  while (lower + 1 <= n - 1 && cdf.at(lower + 1) <= tail) ++lower;
  // upper: the smallest k in [0, n] with F(k) ≥ 1 − tail (n: none is high enough).
  std::int64_t upper = std::max<std::int64_t>(lower, 0);
  while (upper < n && cdf.at(upper) < 1.0 - tail) ++upper;
  interval.clipped = lower < 0 || upper > n - 1;
  // Never narrower than the two order statistics the reported quantile interpolates between, so
  // the interval always holds the quantile shown beside it. That widens it only where P is too
  // small for the rule above (a p1 of 2 values), and the coverage below counts the widening.
  const auto [low, high] = interpolation_ranks(paths, level);
  lower = std::min(std::max<std::int64_t>(lower, 0), static_cast<std::int64_t>(low));
  upper = std::max(std::min<std::int64_t>(upper, n - 1), static_cast<std::int64_t>(high));
  interval.lower = static_cast<std::uint64_t>(lower);
  interval.upper = static_cast<std::uint64_t>(upper);
  interval.coverage = std::max(0.0, cdf.at(upper) - cdf.at(lower));
  return interval;
}

QuantilePlan plan_quantiles(std::uint64_t paths, const std::vector<double>& levels, bool with_intervals) {
  QuantilePlan plan;
  plan.paths = paths;
  plan.levels = levels;
  if (paths == 0) return plan;
  for (double q : levels) {
    const auto [low, high] = interpolation_ranks(paths, q);
    plan.ranks.push_back(low);
    plan.ranks.push_back(high);
    if (with_intervals) {
      plan.intervals.push_back(quantile_interval(paths, q));
      plan.ranks.push_back(plan.intervals.back().lower);
      plan.ranks.push_back(plan.intervals.back().upper);
    }
  }
  std::sort(plan.ranks.begin(), plan.ranks.end());
  plan.ranks.erase(std::unique(plan.ranks.begin(), plan.ranks.end()), plan.ranks.end());
  return plan;
}

// Radix select: one pass counts values per bucket of their top 16 order bits, which tells in
// which bucket each wanted order statistic lies; a second pass copies out only those buckets'
// values, and a selection inside each small bucket finishes the job. Two linear passes instead
// of a sort, and the input stays as it is.
std::vector<double> order_statistics(const float* values, std::size_t count, const std::vector<std::uint64_t>& ranks,
                                     std::uint64_t* distribution) {
  std::vector<double> result(ranks.size(), NAN);
  if (count == 0 || (ranks.empty() && distribution == nullptr)) return result;

  // Scratch reused across calls on this thread: fresh 384 kB per column would come from mmap,
  // and the kernel's zeroing of those pages cost more than the selection itself.
  thread_local std::vector<std::uint32_t> histogram;
  thread_local std::vector<std::int16_t> slot_of_bucket;
  histogram.assign(kBuckets, 0);
  for (std::size_t i = 0; i < count; ++i) ++histogram[bucket_of(values[i])];
  if (distribution != nullptr) {
    // A distribution bucket is the top kDistributionKeyBits of the same key: consecutive buckets here.
    constexpr std::size_t kPerDistributionBucket = kBuckets >> kDistributionKeyBits;
    for (std::size_t bucket = 0; bucket < kBuckets; ++bucket)
      distribution[bucket / kPerDistributionBucket] += histogram[bucket];
  }
  if (ranks.empty()) return result;
  slot_of_bucket.assign(kBuckets, -1);

  // For each wanted rank: its bucket and its rank among the values of that bucket.
  struct Wanted {
    std::size_t rank_in_bucket;
    int slot;
  };
  std::vector<Wanted> wanted;
  thread_local std::vector<std::vector<float>> bucket_values;  // capacity kept across calls
  for (std::vector<float>& bucket : bucket_values) bucket.clear();
  std::size_t buckets_used = 0;
  std::size_t below = 0;
  std::size_t next = 0;
  for (std::size_t bucket = 0; bucket < kBuckets && next < ranks.size(); ++bucket) {
    const std::size_t in_bucket = histogram[bucket];
    while (next < ranks.size() && ranks[next] < below + in_bucket) {
      if (slot_of_bucket[bucket] < 0) {
        slot_of_bucket[bucket] = static_cast<std::int16_t>(buckets_used++);
        if (bucket_values.size() < buckets_used) bucket_values.emplace_back();
        bucket_values[buckets_used - 1].reserve(in_bucket);
      }
      wanted.push_back(Wanted{static_cast<std::size_t>(ranks[next]) - below, slot_of_bucket[bucket]});
      ++next;
    }
    below += in_bucket;
  }
  for (std::size_t i = 0; i < count; ++i) {
    const std::int16_t slot = slot_of_bucket[bucket_of(values[i])];
    if (slot >= 0) bucket_values[slot].push_back(values[i]);
  }
  for (std::size_t w = 0; w < wanted.size(); ++w) {
    std::vector<float>& bucket = bucket_values[wanted[w].slot];
    std::nth_element(bucket.begin(), bucket.begin() + static_cast<std::ptrdiff_t>(wanted[w].rank_in_bucket), bucket.end());
    result[w] = bucket[wanted[w].rank_in_bucket];
  }
  return result;
}

QuantileEstimates quantiles_from_order_statistics(const QuantilePlan& plan, const std::vector<double>& statistics) {
  const std::size_t levels = plan.levels.size();
  QuantileEstimates out;
  out.quantiles.assign(levels, NAN);
  out.ci_low.assign(levels, NAN);
  out.ci_high.assign(levels, NAN);
  if (plan.paths == 0 || statistics.size() != plan.ranks.size()) return out;
  auto value_at = [&](std::uint64_t rank) {
    const auto found = std::lower_bound(plan.ranks.begin(), plan.ranks.end(), rank);
    return found != plan.ranks.end() && *found == rank ? statistics[static_cast<std::size_t>(found - plan.ranks.begin())]
                                                       : std::numeric_limits<double>::quiet_NaN();
  };
  for (std::size_t i = 0; i < levels; ++i) {
    const auto [low, high] = interpolation_ranks(plan.paths, plan.levels[i]);
    const double h = static_cast<double>(plan.paths - 1) * plan.levels[i];
    out.quantiles[i] = numpy_lerp(value_at(low), value_at(high), h - std::floor(h));
    if (i < plan.intervals.size()) {
      out.ci_low[i] = value_at(plan.intervals[i].lower);
      out.ci_high[i] = value_at(plan.intervals[i].upper);
    }
  }
  return out;
}

QuantileEstimates column_quantiles(const QuantilePlan& plan, const float* values, std::uint64_t* distribution) {
  return quantiles_from_order_statistics(plan, order_statistics(values, plan.paths, plan.ranks, distribution));
}

std::vector<double> exact_quantiles(const float* values, std::size_t count, const std::vector<double>& levels) {
  return column_quantiles(plan_quantiles(count, levels, /*with_intervals=*/false), values).quantiles;
}

}  // namespace chokepoint
