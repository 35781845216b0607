// Gathers what the report shows from run directories: the summary, a calibration when one was
// written, and with a comparison the other run and the differences — paired where possible.
#include <cmath>
#include <filesystem>

#include "chokepoint/engine.hpp"
#include "chokepoint/report.hpp"
#include "chokepoint/summary_io.hpp"
#include "output/result_readers.hpp"
#include "report/driver_inputs.hpp"

namespace chokepoint {

namespace fs = std::filesystem;

namespace {

const YearStatistics* year_of(const VariableSummary& variable, int year) {
  for (const YearStatistics& stats : variable.years)
    if (stats.year == year) return &stats;
  return nullptr;
}

const StageYear* year_of(const StageSummary& stage, int year) {
  for (const StageYear& stats : stage.years)
    if (stats.year == year) return &stats;
  return nullptr;
}

// Differences of means from two summaries alone. Without the per-path values the two runs'
// noise cannot cancel, so the standard error is the unpaired √(se_a² + se_b²).
PairedDifference unpaired_difference(const Summary& stress, const Summary& base) {
  PairedDifference difference;
  difference.stress_scenario = stress.scenario;
  difference.base_scenario = base.scenario;
  difference.paths = stress.paths;
  difference.seed = stress.seed;
  for (int year : stress.years)
    for (int base_year : base.years)
      if (year == base_year) difference.years.push_back(year);
  for (const VariableSummary& variable : stress.variables) {
    const VariableSummary* other = base.find_variable(variable.name);
    if (!other) continue;
    VariableDifference row{variable.name, variable.unit, variable.kind, {}};
    for (int year : difference.years) {
      const YearStatistics* a = year_of(variable, year);
      const YearStatistics* b = year_of(*other, year);
      if (!a || !b) continue;  // read_summary guarantees every year; a Summary built otherwise may not
      DifferenceYear y;
      y.year = year;
      y.stress_mean = a->mean;
      y.base_mean = b->mean;
      y.mean = a->mean - b->mean;
      y.unpaired_se = std::sqrt(a->se * a->se + b->se * b->se);
      y.se = y.unpaired_se;
      y.sd = std::nan("");
      row.years.push_back(y);
    }
    difference.variables.push_back(row);
  }
  for (const StageSummary& stage : stress.stages) {
    const StageSummary* other = base.find_stage(stage.name);
    if (!other) continue;
    StageDifference row{stage.name, {}};
    for (int year : difference.years) {
      const StageYear* a = year_of(stage, year);
      const StageYear* b = year_of(*other, year);
      if (!a || !b) continue;
      row.years.push_back(BindingDifference{
          year, a->binding_share - b->binding_share, std::hypot(a->binding_share_se, b->binding_share_se),
          a->binding_any - b->binding_any, std::hypot(a->binding_any_se, b->binding_any_se)});
    }
    difference.stages.push_back(row);
  }
  return difference;
}

bool pairs(const PairedDifference& difference, const Summary& stress, const Summary& base) {
  return difference.stress_scenario == stress.scenario && difference.base_scenario == base.scenario &&
         difference.paths == stress.paths && difference.seed == stress.seed;
}

// Why two runs cannot be paired path for path, or "" when they can (the same seed,
// paths and calendar years, so path p of each shares its random numbers: draws are keyed by
// seed, name, path and step; docs/glossary.md, "paired difference").
std::string why_unpairable(const Summary& stress, const Summary& base) {
  if (stress.seed != base.seed) return "the runs used different seeds";
  if (stress.paths != base.paths) return "the runs have different path counts";
  if (stress.years != base.years) return "the runs cover different years";
  return "";
}

void add_comparison(ReportInputs& inputs, const ReportOptions& options) {
  inputs.baseline_directory = options.compare_directory;
  inputs.baseline = read_summary(options.compare_directory);
  const Summary& stress = inputs.summary;
  const Summary& base = *inputs.baseline;

  const fs::path diff_file =
      fs::path(options.difference_directory.empty() ? inputs.directory : options.difference_directory) / "diff.json";
  if (fs::exists(diff_file)) {
    try {
      PairedDifference difference = read_difference_file(diff_file.string());
      if (pairs(difference, stress, base)) {
        inputs.difference = std::move(difference);
        inputs.difference_is_paired = true;
        inputs.difference_source = "paired differences from " + diff_file.string() + " (chokepoint diff)";
        return;
      }
      inputs.notes.push_back(diff_file.string() + " compares other runs (" + difference.stress_scenario + " − " +
                             difference.base_scenario + "); not used");
    } catch (const std::exception& error) {
      inputs.notes.push_back(std::string(error.what()) + "; not used");
    }
  }

  std::string reason = why_unpairable(stress, base);
  if (reason.empty() && stress.paths > options.max_resimulated_paths)
    reason = "re-simulating " + std::to_string(stress.paths) + " paths for pairing exceeds the report's limit of " +
             std::to_string(options.max_resimulated_paths) + "; run `chokepoint diff " + inputs.directory + " " +
             inputs.baseline_directory + " --out DIFF_DIR` and pass --diff DIFF_DIR";
  if (reason.empty()) {
    try {
      const Scenario stress_scenario = read_run_scenario(inputs.directory, stress);
      const Scenario base_scenario = read_run_scenario(inputs.baseline_directory, base);
      inputs.difference = paired_difference(stress_scenario, base_scenario, stress.paths, stress.seed, options.threads);
      inputs.difference_is_paired = true;
      inputs.difference_source = "paired differences, re-simulated from both runs' scenario.json (" +
                                 std::to_string(stress.paths) + " paths, seed " + std::to_string(stress.seed) + ")";
      return;
    } catch (const std::exception& error) {
      reason = std::string("re-simulation failed: ") + error.what();
    }
  }
  inputs.difference = unpaired_difference(stress, base);
  inputs.difference_is_paired = false;
  inputs.difference_source = "unpaired differences of means, standard error √(se_a² + se_b²): " + reason;
}

}  // namespace

ReportInputs read_report_inputs(const std::string& directory, const ReportOptions& options) {
  ReportInputs inputs;
  inputs.directory = directory;
  inputs.summary = read_summary(directory);

  const fs::path calibration_file = fs::path(directory) / "calibration.json";
  if (fs::exists(calibration_file)) {
    try {
      inputs.calibration = read_calibration_file(calibration_file.string());
    } catch (const std::exception& error) {
      inputs.notes.push_back(std::string(error.what()) + "; calibration section skipped");
    }
  }
  // Unlike a calibration, these are part of the run itself: a bad one is an error, not a note.
  const fs::path tornado_file = fs::path(directory) / "tornado.json";
  if (fs::exists(tornado_file)) inputs.tornado = report::read_tornado_file(tornado_file.string());
  inputs.sensitivity = report::read_sensitivity_section((fs::path(directory) / "summary.json").string());
  if (!options.compare_directory.empty()) add_comparison(inputs, options);
  return inputs;
}

std::string write_report(const std::string& directory, const ReportOptions& options, std::string out_path) {
  const ReportInputs inputs = read_report_inputs(directory, options);
  if (out_path.empty()) out_path = (fs::path(directory) / "report.html").string();
  const fs::path parent = fs::path(out_path).parent_path();
  std::error_code error;
  if (!parent.empty()) fs::create_directories(parent, error);
  if (error) throw ResourceError("cannot create the directory " + parent.string() + ": " + error.message());
  write_file_atomically(out_path, html_report(inputs));
  return out_path;
}

}  // namespace chokepoint
