// The result of a run as plain C++ types: what summary.json holds (README.md, "Using it",
// and docs/uncertainty.md describe its keys).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace chokepoint {

struct YearStatistics {
  int year = 0;
  double mean = 0.0;
  double sd = 0.0;      // sample standard deviation across paths (divisor P − 1)
  double se = 0.0;      // Monte Carlo standard error of the mean, sd / √P
  std::vector<double> quantiles;  // at Summary::quantile_levels, numpy's `linear` rule
  // The 95 % distribution-free interval of each quantile from order statistics (its ends are
  // two sample values; docs/uncertainty.md). Empty in summaries written before they existed.
  std::vector<double> quantile_ci_low{};  // {}: aggregate initialisers may leave these out
  std::vector<double> quantile_ci_high{};
};

struct VariableSummary {
  std::string name;
  std::string unit;
  std::string kind;  // "flow" (summed over the year) or "stock" (at year end)
  std::vector<YearStatistics> years;
};

struct StageYear {
  int year = 0;
  double binding_share = 0.0;     // share of the year's steps the stage binds, averaged over paths
  double binding_share_se = 0.0;
  double binding_any = 0.0;       // probability that it binds at least once in the year
  double binding_any_se = 0.0;
};

struct StageSummary {
  std::string name;  // "demand" or a stage of the scenario
  std::vector<StageYear> years;
};

struct ThresholdResult {
  std::string variable;
  int year = 0;
  double at_least = 0.0;
  double p = 0.0;   // P(variable ≥ at_least in year)
  double se = 0.0;
};

// How one variable-year's values are spread: the exact number of paths in each bucket of the top
// kDistributionKeyBits bits of the float's order key (sign, exponent and the mantissa's first two
// bits: four buckets per factor of two). Counts are integers, so every route (in memory,
// streaming, threads, batches, shards, ranks) gives the same ones. Only buckets holding a path.
inline constexpr int kDistributionKeyBits = 11;
inline constexpr std::size_t kDistributionBuckets = std::size_t{1} << kDistributionKeyBits;
struct ValueHistogram {
  std::string variable;
  int year = 0;
  std::vector<std::uint32_t> buckets;  // increasing bucket indices (the order key >> 21)
  std::vector<std::uint64_t> counts;   // paths in each bucket, all > 0
};

// A headline variable-year's mean and median over the run's first n paths in path order, at
// n = 2^k (and at every path), with their 95 % intervals: does the estimate still move?
struct ConvergencePoint {
  std::uint64_t paths = 0;
  double mean = 0.0;
  double mean_se = 0.0;
  double median = 0.0;
  double median_low = 0.0;   // the 95 % distribution-free interval of the median
  double median_high = 0.0;
};
struct ConvergenceTrace {
  std::string variable;
  int year = 0;
  std::vector<ConvergencePoint> points;
};

// A variable-year in which some paths did not give a usable number (docs/errors.md, "Non-finite
// results"): NaN or ±inf, or a finite double beyond float's range stored saturated at ±3.4e38
// (stored_value.hpp). Its statistics are then unreliable: means and standard errors are NaN or
// inf, quantiles and shares count those paths at an end of the distribution.
struct NonfiniteCount {
  std::string variable;
  int year = 0;
  std::uint64_t nonfinite_paths = 0;
  std::uint64_t saturated_paths = 0;
};

// First-order sensitivity (docs/sensitivity.md, "First-order indices from every run"): the share
// of an output's variance that one input explains alone, from equal-probability bins of the input.
struct FirstOrderIndex {
  std::string input;
  double index = 0.0;
  double se = 0.0;
};

// The indices of one output in one year, one per SensitivitySection::inputs entry, in that order.
// `output` is a variable's name, "<stage>.binding_share", "<stage>.binding_any", or a threshold
// as "<variable>>=<at_least>" (the form `chokepoint discover --outcome` reads).
struct OutputSensitivity {
  std::string output;
  int year = 0;
  std::vector<FirstOrderIndex> indices;
};

// P(the stage binds at least once in the year | the input's group): deciles of a parameter's or
// a trend's copula uniform (10 values), or an event's firings up to that year's end (0, 1, 2+).
struct BindingByInput {
  std::string stage;
  int year = 0;
  std::string input;
  std::vector<double> p;
};

struct SensitivitySection {
  int bins = 0;  // 0: the summary carries no sensitivity (written before it existed)
  std::vector<std::string> inputs;
  std::vector<std::string> input_kinds;  // "parameter", "trend" or "event", per input
  std::uint64_t out_of_range = 0;        // values beyond the accumulators' scale, counted as 0
  std::vector<OutputSensitivity> first_order;
  std::vector<BindingByInput> binding_by_decile;   // parameters and trends
  std::vector<BindingByInput> binding_by_firings;  // events
};

// One batch boundary of `run --target-se` (docs/sensitivity.md, section 5): the paths so far,
// the named statistic's estimate from them and its Monte Carlo standard error.
struct TargetSeStep {
  std::uint64_t paths = 0;
  double estimate = 0.0;
  double se = 0.0;
};

// What `run --target-se X --for SPEC` asked for and where it stopped.
struct TargetSeRecord {
  std::string for_spec;   // "VARIABLE:YEAR" or "STAGE.binding_share:YEAR"
  std::string statistic;  // "mean", "p90", …
  double target = 0.0;    // X
  double achieved = 0.0;  // the SE at the stopping point
  double estimate = 0.0;  // the statistic there
  std::uint64_t paths = 0;
  bool met = false;       // achieved ≤ target (false: stopped at the --paths cap)
  std::vector<TargetSeStep> batches;
};

struct Summary {
  std::string scenario;
  std::uint64_t paths = 0;
  std::uint64_t seed = 0;
  std::string backend;
  std::string precision;  // "reference" or "mixed" (precision.hpp)
  std::string device;
  int threads = 0;
  double seconds = 0.0;        // wall time of simulation and reduction
  std::vector<int> years;
  std::vector<double> quantile_levels;
  // Per level: the probability that the level's interval covers the true quantile (≥ 0.95, or
  // less where P is too small and the interval is clipped to the sample's range). Empty when
  // the summary carries no intervals.
  std::vector<double> quantile_ci_coverage;
  std::vector<VariableSummary> variables;
  std::vector<StageSummary> stages;
  std::vector<ThresholdResult> thresholds;
  std::vector<std::string> notes;  // things the user should know, e.g. a repaired correlation matrix
  std::vector<NonfiniteCount> nonfinite;  // only the variable-years with a count above zero
  // Empty where the route does not compute them (the CUDA backend; convergence: streaming runs).
  std::vector<ValueHistogram> distributions;
  std::vector<ConvergenceTrace> convergence;
  // content_digest() of the scenario.json written beside summary.json; readers that pair the
  // two check it (empty for a Summary not written to a run directory).
  std::string scenario_digest;
  SensitivitySection sensitivity{};
  std::optional<TargetSeRecord> target_se;  // only for a run with --target-se

  const VariableSummary* find_variable(const std::string& name) const;
  const StageSummary* find_stage(const std::string& name) const;
};

}  // namespace chokepoint
