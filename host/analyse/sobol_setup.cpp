#include "analyse/sobol_setup.hpp"

#include "chokepoint/errors.hpp"

namespace chokepoint {

SobolSetup sobol_setup(const Scenario& scenario, const std::vector<std::string>& for_texts,
                       const std::vector<std::string>& group_texts, const std::string& file) {
  SobolSetup setup;
  for (const std::string& text : for_texts) setup.outputs.push_back(parse_sensitivity_output(scenario, text));
  if (setup.outputs.empty()) setup.outputs = default_sensitivity_outputs(scenario);
  setup.groups = apply_group_overrides(scenario, default_input_groups(scenario), group_texts);
  if (setup.groups.empty())
    throw InputError({InputProblem{file, "(scenario)",
                                   "at least one random input (a drawn parameter, a factor with σ or τ above 0, or an "
                                   "event that can fire)",
                                   "none: every path is the same"}});
  return setup;
}

}  // namespace chokepoint
