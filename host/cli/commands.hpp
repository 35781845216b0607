// Each subcommand of the CLI lives in its own file (host/cli/command_*.cpp) and registers itself
// here: it adds its CLI11 subcommand and returns what to run when that subcommand is chosen.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "chokepoint/precision.hpp"
#include "chokepoint/summary.hpp"

namespace chokepoint::cli {

// Exit codes, the same for every command (docs/errors.md has the table).
inline constexpr int kExitSuccess = 0;
inline constexpr int kExitFailure = 1;        // an internal error: a bug to report
inline constexpr int kExitBadInput = 2;       // a scenario, file or argument to fix
inline constexpr int kExitResource = 3;       // memory, disk, device, threads, a busy output
inline constexpr int kExitTargetsMissed = 4;  // calibrate ran, and a target was missed
inline constexpr int kExitNonfinite = 5;      // the run finished, but some results are not finite numbers


struct Command {
  CLI::App* subcommand = nullptr;
  std::function<int()> execute;
};

Command add_validate_command(CLI::App& app);
Command add_run_command(CLI::App& app);
Command add_diff_command(CLI::App& app);
Command add_calibrate_command(CLI::App& app);
Command add_report_command(CLI::App& app);
Command add_discover_command(CLI::App& app);
Command add_merge_command(CLI::App& app);
Command add_sensitivity_command(CLI::App& app);

// --threads T, checked against kMaxThreads, for every command that simulates.
void add_threads_option(CLI::App& command, int& threads, const std::string& purpose = "CPU threads");

// How run, sensitivity and calibrate simulate their paths: the same options, defaults and checks
// in each.
struct SimulationArguments {
  std::uint64_t seed = 1;
  std::string backend = "auto";     // auto, cpu or cuda
  int threads = 0;                  // 0: all cores
  std::string precision = "mixed";  // mixed or reference

  Precision chosen_precision() const { return precision == "reference" ? Precision::reference : Precision::mixed; }

  // Sets the four in what the command hands the engine: RunOptions, SobolRequest, TornadoRequest.
  template <class Request>
  void apply_to(Request& request) const {
    request.seed = seed;
    request.backend = backend;
    request.threads = threads;
    request.precision = chosen_precision();
  }
};

// --seed, --backend and --threads, in that order: for calibrate, which runs in the default precision.
void add_simulation_options(CLI::App& command, SimulationArguments& arguments);

// The same, then --precision, which `precision_help` describes for this command.
void add_simulation_options(CLI::App& command, SimulationArguments& arguments, const std::string& precision_help);

// The non-finite policy (docs/errors.md): every variable-year with non-finite or saturated
// paths is listed on stderr; returns kExitNonfinite unless `allowed`, else kExitSuccess.
int report_nonfinite(const Summary& summary, bool allowed);

// "out/<command>-<name>", the default output folder, from a scenario name made safe for a path.
std::string default_output(const std::string& command, const std::string& name);

}  // namespace chokepoint::cli
