// `run --target-se X --for VARIABLE:YEAR[:STATISTIC]` (docs/sensitivity.md, section 5): runs
// paths in path order in doubling batches [0, B), [B, 2B), [2B, 4B), … up to a cap; after each
// batch the named statistic's Monte Carlo standard error is computed from exact,
// order-independent sums of the paths so far, and the search stops at the first boundary where
// it is ≤ X. The stopping point therefore depends only on the scenario, the seed and X, never on
// threads. The summary is then a plain run of the paths it stopped at, so it has that run's bits.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "chokepoint/engine.hpp"
#include "chokepoint/scale.hpp"
#include "chokepoint/summary.hpp"

namespace chokepoint {

inline constexpr std::uint64_t kTargetFirstBatch = std::uint64_t{1} << 14;

enum class TargetStatistic { mean, quantile, binding_share };

// A parsed --for: which column, which year, which statistic.
struct TargetSpec {
  std::string for_spec;    // "VARIABLE:YEAR" as the summary names it
  std::string statistic;   // "mean" or "pNN" as given
  TargetStatistic kind = TargetStatistic::mean;
  int variable = -1;       // Scenario::variables index (mean, quantile)
  int code = -1;           // binding code, 0 = demand (binding share)
  int year_index = 0;
  double level = 0.5;      // quantile level in (0, 1)
};

// Parses "VARIABLE:YEAR[:STATISTIC]" or "STAGE.binding_share:YEAR" against the scenario.
// Throws InputError naming --for, what was expected and what was found.
TargetSpec parse_target_spec(const Scenario& scenario, const std::string& text);

// Parses X of --target-se: a finite number > 0. Throws InputError naming --target-se.
double parse_target_se(const std::string& text);

struct TargetSearchOptions {
  double target = 0.0;
  std::uint64_t cap = 100000;                       // --paths
  std::uint64_t first_batch = kTargetFirstBatch;    // tests use smaller ones; the CLI 2¹⁴
  int threads = 0;
  Precision precision = Precision::mixed;
  // A quantile's SE needs order statistics of the paths so far. Its column's 32-bit keys are
  // kept until they exceed this many; then only those inside a band of ±window_sigmas binomial
  // standard deviations around the quantile's rank are kept, with counts of those outside. A
  // later rank outside the band (a miss) re-simulates the paths so far, keeping every key.
  std::uint64_t keep_all_keys_up_to = std::uint64_t{1} << 20;
  double window_sigmas = 6.0;
  std::function<void(const TargetSeStep&)> after_batch;  // progress, from the calling thread
  // To keep what the search simulates: keep_up_to(P) before it simulates paths up to P (from the
  // calling thread), then keep_batch with every simulated batch of paths [first, first +
  // batch.paths), derived outputs included, from the thread that simulated it. Threads hand over
  // disjoint batches; a re-simulation after a band miss hands over the same values again.
  std::function<void(std::uint64_t paths)> keep_up_to;
  std::function<void(const PathResults& batch, std::uint64_t first)> keep_batch;
  // Each batch split over processes (chokepoint-mpi): `share` gives this process's part of a
  // batch's paths; `all_parts` sends this process's sums of its part (bytes) and returns every
  // process's, on every process (an allgather). The sums are integers and kept keys are sorted
  // after merging, so every process takes the same step and the steps are those of one process.
  std::function<PathRange(PathRange batch)> share;
  std::function<std::vector<std::string>(const std::string& mine)> all_parts;
};

struct TargetSearch {
  TargetSeRecord record;
  std::uint64_t resimulated_paths = 0;  // paths simulated again after band misses (quantiles)
  int narrowings = 0;                   // times a quantile's band was narrowed
};

// The doubling search alone (CPU backend): where it stops, and the estimate and SE there.
TargetSearch search_target_se(const Scenario& scenario, std::uint64_t seed, const TargetSpec& spec,
                              const TargetSearchOptions& options);

// The search capped at options.paths, then the summary of run() of the paths it stopped at with
// `options` otherwise unchanged, carrying the search's record in Summary::target_se. On the CPU,
// while the paths so far fit the memory run() may keep them in, the search keeps what it
// simulates, and a stop within that memory reduces them without simulating them again
// (run_kept_paths: the same summary).
Summary run_to_target_se(const Scenario& scenario, const RunOptions& options, const TargetSpec& spec, double target,
                         const std::function<void(const TargetSeStep&)>& after_batch = {},
                         std::uint64_t first_batch = kTargetFirstBatch);

}  // namespace chokepoint
