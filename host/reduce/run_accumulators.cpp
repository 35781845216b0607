#include "reduce/run_accumulators.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <type_traits>
#include <stdexcept>
#include <string>

#include "reduce/distribution_histogram.hpp"
#include "reduce/statistics.hpp"
#include "reduce/summary_outline.hpp"

namespace chokepoint {

void BindingCounts::add_column(const std::uint8_t* column, std::uint64_t paths) {
  for (std::uint64_t p = 0; p < paths; ++p) {
    const std::uint64_t count = column[p];
    steps += count;
    squares += count * count;
    any += count > 0;
  }
}

void BindingCounts::merge(const BindingCounts& other) {
  steps += other.steps;
  squares += other.squares;
  any += other.any;
}

void MomentCounts::merge(const MomentCounts& other) {
  paths += other.paths;
  for (std::size_t c = 0; c < columns.size(); ++c) columns[c].merge(other.columns[c]);
  for (std::size_t b = 0; b < distribution.size(); ++b) distribution[b] += other.distribution[b];
  for (std::size_t b = 0; b < binding.size(); ++b) binding[b].merge(other.binding[b]);
  for (std::size_t t = 0; t < threshold_hits.size(); ++t) threshold_hits[t] += other.threshold_hits[t];
  first_order.merge(other.first_order);
}

MomentCounts empty_moment_counts(const Scenario& scenario, const std::vector<std::int32_t>& first_order_scales) {
  const std::size_t years = static_cast<std::size_t>(scenario.model->years);
  MomentCounts counts;
  counts.columns.resize(scenario.variables.size() * years);
  counts.distribution.assign(counts.columns.size() * kDistributionBuckets, 0);
  counts.binding.resize(static_cast<std::size_t>(1 + scenario.model->stage_count) * years);
  counts.threshold_hits.assign(scenario.thresholds.size(), 0);
  if (!first_order_scales.empty()) counts.first_order = FirstOrderSums(scenario, first_order_scales);
  return counts;
}

void PassAccumulators::merge(const PassAccumulators& other) {
  moments.merge(other.moments);
  merge_counts(selection, other.selection);
}

PassAccumulators empty_pass_accumulators(const Scenario& scenario, const SelectionPlan& plan) {
  PassAccumulators accumulators;
  if (plan.pass == 1) accumulators.moments = empty_moment_counts(scenario, plan.first_order_scales);
  accumulators.selection = empty_counts(plan);
  return accumulators;
}

PathResults pilot_paths(const Scenario& scenario, std::uint64_t paths, std::uint64_t seed) {
  PathResults pilot;
  simulate_cpu_batch(scenario, 0, std::min(paths, kPilotPaths), seed, pilot);
  add_derived_outputs(scenario, pilot, seed, 1, 0);
  return pilot;
}

SelectionPlan first_run_plan(const Scenario& scenario, std::uint64_t paths, std::uint64_t seed,
                             const std::vector<std::uint64_t>& extra_ranks) {
  std::vector<std::uint64_t> ranks = plan_quantiles(paths, scenario.quantile_levels).ranks;
  for (std::uint64_t rank : extra_ranks)
    if (rank < paths) ranks.push_back(rank);
  std::sort(ranks.begin(), ranks.end());
  ranks.erase(std::unique(ranks.begin(), ranks.end()), ranks.end());
  SelectionPlan plan =
      first_selection_plan(scenario.variables.size() * static_cast<std::size_t>(scenario.model->years), paths, ranks);
  const PathResults pilot = pilot_paths(scenario, paths, seed);
  plan.first_order_scales = first_order_scales(scenario, pilot);
  for (int v = 0; v < pilot.variables; ++v)
    for (int y = 0; y < pilot.years; ++y) {
      const float* column = pilot.column(v, y);
      guess_from_pilot(plan, static_cast<std::size_t>(v) * pilot.years + y,
                       std::vector<float>(column, column + pilot.paths));
    }
  plan.index_targets();
  return plan;
}

void add_batch_counts(const Scenario& scenario, const PathResults& batch, MomentCounts& counts) {
  const std::uint64_t paths = batch.paths;
  const int years = batch.years;
  counts.paths += paths;
  for (int code = 0; code < batch.binding_codes; ++code)
    for (int y = 0; y < years; ++y)
      counts.binding[static_cast<std::size_t>(code) * years + y].add_column(batch.binding_column(code, y), paths);
  for (std::size_t t = 0; t < scenario.thresholds.size(); ++t)
    counts.threshold_hits[t] += count_threshold_hits(scenario, scenario.thresholds[t], batch);
}

std::uint64_t count_threshold_hits(const Scenario& scenario, const ThresholdRequest& request, const PathResults& batch) {
  const float* column = batch.column(request.variable, request.year - scenario.model->start_year);
  std::uint64_t hits = 0;
  for (std::uint64_t p = 0; p < batch.paths; ++p) hits += static_cast<double>(column[p]) >= request.at_least;
  return hits;
}

void add_batch(const Scenario& scenario, const SelectionPlan& plan, const PathResults& batch,
               PassAccumulators& accumulators) {
  if (batch.variables != static_cast<int>(scenario.variables.size()))
    throw std::logic_error("add_batch: the batch lacks its derived outputs");
  const int years = batch.years;
  for (int v = 0; v < batch.variables; ++v)
    for (int y = 0; y < years; ++y) {
      const std::size_t c = static_cast<std::size_t>(v) * years + y;
      const float* column = batch.column(v, y);
      count_values(plan, c, column, batch.paths, accumulators.selection);
      if (plan.pass != 1) continue;
      ExactMoments& moments = accumulators.moments.columns[c];
      for (std::uint64_t p = 0; p < batch.paths; ++p) moments.add(column[p]);
      count_distribution(column, batch.paths, accumulators.moments.distribution.data() + c * kDistributionBuckets);
    }
  if (plan.pass == 1) add_batch_counts(scenario, batch, accumulators.moments);
}

Summary summary_from_moments(const Scenario& scenario, std::uint64_t seed, const MomentCounts& moments,
                             const std::vector<QuantileEstimates>& quantiles) {
  Summary summary = summary_outline(scenario, moments.paths, seed, moments.threshold_hits, moments.binding);
  summary.sensitivity = moments.first_order.section(scenario);
  const std::size_t years = summary.years.size();
  for (std::size_t v = 0; v < summary.variables.size(); ++v) {
    VariableSummary& variable = summary.variables[v];
    for (std::size_t y = 0; y < years; ++y) {
      const std::size_t c = v * years + y;
      YearStatistics& stats = variable.years[y];
      moments_from_exact_sums(moments.columns[c], stats);
      stats.quantiles = quantiles[c].quantiles;
      stats.quantile_ci_low = quantiles[c].ci_low;
      stats.quantile_ci_high = quantiles[c].ci_high;
      const std::uint64_t nonfinite = moments.columns[c].nonfinite(), saturated = moments.columns[c].saturated();
      if (nonfinite > 0 || saturated > 0)
        summary.nonfinite.push_back(NonfiniteCount{variable.name, stats.year, nonfinite, saturated});
    }
  }
  summary.distributions = value_histograms(scenario, moments.distribution);
  return summary;
}

Summary summary_from_accumulators(const Scenario& scenario, std::uint64_t seed, const MomentCounts& moments,
                                  const SelectionPlan& finished_plan) {
  const QuantilePlan quantile_plan = plan_quantiles(moments.paths, scenario.quantile_levels);
  std::vector<QuantileEstimates> quantiles(finished_plan.columns.size());
  for (std::size_t c = 0; c < quantiles.size(); ++c) {
    // The plan's own ranks may include more than the quantiles and their intervals need
    // (first_run_plan's extra ranks): each needed one is looked up by its rank.
    std::vector<std::uint64_t> found_ranks;
    for (const RankSearch& rank : finished_plan.columns[c].ranks) found_ranks.push_back(rank.rank);
    const std::vector<float> found = order_statistics(finished_plan, c);
    std::vector<double> statistics;
    statistics.reserve(quantile_plan.ranks.size());
    for (std::uint64_t rank : quantile_plan.ranks) {
      const auto at = std::lower_bound(found_ranks.begin(), found_ranks.end(), rank);
      if (at == found_ranks.end() || *at != rank)
        throw std::logic_error("summary: order statistic " + std::to_string(rank) + " was not selected");
      statistics.push_back(found[static_cast<std::size_t>(at - found_ranks.begin())]);
    }
    quantiles[c] = quantiles_from_order_statistics(quantile_plan, statistics);
  }
  return summary_from_moments(scenario, seed, moments, quantiles);
}

// ---- bytes ---------------------------------------------------------------------------------------

namespace {

class ByteWriter {
 public:
  template <class T>
  void put(T value) {
    static_assert(std::is_trivially_copyable_v<T>);
    const std::size_t at = bytes_.size();
    bytes_.resize(at + sizeof(T));
    std::memcpy(bytes_.data() + at, &value, sizeof(T));
  }
  template <class T>
  void put_vector(const std::vector<T>& values) {
    put<std::uint64_t>(values.size());
    const std::size_t at = bytes_.size();
    bytes_.resize(at + values.size() * sizeof(T));
    if (!values.empty()) std::memcpy(bytes_.data() + at, values.data(), values.size() * sizeof(T));
  }
  // Counts are mostly zero (a column's values fill few of its buckets and exponents): the
  // length, then (index, value) for the others only.
  void put_sparse(const std::vector<std::uint64_t>& values) {
    put<std::uint64_t>(values.size());
    std::uint64_t nonzero = 0;
    for (std::uint64_t value : values) nonzero += value != 0;
    put(nonzero);
    for (std::size_t i = 0; i < values.size(); ++i)
      if (values[i]) {
        put<std::uint32_t>(static_cast<std::uint32_t>(i));
        put(values[i]);
      }
  }
  std::string take() { return std::move(bytes_); }

 private:
  std::string bytes_;
};

class ByteReader {
 public:
  explicit ByteReader(const std::string& bytes) : bytes_(bytes) {}
  template <class T>
  T get() {
    need(sizeof(T));
    T value;
    std::memcpy(&value, bytes_.data() + at_, sizeof(T));
    at_ += sizeof(T);
    return value;
  }
  template <class T>
  void get_vector(std::vector<T>& values) {
    const std::uint64_t count = get<std::uint64_t>();
    if (count > (bytes_.size() - at_) / sizeof(T)) throw std::runtime_error("truncated data");
    values.resize(count);
    if (count) std::memcpy(values.data(), bytes_.data() + at_, count * sizeof(T));
    at_ += count * sizeof(T);
  }
  void get_sparse(std::vector<std::uint64_t>& values) {
    const std::uint64_t size = get<std::uint64_t>();
    if (size != values.size())
      throw std::runtime_error(std::to_string(size) + " counts where " + std::to_string(values.size()) + " were expected");
    std::fill(values.begin(), values.end(), 0);
    const std::uint64_t nonzero = get<std::uint64_t>();
    if (nonzero > size) throw std::runtime_error("more counts than buckets");
    for (std::uint64_t i = 0; i < nonzero; ++i) {
      const std::uint32_t index = get<std::uint32_t>();
      if (index >= size) throw std::runtime_error("a count beyond the buckets");
      values[index] = get<std::uint64_t>();
    }
  }
  void expect_end() const {
    if (at_ != bytes_.size()) throw std::runtime_error("trailing bytes");
  }

 private:
  void need(std::size_t count) const {
    if (bytes_.size() - at_ < count) throw std::runtime_error("truncated data");
  }
  const std::string& bytes_;
  std::size_t at_ = 0;
};

static_assert(std::endian::native == std::endian::little, "files are written little-endian as the machine's own words");

}  // namespace

std::string encode_plan(const SelectionPlan& plan) {
  ByteWriter out;
  out.put<std::int32_t>(plan.pass);
  out.put<std::uint64_t>(plan.paths);
  out.put<std::uint64_t>(plan.columns.size());
  for (const ColumnSearch& column : plan.columns) {
    out.put<std::uint64_t>(column.ranks.size());
    for (const RankSearch& rank : column.ranks) {
      out.put(rank.rank);
      out.put<std::uint8_t>(rank.settled);
      out.put(rank.value);
      out.put(rank.prefix);
      out.put<std::int32_t>(rank.bits);
      out.put(rank.rank_in_range);
      out.put(rank.range_count);
    }
    out.put<std::uint64_t>(column.targets.size());
    for (const RangeTarget& target : column.targets) {
      out.put(target.prefix);
      out.put<std::int32_t>(target.bits);
      out.put<std::uint8_t>(target.keep_keys);
    }
  }
  out.put_vector(plan.first_order_scales);
  return out.take();
}

SelectionPlan decode_plan(const std::string& bytes) {
  ByteReader in(bytes);
  SelectionPlan plan;
  plan.pass = in.get<std::int32_t>();
  plan.paths = in.get<std::uint64_t>();
  const std::uint64_t columns = in.get<std::uint64_t>();
  if (columns > bytes.size()) throw std::runtime_error("implausible column count");
  plan.columns.resize(columns);
  for (ColumnSearch& column : plan.columns) {
    const std::uint64_t ranks = in.get<std::uint64_t>();
    if (ranks > bytes.size()) throw std::runtime_error("implausible rank count");
    column.ranks.resize(ranks);
    for (RankSearch& rank : column.ranks) {
      rank.rank = in.get<std::uint64_t>();
      rank.settled = in.get<std::uint8_t>() != 0;
      rank.value = in.get<float>();
      rank.prefix = in.get<std::uint32_t>();
      rank.bits = in.get<std::int32_t>();
      rank.rank_in_range = in.get<std::uint64_t>();
      rank.range_count = in.get<std::uint64_t>();
    }
    const std::uint64_t targets = in.get<std::uint64_t>();
    if (targets > static_cast<std::uint64_t>(INT16_MAX)) throw std::runtime_error("implausible target count");
    column.targets.resize(targets);
    for (RangeTarget& target : column.targets) {
      target.prefix = in.get<std::uint32_t>();
      target.bits = in.get<std::int32_t>();
      target.keep_keys = in.get<std::uint8_t>() != 0;
      if (target.bits < kTopKeyBits || target.bits >= 32) throw std::runtime_error("bad target width");
    }
  }
  in.get_vector(plan.first_order_scales);
  in.expect_end();
  plan.index_targets();
  return plan;
}

std::string encode_pass(const PassAccumulators& accumulators, bool with_moments) {
  ByteWriter out;
  if (with_moments) {
    const MomentCounts& moments = accumulators.moments;
    out.put(moments.paths);
    out.put<std::uint64_t>(moments.columns.size());
    std::vector<std::uint64_t> words;
    for (const ExactMoments& column : moments.columns) {
      words.clear();
      ExactMoments::visit_words(column, [&](const auto& word) { words.push_back(static_cast<std::uint64_t>(word)); });
      out.put_sparse(words);
    }
    out.put_sparse(moments.distribution);
    out.put<std::uint64_t>(moments.binding.size());
    for (const BindingCounts& counts : moments.binding) {
      out.put(counts.steps);
      out.put(counts.squares);
      out.put(counts.any);
    }
    out.put_vector(moments.threshold_hits);
    out.put_vector(moments.first_order.words());
  }
  out.put<std::uint64_t>(accumulators.selection.columns.size());
  for (const ColumnCounts& column : accumulators.selection.columns) {
    out.put_sparse(column.top);
    out.put<std::uint64_t>(column.histograms.size());
    for (std::size_t t = 0; t < column.histograms.size(); ++t) {
      out.put_sparse(column.histograms[t]);
      out.put_vector(column.keys[t]);
    }
  }
  return out.take();
}

void decode_pass(const std::string& bytes, bool with_moments, PassAccumulators& accumulators) {
  ByteReader in(bytes);
  auto expect_size = [](std::uint64_t found, std::size_t expected, const char* what) {
    if (found != expected)
      throw std::runtime_error(std::string(what) + ": " + std::to_string(found) + " where " + std::to_string(expected) +
                               " were expected");
  };
  if (with_moments) {
    MomentCounts& moments = accumulators.moments;
    moments.paths = in.get<std::uint64_t>();
    expect_size(in.get<std::uint64_t>(), moments.columns.size(), "moment columns");
    std::vector<std::uint64_t> words;
    for (ExactMoments& column : moments.columns) {
      std::size_t count = 0;
      ExactMoments::visit_words(column, [&](auto&) { ++count; });
      words.assign(count, 0);
      in.get_sparse(words);
      std::size_t at = 0;
      ExactMoments::visit_words(column, [&](auto& word) { word = static_cast<std::remove_reference_t<decltype(word)>>(words[at++]); });
    }
    in.get_sparse(moments.distribution);
    expect_size(in.get<std::uint64_t>(), moments.binding.size(), "binding columns");
    for (BindingCounts& counts : moments.binding) {
      counts.steps = in.get<std::uint64_t>();
      counts.squares = in.get<std::uint64_t>();
      counts.any = in.get<std::uint64_t>();
    }
    const std::size_t thresholds = moments.threshold_hits.size();
    in.get_vector(moments.threshold_hits);
    expect_size(moments.threshold_hits.size(), thresholds, "thresholds");
    std::vector<std::uint64_t> first_order;
    in.get_vector(first_order);
    try {
      moments.first_order.set_words(first_order);
    } catch (const std::invalid_argument& error) {
      throw std::runtime_error(error.what());
    }
  }
  SelectionCounts& selection = accumulators.selection;
  expect_size(in.get<std::uint64_t>(), selection.columns.size(), "selection columns");
  for (ColumnCounts& column : selection.columns) {
    in.get_sparse(column.top);
    expect_size(in.get<std::uint64_t>(), column.histograms.size(), "targets");
    for (std::size_t t = 0; t < column.histograms.size(); ++t) {
      in.get_sparse(column.histograms[t]);
      in.get_vector(column.keys[t]);
    }
  }
  in.expect_end();
}

std::uint64_t fnv1a(const std::string& bytes, std::uint64_t hash) {
  for (unsigned char byte : bytes) {
    hash ^= byte;
    hash *= 0x100000001b3ull;
  }
  return hash;
}

}  // namespace chokepoint
