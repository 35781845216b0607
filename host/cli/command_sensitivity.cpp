// chokepoint sensitivity SCENARIO.json [--paths N] [--for VARIABLE:YEAR]... [--group NAME=a,b]...
//                        [--seed S] [--threads T] [--backend auto|cpu|cuda] [--precision mixed|reference]
//                        [--bootstrap R] [--tornado [--tornado-paths P]] [--out DIR] [--force] [--quiet]
//                        [--shard I/N --out DIR]
// Sobol first-order and total indices of the scenario's input groups by pick-freeze through
// re-keyed streams (docs/sensitivity.md): DIR/sobol.json, DIR/sobol.csv, a table sorted by total
// index; with --tornado also DIR/tornado.json. With --shard, only the sums of shard I's base
// samples, into DIR/sobol-partial.bin; `chokepoint merge` makes sobol.json of them (docs/scale.md).
#include <cstdio>
#include <memory>

#include "analyse/sobol_files.hpp"
#include "analyse/sobol_shards.hpp"
#include "analyse/sobol_run.hpp"
#include "analyse/tornado.hpp"
#include "chokepoint/engine.hpp"
#include "chokepoint/output_files.hpp"
#include "argument_checks.hpp"
#include "commands.hpp"
#include "progress_bar.hpp"
#include "terminal_text.hpp"

namespace chokepoint::cli {

namespace {

struct SensitivityArguments : SimulationArguments {
  std::string file;
  std::uint64_t base_samples = 1000;
  int bootstrap = 1000;
  std::vector<std::string> outputs;  // --for
  std::vector<std::string> groups;   // --group
  bool tornado = false;
  std::uint64_t tornado_paths = 4000;
  std::string out;                   // default out/sensitivity-<scenario name>
  bool force = false;
  bool quiet = false;
  std::string shard;                 // "I/N": only this shard's sums, into DIR (docs/scale.md)
};

void refuse_with_shard(bool refused, const std::string& argument, const std::string& expected, const std::string& found) {
  if (refused) throw InputError({InputProblem{"(arguments)", argument, expected, found}});
}

// --shard: the Sobol sums of one shard's base samples, into DIR/sobol-partial.bin.
int execute_shard(const SensitivityArguments& arguments, const Scenario& scenario) {
  refuse_with_shard(arguments.out.empty(), "--out", "--out DIR with --shard (the shard's folder)", "no --out");
  refuse_with_shard(arguments.tornado, "--tornado", "no --tornado with --shard: run the tornado once, unsharded",
                    "--tornado with --shard");
  refuse_with_shard(arguments.backend == "cuda", "--backend", "--backend auto or cpu with --shard: shards simulate on "
                    "the CPU", "--backend cuda");
  const ShardSpec shard = parse_shard(arguments.shard);
  SobolRequest request;
  request.base_samples = arguments.base_samples;
  arguments.apply_to(request);
  request.bootstrap = arguments.bootstrap;
  ProgressBar bar("sensitivity shard " + arguments.shard);
  if (!arguments.quiet) request.progress = [&bar](double fraction) { bar.update(fraction); };
  const PathRange range = run_sobol_shard(scenario, {arguments.outputs, arguments.groups}, request, shard, arguments.out);
  if (!arguments.quiet)
    emit(stdout, "wrote " + arguments.out + "/" + kSobolPartialName + " (shard " + arguments.shard + ": base samples [" +
                     std::to_string(range.begin) + ", " + std::to_string(range.end) +
                     ")); combine with: chokepoint merge DIR... --out DIR\n");
  return kExitSuccess;
}

int execute_sensitivity(const SensitivityArguments& arguments) {
  const Scenario scenario = load_scenario(arguments.file);
  if (!arguments.shard.empty()) return execute_shard(arguments, scenario);
  // Every argument is checked before a path is simulated.
  std::vector<SensitivityOutput> outputs;
  for (const std::string& text : arguments.outputs) outputs.push_back(parse_sensitivity_output(scenario, text));
  if (outputs.empty()) outputs = default_sensitivity_outputs(scenario);
  const std::vector<InputGroup> groups =
      apply_group_overrides(scenario, default_input_groups(scenario), arguments.groups);
  if (groups.empty())
    throw InputError({InputProblem{arguments.file, "(scenario)",
                                   "at least one random input (a drawn parameter, a factor with σ or τ above 0, or an "
                                   "event that can fire)",
                                   "none: every path is the same"}});
  InputFiles inputs;
  inputs.add(arguments.file);
  OutputDirectory out(arguments.out.empty() ? default_output("sensitivity", scenario.name) : arguments.out,
                      arguments.force, inputs);

  SobolRequest request;
  request.base_samples = arguments.base_samples;
  arguments.apply_to(request);
  request.bootstrap = arguments.bootstrap;
  const std::uint64_t paths = sobol_paths(groups.size(), arguments.base_samples);
  if (!arguments.quiet)
    emit(stdout, scenario.name + ": " + std::to_string(groups.size()) + " input groups, " +
                     std::to_string(outputs.size()) + " outputs; (" + std::to_string(groups.size()) + " + 2) × " +
                     std::to_string(arguments.base_samples) + " base samples = " + std::to_string(paths) +
                     " paths to simulate\n");
  ProgressBar bar("sensitivity " + scenario.name);
  if (!arguments.quiet) request.progress = [&bar](double fraction) { bar.update(fraction); };
  const SobolAnalysis analysis = run_sobol(scenario, groups, outputs, request);
  write_sobol_files(out.staging(), scenario, analysis);

  if (arguments.tornado) {
    TornadoRequest tornado;
    tornado.paths = arguments.tornado_paths;
    arguments.apply_to(tornado);
    ProgressBar tornado_bar("tornado " + scenario.name);
    if (!arguments.quiet) tornado.progress = [&tornado_bar](double fraction) { tornado_bar.update(fraction); };
    write_file_atomically(out.staging() + "/tornado.json", tornado_json_text(compute_tornado(scenario, tornado)));
  }
  out.commit();
  if (!arguments.quiet) {
    emit(stdout, sobol_table_text(analysis));
    char timing[160];
    std::snprintf(timing, sizeof timing, "\n%llu paths in %.2f s (%.0f paths/s, %s, %d thread%s)\n",
                  static_cast<unsigned long long>(analysis.paths_simulated), analysis.seconds,
                  static_cast<double>(analysis.paths_simulated) / analysis.seconds, analysis.backend.c_str(),
                  analysis.threads, analysis.threads == 1 ? "" : "s");
    emit(stdout, timing);
    emit(stdout, "wrote " + out.target() + "/sobol.json, sobol.csv, scenario.json" +
                     (arguments.tornado ? ", tornado.json" : "") + "\n");
  }
  return kExitSuccess;
}

}  // namespace

Command add_sensitivity_command(CLI::App& app) {
  auto arguments = std::make_shared<SensitivityArguments>();
  CLI::App* command = app.add_subcommand(
      "sensitivity", "Sobol indices of input groups by pick-freeze (DIR/sobol.json, sobol.csv; --tornado: tornado.json)");
  command->add_option("scenario", arguments->file, "scenario JSON file")->required();
  command->add_option("--paths", arguments->base_samples,
                      "base samples N (default 1000); the run simulates (groups + 2) × N paths")
      ->check(whole_number(2, kMaxPaths, "a number of base samples"));
  command->add_option("--for", arguments->outputs,
                      "VARIABLE:YEAR or STAGE.binding_share:YEAR, repeatable (default: the headline variables in "
                      "the middle and last year, each stage's binding share in the middle year)");
  command->add_option("--group", arguments->groups,
                      "NAME=INPUT,INPUT,… : one group of these inputs (parameters, factors, events), repeatable");
  add_simulation_options(*command, *arguments, "mixed (default) or reference, as for run");
  command->add_option("--bootstrap", arguments->bootstrap, "bootstrap replicates of the 95% intervals (default 1000)")
      ->check(whole_number(2, 100000, "a number of replicates"));
  CLI::Option* tornado =
      command->add_flag("--tornado", arguments->tornado,
                        "also write DIR/tornado.json: median swing with each parameter at its 10th vs 90th percentile");
  command->add_option("--tornado-paths", arguments->tornado_paths, "paths per tornado run (default 4000)")
      ->check(whole_number(1, kMaxPaths, "a number of paths"))
      ->needs(tornado);
  command->add_option("--out", arguments->out, "directory to create (default out/sensitivity-<scenario name>)");
  command->add_flag("--force", arguments->force, "replace the directory if it exists");
  command->add_flag("--quiet", arguments->quiet, "no progress bar and no table");
  command->add_option("--shard", arguments->shard,
                      "only the sums of shard I of N's base samples, into DIR (--out); see chokepoint merge");
  return Command{command, [arguments] { return execute_sensitivity(*arguments); }};
}

}  // namespace chokepoint::cli
