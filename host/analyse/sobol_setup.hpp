// The outputs and input groups of a Sobol analysis from `chokepoint sensitivity`'s --for and
// --group arguments, resolved the same way wherever the analysis runs: chokepoint-mpi's ranks,
// a shard, and the merge that rebuilds them from what the shards stored (docs/scale.md).
#pragma once

#include <string>
#include <vector>

#include "analyse/input_groups.hpp"
#include "analyse/sensitivity_outputs.hpp"

namespace chokepoint {

struct SobolSetup {
  std::vector<SensitivityOutput> outputs;  // the --for list, or the defaults when it is empty
  std::vector<InputGroup> groups;          // the default groups with the --group overrides applied
};

// Throws InputError (exit 2) naming the argument at fault, or `file` when the scenario has no
// random input.
SobolSetup sobol_setup(const Scenario& scenario, const std::vector<std::string>& for_texts,
                       const std::vector<std::string>& group_texts, const std::string& file);

}  // namespace chokepoint
