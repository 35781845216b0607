// The chokepoint command line (MODEL.md §9): parses arguments, calls libchokepoint, prints.
// Exit codes: 0 success, 2 bad input, 3 resource or device error, 1 anything else.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "chokepoint/engine.hpp"
#include "chokepoint/summary_io.hpp"
#include "progress_bar.hpp"
#include "terminal_table.hpp"

namespace {

constexpr int kExitBadInput = 2;
constexpr int kExitResource = 3;

int command_validate(const std::string& file) {
  const chokepoint::Scenario scenario = chokepoint::load_scenario(file);
  std::printf("%s: scenario \"%s\" is valid: %zu factors, %zu stages, %zu events, %d uncertain parameters, "
              "%d years from %d at %d steps per year\n",
              file.c_str(), scenario.name.c_str(), scenario.factor_names.size(), scenario.stage_names.size(),
              scenario.event_names.size(), scenario.model->uncertain_count, scenario.model->years,
              scenario.model->start_year, scenario.model->steps_per_year);
  for (const std::string& note : scenario.notes) std::printf("note: %s\n", note.c_str());
  return 0;
}

struct RunArguments {
  std::string file;
  std::uint64_t paths = 100000;
  std::uint64_t seed = 1;
  std::string backend = "auto";
  int threads = 0;
  std::string out = "out";
  bool quiet = false;
};

int command_run(const RunArguments& arguments) {
  const chokepoint::Scenario scenario = chokepoint::load_scenario(arguments.file);
  chokepoint::RunOptions options;
  options.paths = arguments.paths;
  options.seed = arguments.seed;
  options.backend = arguments.backend;
  options.threads = arguments.threads;
  chokepoint::ProgressBar bar(scenario.name);
  if (!arguments.quiet) options.progress = [&bar](double fraction) { bar.update(fraction); };
  const chokepoint::Summary summary = chokepoint::run(scenario, options);
  chokepoint::write_summary(arguments.out, summary);
  if (!arguments.quiet) {
    std::fputs(chokepoint::terminal_table(summary).c_str(), stdout);
    std::printf("wrote %s/summary.json and %s/summary.csv\n", arguments.out.c_str(), arguments.out.c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"chokepoint: Monte Carlo scenarios of the AI-infrastructure supply chain"};
  app.require_subcommand(1);

  std::string validate_file;
  CLI::App* validate = app.add_subcommand("validate", "parse and check a scenario; print every problem; exit 2 if any");
  validate->add_option("scenario", validate_file, "scenario JSON file")->required();

  RunArguments run_arguments;
  CLI::App* run = app.add_subcommand("run", "simulate a scenario and write DIR/summary.json and DIR/summary.csv");
  run->add_option("scenario", run_arguments.file, "scenario JSON file")->required();
  run->add_option("--paths", run_arguments.paths, "number of Monte Carlo paths")->check(CLI::PositiveNumber);
  run->add_option("--seed", run_arguments.seed, "random seed (64-bit)");
  run->add_option("--backend", run_arguments.backend, "auto, cpu or cuda")->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  run->add_option("--threads", run_arguments.threads, "CPU threads (0: all cores)")->check(CLI::NonNegativeNumber);
  run->add_option("--out", run_arguments.out, "output directory");
  run->add_flag("--quiet", run_arguments.quiet, "no progress bar and no table");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : kExitBadInput;
  }
  try {
    if (*validate) return command_validate(validate_file);
    if (*run) return command_run(run_arguments);
  } catch (const chokepoint::InputError& error) {
    std::fprintf(stderr, "%s\n", error.what());
    std::fprintf(stderr, "%zu problem%s found\n", error.problems().size(), error.problems().size() == 1 ? "" : "s");
    return kExitBadInput;
  } catch (const chokepoint::ResourceError& error) {
    std::fprintf(stderr, "error: %s\n", error.what());
    return kExitResource;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "internal error: %s\n", error.what());
    return 1;
  }
  return 1;
}
