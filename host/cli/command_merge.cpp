// chokepoint merge DIR... --out DIR [--quiet]
// Combines shard directories (run --shard I/N) into the single-process summary, or writes the
// refine plan of the quantiles' next pass for the shards to run (docs/scale.md). Shards of
// `sensitivity --shard I/N` are merged into sobol.json and sobol.csv instead.
#include <cstdio>
#include <memory>

#include "analyse/sobol_files.hpp"
#include "analyse/sobol_shards.hpp"
#include "chokepoint/scale.hpp"
#include "commands.hpp"
#include "terminal_table.hpp"

namespace chokepoint::cli {

namespace {

struct MergeArguments {
  std::vector<std::string> shards;
  std::string out = "out";
  bool quiet = false;
};

int execute_sobol_merge(const MergeArguments& arguments) {
  const SobolAnalysis analysis = merge_sobol_shards(arguments.shards, arguments.out);
  if (!arguments.quiet) {
    std::fputs(sobol_table_text(analysis).c_str(), stdout);
    std::printf("wrote %s/sobol.json and %s/sobol.csv\n", arguments.out.c_str(), arguments.out.c_str());
  }
  return kExitSuccess;
}

int execute_merge(const MergeArguments& arguments) {
  // The first folder tells which kind of shards these are; a folder of the other kind is then
  // refused by the merge as one without the expected partial file.
  if (!arguments.shards.empty() && is_sobol_shard(arguments.shards.front())) return execute_sobol_merge(arguments);
  const MergeOutcome outcome = merge_shards(arguments.shards, arguments.out);
  if (!outcome.finished) {
    // Not an error: the exact quantiles need one more pass over the shards' paths.
    std::printf("pass %d needed: run every shard again with the same arguments plus --refine %s,\n"
                "then run this merge again (docs/scale.md)\n",
                outcome.next_pass, outcome.refine_plan.c_str());
    return kExitSuccess;
  }
  if (!arguments.quiet) {
    std::fputs(terminal_table(outcome.summary).c_str(), stdout);
    std::printf("wrote %s/summary.json and %s/summary.csv\n", arguments.out.c_str(), arguments.out.c_str());
  }
  return kExitSuccess;
}

}  // namespace

Command add_merge_command(CLI::App& app) {
  auto arguments = std::make_shared<MergeArguments>();
  CLI::App* command = app.add_subcommand(
      "merge", "combine shard directories (run --shard I/N) into DIR/summary.json, or write the next refine plan; "
      "sensitivity --shard I/N shards into DIR/sobol.json");
  command->add_option("shards", arguments->shards, "shard directories, in any order")->required();
  command->add_option("--out", arguments->out, "output directory (default out)");
  command->add_flag("--quiet", arguments->quiet, "no table");
  return Command{command, [arguments] { return execute_merge(*arguments); }};
}

}  // namespace chokepoint::cli
