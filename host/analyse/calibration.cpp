// Calibration targets: reading them, and comparing a run's medians with them.
#include "chokepoint/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <tuple>

#include "chokepoint/csv.hpp"
#include "chokepoint/summary_io.hpp"
#include "scenario/bounded_json.hpp"
#include "scenario/input_problems.hpp"
#include "scenario/json_source.hpp"

namespace chokepoint {

namespace {

constexpr double kBandLow = 0.05, kMedian = 0.5, kBandHigh = 0.95;

// "p99", "p99.9", "p50": how risk teams name quantiles.
std::string quantile_name(double level) {
  char text[32];
  std::snprintf(text, sizeof text, "p%.10g", level * 100.0);
  return text;
}

const char* kind_name(TargetKind kind) { return kind == TargetKind::about ? "about" : "at_least"; }

class TargetReader {
 public:
  TargetReader(const std::string& file, const Scenario& scenario) : problems_(file), scenario_(scenario) {
    for (const VariableInfo& variable : scenario.variables) variable_names_.push_back(variable.name);
  }

  CalibrationTargets read(const Json& document) {
    const Json* list = &document;
    std::string path = "";
    if (document.is_object()) {
      reject_unknown_keys(document, "", {"description", "targets"}, problems_);
      if (!document.contains("targets")) problems_.add("targets", "an array of targets", "nothing (the key is missing)");
      else list = &document["targets"];
      path = "targets";
    }
    CalibrationTargets targets;
    if (!list->is_array()) {
      if (!list->is_null()) problems_.add(path, "an array of targets {variable, year, value, tolerance, kind, source}", describe(*list));
    } else {
      if (list->empty()) problems_.add(path, "at least one target or tail check", "an empty array");
      for (std::size_t i = 0; i < list->size(); ++i) {
        const Json& entry = (*list)[i];
        const std::string entry_path = path + "[" + std::to_string(i) + "]";
        if (entry.is_object() && (entry.contains("quantile") || entry.contains("probability_of")))
          read_tail_check(entry, entry_path, targets.tails);
        else
          read_target(entry, entry_path, targets.medians);
      }
    }
    problems_.throw_if_any();
    return targets;
  }

 private:
  void read_target(const Json& json, const std::string& path, std::vector<CalibrationTarget>& targets) {
    if (!json.is_object()) {
      problems_.add(path, "an object {variable, year, value, tolerance, kind, source}", describe(json));
      return;
    }
    reject_unknown_keys(json, path, {"variable", "year", "value", "tolerance", "kind", "label", "source"}, problems_);
    const std::size_t before = problems_.size();
    CalibrationTarget target;
    const Json variable = member(json, "variable", path);
    if (variable.is_string()) {
      target.variable = variable.get<std::string>();
      if (scenario_.variable_index(target.variable) < 0) {
        const std::string suggestion = closest_match(target.variable, variable_names_);
        problems_.add(join_path(path, "variable"), "a variable reported by scenario \"" + scenario_.name + "\"",
                      "\"" + target.variable + "\"" + (suggestion.empty() ? "" : " (did you mean \"" + suggestion + "\"?)"));
      }
    } else if (!variable.is_null()) {
      problems_.add(join_path(path, "variable"), "a variable name", describe(variable));
    }
    const Json year = member(json, "year", path);
    if (year.is_number_integer() && year.get<long>() >= 1000 && year.get<long>() <= 9999) target.year = year.get<int>();
    else if (!year.is_null()) problems_.add(join_path(path, "year"), "a calendar year", describe(year));
    const Json value = member(json, "value", path);
    if (value.is_number() && std::isfinite(value.get<double>()) && value.get<double>() > 0) target.value = value.get<double>();
    else if (!value.is_null()) problems_.add(join_path(path, "value"), "a number > 0", describe(value));
    if (json.contains("kind")) {
      if (json["kind"] == "about") target.kind = TargetKind::about;
      else if (json["kind"] == "at_least") target.kind = TargetKind::at_least;
      else problems_.add(join_path(path, "kind"), "\"about\" or \"at_least\"", describe(json["kind"]));
    }
    target.tolerance = target.kind == TargetKind::about ? 0.15 : 0.30;
    if (json.contains("tolerance")) {
      const Json& tolerance = json["tolerance"];
      if (tolerance.is_number() && tolerance.get<double>() > 0 && tolerance.get<double>() < 10) target.tolerance = tolerance.get<double>();
      else problems_.add(join_path(path, "tolerance"), "a relative tolerance > 0 (0.15 = ±15 %)", describe(tolerance));
    }
    target.label = text(json, "label", path);
    target.source = text(json, "source", path);
    if (problems_.size() == before) targets.push_back(target);
  }

  // {variable, year: Y | "every", quantile: q | probability_of: {at_most|at_least: x},
  //  at_most, at_least, label, source | reasoning}
  void read_tail_check(const Json& json, const std::string& path, std::vector<TailCheck>& checks) {
    reject_unknown_keys(json, path,
                        {"variable", "year", "quantile", "probability_of", "at_most", "at_least", "label", "source",
                         "reasoning"},
                        problems_);
    const std::size_t before = problems_.size();
    TailCheck check;
    check.variable = variable_name(json, path);
    const Json year = member(json, "year", path);
    if (year == "every") check.year = TailCheck::kEveryYear;
    else if (year.is_number_integer() && year.get<long>() >= 1000 && year.get<long>() <= 9999) check.year = year.get<int>();
    else if (!year.is_null()) problems_.add(join_path(path, "year"), "a calendar year or \"every\"", describe(year));
    if (json.contains("quantile") && json.contains("probability_of")) {
      problems_.add(path, "one of \"quantile\" and \"probability_of\"", "both");
    } else if (json.contains("quantile")) {
      check.kind = TailKind::quantile;
      check.quantile = probability_in(json["quantile"], join_path(path, "quantile"), /*open=*/true);
    } else {
      check.kind = TailKind::probability;
      read_event(json["probability_of"], join_path(path, "probability_of"), check);
    }
    if (!json.contains("at_most") && !json.contains("at_least"))
      problems_.add(join_path(path, "at_most"), "a bound: \"at_most\" and/or \"at_least\"", "nothing (both keys are missing)");
    if (json.contains("at_most")) check.at_most = bound(json["at_most"], join_path(path, "at_most"), check.kind);
    if (json.contains("at_least")) check.at_least = bound(json["at_least"], join_path(path, "at_least"), check.kind);
    check.label = text(json, "label", path);
    check.source = text(json, "source", path);
    check.reasoning = text(json, "reasoning", path);
    if (check.source.empty() && check.reasoning.empty())
      problems_.add(join_path(path, "source"), "a \"source\" or \"reasoning\" string saying where the limit comes from",
                    "neither");
    if (problems_.size() == before) checks.push_back(check);
  }

  void read_event(const Json& event, const std::string& path, TailCheck& check) {
    if (!event.is_object() || event.size() != 1 || !(event.contains("at_most") || event.contains("at_least"))) {
      problems_.add(path, "an event {\"at_most\": x} (variable ≤ x) or {\"at_least\": x} (variable ≥ x)", describe(event));
      return;
    }
    check.event_at_most = event.contains("at_most");
    const Json& value = check.event_at_most ? event["at_most"] : event["at_least"];
    const std::string value_path = join_path(path, check.event_at_most ? "at_most" : "at_least");
    // Reported values are floats: a level beyond the float range could not be compared exactly.
    if (value.is_number() && std::isfinite(value.get<double>()) && std::fabs(value.get<double>()) < 1e38)
      check.event_value = value.get<double>();
    else
      problems_.add(value_path, "a finite number (|x| < 1e38)", describe(value));
  }

  // A number, or for a quantile check {variable, quantile, times}: a multiple of another
  // variable's quantile in the same year.
  TailBound bound(const Json& json, const std::string& path, TailKind kind) {
    TailBound out;
    out.present = true;
    if (json.is_number() && std::isfinite(json.get<double>())) {
      out.value = json.get<double>();
      if (kind == TailKind::probability && !(out.value >= 0.0 && out.value <= 1.0))
        problems_.add(path, "a probability in [0, 1]", describe(json));
      return out;
    }
    if (kind == TailKind::quantile && json.is_object()) {
      reject_unknown_keys(json, path, {"variable", "quantile", "times"}, problems_);
      out.variable = variable_name(json, path);
      out.quantile = json.contains("quantile") ? probability_in(json["quantile"], join_path(path, "quantile"), true) : 0.5;
      if (json.contains("times")) {
        const Json& times = json["times"];
        if (times.is_number() && std::isfinite(times.get<double>()) && times.get<double>() > 0) out.times = times.get<double>();
        else problems_.add(join_path(path, "times"), "a number > 0", describe(times));
      }
      return out;
    }
    problems_.add(path,
                  kind == TailKind::quantile ? "a number, or {\"variable\", \"quantile\", \"times\"} (a multiple of another "
                                               "variable's quantile that year)"
                                             : "a probability in [0, 1]",
                  describe(json));
    return out;
  }

  double probability_in(const Json& json, const std::string& path, bool open) {
    if (json.is_number()) {
      const double q = json.get<double>();
      if (open ? (q > 0.0 && q < 1.0) : (q >= 0.0 && q <= 1.0)) return q;
    }
    problems_.add(path, open ? "a probability in (0, 1), e.g. 0.99" : "a probability in [0, 1]", describe(json));
    return 0.5;
  }

  std::string variable_name(const Json& json, const std::string& path) {
    const Json variable = member(json, "variable", path);
    if (variable.is_string()) {
      const std::string name = variable.get<std::string>();
      if (scenario_.variable_index(name) < 0) {
        const std::string suggestion = closest_match(name, variable_names_);
        problems_.add(join_path(path, "variable"), "a variable reported by scenario \"" + scenario_.name + "\"",
                      "\"" + name + "\"" + (suggestion.empty() ? "" : " (did you mean \"" + suggestion + "\"?)"));
      }
      return name;
    }
    if (!variable.is_null()) problems_.add(join_path(path, "variable"), "a variable name", describe(variable));
    return "";
  }

  Json member(const Json& json, const char* key, const std::string& path) {
    if (json.contains(key)) return json[key];
    problems_.add(join_path(path, key), std::string("a ") + key, "nothing (the key is missing)");
    return Json();
  }

  std::string text(const Json& json, const char* key, const std::string& path) {
    if (!json.contains(key)) return "";
    if (json[key].is_string()) return json[key].get<std::string>();
    problems_.add(join_path(path, key), "a string", describe(json[key]));
    return "";
  }

  ProblemList problems_;
  const Scenario& scenario_;
  std::vector<std::string> variable_names_;
};

std::size_t level_index(const std::vector<double>& levels, double level) {
  const auto found = std::find(levels.begin(), levels.end(), level);
  if (found == levels.end())
    throw std::logic_error("check_calibration: the summary lacks the " + shortest_decimal(level) + " quantile");
  return static_cast<std::size_t>(found - levels.begin());
}

}  // namespace

CalibrationTargets read_calibration_targets(const std::string& file, const Scenario& scenario) {
  // Read like a scenario: bounded, duplicate keys reported, a syntax error never quoted.
  const Json document = parse_bounded_json(read_text_file(file), file);
  return TargetReader(file, scenario).read(document);
}

bool CalibrationReport::all_passed() const {
  return std::all_of(rows.begin(), rows.end(), [](const CalibrationRow& row) { return row.skipped || row.passed; }) &&
         std::all_of(tails.begin(), tails.end(), [](const TailRow& row) { return row.skipped || row.passed; });
}

std::vector<double> calibration_quantile_levels(std::vector<double> levels, const std::vector<TailCheck>& tails) {
  std::vector<double> wanted{kBandLow, kMedian, kBandHigh};
  for (const TailCheck& check : tails) {
    if (check.kind == TailKind::quantile) wanted.push_back(check.quantile);
    for (const TailBound* bound : {&check.at_most, &check.at_least})
      if (bound->present && !bound->variable.empty()) wanted.push_back(bound->quantile);
  }
  for (double level : wanted)
    if (std::find(levels.begin(), levels.end(), level) == levels.end()) levels.push_back(level);
  std::sort(levels.begin(), levels.end());
  return levels;
}

namespace {

// The threshold request that yields P(variable ≤ x) or P(variable ≥ x). Reported values are
// floats compared as doubles with `≥ level`, so "≤ x" is the complement of "≥ the next float
// above the largest float ≤ x": exact, with no tolerance to choose.
double event_level(const TailCheck& check) {
  if (!check.event_at_most) return check.event_value;
  float below = static_cast<float>(check.event_value);
  if (static_cast<double>(below) > check.event_value) below = std::nextafter(below, -std::numeric_limits<float>::infinity());
  return static_cast<double>(std::nextafter(below, std::numeric_limits<float>::infinity()));
}

std::vector<int> years_of(const TailCheck& check, const std::vector<int>& run_years) {
  if (check.year == TailCheck::kEveryYear) return run_years;
  if (std::find(run_years.begin(), run_years.end(), check.year) == run_years.end()) return {};
  return {check.year};
}

const YearStatistics* year_statistics(const Summary& summary, const std::string& variable, int year) {
  const VariableSummary* found = summary.find_variable(variable);
  if (!found) return nullptr;
  for (const YearStatistics& stats : found->years)
    if (stats.year == year) return &stats;
  return nullptr;
}

double bound_value(const TailBound& bound, const Summary& summary, int year) {
  if (bound.variable.empty()) return bound.value;
  const YearStatistics* stats = year_statistics(summary, bound.variable, year);
  if (!stats) return std::numeric_limits<double>::quiet_NaN();
  return bound.times * stats->quantiles[level_index(summary.quantile_levels, bound.quantile)];
}

// The Wilson score interval of a binomial share: unlike ±1.96 s.e. it is not [0, 0] when no
// path is in the event, which is exactly when a tail check most needs to say how sure it is.
std::pair<double, double> wilson_interval(double share, std::uint64_t paths) {
  const double z = 1.959963984540054, n = static_cast<double>(paths);
  if (paths == 0) return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
  const double centre = (share + z * z / (2 * n)) / (1 + z * z / n);
  const double half = z / (1 + z * z / n) * std::sqrt(share * (1 - share) / n + z * z / (4 * n * n));
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

TailYear check_tail_year(const TailCheck& check, const Summary& summary, int year) {
  TailYear out;
  out.year = year;
  const YearStatistics* stats = year_statistics(summary, check.variable, year);
  if (check.kind == TailKind::quantile) {
    const std::size_t level = level_index(summary.quantile_levels, check.quantile);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    out.estimate = stats ? stats->quantiles[level] : nan;
    const bool has_interval = stats && level < stats->quantile_ci_low.size() && level < stats->quantile_ci_high.size();
    out.ci_low = has_interval ? stats->quantile_ci_low[level] : nan;
    out.ci_high = has_interval ? stats->quantile_ci_high[level] : nan;
  } else {
    const double level = event_level(check);
    const auto found = std::find_if(summary.thresholds.begin(), summary.thresholds.end(), [&](const ThresholdResult& t) {
      return t.variable == check.variable && t.year == year && t.at_least == level;
    });
    if (found == summary.thresholds.end())
      throw std::logic_error("check_calibration: the summary lacks the threshold " + check.variable + " ≥ " +
                             shortest_decimal(level) + " in " + std::to_string(year) + " (prepare_calibration_run)");
    out.estimate = check.event_at_most ? 1.0 - found->p : found->p;
    std::tie(out.ci_low, out.ci_high) = wilson_interval(out.estimate, summary.paths);
  }
  const double infinity = std::numeric_limits<double>::infinity();
  out.lowest_allowed = check.at_least.present ? bound_value(check.at_least, summary, year) : -infinity;
  out.highest_allowed = check.at_most.present ? bound_value(check.at_most, summary, year) : infinity;
  // NaN bounds or estimates fail: a check that cannot be evaluated has not been met.
  out.passed = out.estimate >= out.lowest_allowed && out.estimate <= out.highest_allowed;
  const bool surely_in = out.ci_low >= out.lowest_allowed && out.ci_high <= out.highest_allowed;
  const bool surely_out = out.ci_high < out.lowest_allowed || out.ci_low > out.highest_allowed;
  out.decided = out.passed ? surely_in : surely_out;
  return out;
}

// How far past its bound a year is, relative to the bound (> 0 fails; NaN counts as the worst):
// the table shows the worst year of an every-year check.
double excess(const TailYear& year) {
  const double infinity = std::numeric_limits<double>::infinity();
  const auto relative = [](double over, double bound) { return over / std::max(std::fabs(bound), 1e-300); };
  double worst = -infinity;
  for (double candidate : {std::isfinite(year.highest_allowed) ? relative(year.estimate - year.highest_allowed, year.highest_allowed) : -infinity,
                           std::isfinite(year.lowest_allowed) ? relative(year.lowest_allowed - year.estimate, year.lowest_allowed) : -infinity}) {
    if (std::isnan(candidate)) return infinity;
    worst = std::max(worst, candidate);
  }
  return worst;
}

CalibrationRow check_median_target(const Summary& summary, const CalibrationTarget& target, std::size_t low,
                                   std::size_t mid, std::size_t high) {
  CalibrationRow row;
  row.target = target;
  row.lowest_allowed = target.kind == TargetKind::about ? target.value * (1.0 - target.tolerance) : target.value;
  row.highest_allowed = target.value * (1.0 + target.tolerance);
  const YearStatistics* stats = year_statistics(summary, target.variable, target.year);
  if (!stats) {
    row.skipped = true;  // a figure from before the run starts, e.g. 2023 shipments for a 2024 start
  } else {
    row.median = stats->quantiles[mid];
    row.low = stats->quantiles[low];
    row.high = stats->quantiles[high];
    row.passed = row.median >= row.lowest_allowed && row.median <= row.highest_allowed;
  }
  return row;
}

}  // namespace

std::size_t prepare_calibration_run(Scenario& scenario, const CalibrationTargets& targets) {
  scenario.quantile_levels = calibration_quantile_levels(scenario.quantile_levels, targets.tails);
  const std::size_t before = scenario.thresholds.size();
  const std::vector<int> run_years = scenario.calendar_years();
  for (const TailCheck& check : targets.tails) {
    if (check.kind != TailKind::probability) continue;
    for (int year : years_of(check, run_years))
      scenario.thresholds.push_back(ThresholdRequest{scenario.variable_index(check.variable), year, event_level(check)});
  }
  return before;
}

CalibrationReport check_calibration(const Summary& summary, const CalibrationTargets& targets) {
  CalibrationReport report;
  report.scenario = summary.scenario;
  report.paths = summary.paths;
  report.seed = summary.seed;
  const std::size_t low = level_index(summary.quantile_levels, kBandLow);
  const std::size_t mid = level_index(summary.quantile_levels, kMedian);
  const std::size_t high = level_index(summary.quantile_levels, kBandHigh);
  for (const CalibrationTarget& target : targets.medians)
    report.rows.push_back(check_median_target(summary, target, low, mid, high));
  for (const TailCheck& check : targets.tails) {
    TailRow row;
    row.check = check;
    row.skipped = !summary.find_variable(check.variable) || years_of(check, summary.years).empty();
    if (!row.skipped)
      for (int year : years_of(check, summary.years)) row.years.push_back(check_tail_year(check, summary, year));
    row.passed = !row.skipped && std::all_of(row.years.begin(), row.years.end(), [](const TailYear& y) { return y.passed; });
    for (std::size_t y = 1; y < row.years.size(); ++y)
      if (excess(row.years[y]) > excess(row.years[row.worst])) row.worst = y;
    report.tails.push_back(row);
  }
  return report;
}

CalibrationReport check_calibration(const Summary& summary, const std::vector<CalibrationTarget>& targets) {
  return check_calibration(summary, CalibrationTargets{targets, {}});
}

static const char* verdict(const CalibrationRow& row) {
  if (row.skipped) return "skipped";
  if (row.passed) return "pass";
  return row.median < row.lowest_allowed ? "miss (low)" : "miss (high)";
}

using OrderedJson = nlohmann::ordered_json;

static OrderedJson finite_or_null(double value) { return std::isfinite(value) ? OrderedJson(value) : OrderedJson(nullptr); }

static OrderedJson bound_json(const TailBound& bound) {
  if (bound.variable.empty()) return bound.value;
  return OrderedJson{{"variable", bound.variable}, {"quantile", bound.quantile}, {"times", bound.times}};
}

std::string tail_statistic_text(const TailCheck& check) {
  if (check.kind == TailKind::quantile) return quantile_name(check.quantile);
  return std::string("P(") + (check.event_at_most ? "≤ " : "≥ ") + shortest_decimal(check.event_value) + ")";
}

std::string tail_bound_text(const TailBound& bound) {
  if (bound.variable.empty()) return shortest_decimal(bound.value);
  return (bound.times == 1.0 ? "" : shortest_decimal(bound.times) + " × ") + bound.variable + " " + quantile_name(bound.quantile);
}

std::string calibration_json_text(const CalibrationReport& report) {
  OrderedJson root;
  root["scenario"] = report.scenario;
  root["paths"] = report.paths;
  root["seed"] = report.seed;
  root["all_passed"] = report.all_passed();
  OrderedJson rows = OrderedJson::array();
  for (const CalibrationRow& row : report.rows) {
    OrderedJson item{{"variable", row.target.variable}, {"year", row.target.year},
                     {"kind", kind_name(row.target.kind)}, {"value", row.target.value},
                     {"tolerance", row.target.tolerance}, {"label", row.target.label},
                     {"source", row.target.source}, {"result", verdict(row)}};
    if (!row.skipped) {
      item["median"] = row.median;
      item["q0.05"] = row.low;
      item["q0.95"] = row.high;
      item["lowest_allowed"] = row.lowest_allowed;
      item["highest_allowed"] = row.highest_allowed;
      item["median_vs_value"] = row.median / row.target.value - 1.0;
    }
    rows.push_back(item);
  }
  root["targets"] = rows;
  OrderedJson tails = OrderedJson::array();
  for (const TailRow& row : report.tails) {
    const TailCheck& check = row.check;
    OrderedJson item{{"variable", check.variable}};
    item["year"] = check.year == TailCheck::kEveryYear ? OrderedJson("every") : OrderedJson(check.year);
    if (check.kind == TailKind::quantile) item["quantile"] = check.quantile;
    else item["probability_of"] = OrderedJson{{check.event_at_most ? "at_most" : "at_least", check.event_value}};
    if (check.at_most.present) item["at_most"] = bound_json(check.at_most);
    if (check.at_least.present) item["at_least"] = bound_json(check.at_least);
    item["label"] = check.label;
    if (!check.source.empty()) item["source"] = check.source;
    if (!check.reasoning.empty()) item["reasoning"] = check.reasoning;
    item["statistic"] = tail_statistic_text(check);
    item["result"] = row.skipped ? "skipped" : row.passed ? "pass" : "miss";
    if (!row.skipped) {
      item["worst_year"] = row.years[row.worst].year;
      OrderedJson years = OrderedJson::array();
      for (const TailYear& year : row.years) {
        OrderedJson entry{{"year", year.year}, {"estimate", finite_or_null(year.estimate)},
                          {"ci", OrderedJson::array({finite_or_null(year.ci_low), finite_or_null(year.ci_high)})}};
        if (std::isfinite(year.lowest_allowed)) entry["lowest_allowed"] = year.lowest_allowed;
        if (std::isfinite(year.highest_allowed)) entry["highest_allowed"] = year.highest_allowed;
        entry["result"] = year.passed ? "pass" : "miss";
        entry["decided"] = year.decided;
        years.push_back(entry);
      }
      item["years"] = years;
    }
    tails.push_back(item);
  }
  root["tail_checks"] = tails;
  return root.dump(1) + "\n";
}

// Labels and sources often hold commas and quotes: every text cell goes through csv.hpp.
static std::string csv_field(const std::string& text) { return csv_text(text); }

// Median targets first, in the columns they always had; then one row per tail check and year,
// its kind "tail_quantile" or "tail_probability". The last four columns are new: the statistic
// checked, its estimate and its 95 % interval (empty for median targets, whose statistic is the
// median column).
std::string calibration_csv_text(const CalibrationReport& report) {
  std::string out =
      "variable,year,kind,value,tolerance,lowest_allowed,highest_allowed,median,q0.05,q0.95,result,label,source,"
      "statistic,estimate,ci_low,ci_high\n";
  for (const CalibrationRow& row : report.rows) {
    const auto number = [&row](double x) { return row.skipped ? std::string() : csv_number(x); };
    out += csv_field(row.target.variable) + "," + std::to_string(row.target.year) + "," + kind_name(row.target.kind) + "," +
           csv_number(row.target.value) + "," + csv_number(row.target.tolerance) + "," +
           number(row.lowest_allowed) + "," + number(row.highest_allowed) + "," + number(row.median) + "," +
           number(row.low) + "," + number(row.high) + "," + verdict(row) + "," + csv_field(row.target.label) + "," +
           csv_field(row.target.source) + ",median,,,\n";
  }
  const auto finite = [](double x) { return std::isfinite(x) ? shortest_decimal(x) : std::string(); };
  for (const TailRow& row : report.tails) {
    const TailCheck& check = row.check;
    const std::string kind = check.kind == TailKind::quantile ? "tail_quantile" : "tail_probability";
    const std::string fixed = check.at_most.present && check.at_most.variable.empty()     ? shortest_decimal(check.at_most.value)
                              : check.at_least.present && check.at_least.variable.empty() ? shortest_decimal(check.at_least.value)
                                                                                          : std::string();
    const std::string source = check.source.empty() ? check.reasoning : check.source;
    if (row.skipped) {
      out += csv_field(check.variable) + "," + (check.year == TailCheck::kEveryYear ? "every" : std::to_string(check.year)) +
             "," + kind + "," + fixed + ",,,,,,,skipped," + csv_field(check.label) + "," + csv_field(source) + "," +
             csv_field(tail_statistic_text(check)) + ",,,\n";
      continue;
    }
    for (const TailYear& year : row.years)
      out += csv_field(check.variable) + "," + std::to_string(year.year) + "," + kind + "," + fixed + ",," +
             finite(year.lowest_allowed) + "," + finite(year.highest_allowed) + ",,,," + (year.passed ? "pass" : "miss") +
             "," + csv_field(check.label) + "," + csv_field(source) + "," + csv_field(tail_statistic_text(check)) + "," +
             finite(year.estimate) + "," + finite(year.ci_low) + "," + finite(year.ci_high) + "\n";
  }
  return out;
}

void write_calibration(const std::string& directory, const CalibrationReport& report) {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::create_directories(directory, error);
  if (error || !fs::is_directory(directory))
    throw ResourceError("cannot create the output directory " + directory + (error ? ": " + error.message() : ""));
  const std::string json = calibration_json_text(report);
  const std::string csv = calibration_csv_text(report);
  write_file_atomically((fs::path(directory) / "calibration.csv").string(), csv);
  write_file_atomically((fs::path(directory) / "calibration.json").string(), json);
}

}  // namespace chokepoint
