// Scenario discovery over a per-path CSV (what `chokepoint discover` runs): read the table, turn
// the outcome expression into a 0/1 column, run PRIM over the chosen input columns, and describe
// the boxes in words and JSON (docs/sensitivity.md).
#pragma once

#include <string>
#include <vector>

#include "analyse/outcome_expression.hpp"
#include "analyse/prim.hpp"

namespace chokepoint {

struct DiscoveryRequest {
  std::string file;
  std::string outcome;              // e.g. "power_binding_share_2028>0.5"
  std::vector<std::string> inputs;  // empty: every numeric column but the outcome's and "path"
  PrimOptions options;
};

struct Discovery {
  std::string file;
  OutcomeExpression outcome;
  std::vector<std::string> inputs;
  std::vector<std::string> skipped_columns;  // left out of the default inputs: not numeric
  PrimResult result;
};

// Throws InputError (exit 2) naming the file, row and column, or the option (--alpha, …).
Discovery discover(const DiscoveryRequest& request);

std::string discovery_json_text(const Discovery& discovery);
std::string discovery_text(const Discovery& discovery);  // for the terminal

}  // namespace chokepoint
