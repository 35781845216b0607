// The result of a run as plain C++ types (MODEL.md §7, §9): what summary.json holds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace chokepoint {

struct YearStatistics {
  int year = 0;
  double mean = 0.0;
  double sd = 0.0;      // sample standard deviation across paths (divisor P − 1)
  double se = 0.0;      // Monte Carlo standard error of the mean, sd / √P
  std::vector<double> quantiles;  // at Summary::quantile_levels, numpy's `linear` rule
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
  std::vector<VariableSummary> variables;
  std::vector<StageSummary> stages;
  std::vector<ThresholdResult> thresholds;
  std::vector<std::string> notes;  // things the user should know, e.g. a repaired correlation matrix

  const VariableSummary* find_variable(const std::string& name) const;
  const StageSummary* find_stage(const std::string& name) const;
};

}  // namespace chokepoint
