// chokepoint run SCENARIO.json [--paths N] [--seed S] [--backend auto|cpu|cuda] [--threads T]
//                [--precision mixed|reference]
//                [--out DIR] [--force] [--quiet] [--report] [--per-path N] [--allow-nonfinite]
#include <algorithm>
#include <cstdio>
#include <memory>

#include "chokepoint/engine.hpp"
#include "chokepoint/output_files.hpp"
#include "chokepoint/report.hpp"
#include "chokepoint/summary_io.hpp"
#include "chokepoint/trajectory_csv.hpp"
#include "argument_checks.hpp"
#include "commands.hpp"
#include "progress_bar.hpp"
#include "terminal_table.hpp"
#include "terminal_text.hpp"

namespace chokepoint::cli {

namespace {

struct RunArguments {
  std::string file;
  std::uint64_t paths = 100000;
  std::uint64_t seed = 1;
  std::string backend = "auto";
  int threads = 0;
  std::string precision = "mixed";
  std::string out;                 // default out/run-<scenario name>
  bool force = false;              // replace an existing run directory
  bool quiet = false;
  bool report = false;             // also write DIR/report.html
  bool allow_nonfinite = false;    // exit 0 even when some results are not finite
  std::uint64_t per_path = 0;      // also write the first N paths' trajectories to DIR/paths.csv
};

int execute_run(const RunArguments& arguments) {
  const Scenario scenario = load_scenario(arguments.file);
  InputFiles inputs;
  inputs.add(arguments.file);
  // Locked and checked before the simulation, so a bad --out costs no simulated time; filled in
  // a staging directory and renamed into place as a whole.
  OutputDirectory out(arguments.out.empty() ? default_output("run", scenario.name) : arguments.out, arguments.force, inputs);
  RunOptions options;
  options.paths = arguments.paths;
  options.seed = arguments.seed;
  options.backend = arguments.backend;
  options.threads = arguments.threads;
  options.precision = arguments.precision == "reference" ? Precision::reference : Precision::mixed;
  ProgressBar bar(scenario.name);
  if (!arguments.quiet) options.progress = [&bar](double fraction) { bar.update(fraction); };
  const Summary summary = run(scenario, options);
  write_run_directory(out.staging(), scenario, summary);
  if (arguments.per_path > 0)
    write_trajectory_csv(out.staging(), scenario, arguments.seed, std::min(arguments.per_path, arguments.paths),
                         options.precision);
  if (arguments.report) {
    ReportInputs report = read_report_inputs(out.staging());
    report.directory = out.target();  // the page names where the run will be, not the staging folder
    write_file_atomically(out.staging() + "/report.html", html_report(report));
  }
  out.commit();
  if (!arguments.quiet) {
    emit(stdout, terminal_table(summary));
    std::string wrote = "wrote " + out.target() + "/summary.json, summary.csv, scenario.json";
    if (arguments.per_path > 0) wrote += ", paths.csv";
    if (arguments.report) wrote += ", report.html";
    emit(stdout, wrote + "\n");
  }
  return report_nonfinite(summary, arguments.allow_nonfinite);
}

}  // namespace

Command add_run_command(CLI::App& app) {
  auto arguments = std::make_shared<RunArguments>();
  CLI::App* command = app.add_subcommand("run", "simulate a scenario and write a run directory (summary.json, summary.csv, scenario.json)");
  command->add_option("scenario", arguments->file, "scenario JSON file")->required();
  command->add_option("--paths", arguments->paths, "number of Monte Carlo paths (default 100000)")
      ->check(path_count());
  command->add_option("--seed", arguments->seed, "random seed, 64-bit (default 1)")->check(seed_value());
  command->add_option("--backend", arguments->backend, "auto (GPU when present), cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  add_threads_option(*command, arguments->threads);
  command->add_option("--precision", arguments->precision,
                      "mixed (default: float normals and factor exp, double chain) or reference (all double)")
      ->check(CLI::IsMember({"reference", "mixed"}));
  command->add_option("--out", arguments->out, "run directory to create (default out/run-<scenario name>)");
  command->add_flag("--force", arguments->force, "replace the run directory if it exists");
  command->add_flag("--quiet", arguments->quiet, "no progress bar and no table");
  command->add_flag("--report", arguments->report, "also write DIR/report.html (see chokepoint report)");
  command->add_option("--per-path", arguments->per_path,
                      "also write the first N paths' step-by-step trajectories to DIR/paths.csv")
      ->check(whole_number(0, kMaxPaths, "a number of paths"));
  command->add_flag("--allow-nonfinite", arguments->allow_nonfinite,
                    "exit 0 even when some results are NaN, infinite or beyond float range (default: exit 5)");
  return Command{command, [arguments] { return execute_run(*arguments); }};
}

}  // namespace chokepoint::cli
