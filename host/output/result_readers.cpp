#include "output/result_readers.hpp"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "chokepoint/output_files.hpp"
#include "chokepoint/summary_io.hpp"
#include "output/appending_json.hpp"

namespace chokepoint {

namespace {

using Json = ReadJson;

// Non-finite numbers are written as null (summary_io.cpp); read them back as NaN.
double number(const Json& value) {
  return value.is_number() ? value.get<double>() : std::numeric_limits<double>::quiet_NaN();
}

double number_or_nan(const Json& object, const char* key) {
  const auto found = object.find(key);
  return found == object.end() ? std::numeric_limits<double>::quiet_NaN() : number(*found);
}

// Bounded and regular files only, as read_summary: a FIFO or /dev/zero named diff.json must not
// hang or exhaust the report.
Json parse_file(const std::string& file) {
  const std::string text = read_regular_file(file, std::uint64_t{64} << 20, "a JSON file written by chokepoint");
  try {
    return Json::parse(text, nullptr, true, true);
  } catch (const std::exception& error) {
    throw std::runtime_error(file + ": not valid JSON: " + error.what());
  }
}

TailBound read_bound(const Json& json) {
  TailBound bound;
  bound.present = true;
  if (json.is_object()) {
    bound.variable = json.at("variable").get<std::string>();
    bound.quantile = json.value("quantile", 0.5);
    bound.times = json.value("times", 1.0);
  } else {
    bound.value = number(json);
  }
  return bound;
}

TailRow read_tail_row(const Json& item) {
  const double infinity = std::numeric_limits<double>::infinity();
  TailRow row;
  TailCheck& check = row.check;
  check.variable = item.at("variable").get<std::string>();
  check.year = item.at("year").is_string() ? TailCheck::kEveryYear : item.at("year").get<int>();
  if (item.contains("quantile")) {
    check.kind = TailKind::quantile;
    check.quantile = item["quantile"].get<double>();
  } else {
    check.kind = TailKind::probability;
    const Json& event = item.at("probability_of");
    check.event_at_most = event.contains("at_most");
    check.event_value = number(check.event_at_most ? event["at_most"] : event.at("at_least"));
  }
  if (item.contains("at_most")) check.at_most = read_bound(item["at_most"]);
  if (item.contains("at_least")) check.at_least = read_bound(item["at_least"]);
  check.label = item.value("label", "");
  check.source = item.value("source", "");
  check.reasoning = item.value("reasoning", "");
  const std::string result = item.value("result", "");
  row.skipped = result == "skipped";
  row.passed = result == "pass";
  const int worst_year = item.value("worst_year", 0);
  for (const Json& entry : item.value("years", Json::array())) {
    TailYear year;
    year.year = entry.at("year").get<int>();
    year.estimate = number(entry.at("estimate"));
    year.ci_low = number(entry.at("ci").at(0));
    year.ci_high = number(entry.at("ci").at(1));
    year.lowest_allowed = entry.contains("lowest_allowed") ? number(entry["lowest_allowed"]) : -infinity;
    year.highest_allowed = entry.contains("highest_allowed") ? number(entry["highest_allowed"]) : infinity;
    year.passed = entry.value("result", "") == "pass";
    year.decided = entry.value("decided", false);
    if (year.year == worst_year) row.worst = row.years.size();
    row.years.push_back(year);
  }
  return row;
}

}  // namespace

PairedDifference read_difference_file(const std::string& file) {
  const Json root = parse_file(file);
  try {
    PairedDifference difference;
    difference.stress_scenario = root.at("stress").get<std::string>();
    difference.base_scenario = root.at("base").get<std::string>();
    if (!root.at("paths").is_number_unsigned() || root.at("paths").get<std::uint64_t>() == 0)
      throw std::runtime_error(file + ": paths: expected a whole number ≥ 1, found " + root.at("paths").dump());
    difference.paths = root.at("paths").get<std::uint64_t>();
    difference.seed = root.at("seed").get<std::uint64_t>();
    difference.years = root.at("years").get<std::vector<int>>();
    difference.quantile_levels = root.value("quantile_levels", std::vector<double>{});
    for (const auto& item : root.at("variables").items()) {
      VariableDifference variable;
      variable.name = item.key();
      variable.unit = item.value().value("unit", "");
      variable.kind = item.value().value("kind", "");
      for (const Json& year : item.value().at("years")) {
        DifferenceYear y;
        y.year = year.at("year").get<int>();
        y.stress_mean = number_or_nan(year, "stress_mean");
        y.base_mean = number_or_nan(year, "base_mean");
        y.mean = number(year.at("mean"));
        y.sd = number_or_nan(year, "sd");
        y.se = number(year.at("se"));
        y.unpaired_se = number_or_nan(year, "unpaired_se");
        // One pass in level order (a lookup per level would be quadratic in the level count).
        y.quantiles.assign(difference.quantile_levels.size(), std::numeric_limits<double>::quiet_NaN());
        const auto quantiles = year.find("quantiles");
        if (quantiles != year.end() && quantiles->is_object()) {
          std::size_t i = 0;
          for (const auto& quantile : quantiles->items()) {
            if (i < y.quantiles.size() && quantile.key() == shortest_decimal(difference.quantile_levels[i]))
              y.quantiles[i] = number(quantile.value());
            ++i;
          }
        }
        variable.years.push_back(y);
      }
      if (variable.years.size() != difference.years.size())
        throw std::runtime_error(file + ": variables." + variable.name + ".years: expected one entry per year (" +
                                 std::to_string(difference.years.size()) + "), found " +
                                 std::to_string(variable.years.size()));
      difference.variables.push_back(variable);
    }
    const Json stages = root.value("stages", Json::object());  // a named copy: items() must not outlive it
    for (const auto& item : stages.items()) {
      StageDifference stage;
      stage.name = item.key();
      for (const Json& year : item.value().at("years"))
        stage.years.push_back(BindingDifference{year.at("year").get<int>(), number(year.at("binding_share")),
                                                number(year.at("binding_share_se")), number(year.at("binding_any")),
                                                number(year.at("binding_any_se"))});
      if (stage.years.size() != difference.years.size())
        throw std::runtime_error(file + ": stages." + stage.name + ".years: expected one entry per year");
      difference.stages.push_back(stage);
    }
    difference.notes = root.value("notes", std::vector<std::string>{});
    return difference;
  } catch (const nlohmann::json::exception& error) {
    throw std::runtime_error(file + ": not a chokepoint diff.json: " + error.what());
  }
}

CalibrationReport read_calibration_file(const std::string& file) {
  const Json root = parse_file(file);
  try {
    CalibrationReport report;
    report.scenario = root.value("scenario", "");
    report.paths = root.value("paths", std::uint64_t{0});
    report.seed = root.value("seed", std::uint64_t{0});
    for (const Json& item : root.at("targets")) {
      CalibrationRow row;
      row.target.variable = item.at("variable").get<std::string>();
      row.target.year = item.at("year").get<int>();
      row.target.value = number(item.at("value"));
      row.target.tolerance = number_or_nan(item, "tolerance");
      row.target.kind = item.value("kind", "about") == "at_least" ? TargetKind::at_least : TargetKind::about;
      row.target.label = item.value("label", "");
      row.target.source = item.value("source", "");
      const std::string result = item.value("result", "");
      row.skipped = result == "skipped";
      row.passed = result == "pass";
      row.median = number_or_nan(item, "median");
      row.low = number_or_nan(item, "q0.05");
      row.high = number_or_nan(item, "q0.95");
      row.lowest_allowed = number_or_nan(item, "lowest_allowed");
      row.highest_allowed = number_or_nan(item, "highest_allowed");
      report.rows.push_back(row);
    }
    // Tail checks: absent from files written before they existed.
    for (const Json& item : root.value("tail_checks", Json::array())) report.tails.push_back(read_tail_row(item));
    return report;
  } catch (const nlohmann::json::exception& error) {
    throw std::runtime_error(file + ": not a chokepoint calibration.json: " + error.what());
  }
}

}  // namespace chokepoint
