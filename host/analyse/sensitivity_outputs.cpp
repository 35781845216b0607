#include "analyse/sensitivity_outputs.hpp"

#include <algorithm>

#include "reduce/headline_variables.hpp"
#include "scenario/input_problems.hpp"

namespace chokepoint {

namespace {

constexpr const char* kBindingShare = ".binding_share";

std::vector<std::string> binding_codes(const Scenario& scenario) {
  std::vector<std::string> codes{"demand"};
  codes.insert(codes.end(), scenario.stage_names.begin(), scenario.stage_names.end());
  return codes;
}

SensitivityOutput output_of(const Scenario& scenario, const std::string& variable, int year_index) {
  SensitivityOutput output;
  output.variable = variable;
  output.year_index = year_index;
  output.year = scenario.model->start_year + year_index;
  output.label = variable + ":" + std::to_string(output.year);
  output.variable_index = scenario.variable_index(variable);
  if (output.variable_index >= 0) {
    output.unit = scenario.variables[static_cast<std::size_t>(output.variable_index)].unit;
    return output;
  }
  const std::vector<std::string> codes = binding_codes(scenario);
  for (std::size_t code = 0; code < codes.size(); ++code)
    if (variable == codes[code] + kBindingShare) output.binding_code = static_cast<int>(code);
  output.unit = "share of steps";
  return output;
}

}  // namespace

std::vector<std::string> headline_variable_names(const Scenario& scenario) {
  std::vector<std::string> names;
  for (const char* name : kHeadlineVariables)
    if (scenario.variable_index(name) >= 0) names.emplace_back(name);
  return names;
}

SensitivityOutput parse_sensitivity_output(const Scenario& scenario, const std::string& text,
                                           const std::string& argument) {
  const auto fail = [&](const std::string& expected, const std::string& found) {
    throw InputError({InputProblem{"(arguments)", argument + " " + printable(text), expected, found}});
  };
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    fail("VARIABLE:YEAR, e.g. produced_units:2027 or power.binding_share:2028", "\"" + printable(text) + "\"");
  const std::string variable = text.substr(0, colon);
  const std::string year_text = text.substr(colon + 1);

  std::vector<std::string> known;
  for (const VariableInfo& info : scenario.variables) known.push_back(info.name);
  for (const std::string& code : binding_codes(scenario)) known.push_back(code + kBindingShare);
  if (std::find(known.begin(), known.end(), variable) == known.end()) {
    const std::string near = closest_match(variable, known);
    fail("a reported variable or STAGE.binding_share" + (near.empty() ? std::string() : "; did you mean \"" + near + "\"?"),
         "\"" + printable(variable) + "\"");
  }
  const int first = scenario.model->start_year, last = first + scenario.model->years - 1;
  const std::string years = "a calendar year of the run, " + std::to_string(first) + " to " + std::to_string(last);
  if (year_text.size() > 6 || !std::all_of(year_text.begin(), year_text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    fail(years, "\"" + printable(year_text) + "\"");
  const int year = std::stoi(year_text);
  if (year < first || year > last) fail(years, std::to_string(year));
  return output_of(scenario, variable, year - first);
}

std::vector<SensitivityOutput> default_sensitivity_outputs(const Scenario& scenario) {
  const int years = scenario.model->years;
  std::vector<int> year_indices{years / 2};
  if (years - 1 != years / 2) year_indices.push_back(years - 1);
  std::vector<SensitivityOutput> outputs;
  for (const std::string& name : headline_variable_names(scenario))
    for (int y : year_indices) outputs.push_back(output_of(scenario, name, y));
  for (const std::string& stage : scenario.stage_names) outputs.push_back(output_of(scenario, stage + kBindingShare, years / 2));
  return outputs;
}

double output_value(const PathResults& results, const SensitivityOutput& output, std::uint64_t slot, int steps_per_year) {
  if (output.variable_index >= 0) return results.column(output.variable_index, output.year_index)[slot];
  return static_cast<double>(results.binding_column(output.binding_code, output.year_index)[slot]) / steps_per_year;
}

}  // namespace chokepoint
