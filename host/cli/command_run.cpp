// chokepoint run SCENARIO.json [--paths N] [--seed S] [--backend auto|cpu|cuda] [--threads T]
//                [--precision mixed|reference]
//                [--out DIR] [--force] [--quiet] [--report] [--per-path N] [--allow-nonfinite]
//                [--shard I/N [--refine PLAN]] [--checkpoint DIR [--checkpoint-every N]]
//                [--memory-for-paths MIB] [--target-se X --for VARIABLE:YEAR[:STATISTIC]]
#include <algorithm>
#include <cstdio>
#include <memory>

#include "analyse/tornado.hpp"
#include "chokepoint/engine.hpp"
#include "chokepoint/output_files.hpp"
#include "chokepoint/report.hpp"
#include "chokepoint/scale.hpp"
#include "chokepoint/summary_io.hpp"
#include "chokepoint/trajectory_csv.hpp"
#include "argument_checks.hpp"
#include "commands.hpp"
#include "progress_bar.hpp"
#include "target_se_option.hpp"
#include "terminal_table.hpp"
#include "terminal_text.hpp"

namespace chokepoint::cli {

namespace {

struct RunArguments : SimulationArguments {
  std::string file;
  std::uint64_t paths = 100000;
  std::string out;                 // default out/run-<scenario name>
  bool force = false;              // replace an existing run directory
  bool quiet = false;
  bool report = false;             // also write DIR/report.html
  bool allow_nonfinite = false;    // exit 0 even when some results are not finite
  std::uint64_t per_path = 0;      // also write the first N paths' trajectories to DIR/paths.csv
  std::string shard;               // "I/N": run one shard's pass into DIR (docs/scale.md)
  std::string refine;              // with --shard: the refine plan a merge wrote
  std::string checkpoint;          // commit progress to this directory; resume from it
  std::uint64_t checkpoint_every = 0;
  std::uint64_t memory_for_paths_mib = 1024;
  std::uint64_t tornado_paths = 4000;  // with --report: DIR/tornado.json from this many paths per run; 0: none
  std::string target_se;           // run doubling batches until this SE … (docs/sensitivity.md, section 5)
  std::string target_for;          // … of this statistic: VARIABLE:YEAR[:STATISTIC]
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
  const std::optional<TargetSearchRequest> target = target_search_request(
      {arguments.target_se, arguments.target_for, arguments.shard, arguments.checkpoint}, scenario);
  RunOptions options;
  options.paths = arguments.paths;
  arguments.apply_to(options);
  options.keep_paths_up_to_bytes = arguments.memory_for_paths_mib << 20;
  // A shard's folder gathers one partial file per pass (docs/scale.md), so it is not a run
  // directory written as a whole.
  if (!arguments.shard.empty()) {
    if (arguments.out.empty())
      throw InputError({InputProblem{"(arguments)", "--out", "--out DIR with --shard (the shard's folder)", "no --out"}});
    return execute_shard(arguments, scenario, options);
  }
  if (!arguments.refine.empty())
    throw InputError({InputProblem{"(arguments)", "--refine", "--refine together with --shard I/N (the shard it refines)",
                                   "--refine without --shard"}});
  InputFiles inputs;
  inputs.add(arguments.file);
  // Locked and checked before the simulation, so a bad --out costs no simulated time; filled in
  // a staging directory and renamed into place as a whole.
  OutputDirectory out(arguments.out.empty() ? default_output("run", scenario.name) : arguments.out, arguments.force, inputs);
  ProgressBar bar(scenario.name);
  if (!arguments.quiet) options.progress = [&bar](double fraction) { bar.update(fraction); };
  Summary summary;
  if (!arguments.checkpoint.empty()) {
    reject_with("--checkpoint", "--backend cuda", arguments.backend == "cuda");
    summary = run_checkpointed(scenario, options, arguments.checkpoint, arguments.checkpoint_every);
    summary.backend = "cpu";
    summary.precision = precision_name(options.precision);
    summary.threads = arguments.threads;
    summary.device = "CPU, checkpointed in " + arguments.checkpoint;
  } else if (target) {
    summary = run_to_target_se(scenario, options, target->spec, target->se, [&](const TargetSeStep& step) {
      if (!arguments.quiet) print_target_step(*target, step);
    });
  } else {
    summary = run(scenario, options);
  }
  write_run_directory(out.staging(), scenario, summary);
  if (arguments.per_path > 0)
    write_trajectory_csv(out.staging(), scenario, arguments.seed, std::min(arguments.per_path, summary.paths),
                         options.precision);
  if (arguments.report && arguments.tornado_paths > 0) {
    // Before the report is written, so that the report can draw it (docs/sensitivity.md, "Tornado").
    TornadoRequest tornado;
    // Never more paths per tornado run than the run made: the tornado makes 1 + 2·(parameters) runs.
    tornado.paths = std::min(arguments.tornado_paths, summary.paths);
    arguments.apply_to(tornado);
    write_file_atomically(out.staging() + "/tornado.json", tornado_json_text(compute_tornado(scenario, tornado)));
  }
  if (arguments.report) {
    ReportInputs report = read_report_inputs(out.staging());
    report.directory = out.target();  // the page names where the run will be, not the staging folder
    write_file_atomically(out.staging() + "/report.html", html_report(report));
  }
  out.commit();
  if (!arguments.quiet) {
    emit(stdout, terminal_table(summary));
    std::string wrote = "wrote " + out.target() + "/summary.json, summary.csv, scenario.json";
    if (arguments.per_path > 0) wrote += ", paths.csv, inputs.csv";
    if (arguments.report && arguments.tornado_paths > 0) wrote += ", tornado.json";
    if (arguments.report) wrote += ", report.html";
    emit(stdout, wrote + "\n");
  }
  const int nonfinite = report_nonfinite(summary, arguments.allow_nonfinite);
  if (nonfinite != kExitSuccess || !target) return nonfinite;
  return report_target(*target, *summary.target_se, arguments.quiet);
}

}  // namespace

Command add_run_command(CLI::App& app) {
  auto arguments = std::make_shared<RunArguments>();
  CLI::App* command = app.add_subcommand("run", "simulate a scenario and write a run directory (summary.json, summary.csv, scenario.json)");
  command->add_option("scenario", arguments->file, "scenario JSON file")->required();
  command->add_option("--paths", arguments->paths, "number of Monte Carlo paths (default 100000)")
      ->check(path_count());
  add_simulation_options(*command, *arguments,
                         "mixed (default: float normals and factor exp, double chain) or reference (all double)");
  command->add_option("--out", arguments->out, "run directory to create (default out/run-<scenario name>)");
  command->add_flag("--force", arguments->force, "replace the run directory if it exists");
  command->add_flag("--quiet", arguments->quiet, "no progress bar and no table");
  command->add_flag("--report", arguments->report, "also write DIR/report.html (see chokepoint report)");
  command->add_option("--tornado-paths", arguments->tornado_paths,
                      "with --report: paths per run of the tornado (DIR/tornado.json; default 4000, at most the run's paths; 0: none)")
      ->check(whole_number(0, kMaxPaths, "a number of paths"));
  command->add_option("--per-path", arguments->per_path,
                      "also write the first N paths' step-by-step trajectories to DIR/paths.csv")
      ->check(whole_number(0, kMaxPaths, "a number of paths"));
  command->add_flag("--allow-nonfinite", arguments->allow_nonfinite,
                    "exit 0 even when some results are NaN, infinite or beyond float range (default: exit 5)");
  command->add_option("--shard", arguments->shard,
                      "run only shard I of N (paths [I·P/N, (I+1)·P/N)) into DIR; see chokepoint merge");
  command->add_option("--refine", arguments->refine, "with --shard: run the pass of this refine plan (from merge)");
  command->add_option("--checkpoint", arguments->checkpoint,
                      "commit progress to this directory; the same command resumes after a kill");
  command->add_option("--checkpoint-every", arguments->checkpoint_every,
                      "paths between checkpoint commits (default 262144)")
      ->check(whole_number(1, kMaxPaths, "a number of paths"));
  // At most 2^30 MiB (1 EiB): the byte count must fit 64 bits.
  command->add_option("--memory-for-paths", arguments->memory_for_paths_mib,
                      "MiB the CPU backend may use to keep every path (one pass); beyond it, streaming (default 1024)")
      ->check(whole_number(0, std::uint64_t{1} << 30, "a number of MiB"));
  command->add_option("--target-se", arguments->target_se,
                      "run doubling batches of paths until the Monte Carlo SE of --for is at most X; --paths is the cap");
  command->add_option("--for", arguments->target_for,
                      "with --target-se: VARIABLE:YEAR[:mean|pNN] or STAGE.binding_share:YEAR");
  return Command{command, [arguments] { return execute_run(*arguments); }};
}

}  // namespace chokepoint::cli
