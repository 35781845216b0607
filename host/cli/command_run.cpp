// chokepoint run SCENARIO.json [--paths N] [--seed S] [--backend auto|cpu|cuda] [--threads T]
//                [--precision mixed|reference]
//                [--out DIR] [--quiet] [--report] [--per-path N]
#include <cstdio>
#include <memory>

#include <algorithm>

#include "chokepoint/engine.hpp"
#include "chokepoint/report.hpp"
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
  std::string precision = "mixed";
  std::string out = "out";
  bool quiet = false;
  bool report = false;             // also write DIR/report.html
  std::uint64_t per_path = 0;      // also write the first N paths' trajectories to DIR/paths.csv
};

int execute_run(const RunArguments& arguments) {
  const Scenario scenario = load_scenario(arguments.file);
  RunOptions options;
  options.paths = arguments.paths;
  options.seed = arguments.seed;
  options.backend = arguments.backend;
  options.threads = arguments.threads;
  options.precision = arguments.precision == "reference" ? Precision::reference : Precision::mixed;
  ProgressBar bar(scenario.name);
  if (!arguments.quiet) options.progress = [&bar](double fraction) { bar.update(fraction); };
  const Summary summary = run(scenario, options);
  write_run_directory(arguments.out, scenario, summary);
  if (!arguments.quiet) {
    std::fputs(terminal_table(summary).c_str(), stdout);
    std::printf("wrote %s/summary.json and %s/summary.csv\n", arguments.out.c_str(), arguments.out.c_str());
  }
  if (arguments.per_path > 0) {
    write_trajectory_csv(arguments.out, scenario, arguments.seed, std::min(arguments.per_path, arguments.paths),
                         options.precision);
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
  command->add_option("--precision", arguments->precision,
                      "mixed (default: float normals and factor exp, double chain) or reference (all double)")
      ->check(CLI::IsMember({"reference", "mixed"}));
  command->add_option("--out", arguments->out, "output directory (default out)");
  command->add_flag("--quiet", arguments->quiet, "no progress bar and no table");
  command->add_flag("--report", arguments->report, "also write DIR/report.html (see chokepoint report)");
  command->add_option("--per-path", arguments->per_path,
                      "also write the first N paths' step-by-step trajectories to DIR/paths.csv");
  return Command{command, [arguments] { return execute_run(*arguments); }};
}

}  // namespace chokepoint::cli
