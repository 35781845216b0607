// Paired differences between two scenarios run with the same seed and paths (`chokepoint diff
// STRESS_DIR BASE_DIR`; docs/glossary.md, "paired difference"). Draws are keyed by the *names* of factors, events and
// parameters, so path p of the stress and path p of the base share every random number they
// have in common: the per-path difference removes the noise they share, and its standard error
// is far smaller than that of two independent runs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chokepoint/engine.hpp"

namespace chokepoint {

struct DifferenceYear {
  int year = 0;
  double stress_mean = 0.0;
  double base_mean = 0.0;
  double mean = 0.0;         // mean of the per-path differences (stress − base)
  double sd = 0.0;           // their sample sd (divisor P − 1)
  double se = 0.0;           // paired standard error of `mean`: sd / √P
  double unpaired_se = 0.0;  // what two independent runs would give: √(se_stress² + se_base²)
  std::vector<double> quantiles;  // of the per-path differences, at PairedDifference::quantile_levels
};

struct VariableDifference {
  std::string name;
  std::string unit;
  std::string kind;  // "flow" or "stock"
  std::vector<DifferenceYear> years;
};

// The change in how often a stage binds (stress − base), with paired standard errors.
struct BindingDifference {
  int year = 0;
  double binding_share = 0.0;  // change in the share of the year's steps the stage binds
  double binding_share_se = 0.0;
  double binding_any = 0.0;    // change in the probability that it binds at least once
  double binding_any_se = 0.0;
};

struct StageDifference {
  std::string name;  // "demand" or a stage present in both scenarios
  std::vector<BindingDifference> years;
};

struct PairedDifference {
  std::string stress_scenario;
  std::string base_scenario;
  std::uint64_t paths = 0;
  std::uint64_t seed = 0;
  std::vector<int> years;
  std::vector<double> quantile_levels;
  std::vector<VariableDifference> variables;  // the variables both scenarios report, in the stress's order
  std::vector<StageDifference> stages;        // "demand", then the stages both scenarios have
  std::vector<std::string> notes;             // e.g. variables only one side reports

  const VariableDifference* find_variable(const std::string& name) const;
  const StageDifference* find_stage(const std::string& name) const;
};

// Simulates both scenarios on the CPU with the same seed and paths (derived outputs included)
// and reduces the per-path differences. Deterministic, whatever the thread count. Throws
// InputError when the two scenarios simulate different calendar years or step sizes.
PairedDifference paired_difference(const Scenario& stress, const Scenario& base, std::uint64_t paths,
                                   std::uint64_t seed, int threads);

// The reduction alone, over results already simulated with `seed` (for tests and other front ends).
PairedDifference paired_difference(const Scenario& stress, PathResults& stress_results, const Scenario& base,
                                   PathResults& base_results, std::uint64_t seed, int threads);

std::string difference_json_text(const PairedDifference& difference);
// One tidy long table: variable,year,stat,value (stat = mean, se, unpaired_se, q0.05 …,
// binding_share …), like summary.csv.
std::string difference_csv_text(const PairedDifference& difference);

// Writes DIR/diff.json and DIR/diff.csv, each atomically. Throws ResourceError (exit 3).
void write_difference(const std::string& directory, const PairedDifference& difference);

}  // namespace chokepoint
