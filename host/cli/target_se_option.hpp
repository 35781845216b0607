// The command line of `run --target-se X --for SPEC` (docs/sensitivity.md, section 5): the two
// options checked against the scenario and the other options, the per-batch progress lines and
// the exit code; the search itself is reduce/target_se_run.hpp.
#pragma once

#include <optional>
#include <string>

#include "chokepoint/engine.hpp"
#include "reduce/target_se_run.hpp"

namespace chokepoint::cli {

struct TargetSearchRequest {
  TargetSpec spec;
  double se = 0.0;
};

// What the run's arguments say about a target search: nothing when neither --target-se nor
// --for is given. Checked before anything runs or is written; InputError (exit 2) otherwise.
struct TargetSearchArguments {
  std::string target_se;
  std::string target_for;
  std::string shard;       // refused with a search
  std::string checkpoint;  // refused with a search
};
std::optional<TargetSearchRequest> target_search_request(const TargetSearchArguments& arguments, const Scenario& scenario);

// One line per batch on stderr, like the other long runs' progress (stdout keeps the table).
void print_target_step(const TargetSearchRequest& target, const TargetSeStep& step);

// "met at N paths" on stdout (unless quiet) and exit 0; or a warning on stderr and exit 4.
int report_target(const TargetSearchRequest& target, const TargetSeRecord& record, bool quiet);

}  // namespace chokepoint::cli
