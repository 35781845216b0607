#include "reduce/quantiles.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace chokepoint {

namespace {

// Floats ordered as unsigned integers: flip all bits of negatives, the sign bit of the rest.
std::uint32_t order_key(float value) {
  std::uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
}

constexpr int kBucketBits = 16;
constexpr std::size_t kBuckets = std::size_t{1} << kBucketBits;

std::uint32_t bucket_of(float value) { return order_key(value) >> (32 - kBucketBits); }

// numpy's _lerp: a + (b−a)·t, or b − (b−a)·(1−t) when t ≥ ½ (exact at both ends).
double numpy_lerp(double a, double b, double t) {
  const double difference = b - a;
  return t >= 0.5 ? b - difference * (1.0 - t) : a + difference * t;
}

}  // namespace

// Radix select: one pass counts values per bucket of their top 16 order bits, which tells in
// which bucket each wanted order statistic lies; a second pass copies out only those buckets'
// values, and a selection inside each small bucket finishes the job. Two linear passes instead
// of a sort, and the input stays as it is.
std::vector<double> exact_quantiles(const float* values, std::size_t count, const std::vector<double>& levels) {
  std::vector<double> result(levels.size(), NAN);
  if (count == 0) return result;

  std::vector<std::size_t> ranks;
  for (double q : levels) {
    const std::size_t low = std::min(static_cast<std::size_t>(std::floor(static_cast<double>(count - 1) * q)), count - 1);
    ranks.push_back(low);
    ranks.push_back(std::min(low + 1, count - 1));
  }
  std::sort(ranks.begin(), ranks.end());
  ranks.erase(std::unique(ranks.begin(), ranks.end()), ranks.end());

  // Scratch reused across calls on this thread: fresh 384 kB per column would come from mmap,
  // and the kernel's zeroing of those pages cost more than the selection itself.
  thread_local std::vector<std::uint32_t> histogram;
  thread_local std::vector<std::int16_t> slot_of_bucket;
  histogram.assign(kBuckets, 0);
  slot_of_bucket.assign(kBuckets, -1);
  for (std::size_t i = 0; i < count; ++i) ++histogram[bucket_of(values[i])];

  // For each wanted rank: its bucket and its rank among the values of that bucket.
  struct Wanted {
    std::size_t rank;
    std::uint32_t bucket;
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
      wanted.push_back(Wanted{ranks[next], static_cast<std::uint32_t>(bucket), ranks[next] - below,
                              slot_of_bucket[bucket]});
      ++next;
    }
    below += in_bucket;
  }
  for (std::size_t i = 0; i < count; ++i) {
    const std::int16_t slot = slot_of_bucket[bucket_of(values[i])];
    if (slot >= 0) bucket_values[slot].push_back(values[i]);
  }

  std::vector<double> order_statistic(ranks.size());
  for (std::size_t w = 0; w < wanted.size(); ++w) {
    std::vector<float>& bucket = bucket_values[wanted[w].slot];
    std::nth_element(bucket.begin(), bucket.begin() + static_cast<std::ptrdiff_t>(wanted[w].rank_in_bucket), bucket.end());
    order_statistic[w] = bucket[wanted[w].rank_in_bucket];
  }
  auto value_at = [&](std::size_t rank) {
    return order_statistic[static_cast<std::size_t>(std::lower_bound(ranks.begin(), ranks.end(), rank) - ranks.begin())];
  };
  for (std::size_t i = 0; i < levels.size(); ++i) {
    const double h = static_cast<double>(count - 1) * levels[i];
    const std::size_t low = std::min(static_cast<std::size_t>(std::floor(h)), count - 1);
    const std::size_t high = std::min(low + 1, count - 1);
    result[i] = numpy_lerp(value_at(low), value_at(high), h - std::floor(h));
  }
  return result;
}

}  // namespace chokepoint
