// chokepoint calibrate SCENARIO --targets FILE [--paths N] [--seed S] [--backend B] [--threads T]
//                     [--out DIR] [--force] [--allow-nonfinite]
// Runs the scenario and compares each target figure with the model's median and 5–95 % band.
// Exit 0 when every target is met, 4 when one is missed (the run itself worked), 5 when some
// results are not finite, 2 on bad input (docs/errors.md).
#include <cstdio>
#include <memory>

#include "chokepoint/calibration.hpp"
#include "chokepoint/engine.hpp"
#include "chokepoint/number_format.hpp"
#include "chokepoint/output_files.hpp"
#include "chokepoint/summary_io.hpp"
#include "commands.hpp"
#include "terminal_table.hpp"
#include "terminal_text.hpp"

namespace chokepoint::cli {

namespace {

struct CalibrateArguments {
  std::string scenario;
  std::string targets;
  std::uint64_t paths = 100000;
  std::uint64_t seed = 1;
  std::string backend = "auto";
  int threads = 0;
  std::string out;  // default out/calibrate-<scenario name>
  bool force = false;
  bool allow_nonfinite = false;
};

// Figures in the variable's unit, as `run` and `diff` print them ("$312 B", "61.2 GW").
std::string figure_text(const CalibrationTarget& target, const std::string& unit) {
  return (target.kind == TargetKind::about ? "≈ " : "≥ ") + quantity_text(target.value, unit);
}

std::string unit_of(const Summary& summary, const std::string& variable) {
  const VariableSummary* found = summary.find_variable(variable);
  return found ? found->unit : "";
}

std::string result_text(const CalibrationRow& row) {
  if (row.skipped) return "skipped (outside the run)";
  char text[64];
  std::snprintf(text, sizeof text, "%s (%+.0f%%)", row.passed ? "pass" : row.median < row.lowest_allowed ? "MISS low" : "MISS high",
                (row.median / row.target.value - 1.0) * 100.0);
  return text;
}

// One row per target: variable, year, the figure, what the check allows, the model's median and
// 5–95 % band, and whether it passed.
std::string calibration_table(const CalibrationReport& report, const Summary& summary) {
  std::string out;
  char line[768];
  std::snprintf(line, sizeof line, "calibration of %s: %llu paths, seed %llu\n", report.scenario.c_str(),
                static_cast<unsigned long long>(report.paths), static_cast<unsigned long long>(report.seed));
  out += line;
  std::snprintf(line, sizeof line, "%-26s %-5s %-10s %-20s %-10s %-24s %s\n", "variable", "year", "figure", "allowed median",
                "median", "5–95% band", "result");
  out += line;
  for (const CalibrationRow& row : report.rows) {
    const std::string unit = unit_of(summary, row.target.variable);
    const std::string allowed = row.skipped ? "" : quantity_range_text(row.lowest_allowed, row.highest_allowed, unit);
    const std::string median = row.skipped ? "" : quantity_text(row.median, unit);
    const std::string band = row.skipped ? "" : quantity_range_text(row.low, row.high, unit);
    // "≈"/"≥" and "–" are three bytes but one column: pad by hand so the columns line up.
    std::snprintf(line, sizeof line, "%-26s %-5d %-12s %-22s %-10s %-24s %s\n", row.target.variable.c_str(),
                  row.target.year, figure_text(row.target, unit).c_str(), allowed.c_str(), median.c_str(), band.c_str(),
                  result_text(row).c_str());
    out += line;
  }
  std::size_t missed = 0, skipped = 0;
  for (const CalibrationRow& row : report.rows) {
    missed += !row.skipped && !row.passed;
    skipped += row.skipped;
  }
  std::snprintf(line, sizeof line, "%zu of %zu targets met, %zu missed, %zu skipped\n",
                report.rows.size() - missed - skipped, report.rows.size() - skipped, missed, skipped);
  out += line;
  return out;
}

int execute_calibrate(const CalibrateArguments& arguments) {
  Scenario scenario = load_scenario(arguments.scenario);
  const std::vector<CalibrationTarget> targets = read_calibration_targets(arguments.targets, scenario);
  scenario.quantile_levels = calibration_quantile_levels(scenario.quantile_levels);
  InputFiles inputs;
  inputs.add(arguments.scenario);
  inputs.add(arguments.targets);
  OutputDirectory out(arguments.out.empty() ? default_output("calibrate", scenario.name) : arguments.out, arguments.force,
                      inputs);
  RunOptions options;
  options.paths = arguments.paths;
  options.seed = arguments.seed;
  options.backend = arguments.backend;
  options.threads = arguments.threads;
  const Summary summary = run(scenario, options);
  const CalibrationReport report = check_calibration(summary, targets);
  write_run_directory(out.staging(), scenario, summary);
  write_calibration(out.staging(), report);
  out.commit();
  emit(stdout, calibration_table(report, summary));
  emit(stdout, "wrote " + out.target() + "/calibration.json, calibration.csv and the run's summary\n");
  const int nonfinite = report_nonfinite(summary, arguments.allow_nonfinite);
  if (nonfinite != kExitSuccess) return nonfinite;
  return report.all_passed() ? kExitSuccess : kExitTargetsMissed;
}

}  // namespace

Command add_calibrate_command(CLI::App& app) {
  auto arguments = std::make_shared<CalibrateArguments>();
  CLI::App* command = app.add_subcommand(
      "calibrate", "run a scenario and check its medians against target figures; exit 4 when a target is missed");
  command->add_option("scenario", arguments->scenario, "scenario JSON file")->required();
  command->add_option("--targets", arguments->targets, "targets JSON file (e.g. scenarios/targets/seed.json)")->required();
  command->add_option("--paths", arguments->paths, "number of Monte Carlo paths (default 100000)")->check(CLI::PositiveNumber);
  command->add_option("--seed", arguments->seed, "random seed, 64-bit (default 1)");
  command->add_option("--backend", arguments->backend, "auto (GPU when present), cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  add_threads_option(*command, arguments->threads);
  command->add_option("--out", arguments->out, "output directory to create (default out/calibrate-<scenario name>)");
  command->add_flag("--force", arguments->force, "replace the output directory if it exists");
  command->add_flag("--allow-nonfinite", arguments->allow_nonfinite,
                    "do not fail (exit 5) when some results are NaN, infinite or beyond float range");
  return Command{command, [arguments] { return execute_calibrate(*arguments); }};
}

}  // namespace chokepoint::cli
