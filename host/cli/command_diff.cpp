// chokepoint diff STRESS_DIR BASE_DIR [--out DIR] [--force] [--threads T]
// Re-simulates the two runs' scenarios (scenario.json in each run directory) with their common
// seed and path count, and reports the paired per-path differences stress − base
// (docs/glossary.md, "paired difference").
#include <cmath>
#include <cstdio>
#include <memory>

#include "chokepoint/engine.hpp"
#include "chokepoint/number_format.hpp"
#include "chokepoint/output_files.hpp"
#include "chokepoint/paired_difference.hpp"
#include "chokepoint/summary_io.hpp"
#include "commands.hpp"
#include "terminal_table.hpp"
#include "terminal_text.hpp"

namespace chokepoint::cli {

namespace {

struct DiffArguments {
  std::string stress_directory;
  std::string base_directory;
  std::string out;  // default out/diff-<stress>-vs-<base>
  bool force = false;
  int threads = 0;
};

// Two runs can be paired only path for path: the same seed, path count and calendar years.
void require_pairable(const Summary& stress, const std::string& stress_directory, const Summary& base,
                      const std::string& base_directory) {
  const std::string file = stress_directory + "/summary.json";
  std::vector<InputProblem> problems;
  if (stress.paths != base.paths)
    problems.push_back(InputProblem{file, "paths", "the same number of paths as " + base_directory + " (" +
                                    std::to_string(base.paths) + ")", std::to_string(stress.paths)});
  if (stress.seed != base.seed)
    problems.push_back(InputProblem{file, "seed", "the same seed as " + base_directory + " (" + std::to_string(base.seed) + ")",
                                    std::to_string(stress.seed)});
  if (stress.years != base.years) {
    const auto span = [](const Summary& s) {
      return s.years.empty() ? std::string("no years") : std::to_string(s.years.front()) + "–" + std::to_string(s.years.back());
    };
    problems.push_back(InputProblem{file, "years", "the same years as " + base_directory + " (" + span(base) + ")", span(stress)});
  }
  if (!problems.empty()) throw InputError(problems);
}

// Formatted as `run`'s table formats figures: money and power keep their unit in the cell
// ("+$12.1 B ± $0.3 B ($2.9 B)"), counts name theirs in the heading ("+1.2 M ± 3.4 k (5.6 k)").
std::string change_cell(const DifferenceYear& y, const std::string& full_unit) {
  const std::string unit = unit_in_cells(full_unit);
  return (y.mean > 0 ? "+" : "") + quantity_text(y.mean, unit) + " ± " + quantity_text(y.se, unit) + " (" +
         quantity_text(y.unpaired_se, unit) + ")";
}

// A few headline variables by year: mean change ± paired SE (unpaired SE), then the stage whose
// binding share moved most.
std::string difference_table(const PairedDifference& difference) {
  const std::vector<const char*> headline{"produced_units", "deployed_units", "installed_base", "revenue"};
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "%s − %s: %llu paths, seed %llu; mean change ± paired SE (unpaired SE)\n",
                difference.stress_scenario.c_str(), difference.base_scenario.c_str(),
                static_cast<unsigned long long>(difference.paths), static_cast<unsigned long long>(difference.seed));
  out += line;
  std::snprintf(line, sizeof line, "%-6s", "year");
  out += line;
  for (const char* name : headline) {
    if (!difference.find_variable(name)) continue;
    const VariableDifference* variable = difference.find_variable(name);
    const std::string heading =
        std::string(name) + (unit_in_cells(variable->unit).empty() ? " (" + variable->unit + ")" : std::string());
    std::snprintf(line, sizeof line, "  %-30s", heading.c_str());
    out += line;
  }
  out += "  largest binding-share change\n";
  for (std::size_t y = 0; y < difference.years.size(); ++y) {
    std::snprintf(line, sizeof line, "%-6d", difference.years[y]);
    out += line;
    for (const char* name : headline) {
      const VariableDifference* variable = difference.find_variable(name);
      if (!variable) continue;
      std::snprintf(line, sizeof line, "  %-30s", change_cell(variable->years[y], variable->unit).c_str());
      out += line;
    }
    const StageDifference* largest = nullptr;
    for (const StageDifference& stage : difference.stages)
      if (!largest || std::fabs(stage.years[y].binding_share) > std::fabs(largest->years[y].binding_share)) largest = &stage;
    if (largest) {
      std::snprintf(line, sizeof line, "  %s %+.2f", largest->name.c_str(), largest->years[y].binding_share);
      out += line;
    }
    out += '\n';
  }
  for (const std::string& note : difference.notes) out += "note: " + note + "\n";
  return out;
}

int execute_diff(const DiffArguments& arguments) {
  const Summary stress_summary = read_summary(arguments.stress_directory);
  const Summary base_summary = read_summary(arguments.base_directory);
  require_pairable(stress_summary, arguments.stress_directory, base_summary, arguments.base_directory);
  // Each scenario.json must be the one its summary.json was made from (digest): a directory
  // left half-replaced by hand must not be paired as if it were one run.
  const Scenario stress = read_run_scenario(arguments.stress_directory, stress_summary);
  const Scenario base = read_run_scenario(arguments.base_directory, base_summary);
  InputFiles inputs;
  for (const std::string& directory : {arguments.stress_directory, arguments.base_directory})
    for (const char* file : {"summary.json", "scenario.json"}) inputs.add(directory + "/" + file);
  OutputDirectory out(arguments.out.empty() ? default_output("diff", stress.name + "-vs-" + base.name) : arguments.out,
                      arguments.force, inputs);
  const PairedDifference difference =
      paired_difference(stress, base, stress_summary.paths, stress_summary.seed, arguments.threads);
  write_difference(out.staging(), difference);
  out.commit();
  emit(stdout, difference_table(difference));
  emit(stdout, "wrote " + out.target() + "/diff.json and diff.csv\n");
  return kExitSuccess;
}

}  // namespace

Command add_diff_command(CLI::App& app) {
  auto arguments = std::make_shared<DiffArguments>();
  CLI::App* command = app.add_subcommand(
      "diff", "paired (common random numbers) differences STRESS − BASE of two run directories; writes DIR/diff.json and DIR/diff.csv");
  command->add_option("stress", arguments->stress_directory, "run directory of the stress (from chokepoint run)")->required();
  command->add_option("base", arguments->base_directory, "run directory of the base (same paths and seed)")->required();
  command->add_option("--out", arguments->out, "output directory to create (default out/diff-<stress>-vs-<base>)");
  command->add_flag("--force", arguments->force, "replace the output directory if it exists");
  add_threads_option(*command, arguments->threads);
  return Command{command, [arguments] { return execute_diff(*arguments); }};
}

}  // namespace chokepoint::cli
