// Helpers shared by the tests: scenario text builders and running the CLI.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "chokepoint/engine.hpp"

namespace chokepoint::testing {

inline std::string source_path(const std::string& relative) { return std::string(CHOKEPOINT_SOURCE_DIR) + "/" + relative; }

// A scratch directory of this test alone: ctest runs tests as separate processes in parallel,
// so a fixed name would let two tests overwrite each other's files.
inline std::string unique_test_directory(const std::string& prefix) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return ::testing::TempDir() + prefix + "_" + info->test_suite_name() + "_" + info->name() + "_" +
         std::to_string(::getpid());
}

// unique_test_directory, emptied of what an earlier run of the same test left and created.
inline std::filesystem::path fresh_test_directory(const std::string& prefix) {
  const std::filesystem::path directory = unique_test_directory(prefix);
  std::filesystem::remove_all(directory);
  std::filesystem::create_directories(directory);
  return directory;
}

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Single quotes for a path in a shell command line (test paths hold no quote).
inline std::string quoted(const std::string& text) { return "'" + text + "'"; }

inline std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void write_text(const std::filesystem::path& file, const std::string& text) {
  std::ofstream(file, std::ios::binary) << text;
}

// Writes `text` to `directory`/`name`, making the folders `name` names; returns the file's path.
inline std::string write_file_in(const std::filesystem::path& directory, const std::string& name, const std::string& text) {
  const std::filesystem::path file = directory / name;
  std::filesystem::create_directories(file.parent_path());
  write_text(file, text);
  return file.string();
}

// Runs a shell command, its stdout and stderr together (the command redirects stderr itself).
inline CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return result;
  char buffer[4096];
  std::size_t read = 0;
  while ((read = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, read);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// Runs the chokepoint CLI with `arguments` (already shell-quoted where needed), after `prefix`
// (a wrapper command such as "timeout 20 ").
inline CommandResult run_cli_prefixed(const std::string& prefix, const std::string& arguments) {
  return run_command(prefix + std::string(CHOKEPOINT_CLI) + " " + arguments + " 2>&1");
}

#ifdef CHOKEPOINT_MPI_CLI
// chokepoint-mpi with `arguments` under mpirun with `ranks` ranks (as root in a container, and
// more ranks than cores allowed).
inline CommandResult run_mpi(int ranks, const std::string& arguments) {
  return run_command(std::string(CHOKEPOINT_MPIRUN) + " --allow-run-as-root --oversubscribe -n " +
                     std::to_string(ranks) + " " + CHOKEPOINT_MPI_CLI + " " + arguments + " 2>&1");
}
#endif

inline CommandResult run_cli(const std::string& arguments) { return run_cli_prefixed("", arguments); }

// A one-factor, one-flow-stage scenario; `extra` is spliced in at the top level, and
// `demand_factor` replaces the demand factor's definition.
inline std::string minimal_scenario(const std::string& demand_factor = R"({"growth": 0.5, "sigma": 0.0})",
                                    int steps_per_year = 4, int years = 3, const std::string& extra = "") {
  return std::string(R"({
  "name": "minimal",
  "time": {"start_year": 2025, "years": )") + std::to_string(years) + R"(, "steps_per_year": )" +
         std::to_string(steps_per_year) + R"(},
  "factors": {"token_demand": )" + demand_factor + R"(, "throughput": {"growth": 0.0, "sigma": 0.0}},
  "demand": {"tokens_per_year": 1e15, "factor": "token_demand"},
  "throughput": {"tokens_per_year_per_unit": 1e9, "factor": "throughput"},
  "useful_life_years": 5,
  "price": {"usd_per_million_tokens": 1.0},
  "initial": {"installed_base_units": 1e6},
  "stages": {"cowos": {"type": "flow", "capacity_per_year": 1e12, "per_unit": 1.0}})" +
         extra + "\n}";
}

}  // namespace chokepoint::testing
