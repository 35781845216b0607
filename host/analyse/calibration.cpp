// Calibration targets: reading them, and comparing a run's medians with them.
#include "chokepoint/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "chokepoint/csv.hpp"
#include "chokepoint/summary_io.hpp"
#include "scenario/input_problems.hpp"
#include "scenario/json_source.hpp"

namespace chokepoint {

namespace {

constexpr double kBandLow = 0.05, kMedian = 0.5, kBandHigh = 0.95;

const char* kind_name(TargetKind kind) { return kind == TargetKind::about ? "about" : "at_least"; }

class TargetReader {
 public:
  TargetReader(const std::string& file, const Scenario& scenario) : problems_(file), scenario_(scenario) {
    for (const VariableInfo& variable : scenario.variables) variable_names_.push_back(variable.name);
  }

  std::vector<CalibrationTarget> read(const Json& document) {
    const Json* list = &document;
    std::string path = "";
    if (document.is_object()) {
      reject_unknown_keys(document, "", {"description", "targets"}, problems_);
      if (!document.contains("targets")) problems_.add("targets", "an array of targets", "nothing (the key is missing)");
      else list = &document["targets"];
      path = "targets";
    }
    std::vector<CalibrationTarget> targets;
    if (!list->is_array()) {
      if (!list->is_null()) problems_.add(path, "an array of targets {variable, year, value, tolerance, kind, source}", describe(*list));
    } else {
      if (list->empty()) problems_.add(path, "at least one target", "an empty array");
      for (std::size_t i = 0; i < list->size(); ++i)
        read_target((*list)[i], path + "[" + std::to_string(i) + "]", targets);
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

std::vector<CalibrationTarget> read_calibration_targets(const std::string& file, const Scenario& scenario) {
  Json document;
  const std::string text = read_text_file(file);
  try {
    document = Json::parse(text, nullptr, /*allow_exceptions=*/true, /*ignore_comments=*/true);
  } catch (const Json::exception& error) {
    throw InputError({InputProblem{file, "", "a JSON targets file (comments allowed)", error.what()}});
  }
  return TargetReader(file, scenario).read(document);
}

bool CalibrationReport::all_passed() const {
  return std::all_of(rows.begin(), rows.end(), [](const CalibrationRow& row) { return row.skipped || row.passed; });
}

std::vector<double> calibration_quantile_levels(std::vector<double> levels) {
  for (double level : {kBandLow, kMedian, kBandHigh})
    if (std::find(levels.begin(), levels.end(), level) == levels.end()) levels.push_back(level);
  std::sort(levels.begin(), levels.end());
  return levels;
}

CalibrationReport check_calibration(const Summary& summary, const std::vector<CalibrationTarget>& targets) {
  CalibrationReport report;
  report.scenario = summary.scenario;
  report.paths = summary.paths;
  report.seed = summary.seed;
  const std::size_t low = level_index(summary.quantile_levels, kBandLow);
  const std::size_t mid = level_index(summary.quantile_levels, kMedian);
  const std::size_t high = level_index(summary.quantile_levels, kBandHigh);
  for (const CalibrationTarget& target : targets) {
    CalibrationRow row;
    row.target = target;
    row.lowest_allowed = target.kind == TargetKind::about ? target.value * (1.0 - target.tolerance) : target.value;
    row.highest_allowed = target.value * (1.0 + target.tolerance);
    const VariableSummary* variable = summary.find_variable(target.variable);
    const auto year = std::find(summary.years.begin(), summary.years.end(), target.year);
    if (!variable || year == summary.years.end()) {
      row.skipped = true;  // a figure from before the run starts, e.g. 2023 shipments for a 2024 start
    } else {
      const YearStatistics& stats = variable->years[static_cast<std::size_t>(year - summary.years.begin())];
      row.median = stats.quantiles[mid];
      row.low = stats.quantiles[low];
      row.high = stats.quantiles[high];
      row.passed = row.median >= row.lowest_allowed && row.median <= row.highest_allowed;
    }
    report.rows.push_back(row);
  }
  return report;
}

static const char* verdict(const CalibrationRow& row) {
  if (row.skipped) return "skipped";
  if (row.passed) return "pass";
  return row.median < row.lowest_allowed ? "miss (low)" : "miss (high)";
}

using OrderedJson = nlohmann::ordered_json;

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
  return root.dump(1) + "\n";
}

// Labels and sources often hold commas and quotes: every text cell goes through csv.hpp.
static std::string csv_field(const std::string& text) { return csv_text(text); }

std::string calibration_csv_text(const CalibrationReport& report) {
  std::string out = "variable,year,kind,value,tolerance,lowest_allowed,highest_allowed,median,q0.05,q0.95,result,label,source\n";
  for (const CalibrationRow& row : report.rows) {
    const auto number = [&row](double x) { return row.skipped ? std::string() : csv_number(x); };
    out += csv_field(row.target.variable) + "," + std::to_string(row.target.year) + "," + kind_name(row.target.kind) + "," +
           csv_number(row.target.value) + "," + csv_number(row.target.tolerance) + "," +
           number(row.lowest_allowed) + "," + number(row.highest_allowed) + "," + number(row.median) + "," +
           number(row.low) + "," + number(row.high) + "," + verdict(row) + "," + csv_field(row.target.label) + "," +
           csv_field(row.target.source) + "\n";
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
