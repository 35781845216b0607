// What several commands share: the --threads option and the other simulation options, the
// non-finite policy, default folders.
#include <string>

#include "chokepoint/output_files.hpp"
#include "argument_checks.hpp"
#include "commands.hpp"
#include "terminal_text.hpp"

namespace chokepoint::cli {

void add_threads_option(CLI::App& command, int& threads, const std::string& purpose) {
  command.add_option("--threads", threads, purpose + " (default 0: all cores; at most " + std::to_string(kMaxThreads) + ")")
      ->check(thread_count());
}

void add_simulation_options(CLI::App& command, SimulationArguments& arguments) {
  command.add_option("--seed", arguments.seed, "random seed, 64-bit (default 1)")->check(seed_value());
  command.add_option("--backend", arguments.backend, "auto (GPU when present), cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  add_threads_option(command, arguments.threads);
}

void add_simulation_options(CLI::App& command, SimulationArguments& arguments, const std::string& precision_help) {
  add_simulation_options(command, arguments);
  command.add_option("--precision", arguments.precision, precision_help)->check(CLI::IsMember({"reference", "mixed"}));
}

int report_nonfinite(const Summary& summary, bool allowed) {
  if (summary.nonfinite.empty()) return kExitSuccess;
  std::uint64_t nonfinite = 0, saturated = 0;
  for (const NonfiniteCount& count : summary.nonfinite) {
    nonfinite += count.nonfinite_paths;
    saturated += count.saturated_paths;
  }
  std::string text = std::string(allowed ? "warning" : "error") + ": " + summary.scenario + ": results that are not finite numbers in " +
                     std::to_string(summary.nonfinite.size()) + " variable-year" + (summary.nonfinite.size() == 1 ? "" : "s") +
                     " (" + std::to_string(nonfinite) + " non-finite, " + std::to_string(saturated) +
                     " beyond float range and saturated; summary.json \"nonfinite\" lists them all):\n";
  constexpr std::size_t kShown = 10;
  for (std::size_t i = 0; i < summary.nonfinite.size() && i < kShown; ++i) {
    const NonfiniteCount& count = summary.nonfinite[i];
    text += "  " + count.variable + " " + std::to_string(count.year) + ": " + std::to_string(count.nonfinite_paths) +
            " of " + std::to_string(summary.paths) + " paths non-finite, " + std::to_string(count.saturated_paths) +
            " saturated\n";
  }
  if (summary.nonfinite.size() > kShown) text += "  … and " + std::to_string(summary.nonfinite.size() - kShown) + " more\n";
  if (!allowed) text += "the results were written; pass --allow-nonfinite to accept them with exit code 0\n";
  emit(stderr, text);
  return allowed ? kExitSuccess : kExitNonfinite;
}

std::string default_output(const std::string& command, const std::string& name) {
  return "out/" + command + "-" + safe_folder_name(name);
}

}  // namespace chokepoint::cli
