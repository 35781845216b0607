// chokepoint run SCENARIO.json [--paths N] [--seed S] [--backend auto|cpu|cuda] [--threads T]
//                [--out DIR] [--quiet] [--report] [--per-path N]
//                [--shard I/N [--refine PLAN]] [--checkpoint DIR [--checkpoint-every N]]
//                [--memory-for-paths MIB]
#include <cstdio>
#include <memory>

#include <algorithm>

#include "chokepoint/engine.hpp"
#include "chokepoint/report.hpp"
#include "chokepoint/scale.hpp"
#include "chokepoint/summary_io.hpp"
#include "chokepoint/trajectory_csv.hpp"
#include "commands.hpp"
#include "progress_bar.hpp"
#include "terminal_table.hpp"

namespace chokepoint::cli {

namespace {

struct RunArguments {
  std::string file;
  std::uint64_t paths = 100000;
  std::uint64_t seed = 1;
  std::string backend = "auto";
  int threads = 0;
  std::string out = "out";
  bool quiet = false;
  bool report = false;             // also write DIR/report.html
  std::uint64_t per_path = 0;      // also write the first N paths' trajectories to DIR/paths.csv
  std::string shard;               // "I/N": run one shard's pass into DIR (docs/scale.md)
  std::string refine;              // with --shard: the refine plan a merge wrote
  std::string checkpoint;          // commit progress to this directory; resume from it
  std::uint64_t checkpoint_every = 0;
  std::uint64_t memory_for_paths_mib = 1024;
};

void reject_with(const std::string& argument, const std::string& other, bool given) {
  if (given)
    throw InputError({InputProblem{"(arguments)", argument, "no " + other + " with " + argument, other + " given"}});
}

// --shard: one pass of one shard, into DIR/partial-<pass>.bin; merge makes the summary.
int execute_shard(const RunArguments& arguments, const Scenario& scenario, RunOptions options) {
  reject_with("--shard", "--checkpoint", !arguments.checkpoint.empty());
  reject_with("--shard", "--report", arguments.report);
  reject_with("--shard", "--per-path", arguments.per_path > 0);
  reject_with("--shard", "--backend cuda", arguments.backend == "cuda");
  const ShardSpec shard = parse_shard(arguments.shard);
  const int pass = run_shard(scenario, options, shard, arguments.out, arguments.refine);
  if (!arguments.quiet)
    std::printf("\nwrote %s/partial-%d.bin (shard %s, pass %d); combine with: chokepoint merge DIR... --out DIR\n",
                arguments.out.c_str(), pass, arguments.shard.c_str(), pass);
  return kExitSuccess;
}

int execute_run(const RunArguments& arguments) {
  const Scenario scenario = load_scenario(arguments.file);
  RunOptions options;
  options.paths = arguments.paths;
  options.seed = arguments.seed;
  options.backend = arguments.backend;
  options.threads = arguments.threads;
  ProgressBar bar(scenario.name);
  if (!arguments.quiet) options.progress = [&bar](double fraction) { bar.update(fraction); };
  options.keep_paths_up_to_bytes = arguments.memory_for_paths_mib << 20;
  if (!arguments.shard.empty()) return execute_shard(arguments, scenario, options);
  if (!arguments.refine.empty())
    throw InputError({InputProblem{"(arguments)", "--refine", "--refine together with --shard I/N (the shard it refines)",
                                   "--refine without --shard"}});
  Summary summary;
  if (!arguments.checkpoint.empty()) {
    reject_with("--checkpoint", "--backend cuda", arguments.backend == "cuda");
    summary = run_checkpointed(scenario, options, arguments.checkpoint, arguments.checkpoint_every);
    summary.backend = "cpu";
    summary.threads = arguments.threads;
    summary.device = "CPU, checkpointed in " + arguments.checkpoint;
  } else {
    summary = run(scenario, options);
  }
  write_run_directory(arguments.out, scenario, summary);
  if (!arguments.quiet) {
    std::fputs(terminal_table(summary).c_str(), stdout);
    std::printf("wrote %s/summary.json and %s/summary.csv\n", arguments.out.c_str(), arguments.out.c_str());
  }
  if (arguments.per_path > 0) {
    write_trajectory_csv(arguments.out, scenario, arguments.seed, std::min(arguments.per_path, arguments.paths));
    if (!arguments.quiet) std::printf("wrote %s/paths.csv\n", arguments.out.c_str());
  }
  if (arguments.report) {
    const std::string written = write_report(arguments.out);
    if (!arguments.quiet) std::printf("wrote %s\n", written.c_str());
  }
  return kExitSuccess;
}

}  // namespace

Command add_run_command(CLI::App& app) {
  auto arguments = std::make_shared<RunArguments>();
  CLI::App* command = app.add_subcommand("run", "simulate a scenario and write DIR/summary.json and DIR/summary.csv");
  command->add_option("scenario", arguments->file, "scenario JSON file")->required();
  command->add_option("--paths", arguments->paths, "number of Monte Carlo paths (default 100000)")
      ->check(CLI::Validator([](std::string& text) { return text.find_first_not_of("0123456789") == std::string::npos && text.find_first_not_of('0') != std::string::npos ? std::string() : "expected a whole number of paths ≥ 1, found \"" + text + "\""; }, "N ≥ 1"));
  command->add_option("--seed", arguments->seed, "random seed, 64-bit (default 1)");
  command->add_option("--backend", arguments->backend, "auto (GPU when present), cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  command->add_option("--threads", arguments->threads, "CPU threads (default 0: all cores)")
      ->check(CLI::NonNegativeNumber);
  command->add_option("--out", arguments->out, "output directory (default out)");
  command->add_flag("--quiet", arguments->quiet, "no progress bar and no table");
  command->add_flag("--report", arguments->report, "also write DIR/report.html (see chokepoint report)");
  command->add_option("--per-path", arguments->per_path,
                      "also write the first N paths' step-by-step trajectories to DIR/paths.csv");
  command->add_option("--shard", arguments->shard,
                      "run only shard I of N (paths [I·P/N, (I+1)·P/N)) into DIR; see chokepoint merge");
  command->add_option("--refine", arguments->refine, "with --shard: run the pass of this refine plan (from merge)");
  command->add_option("--checkpoint", arguments->checkpoint,
                      "commit progress to this directory; the same command resumes after a kill");
  command->add_option("--checkpoint-every", arguments->checkpoint_every,
                      "paths between checkpoint commits (default 262144)")
      ->check(CLI::PositiveNumber);
  command->add_option("--memory-for-paths", arguments->memory_for_paths_mib,
                      "MiB the CPU backend may use to keep every path (one pass); beyond it, streaming (default 1024)");
  return Command{command, [arguments] { return execute_run(*arguments); }};
}

}  // namespace chokepoint::cli
