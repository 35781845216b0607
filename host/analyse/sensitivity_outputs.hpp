// The outputs a sensitivity analysis explains: a reported variable in one calendar year
// ("produced_units:2027") or a stage's binding share in one year ("power.binding_share:2028",
// the share of that year's steps in which the stage binds, per path).
#pragma once

#include <string>
#include <vector>

#include "chokepoint/engine.hpp"

namespace chokepoint {

struct SensitivityOutput {
  std::string label;         // "produced_units:2027"
  std::string variable;      // "produced_units", or "power.binding_share"
  std::string unit;          // the variable's unit; "share of steps" for a binding share
  int variable_index = -1;   // into Scenario::variables, or −1 for a binding share
  int binding_code = -1;     // 0 demand, 1 + k stage k (PathResults::binding_column), or −1
  int year_index = 0;
  int year = 0;              // calendar year
};

// The variables a reader asks about first (reduce/headline_variables.hpp), in that order, where
// the scenario reports them.
std::vector<std::string> headline_variable_names(const Scenario& scenario);

// "VARIABLE:YEAR". Throws InputError (exit 2) naming `argument` for a missing ":", an unknown
// variable or stage (with the closest name) or a year outside the run.
SensitivityOutput parse_sensitivity_output(const Scenario& scenario, const std::string& text,
                                           const std::string& argument = "--for");

// By default: each headline variable in the middle year (index years/2, as the report) and the
// last year, and each stage's binding share in the middle year.
std::vector<SensitivityOutput> default_sensitivity_outputs(const Scenario& scenario);

// The output's value on path `slot` of `results`.
double output_value(const PathResults& results, const SensitivityOutput& output, std::uint64_t slot,
                    int steps_per_year);

}  // namespace chokepoint
