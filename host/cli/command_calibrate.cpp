// chokepoint calibrate SCENARIO --targets FILE [--targets FILE…] [--paths N] [--seed S]
//                     [--backend B] [--threads T] [--out DIR] [--force] [--allow-nonfinite]
// Runs the scenario and compares each target figure with the model's median and 5–95 % band,
// and each tail check's bound with the model's quantile or event probability (docs/uncertainty.md).
// Exit 0 when every target and check is met, 4 when one is missed (the run itself worked), 5 when
// some results are not finite, 2 on bad input (docs/errors.md).
#include <cmath>
#include <cstdio>
#include <memory>

#include "analyse/calibration_counts.hpp"
#include "chokepoint/calibration.hpp"
#include "chokepoint/engine.hpp"
#include "chokepoint/number_format.hpp"
#include "chokepoint/output_files.hpp"
#include "chokepoint/summary_io.hpp"
#include "argument_checks.hpp"
#include "commands.hpp"
#include "terminal_table.hpp"
#include "terminal_text.hpp"

namespace chokepoint::cli {

namespace {

// Calibration runs in the default precision: SimulationArguments' --precision is not offered.
struct CalibrateArguments : SimulationArguments {
  std::string scenario;
  std::vector<std::string> targets;
  std::uint64_t paths = 100000;
  std::string out;  // default out/calibrate-<scenario name>
  bool force = false;
  bool allow_nonfinite = false;
};

std::string percent_number(double share) {
  if (!std::isfinite(share)) return "n/a";
  char text[32];
  std::snprintf(text, sizeof text, "%.3g%%", share * 100.0);
  return text;
}

// A quantile in the variable's unit ("1.2 TW"), a probability as a percentage.
std::string tail_value_text(double value, TailKind kind, const std::string& unit) {
  return kind == TailKind::quantile ? quantity_text(value, unit) : percent_number(value);
}

std::string bound_text(const TailBound& bound, TailKind kind, const std::string& unit) {
  if (!bound.variable.empty()) return tail_bound_text(bound);
  return tail_value_text(bound.value, kind, unit);
}

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

std::string tail_check_text(const TailCheck& check, const std::string& unit) {
  std::string text = tail_statistic_text(check);
  if (check.at_least.present) text += " ≥ " + bound_text(check.at_least, check.kind, unit);
  if (check.at_most.present)
    text += (check.at_least.present ? ", ≤ " : " ≤ ") + bound_text(check.at_most, check.kind, unit);
  return text;
}

// One row per tail check, its worst year for an every-year check. `*` marks a verdict that the
// 95 % interval does not settle: more paths would.
std::string tail_table(const CalibrationReport& report, const Summary& summary) {
  std::string out = "\ntail checks (judged on the point estimate; 95% interval beside it)\n";
  char line[1024];
  std::snprintf(line, sizeof line, "%-26s %-12s %-34s %-10s %-24s %s\n", "variable", "year", "check", "model",
                "95% interval", "result");
  out += line;
  for (const TailRow& row : report.tails) {
    const TailCheck& check = row.check;
    const std::string unit = unit_of(summary, check.variable);
    std::string year = check.year == TailCheck::kEveryYear ? "every" : std::to_string(check.year);
    std::string model, interval, result = "skipped (outside the run)";
    if (!row.skipped) {
      const TailYear& worst = row.years[row.worst];
      if (check.year == TailCheck::kEveryYear) year += " (" + std::to_string(worst.year) + ")";
      const auto value = [&check, &unit](double x) { return tail_value_text(x, check.kind, unit); };
      model = value(worst.estimate);
      interval = value(worst.ci_low) + " – " + value(worst.ci_high);
      const std::size_t failed_years = missed_years(row);
      result = row.passed ? "pass" : "MISS";
      if (!worst.decided) result += "*";
      if (check.year == TailCheck::kEveryYear && failed_years > 0)
        result += " (" + std::to_string(failed_years) + " of " + std::to_string(row.years.size()) + " years)";
    }
    // "≤", "≥", "–" are three bytes but one column: pad by hand so the columns line up.
    const auto pad = [](const std::string& text, std::size_t columns) {
      std::size_t shown = 0;
      for (unsigned char c : text) shown += (c & 0xC0) != 0x80;
      return text + std::string(shown < columns ? columns - shown : 0, ' ');
    };
    out += pad(check.variable, 26) + " " + pad(year, 12) + " " + pad(tail_check_text(check, unit), 34) + " " + pad(model, 10) +
           " " + pad(interval, 24) + " " + result + "\n";
  }
  const CheckCounts counts = count_checks(report.tails);
  std::snprintf(line, sizeof line, "%zu of %zu tail checks met, %zu missed, %zu skipped\n", counts.passed, counts.checked,
                counts.missed(), counts.skipped);
  out += line;
  out += "(year in brackets: the worst year of an every-year check; *: the 95% interval straddles the bound)\n";
  return out;
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
  const CheckCounts counts = count_checks(report.rows);
  std::snprintf(line, sizeof line, "%zu of %zu targets met, %zu missed, %zu skipped\n", counts.passed, counts.checked,
                counts.missed(), counts.skipped);
  out += line;
  if (!report.tails.empty()) out += tail_table(report, summary);
  return out;
}

int execute_calibrate(const CalibrateArguments& arguments) {
  Scenario scenario = load_scenario(arguments.scenario);
  CalibrationTargets targets;
  InputFiles inputs;
  inputs.add(arguments.scenario);
  for (const std::string& file : arguments.targets) {
    CalibrationTargets more = read_calibration_targets(file, scenario);
    targets.medians.insert(targets.medians.end(), more.medians.begin(), more.medians.end());
    targets.tails.insert(targets.tails.end(), more.tails.begin(), more.tails.end());
    inputs.add(file);
  }
  const std::size_t scenario_thresholds = prepare_calibration_run(scenario, targets);
  OutputDirectory out(arguments.out.empty() ? default_output("calibrate", scenario.name) : arguments.out, arguments.force,
                      inputs);
  RunOptions options;
  options.paths = arguments.paths;
  arguments.apply_to(options);
  Summary summary = run(scenario, options);
  const CalibrationReport report = check_calibration(summary, targets);
  // The thresholds the tail checks added are the calibration's, reported in calibration.json;
  // the run directory keeps what the scenario itself asks for.
  summary.thresholds.resize(scenario_thresholds);
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
      "calibrate", "run a scenario and check its medians against target figures and its tails against limits; exit 4 when "
      "one is missed");
  command->add_option("scenario", arguments->scenario, "scenario JSON file")->required();
  command->add_option("--targets", arguments->targets,
                      "targets JSON file; repeat to check several (e.g. scenarios/targets/seed.json and tails.json)")
      ->required()
      ->allow_extra_args(false);  // one file per --targets, so a scenario after it stays the scenario
  command->add_option("--paths", arguments->paths, "number of Monte Carlo paths (default 100000)")->check(path_count());
  add_simulation_options(*command, *arguments);
  command->add_option("--out", arguments->out, "output directory to create (default out/calibrate-<scenario name>)");
  command->add_flag("--force", arguments->force, "replace the output directory if it exists");
  command->add_flag("--allow-nonfinite", arguments->allow_nonfinite,
                    "do not fail (exit 5) when some results are NaN, infinite or beyond float range");
  return Command{command, [arguments] { return execute_calibrate(*arguments); }};
}

}  // namespace chokepoint::cli
