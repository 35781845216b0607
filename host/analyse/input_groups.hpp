// The inputs of a scenario as groups for Sobol indices (docs/sensitivity.md, "Sobol indices of a
// scenario"). An input is a named random stream: "param:NAME" (an uncertain parameter, derived
// outputs' coefficients included), "factor:NAME" (a factor's e(0), trend draw and every shock)
// or "event:NAME" (an event's firings and severities). A group is a set of inputs whose streams
// pick-freeze re-keys together.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chokepoint/engine.hpp"

namespace chokepoint {

struct InputGroup {
  std::string name;
  std::vector<std::string> inputs;     // "param:…", "factor:…", "event:…"
  std::vector<std::uint32_t> streams;  // the inputs' random streams in the scenario's Model
};

// Every random input of the scenario: its qualified name and its stream, in the order
// parameters, factors, events. A factor whose σ is 0 in every year and whose τ is 0, or an event
// that can never fire and has no forced firing, draws nothing that matters and is left out.
struct ScenarioInput {
  std::string name;  // qualified, "param:cowos_yield"
  std::uint32_t stream = 0;
};
std::vector<ScenarioInput> random_inputs(const Scenario& scenario);

// The same, or with `random_only` false every input of the model, those that draw nothing
// included (resampled_streams.hpp's scenario_streams()).
std::vector<ScenarioInput> scenario_inputs(const Scenario& scenario, bool random_only);

// One group per uncorrelated parameter, per set of parameters correlated with one another
// (parameter_correlations), per uncorrelated factor, per set of correlated factors (shock or
// trend correlations), and per event. Pick-freeze replaces a group's independent normals; the
// Cholesky factor mixes those of correlated inputs, so a correlated set is kept whole.
// A group of one input is named after it (unqualified unless two kinds share the name); a set
// is named by its members joined with "+".
std::vector<InputGroup> default_input_groups(const Scenario& scenario);

// Applies `--group NAME=a,b` overrides: each names a new group of the listed inputs (bare names,
// or qualified "param:a" where a bare name is ambiguous), taken out of the groups they were in;
// groups left empty are dropped. Throws InputError (exit 2) naming the argument: no "=", an
// empty name or member list, an unknown or ambiguous input (with the closest name), an input in
// two overrides, or a group name used twice.
std::vector<InputGroup> apply_group_overrides(const Scenario& scenario, std::vector<InputGroup> groups,
                                              const std::vector<std::string>& overrides);

}  // namespace chokepoint
