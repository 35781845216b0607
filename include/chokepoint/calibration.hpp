// The calibration check (`chokepoint calibrate SCENARIO --targets FILE…`): does a scenario's
// median reproduce the published figures it was calibrated to, and do its tails stay within the
// limits a risk team can defend? A targets file lists median targets
// {variable, year, value, tolerance, kind, label, source} (docs/calibration.md) and tail checks
// {variable, year, quantile | probability_of, at_most, at_least, label, source | reasoning}
// (docs/uncertainty.md).
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

// A bound on a tail statistic: a fixed number, or `times` × another variable's quantile in the
// same year ("inventory p99 ≤ that year's median production").
struct TailBound {
  bool present = false;
  double value = 0.0;             // the fixed bound, when `variable` is empty
  std::string variable;           // else: times · (variable's `quantile` in the checked year)
  double quantile = 0.5;
  double times = 1.0;
};

enum class TailKind {
  quantile,     // a quantile of the variable, e.g. p99 ≤ 1.2 TW
  probability,  // the probability of a threshold event, e.g. P(produced_units ≤ 0) ≤ 1 %
};

struct TailCheck {
  std::string variable;
  int year = 0;                 // a calendar year, or kEveryYear: every year of the run
  TailKind kind = TailKind::quantile;
  double quantile = 0.99;       // kind quantile
  bool event_at_most = true;    // kind probability: the event variable ≤ event_value (else ≥)
  double event_value = 0.0;
  TailBound at_most;            // the statistic must be ≤ this …
  TailBound at_least;           // … and/or ≥ this
  std::string label;
  std::string source;           // where the limit comes from; at least one of source and
  std::string reasoning;        // reasoning is given
  static constexpr int kEveryYear = 0;
};

struct CalibrationTargets {
  std::vector<CalibrationTarget> medians;
  std::vector<TailCheck> tails;
};

// Reads a targets file: a JSON array of targets, or an object {"targets": [...]} (comments
// allowed); an entry with "quantile" or "probability_of" is a tail check, any other a median
// target. Checks every entry against the scenario's reported variables. Throws InputError
// listing every problem (file, JSON path such as targets[2].variable, expected, found).
CalibrationTargets read_calibration_targets(const std::string& file, const Scenario& scenario);

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

// One year of a tail check. MC error: the verdict is the point estimate's; the 95 % interval
// (the quantile's order-statistic interval, or the Wilson score interval of a probability) is
// shown beside it, and `decided` says whether the whole interval lies on the verdict's side.
struct TailYear {
  int year = 0;
  double estimate = 0.0;        // the quantile, or the share of paths in the event
  double ci_low = 0.0;
  double ci_high = 0.0;
  double lowest_allowed = 0.0;  // −∞ without an at_least bound
  double highest_allowed = 0.0; // +∞ without an at_most bound
  bool passed = false;
  bool decided = false;
};

struct TailRow {
  TailCheck check;
  bool skipped = false;         // its year lies outside the run
  std::vector<TailYear> years;  // one, or every year of the run
  std::size_t worst = 0;        // index into years: the year furthest past (or closest to) a bound
  bool passed = false;          // every year passed
};

struct CalibrationReport {
  std::string scenario;
  std::uint64_t paths = 0;
  std::uint64_t seed = 0;
  std::vector<CalibrationRow> rows;
  std::vector<TailRow> tails;

  bool all_passed() const;  // every target and tail check not skipped passed
};

// The quantile levels a calibration reads (5 %, 50 %, 95 %, and those the tail checks name);
// run the scenario with these among its Scenario::quantile_levels.
std::vector<double> calibration_quantile_levels(std::vector<double> levels, const std::vector<TailCheck>& tails = {});

// Prepares a scenario for calibration: adds calibration_quantile_levels() and, for each
// probability check and year, a threshold request that yields its probability. Returns how many
// threshold requests the scenario had before, so that the caller can drop the added ones from
// the Summary it writes (they are the calibration's, not the scenario's).
std::size_t prepare_calibration_run(Scenario& scenario, const CalibrationTargets& targets);

// Compares the summary's medians with the targets and its tails with the tail checks. The
// summary must come from a scenario prepared with prepare_calibration_run() (or hold the
// quantiles and thresholds that would add).
CalibrationReport check_calibration(const Summary& summary, const CalibrationTargets& targets);
CalibrationReport check_calibration(const Summary& summary, const std::vector<CalibrationTarget>& targets);

// "p99" or "P(≤ 0)": the statistic a tail check bounds. "1200000" or "produced_units p50".
std::string tail_statistic_text(const TailCheck& check);
std::string tail_bound_text(const TailBound& bound);

std::string calibration_json_text(const CalibrationReport& report);
std::string calibration_csv_text(const CalibrationReport& report);

// Writes DIR/calibration.json and DIR/calibration.csv, each atomically. Throws ResourceError.
void write_calibration(const std::string& directory, const CalibrationReport& report);

}  // namespace chokepoint
