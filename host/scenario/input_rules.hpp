// Rules a scenario must meet before it is compiled (names, free text, section sizes) and after
// (reported variable names distinct). docs/errors.md lists them with the limits.
#pragma once

#include <string>

#include "chokepoint/engine.hpp"
#include "scenario/input_problems.hpp"

namespace chokepoint {

// True for a name of factor, stage, event, derived output, parameter or scenario: 1 to
// kMaxNameBytes of ASCII letters, digits, '_' and '-', starting with a letter or digit. Names
// become variable names ("cowos.used"), CSV fields, file names and random-stream keys, so they
// hold nothing that a shell, a spreadsheet (= + - @), a CSV reader or a terminal would act on,
// and no '.', which separates a stage's name from what is reported about it.
bool is_valid_name(const std::string& name);

// Checks the names, units, description and section sizes of `document` (extends applied) and
// throws InputError listing every problem. Run before compiling, so that the compiler's work
// on a section is bounded by these limits.
void check_names_and_limits(const Json& document, const std::string& file);

// Throws InputError when two stages or derived outputs would be reported under one variable name
// (a stage "used" and a stage "capacity_units" both give "capacity_units.used").
void check_reported_names(const Scenario& scenario);

}  // namespace chokepoint
