// Two views of a run's columns for the report (docs/report.md): how each variable-year's values
// are spread (exact bucket counts, mergeable like every other sum of the run), and how a
// headline variable-year's mean and median settle as paths are added (in-memory runs only,
// since it needs the paths in path order).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "chokepoint/engine.hpp"
#include "chokepoint/order_key.hpp"
#include "chokepoint/summary.hpp"

namespace chokepoint {

// The bucket of a value: the top kDistributionKeyBits bits of its order key (order_key.hpp),
// so buckets are in value order; pass 1 of the streaming selection counts the same buckets.
// Inline: it is called once per value, and the library's -fPIC build would not inline it
// across its own exported functions.
inline std::uint32_t distribution_bucket(float value) { return order_key(value) >> (32 - kDistributionKeyBits); }
// The smallest value of a bucket, and the largest; NaN keys sort beyond ±inf and report NaN.
float bucket_lower_value(std::uint32_t bucket);
float bucket_upper_value(std::uint32_t bucket);

// Adds `count` values into one column's kDistributionBuckets counts.
void count_distribution(const float* values, std::size_t count, std::uint64_t* histogram);

// The dense counts of every column ([variable][year][bucket], Scenario::variables order) as the
// Summary's sparse histograms.
std::vector<ValueHistogram> value_histograms(const Scenario& scenario, const std::vector<std::uint64_t>& counts);

// The variables whose convergence the summary traces: the report's headline variables.
bool traces_convergence(const std::string& variable);

// convergence_traces (engine.hpp): prefix statistics of the traced variables at every year, at
// n = 32, 64, 128, … and P paths, from the columns in path order (slot p is path p).
// Deterministic and independent of `threads`.

}  // namespace chokepoint
