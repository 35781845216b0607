#include "target_se_option.hpp"

#include <cstdio>

#include "chokepoint/summary_io.hpp"
#include "commands.hpp"
#include "terminal_text.hpp"

namespace chokepoint::cli {

namespace {

std::string described(const TargetSearchRequest& target) { return target.spec.for_spec + " " + target.spec.statistic; }

[[noreturn]] void refuse(const std::string& option, const std::string& expected, const std::string& found) {
  throw InputError({InputProblem{"(arguments)", option, expected, found}});
}

}  // namespace

std::optional<TargetSearchRequest> target_search_request(const TargetSearchArguments& arguments, const Scenario& scenario) {
  if (arguments.target_se.empty() && arguments.target_for.empty()) return std::nullopt;
  if (arguments.target_for.empty()) refuse("--for", "--for VARIABLE:YEAR[:STATISTIC] with --target-se", "no --for");
  if (arguments.target_se.empty()) refuse("--target-se", "--target-se X with --for", "no --target-se");
  if (!arguments.shard.empty())
    refuse("--target-se",
           "no --shard with --target-se (a shard sees only its own paths, so it cannot tell when the whole run's "
           "standard error is reached)",
           "--shard " + arguments.shard);
  // A checkpoint commits the passes of a run of known length; a search's length is not known ahead.
  if (!arguments.checkpoint.empty()) refuse("--checkpoint", "no --target-se with --checkpoint", "--target-se given");
  TargetSearchRequest request;
  request.se = parse_target_se(arguments.target_se);
  request.spec = parse_target_spec(scenario, arguments.target_for);
  return request;
}

void print_target_step(const TargetSearchRequest& target, const TargetSeStep& step) {
  std::fprintf(stderr, "target SE: %llu paths, %s %.6g, SE %.4g %s target %.4g\n",
               static_cast<unsigned long long>(step.paths), described(target).c_str(), step.estimate, step.se,
               step.se <= target.se ? "<=" : ">", target.se);
}

// A target missed at the cap is like calibrate's missed target: the results are written, and
// the exit code (4) lets a pipeline tell that they are less precise than it asked.
int report_target(const TargetSearchRequest& target, const TargetSeRecord& record, bool quiet) {
  if (record.met) {
    if (!quiet)
      emit(stdout, "target SE " + shortest_decimal(target.se) + " met for " + described(target) + " at " +
                       std::to_string(record.paths) + " paths\n");
    return kExitSuccess;
  }
  char se[32];
  std::snprintf(se, sizeof se, "%.4g", record.achieved);
  emit(stderr, "warning: --target-se " + shortest_decimal(target.se) + " not met for " + described(target) + ": SE " +
                   se + " at the cap of " + std::to_string(record.paths) +
                   " paths (--paths); the results are written; raise --paths or the target\n");
  return kExitTargetsMissed;
}

}  // namespace chokepoint::cli
