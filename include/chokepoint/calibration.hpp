// The calibration check (`chokepoint calibrate SCENARIO --targets FILE`): does a scenario's
// median reproduce the published figures it was calibrated to? A targets file lists figures as
// {variable, year, value, tolerance, kind, label, source}; see docs/calibration.md.
#pragma once

#include <string>
#include <vector>

#include "chokepoint/engine.hpp"
#include "chokepoint/summary.hpp"

namespace chokepoint {

enum class TargetKind {
  about,     // "≈ X": the median lies within ±tolerance·X of X
  at_least,  // "> X": the median lies in [X, X·(1 + tolerance)]; above that the model overshoots
};

struct CalibrationTarget {
  std::string variable;  // a reported variable of the scenario, derived outputs included
  int year = 0;          // calendar year (flows: the year's total; stocks: at year end)
  double value = 0.0;
  double tolerance = 0.15;  // relative; default 0.15 for "about", 0.30 for "at_least"
  TargetKind kind = TargetKind::about;
  std::string label;     // what the figure is, in words
  std::string source;    // where it comes from
};

// Reads a targets file: a JSON array of targets, or an object {"targets": [...]} (comments
// allowed). Checks every target against the scenario's reported variables. Throws InputError
// listing every problem (file, JSON path such as targets[2].variable, expected, found).
std::vector<CalibrationTarget> read_calibration_targets(const std::string& file, const Scenario& scenario);

struct CalibrationRow {
  CalibrationTarget target;
  bool skipped = false;      // the target's year lies outside the run
  double median = 0.0;
  double low = 0.0;          // 5 % quantile
  double high = 0.0;         // 95 % quantile
  double lowest_allowed = 0.0;
  double highest_allowed = 0.0;
  bool passed = false;       // median within [lowest_allowed, highest_allowed]
};

struct CalibrationReport {
  std::string scenario;
  std::uint64_t paths = 0;
  std::uint64_t seed = 0;
  std::vector<CalibrationRow> rows;

  bool all_passed() const;  // every target not skipped passed
};

// The quantile levels a calibration reads (5 %, 50 %, 95 %); run the scenario with these among
// its Scenario::quantile_levels.
std::vector<double> calibration_quantile_levels(std::vector<double> levels);

// Compares the summary's medians with the targets. The summary must hold the 5, 50 and 95 %
// quantiles (calibration_quantile_levels).
CalibrationReport check_calibration(const Summary& summary, const std::vector<CalibrationTarget>& targets);

std::string calibration_json_text(const CalibrationReport& report);
std::string calibration_csv_text(const CalibrationReport& report);

// Writes DIR/calibration.json and DIR/calibration.csv, each atomically. Throws ResourceError.
void write_calibration(const std::string& directory, const CalibrationReport& report);

}  // namespace chokepoint
