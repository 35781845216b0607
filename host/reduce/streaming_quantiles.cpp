#include "reduce/streaming_quantiles.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <tuple>

namespace chokepoint {

namespace {

// Bits that the pass after a range of `bits` bits resolves: 11, 11, then the last 10.
// Bits that a pass resolves inside a range of `bits` bits. Pass 1's guessed buckets get 8, so
// that a column's sub-histograms (2 KiB each) stay in the L1 cache while the top histogram is
// counted too: scattered increments over 16 KiB ones cost more than the simulation saved.
// Later passes: 11, and at most 13 to finish (11 + 11 + 10, or 11 + 8 + 13).
int next_bits(int pass, int bits) {
  if (pass == 1) return kPilotBucketBits;
  return 32 - bits <= 13 ? 32 - bits : kTopKeyBits;
}

// The first key of a target's range.
std::uint32_t range_start(const RangeTarget& target) {
  return static_cast<std::uint32_t>(std::uint64_t{target.prefix} << (32 - target.bits));
}

// numpy's _lerp: a + (b−a)·t, or b − (b−a)·(1−t) when t ≥ ½ (exact at both ends).
double numpy_lerp(double a, double b, double t) {
  const double difference = b - a;
  return t >= 0.5 ? b - difference * (1.0 - t) : a + difference * t;
}

// The bucket of `histogram` holding rank `rank`, and how many values lie below that bucket.
std::size_t bucket_holding(const std::vector<std::uint64_t>& histogram, std::uint64_t rank, std::uint64_t& below) {
  below = 0;
  for (std::size_t bucket = 0; bucket < histogram.size(); ++bucket) {
    if (rank < below + histogram[bucket]) return bucket;
    below += histogram[bucket];
  }
  throw std::runtime_error("quantile selection: rank " + std::to_string(rank) + " lies beyond the " +
                           std::to_string(below) + " values counted");
}

std::uint64_t total(const std::vector<std::uint64_t>& histogram) {
  std::uint64_t sum = 0;
  for (std::uint64_t count : histogram) sum += count;
  return sum;
}

}  // namespace

std::vector<std::uint64_t> ranks_for_levels(std::uint64_t paths, const std::vector<double>& levels) {
  std::vector<std::uint64_t> ranks;
  if (paths == 0) return ranks;
  for (double q : levels) {
    const std::uint64_t low = std::min(static_cast<std::uint64_t>(std::floor(static_cast<double>(paths - 1) * q)), paths - 1);
    ranks.push_back(low);
    ranks.push_back(std::min(low + 1, paths - 1));
  }
  std::sort(ranks.begin(), ranks.end());
  ranks.erase(std::unique(ranks.begin(), ranks.end()), ranks.end());
  return ranks;
}

std::vector<double> quantiles_from_order_statistics(std::uint64_t paths, const std::vector<double>& levels,
                                                    const std::vector<std::uint64_t>& ranks,
                                                    const std::vector<float>& order_statistics) {
  std::vector<double> result(levels.size(), NAN);
  if (paths == 0) return result;
  auto value_at = [&](std::uint64_t rank) -> double {
    const auto at = std::lower_bound(ranks.begin(), ranks.end(), rank);
    if (at == ranks.end() || *at != rank) throw std::logic_error("quantiles: rank " + std::to_string(rank) + " not selected");
    return order_statistics[static_cast<std::size_t>(at - ranks.begin())];
  };
  for (std::size_t i = 0; i < levels.size(); ++i) {
    const double h = static_cast<double>(paths - 1) * levels[i];
    const std::uint64_t low = std::min(static_cast<std::uint64_t>(std::floor(h)), paths - 1);
    const std::uint64_t high = std::min(low + 1, paths - 1);
    result[i] = numpy_lerp(value_at(low), value_at(high), h - std::floor(h));
  }
  return result;
}

bool SelectionPlan::finished() const {
  if (pass == 1) return columns.empty();
  for (const ColumnSearch& column : columns)
    if (!column.targets.empty()) return false;
  return true;
}

void SelectionPlan::index_targets() {
  for (ColumnSearch& column : columns) {
    column.first_target.assign(kTopBuckets, -1);
    for (std::size_t t = column.targets.size(); t-- > 0;) {
      const RangeTarget& target = column.targets[t];
      column.first_target[target.prefix >> (target.bits - kTopKeyBits)] = static_cast<std::int16_t>(t);
    }
  }
}

SelectionPlan first_selection_plan(std::size_t columns, std::uint64_t paths, const std::vector<std::uint64_t>& ranks) {
  SelectionPlan plan;
  plan.pass = 1;
  plan.paths = paths;
  plan.columns.resize(columns);
  for (ColumnSearch& column : plan.columns)
    for (std::uint64_t rank : ranks) column.ranks.push_back(RankSearch{rank});
  return plan;
}

void guess_from_pilot(SelectionPlan& plan, std::size_t column, std::vector<float> pilot) {
  if (pilot.empty()) return;
  std::sort(pilot.begin(), pilot.end(), [](float a, float b) { return order_key(a) < order_key(b); });
  const double last = static_cast<double>(pilot.size() - 1);
  const double paths = static_cast<double>(plan.paths);
  auto top_bucket = [&](double at) {
    const std::size_t index = static_cast<std::size_t>(std::clamp(at, 0.0, last));
    return order_key(pilot[index]) >> (32 - kTopKeyBits);
  };
  std::vector<std::uint32_t> buckets;
  ColumnSearch& search = plan.columns[column];
  for (const RankSearch& rank : search.ranks) {
    // The pilot's rank for it, and five binomial standard deviations either side: a miss costs
    // a whole extra pass at large P (its bucket is then too full to keep), a guessed bucket
    // only 2 KiB, so the window is wide (a miss about once in 10⁶ ranks).
    const double share = plan.paths > 1 ? static_cast<double>(rank.rank) / (paths - 1.0) : 0.0;
    const double at = share * last;
    const double margin = 5.0 * std::sqrt(static_cast<double>(pilot.size()) * share * (1.0 - share)) + 2.0;
    std::uint32_t low = top_bucket(std::floor(at - margin)), high = top_bucket(std::ceil(at + margin));
    if (high - low >= 8) {  // a heavy tail: the eight buckets around the pilot's own value
      const std::uint32_t middle = top_bucket(at);
      low = std::max(low, middle >= 3 ? middle - 3 : 0u);
      high = std::min(high, low + 7);
    }
    for (std::uint32_t bucket = low; bucket <= high; ++bucket) buckets.push_back(bucket);
  }
  std::sort(buckets.begin(), buckets.end());
  buckets.erase(std::unique(buckets.begin(), buckets.end()), buckets.end());
  search.targets.clear();
  for (std::uint32_t bucket : buckets) search.targets.push_back(RangeTarget{bucket, kTopKeyBits, false});
}

SelectionCounts empty_counts(const SelectionPlan& plan) {
  SelectionCounts counts;
  counts.columns.resize(plan.columns.size());
  for (std::size_t c = 0; c < plan.columns.size(); ++c) {
    ColumnCounts& column = counts.columns[c];
    if (plan.pass == 1) column.top.assign(kTopBuckets, 0);
    const std::vector<RangeTarget>& targets = plan.columns[c].targets;
    column.histograms.resize(targets.size());
    column.keys.resize(targets.size());
    for (std::size_t t = 0; t < targets.size(); ++t)
      if (!targets[t].keep_keys) column.histograms[t].assign(std::size_t{1} << next_bits(plan.pass, targets[t].bits), 0);
  }
  return counts;
}

void count_values(const SelectionPlan& plan, std::size_t column, const float* values, std::size_t count,
                  SelectionCounts& counts) {
  ColumnCounts& out = counts.columns[column];
  if (plan.pass == 1) {
    std::uint64_t* top = out.top.data();
    for (std::size_t i = 0; i < count; ++i) ++top[order_key(values[i]) >> (32 - kTopKeyBits)];
  }
  const ColumnSearch& search = plan.columns[column];
  if (search.targets.empty()) return;
  const std::int16_t* first_target = search.first_target.data();
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint32_t key = order_key(values[i]);
    const std::int16_t first = first_target[key >> (32 - kTopKeyBits)];
    if (first < 0) continue;
    // Targets sharing a top bucket are adjacent (sorted by prefix); few ranks share one.
    for (std::size_t t = static_cast<std::size_t>(first); t < search.targets.size(); ++t) {
      const RangeTarget& target = search.targets[t];
      if (key < range_start(target)) break;
      if (key >> (32 - target.bits) != target.prefix) continue;
      if (target.keep_keys) {
        out.keys[t].push_back(key);
      } else {
        const int added = next_bits(plan.pass, target.bits);
        ++out.histograms[t][(key >> (32 - target.bits - added)) & ((1u << added) - 1)];
      }
      break;
    }
  }
}

void merge_counts(SelectionCounts& into, const SelectionCounts& from) {
  for (std::size_t c = 0; c < into.columns.size(); ++c) {
    ColumnCounts& to = into.columns[c];
    const ColumnCounts& other = from.columns[c];
    for (std::size_t b = 0; b < to.top.size(); ++b) to.top[b] += other.top[b];
    for (std::size_t t = 0; t < to.histograms.size(); ++t) {
      for (std::size_t b = 0; b < to.histograms[t].size(); ++b) to.histograms[t][b] += other.histograms[t][b];
      to.keys[t].insert(to.keys[t].end(), other.keys[t].begin(), other.keys[t].end());
    }
  }
}

SelectionPlan advance(const SelectionPlan& plan, SelectionCounts& counts) {
  SelectionPlan next = plan;
  next.pass = plan.pass + 1;
  for (std::size_t c = 0; c < next.columns.size(); ++c) {
    ColumnSearch& column = next.columns[c];
    ColumnCounts& counted = counts.columns[c];
    if (plan.pass == 1) {
      if (total(counted.top) != plan.paths)
        throw std::runtime_error("quantile selection: column " + std::to_string(c) + " counted " +
                                 std::to_string(total(counted.top)) + " values, expected " + std::to_string(plan.paths));
      for (RankSearch& rank : column.ranks) {
        std::uint64_t below = 0;
        rank.prefix = static_cast<std::uint32_t>(bucket_holding(counted.top, rank.rank, below));
        rank.bits = kTopKeyBits;
        rank.rank_in_range = rank.rank - below;
        rank.range_count = counted.top[rank.prefix];
      }
    }
    {
      for (std::size_t t = 0; t < column.targets.size(); ++t) {
        const RangeTarget& target = column.targets[t];
        if (target.keep_keys) std::sort(counted.keys[t].begin(), counted.keys[t].end());
      }
      for (RankSearch& rank : column.ranks) {
        if (rank.settled) continue;
        std::size_t t = 0;
        while (t < column.targets.size() &&
               (column.targets[t].prefix != rank.prefix || column.targets[t].bits != rank.bits))
          ++t;
        if (t == column.targets.size()) {
          if (plan.pass == 1) continue;  // the pilot did not guess its bucket: counted next pass
          throw std::logic_error("quantile selection: a rank without its target");
        }
        const RangeTarget& target = column.targets[t];
        if (target.keep_keys) {
          if (counted.keys[t].size() != rank.range_count)
            throw std::runtime_error("quantile selection: column " + std::to_string(c) + " kept " +
                                     std::to_string(counted.keys[t].size()) + " keys of a range of " +
                                     std::to_string(rank.range_count));
          rank.value = value_of_key(counted.keys[t][rank.rank_in_range]);
          rank.settled = true;
          continue;
        }
        const std::vector<std::uint64_t>& histogram = counted.histograms[t];
        if (total(histogram) != rank.range_count)
          throw std::runtime_error("quantile selection: column " + std::to_string(c) + " counted " +
                                   std::to_string(total(histogram)) + " values in a range of " +
                                   std::to_string(rank.range_count));
        std::uint64_t below = 0;
        const std::size_t bucket = bucket_holding(histogram, rank.rank_in_range, below);
        const int added = next_bits(plan.pass, rank.bits);
        rank.prefix = (rank.prefix << added) | static_cast<std::uint32_t>(bucket);
        rank.bits += added;
        rank.rank_in_range -= below;
        rank.range_count = histogram[bucket];
        if (rank.bits == 32) {
          rank.value = value_of_key(rank.prefix);
          rank.settled = true;
        }
      }
    }
    column.targets.clear();
    for (const RankSearch& rank : column.ranks) {
      if (rank.settled) continue;
      const bool known = std::any_of(column.targets.begin(), column.targets.end(), [&](const RangeTarget& target) {
        return target.prefix == rank.prefix && target.bits == rank.bits;
      });
      if (!known) column.targets.push_back(RangeTarget{rank.prefix, rank.bits, false});
    }
    // By where their keys start (ranges are disjoint: 22-bit ranges lie only in guessed buckets,
    // 11-bit ones only in the others).
    std::sort(column.targets.begin(), column.targets.end(),
              [](const RangeTarget& a, const RangeTarget& b) { return range_start(a) < range_start(b); });
  }

  // Keep keys where ranges are small, smallest first, until the budget is spent: the choice
  // depends only on the merged counts, so every process that merges the same counts agrees.
  struct Candidate {
    std::uint64_t count;
    std::size_t column;
    std::size_t target;
  };
  std::vector<Candidate> candidates;
  for (std::size_t c = 0; c < next.columns.size(); ++c) {
    ColumnSearch& column = next.columns[c];
    for (std::size_t t = 0; t < column.targets.size(); ++t)
      for (const RankSearch& rank : column.ranks)
        if (!rank.settled && rank.prefix == column.targets[t].prefix && rank.bits == column.targets[t].bits) {
          candidates.push_back(Candidate{rank.range_count, c, t});
          break;
        }
  }
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return std::tie(a.count, a.column, a.target) < std::tie(b.count, b.column, b.target);
  });
  std::uint64_t kept = 0;
  for (const Candidate& candidate : candidates) {
    if (kept + candidate.count > kKeptKeysBudget) break;
    kept += candidate.count;
    next.columns[candidate.column].targets[candidate.target].keep_keys = true;
  }
  next.index_targets();
  return next;
}

std::vector<float> order_statistics(const SelectionPlan& plan, std::size_t column) {
  std::vector<float> values;
  for (const RankSearch& rank : plan.columns[column].ranks) {
    if (!rank.settled) throw std::logic_error("order_statistics: the selection has passes left");
    values.push_back(rank.value);
  }
  return values;
}

}  // namespace chokepoint
