// Each subcommand of the CLI lives in its own file (host/cli/command_*.cpp) and registers itself
// here: it adds its CLI11 subcommand and returns what to run when that subcommand is chosen.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <vector>

namespace chokepoint::cli {

// Exit codes of MODEL.md §9.
inline constexpr int kExitSuccess = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitResource = 3;

struct Command {
  CLI::App* subcommand = nullptr;
  std::function<int()> execute;
};

Command add_validate_command(CLI::App& app);
Command add_run_command(CLI::App& app);
Command add_diff_command(CLI::App& app);
Command add_calibrate_command(CLI::App& app);
Command add_report_command(CLI::App& app);
Command add_merge_command(CLI::App& app);

}  // namespace chokepoint::cli
