// chokepoint run SCENARIO.json [--paths N] [--seed S] [--backend auto|cpu|cuda] [--threads T]
//                [--out DIR] [--quiet]
#include <cstdio>
#include <memory>

#include "chokepoint/engine.hpp"
#include "chokepoint/summary_io.hpp"
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
};

int execute_run(const RunArguments& arguments) {
  const Scenario scenario = load_scenario(arguments.file);
  RunOptions options;
  options.paths = arguments.paths;
  options.seed = arguments.seed;
  options.backend = arguments.backend;
  options.threads = arguments.threads;
  ProgressBar bar(scenario.name);
  if (!arguments.quiet) options.progress = [&bar](double fraction) { bar.update(fraction); };
  const Summary summary = run(scenario, options);
  write_run_directory(arguments.out, scenario, summary);
  if (!arguments.quiet) {
    std::fputs(terminal_table(summary).c_str(), stdout);
    std::printf("wrote %s/summary.json and %s/summary.csv\n", arguments.out.c_str(), arguments.out.c_str());
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
  return Command{command, [arguments] { return execute_run(*arguments); }};
}

}  // namespace chokepoint::cli
