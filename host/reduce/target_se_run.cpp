#include "reduce/target_se_run.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <type_traits>

#include "reduce/quantiles.hpp"
#include "reduce/run_accumulators.hpp"
#include "reduce/statistics.hpp"
#include "reduce/streaming_quantiles.hpp"
#include "reduce/streaming_run.hpp"
#include "simulate/backend_choice.hpp"

namespace chokepoint {

namespace {

// z of a two-sided 95 % normal interval: a quantile's SE is its interval's half-width over it.
constexpr double kZ95 = 1.959963984540054;

[[noreturn]] void bad_argument(const std::string& option, const std::string& expected, const std::string& found) {
  throw InputError({InputProblem{"(arguments)", option, expected, found}});
}

// A decimal number taking the whole text, or NaN.
double whole_text_number(const std::string& text) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text.front()))) return std::nan("");
  errno = 0;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || errno == ERANGE) return std::nan("");
  return value;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

const std::string kBindingSuffix = ".binding_share";

// The keys of one column's values, sorted at each batch boundary: those inside the band
// [low, high] of keys, and counts of those below and above it.
struct QuantileKeys {
  std::uint32_t low = 0;
  std::uint32_t high = UINT32_MAX;
  std::uint64_t below = 0;
  std::uint64_t above = 0;
  std::vector<std::uint32_t> keys;

  void add(float value) {
    const std::uint32_t key = order_key(value);
    if (key < low) ++below;
    else if (key > high) ++above;
    else keys.push_back(key);
  }
};

// Exact sums of the one statistic searched for; integers, so any split of the paths merges to
// the same bits.
struct TargetSums {
  std::uint64_t paths = 0;
  ExactMoments moments;   // mean
  BindingCounts binding;  // binding share
  QuantileKeys keys;      // quantile

  TargetSums empty_like() const {
    TargetSums empty;
    empty.keys.low = keys.low;
    empty.keys.high = keys.high;
    return empty;
  }
  void merge(const TargetSums& other) {
    paths += other.paths;
    moments.merge(other.moments);
    binding.merge(other.binding);
    keys.below += other.keys.below;
    keys.above += other.keys.above;
    keys.keys.insert(keys.keys.end(), other.keys.keys.begin(), other.keys.keys.end());
  }
};

void add_paths(const TargetSpec& spec, const PathResults& batch, TargetSums& sums) {
  sums.paths += batch.paths;
  if (spec.kind == TargetStatistic::binding_share) {
    sums.binding.add_column(batch.binding_column(spec.code, spec.year_index), batch.paths);
    return;
  }
  const float* column = batch.column(spec.variable, spec.year_index);
  if (spec.kind == TargetStatistic::mean)
    for (std::uint64_t p = 0; p < batch.paths; ++p) sums.moments.add(column[p]);
  else
    for (std::uint64_t p = 0; p < batch.paths; ++p) sums.keys.add(column[p]);
}

// A part's sums as bytes for another process: 64-bit words (count, moments, binding, band
// counts, key count), then the kept keys. The same machine word order on every rank.
std::string encode_sums(const TargetSums& sums) {
  std::vector<std::uint64_t> words{sums.paths};
  ExactMoments::visit_words(sums.moments, [&](const auto& word) { words.push_back(static_cast<std::uint64_t>(word)); });
  words.insert(words.end(), {sums.binding.steps, sums.binding.squares, sums.binding.any, sums.keys.below,
                             sums.keys.above, sums.keys.keys.size()});
  std::string bytes(words.size() * 8 + sums.keys.keys.size() * 4, '\0');
  std::memcpy(bytes.data(), words.data(), words.size() * 8);
  if (!sums.keys.keys.empty()) std::memcpy(bytes.data() + words.size() * 8, sums.keys.keys.data(), sums.keys.keys.size() * 4);
  return bytes;
}

void add_encoded(const std::string& bytes, TargetSums& into) {
  TargetSums part;
  std::size_t words = 1 + 6;
  ExactMoments::visit_words(part.moments, [&](auto&) { ++words; });
  if (bytes.size() < words * 8) throw std::runtime_error("target SE: a truncated part");
  std::vector<std::uint64_t> word(words);
  std::memcpy(word.data(), bytes.data(), words * 8);
  std::size_t at = 0;
  part.paths = word[at++];
  ExactMoments::visit_words(part.moments,
                            [&](auto& w) { w = static_cast<std::remove_reference_t<decltype(w)>>(word[at++]); });
  part.binding = BindingCounts{word[at], word[at + 1], word[at + 2]};
  part.keys.below = word[at + 3];
  part.keys.above = word[at + 4];
  const std::uint64_t keys = word[at + 5];
  if (bytes.size() != words * 8 + keys * 4) throw std::runtime_error("target SE: a part of the wrong size");
  part.keys.keys.resize(keys);
  if (keys) std::memcpy(part.keys.keys.data(), bytes.data() + words * 8, keys * 4);
  into.merge(part);
}

// Adds paths [begin, end) into `sums` on this process, batches spread over its threads; kept
// keys end sorted, so the result does not depend on which thread ran which batch.
void accumulate_here(const Scenario& scenario, std::uint64_t seed, const TargetSpec& spec,
                     const TargetSearchOptions& options, std::uint64_t begin, std::uint64_t end, TargetSums& sums) {
  const std::uint64_t batch = kDefaultBatchPaths;
  const std::int64_t batches = static_cast<std::int64_t>((end - begin + batch - 1) / batch);
  const int thread_count = options.threads > 0 ? options.threads : omp_get_max_threads();
#pragma omp parallel num_threads(thread_count)
  {
    PathResults results;
    TargetSums local = sums.empty_like();
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t b = 0; b < batches; ++b) {
      const std::uint64_t first = begin + static_cast<std::uint64_t>(b) * batch;
      const std::uint64_t count = std::min(batch, end - first);
      simulate_cpu_batch(scenario, first, count, seed, results, options.precision);
      add_derived_outputs(scenario, results, seed, 1, first);
      add_paths(spec, results, local);
      if (options.keep_batch) options.keep_batch(results, first);
    }
#pragma omp critical(chokepoint_target_merge)
    sums.merge(local);
  }
  std::sort(sums.keys.keys.begin(), sums.keys.keys.end());
}

// accumulate_here, or with options.share each process adds its part of [begin, end) and every
// process merges every part: the same sums as one process.
void accumulate(const Scenario& scenario, std::uint64_t seed, const TargetSpec& spec, const TargetSearchOptions& options,
                std::uint64_t begin, std::uint64_t end, TargetSums& sums) {
  if (!options.share || !options.all_parts) {
    accumulate_here(scenario, seed, spec, options, begin, end, sums);
    return;
  }
  const PathRange mine = options.share(PathRange{begin, end});
  TargetSums part = sums.empty_like();
  if (mine.size() > 0) accumulate_here(scenario, seed, spec, options, mine.begin, mine.end, part);
  for (const std::string& bytes : options.all_parts(encode_sums(part))) add_encoded(bytes, sums);
  std::sort(sums.keys.keys.begin(), sums.keys.keys.end());
}

// The quantile and its SE from the kept keys; false when a rank it needs lies outside the band.
bool quantile_step(const TargetSpec& spec, const TargetSums& sums, TargetSeStep& step) {
  const QuantilePlan plan = plan_quantiles(sums.paths, {spec.level});
  const QuantileKeys& kept = sums.keys;
  std::vector<double> statistics;
  for (std::uint64_t rank : plan.ranks) {
    if (rank < kept.below || rank - kept.below >= kept.keys.size()) return false;
    statistics.push_back(value_of_key(kept.keys[rank - kept.below]));
  }
  const QuantileEstimates estimates = quantiles_from_order_statistics(plan, statistics);
  step.estimate = estimates.quantiles[0];
  step.se = (estimates.ci_high[0] - estimates.ci_low[0]) / (2.0 * kZ95);
  return true;
}

// Narrows the band to ±window_sigmas binomial standard deviations around the quantile's rank,
// once the kept keys exceed their budget. The later boundaries need ranks whose share of the
// paths lies ever closer to the level: ±2 standard deviations of a run twice as long and more.
void narrow_band(const TargetSpec& spec, const TargetSearchOptions& options, TargetSums& sums, TargetSearch& search) {
  QuantileKeys& kept = sums.keys;
  if (kept.keys.size() <= options.keep_all_keys_up_to || kept.keys.empty()) return;
  ++search.narrowings;
  const double n = static_cast<double>(sums.paths);
  const double centre = spec.level * (n - 1.0);
  const double spread = options.window_sigmas * std::sqrt(n * spec.level * (1.0 - spec.level));
  const double low_rank = std::max(0.0, std::floor(centre - spread));
  const double high_rank = std::min(n - 1.0, std::ceil(centre + spread));
  auto index_of = [&](double rank) {
    const double index = rank - static_cast<double>(kept.below);
    return static_cast<std::size_t>(std::clamp(index, 0.0, static_cast<double>(kept.keys.size() - 1)));
  };
  const std::uint32_t low = kept.keys[index_of(low_rank)];
  const std::uint32_t high = kept.keys[index_of(high_rank)];
  const auto first = std::lower_bound(kept.keys.begin(), kept.keys.end(), low);
  const auto last = std::upper_bound(kept.keys.begin(), kept.keys.end(), high);
  kept.below += static_cast<std::uint64_t>(first - kept.keys.begin());
  kept.above += static_cast<std::uint64_t>(kept.keys.end() - last);
  kept.keys = std::vector<std::uint32_t>(first, last);
  kept.low = low;
  kept.high = high;
}

// The estimate and SE of the paths so far (a quantile's may re-simulate them after a miss).
TargetSeStep step_of(const Scenario& scenario, std::uint64_t seed, const TargetSpec& spec,
                     const TargetSearchOptions& options, TargetSums& sums, TargetSearch& search) {
  TargetSeStep step;
  step.paths = sums.paths;
  const double n = static_cast<double>(sums.paths);
  switch (spec.kind) {
    case TargetStatistic::mean: {
      YearStatistics stats;
      moments_from_exact_sums(sums.moments, stats);
      step.estimate = stats.mean;
      step.se = stats.se;
      break;
    }
    case TargetStatistic::binding_share: {
      // As the summary computes binding_share and binding_share_se.
      const double per_year = scenario.model->steps_per_year;
      step.estimate = static_cast<double>(sums.binding.steps) / (n * per_year);
      step.se = standard_error_from_sums(static_cast<double>(sums.binding.steps),
                                         static_cast<double>(sums.binding.squares), sums.paths) /
                per_year;
      break;
    }
    case TargetStatistic::quantile: {
      if (!quantile_step(spec, sums, step)) {
        TargetSums every;  // the band missed: every key of the paths so far
        accumulate(scenario, seed, spec, options, 0, sums.paths, every);
        search.resimulated_paths += sums.paths;
        sums = std::move(every);
        if (!quantile_step(spec, sums, step)) throw std::logic_error("target SE: a rank beyond the paths");
      }
      narrow_band(spec, options, sums, search);
      break;
    }
  }
  return step;
}

// Per-path results of the search's paths, gathered batch by batch in run()'s layout, for as long
// as they fit `budget` bytes (RunOptions::keep_paths_up_to_bytes); beyond it, none are kept.
class KeptPaths {
 public:
  KeptPaths(const Scenario& scenario, std::uint64_t budget) : scenario_(scenario), budget_(budget) {
    results_.years = scenario.model->years;
    results_.variables = static_cast<int>(scenario.variables.size());
    results_.binding_codes = 1 + scenario.model->stage_count;
  }

  // Room for paths [0, paths), what is kept so far moved to the new stride (the search doubles
  // its paths, so the copies add up to less than the paths it ends with). The old and the new
  // layout together stay within the budget.
  void grow_to(std::uint64_t paths) {
    if (!keeping_ || paths <= results_.paths) return;
    if (paths + results_.paths > budget_ / bytes_per_path(scenario_)) {
      keeping_ = false;
      results_ = PathResults{};
      return;
    }
    PathResults grown;
    grown.paths = paths;
    grown.years = results_.years;
    grown.variables = results_.variables;
    grown.binding_codes = results_.binding_codes;
    grown.values.resize(columns() * paths);
    grown.binding_steps.resize(binding_columns() * paths);
    if (results_.paths > 0) add_to(grown, results_, 0);  // nothing to move (and no buffer) before the first batch
    results_ = std::move(grown);
  }

  void add(const PathResults& batch, std::uint64_t first) {
    if (keeping_) add_to(results_, batch, first);
  }

  // The kept paths when they are exactly paths [0, paths), else nothing.
  std::optional<PathResults> take(std::uint64_t paths) {
    if (!keeping_ || results_.paths != paths) return std::nullopt;
    return std::move(results_);
  }

 private:
  std::size_t columns() const { return static_cast<std::size_t>(results_.variables) * results_.years; }
  std::size_t binding_columns() const { return static_cast<std::size_t>(results_.binding_codes) * results_.years; }

  void add_to(PathResults& into, const PathResults& batch, std::uint64_t first) const {
    for (std::size_t c = 0; c < columns(); ++c)
      std::memcpy(into.values.data() + c * into.paths + first, batch.values.data() + c * batch.paths,
                  batch.paths * sizeof(float));
    for (std::size_t c = 0; c < binding_columns(); ++c)
      std::memcpy(into.binding_steps.data() + c * into.paths + first, batch.binding_steps.data() + c * batch.paths,
                  batch.paths);
  }

  const Scenario& scenario_;
  std::uint64_t budget_;
  bool keeping_ = true;
  PathResults results_;
};

}  // namespace

double parse_target_se(const std::string& text) {
  const double value = whole_text_number(text);
  if (!std::isfinite(value) || value <= 0.0)
    bad_argument("--target-se", "a finite standard error > 0, in the unit of the statistic named by --for",
                 "\"" + text + "\"");
  return value;
}

TargetSpec parse_target_spec(const Scenario& scenario, const std::string& text) {
  const std::string form = "VARIABLE:YEAR[:STATISTIC] or STAGE.binding_share:YEAR";
  std::vector<std::string> parts;
  for (std::size_t at = 0;;) {
    const std::size_t colon = text.find(':', at);
    parts.push_back(text.substr(at, colon == std::string::npos ? std::string::npos : colon - at));
    if (colon == std::string::npos) break;
    at = colon + 1;
  }
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty())
    bad_argument("--for", form, "\"" + text + "\"");
  TargetSpec spec;
  spec.for_spec = parts[0] + ":" + parts[1];
  const std::string& name = parts[0];
  spec.variable = scenario.variable_index(name);
  if (spec.variable < 0) {
    std::vector<std::string> codes{"demand"};
    codes.insert(codes.end(), scenario.stage_names.begin(), scenario.stage_names.end());
    const bool binding = name.size() > kBindingSuffix.size() &&
                         name.compare(name.size() - kBindingSuffix.size(), kBindingSuffix.size(), kBindingSuffix) == 0;
    const auto code = binding ? std::find(codes.begin(), codes.end(), name.substr(0, name.size() - kBindingSuffix.size()))
                              : codes.end();
    if (code == codes.end()) {
      std::vector<std::string> variables;
      for (const VariableInfo& variable : scenario.variables) variables.push_back(variable.name);
      bad_argument("--for", "a reported variable (" + joined(variables) + ") or STAGE.binding_share with STAGE one of " +
                                joined(codes),
                   "\"" + name + "\" in \"" + text + "\"");
    }
    spec.kind = TargetStatistic::binding_share;
    spec.code = static_cast<int>(code - codes.begin());
  }
  const std::vector<int> years = scenario.calendar_years();
  const double year = whole_text_number(parts[1]);
  const auto found_year = std::find_if(years.begin(), years.end(), [&](int y) { return static_cast<double>(y) == year; });
  if (found_year == years.end())
    bad_argument("--for", "a year of the run, " + std::to_string(years.front()) + " to " + std::to_string(years.back()),
                 "\"" + parts[1] + "\" in \"" + text + "\"");
  spec.year_index = static_cast<int>(found_year - years.begin());
  spec.statistic = parts.size() == 3 ? parts[2] : "mean";
  if (spec.statistic == "mean") return spec;
  const double percent = spec.statistic.size() > 1 && spec.statistic[0] == 'p'
                             ? whole_text_number(spec.statistic.substr(1))
                             : std::nan("");
  if (spec.kind == TargetStatistic::binding_share)
    bad_argument("--for", "no statistic after a binding share (its SE is that of the share, a mean over paths)",
                 "\"" + spec.statistic + "\" in \"" + text + "\"");
  if (!(percent > 0.0 && percent < 100.0))
    bad_argument("--for", "a statistic mean, or pNN: a quantile in percent between 0 and 100 (p50, p90, p99.5)",
                 "\"" + spec.statistic + "\" in \"" + text + "\"");
  spec.kind = TargetStatistic::quantile;
  spec.level = percent / 100.0;
  return spec;
}

TargetSearch search_target_se(const Scenario& scenario, std::uint64_t seed, const TargetSpec& spec,
                              const TargetSearchOptions& options) {
  TargetSearch search;
  TargetSeRecord& record = search.record;
  record.for_spec = spec.for_spec;
  record.statistic = spec.statistic;
  record.target = options.target;
  TargetSums sums;
  std::uint64_t boundary = std::min(std::max<std::uint64_t>(options.first_batch, 1), options.cap);
  for (;;) {
    if (options.keep_up_to) options.keep_up_to(boundary);
    accumulate(scenario, seed, spec, options, sums.paths, boundary, sums);
    const TargetSeStep step = step_of(scenario, seed, spec, options, sums, search);
    record.batches.push_back(step);
    if (options.after_batch) options.after_batch(step);
    record.paths = step.paths;
    record.estimate = step.estimate;
    record.achieved = step.se;
    record.met = step.se <= options.target;  // false for a NaN SE (non-finite paths)
    if (record.met || boundary >= options.cap) break;
    boundary = boundary > options.cap / 2 ? options.cap : 2 * boundary;
  }
  return search;
}

Summary run_to_target_se(const Scenario& scenario, const RunOptions& options, const TargetSpec& spec, double target,
                         const std::function<void(const TargetSeStep&)>& after_batch, std::uint64_t first_batch) {
  const auto begin = std::chrono::steady_clock::now();
  TargetSearchOptions search;
  search.target = target;
  search.cap = options.paths;
  search.first_batch = first_batch;
  search.threads = options.threads;
  search.precision = options.precision;
  search.after_batch = after_batch;
  KeptPaths kept(scenario, use_cuda_backend(options.backend) ? 0 : options.keep_paths_up_to_bytes);
  search.keep_up_to = [&kept](std::uint64_t paths) { kept.grow_to(paths); };
  search.keep_batch = [&kept](const PathResults& batch, std::uint64_t first) { kept.add(batch, first); };
  const TargetSeRecord record = search_target_se(scenario, options.seed, spec, search).record;
  RunOptions stopped = options;
  stopped.paths = record.paths;
  std::optional<PathResults> paths = kept.take(record.paths);
  Summary summary = paths ? run_kept_paths(scenario, stopped, *paths) : run(scenario, stopped);
  // run() ends options.progress at 1; the kept route simulates nothing that would.
  if (paths && options.progress) options.progress(1.0);
  summary.target_se = record;
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();  // search included
  return summary;
}

}  // namespace chokepoint
