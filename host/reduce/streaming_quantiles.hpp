// Exact order statistics of a column that is never stored, so that quantiles stay exact at any
// path count in bounded memory (docs/scale.md): a radix selection over order-preserving 32-bit
// keys of the stored floats, done in passes over re-simulated paths (the draws are
// counter-based, so a path simulates to the same bits every time).
//
//   pass 1  counts every value by its top 11 key bits (2 048 buckets): the bucket holding each
//           requested rank and the rank's place inside it are then known. Inside the buckets a
//           pilot (the run's first paths, the same for every shard) guesses, it also counts the
//           next 8 bits, so most ranks are located to 19 bits after one pass;
//   pass 2  keeps the keys inside those small 19-bit ranges, or counts their last 13 bits where
//           they are too full: either settles them. Where the guess missed, it keeps keys or
//           counts 11 more bits;
//   pass 3  the last 10 bits, only where a missed bucket was too full to keep.
//
// All counts are integers and kept keys are sorted before use, so counts from threads, batches,
// shards and ranks merge in any order to the same plan and the same order statistics. Any ranks
// can be requested (quantiles need ⌊(P−1)q⌋ and the one above; confidence intervals others).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "chokepoint/order_key.hpp"

namespace chokepoint {

inline constexpr int kTopKeyBits = 11;
inline constexpr std::size_t kTopBuckets = std::size_t{1} << kTopKeyBits;
inline constexpr int kPilotBucketBits = 8;  // counted in pass 1 inside the pilot's buckets

// The order statistics numpy's `linear` quantiles at `levels` need among `paths` values:
// ⌊(P−1)q⌋ and the one above it, sorted and unique.
std::vector<std::uint64_t> ranks_for_levels(std::uint64_t paths, const std::vector<double>& levels);

// numpy.quantile(method="linear") from the order statistics at `ranks` (as ranks_for_levels
// gave them): h = (P−1)·q and numpy's lerp between ⌊h⌋ and ⌊h⌋+1.
std::vector<double> quantiles_from_order_statistics(std::uint64_t paths, const std::vector<double>& levels,
                                                    const std::vector<std::uint64_t>& ranks,
                                                    const std::vector<float>& order_statistics);

// Where one requested rank stands: settled (value), or inside the keys that share `prefix`
// as their top `bits` bits, at `rank_in_range` among the `range_count` values there.
struct RankSearch {
  std::uint64_t rank = 0;
  bool settled = false;
  float value = 0.0f;
  std::uint32_t prefix = 0;
  int bits = 0;
  std::uint64_t rank_in_range = 0;
  std::uint64_t range_count = 0;
};

// A key range the next pass looks inside: histogram its next bits, or keep its keys.
struct RangeTarget {
  std::uint32_t prefix = 0;
  int bits = 0;
  bool keep_keys = false;
};

struct ColumnSearch {
  std::vector<RankSearch> ranks;
  std::vector<RangeTarget> targets;       // disjoint, sorted by their first key
  std::vector<std::int16_t> first_target;  // per top bucket: its first target, −1 when none
};

// What the next pass must count. Pass 1 counts the top buckets of every column, and 11 bits
// more inside its targets (the pilot's guesses).
struct SelectionPlan {
  int pass = 1;
  std::uint64_t paths = 0;  // values per column over the whole run
  std::vector<ColumnSearch> columns;
  // The fixed-point scales of the first-order sums (reduce/first_order_sums.hpp), fixed from the
  // pilot by first_run_plan so that every shard and rank uses the same; empty: no sensitivity.
  std::vector<std::int32_t> first_order_scales;

  bool finished() const;
  void index_targets();  // rebuilds first_target after the targets changed or were read
};

// One pass's counts for every column: top-bucket histograms in pass 1, and one histogram or
// one list of keys per target.
struct ColumnCounts {
  std::vector<std::uint64_t> top;
  std::vector<std::vector<std::uint64_t>> histograms;
  std::vector<std::vector<std::uint32_t>> keys;
};

struct SelectionCounts {
  std::vector<ColumnCounts> columns;
};

// The plan of pass 1: `columns` columns of `paths` values, each searched for `ranks`.
SelectionPlan first_selection_plan(std::size_t columns, std::uint64_t paths, const std::vector<std::uint64_t>& ranks);

// Guesses, from `count` pilot values of column `column` (the first paths of the run), the top
// buckets that will hold the column's ranks, so that pass 1 counts 11 more bits inside them.
// Only where the passes go: a wrong guess costs a pass, never a wrong value.
void guess_from_pilot(SelectionPlan& plan, std::size_t column, std::vector<float> pilot);

// Empty counts shaped for `plan`.
SelectionCounts empty_counts(const SelectionPlan& plan);

// Counts `count` values of column `column` into `counts`, as `plan` asks.
void count_values(const SelectionPlan& plan, std::size_t column, const float* values, std::size_t count,
                  SelectionCounts& counts);

// Adds `from` into `into` (kept keys are appended; advance() sorts them).
void merge_counts(SelectionCounts& into, const SelectionCounts& from);

// Keys a pass may keep in all, over all columns (128 MiB; the threads' shares and their merge
// hold it twice at most); ranges beyond it are histogrammed instead.
inline constexpr std::uint64_t kKeptKeysBudget = std::uint64_t{1} << 25;

// The plan after a pass whose merged counts are `counts`: ranks located more finely or settled,
// and the targets of the next pass. Throws std::runtime_error when the counts do not add up to
// the plan's path count (a shard missing or counted twice).
SelectionPlan advance(const SelectionPlan& plan, SelectionCounts& counts);

// The settled values of a column's ranks, in the order of its ranks. Requires plan.finished().
std::vector<float> order_statistics(const SelectionPlan& plan, std::size_t column);

}  // namespace chokepoint
