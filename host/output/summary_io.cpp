#include "chokepoint/summary_io.hpp"

#include <unistd.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "chokepoint/errors.hpp"

namespace chokepoint {

namespace fs = std::filesystem;
using OrderedJson = nlohmann::ordered_json;

std::string shortest_decimal(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

// NaN and infinities have no JSON spelling; they become null rather than invalid JSON.
static OrderedJson number(double value) { return std::isfinite(value) ? OrderedJson(value) : OrderedJson(nullptr); }

std::string summary_json_text(const Summary& summary) {
  OrderedJson root;
  root["scenario"] = summary.scenario;
  root["paths"] = summary.paths;
  root["seed"] = summary.seed;
  root["backend"] = summary.backend;
  root["precision"] = summary.precision;
  root["device"] = summary.device;
  root["threads"] = summary.threads;
  root["seconds"] = summary.seconds;
  root["years"] = summary.years;
  OrderedJson levels = OrderedJson::array();
  for (double q : summary.quantile_levels) levels.push_back(q);
  root["quantile_levels"] = levels;
  OrderedJson variables = OrderedJson::object();
  for (const VariableSummary& variable : summary.variables) {
    OrderedJson years = OrderedJson::array();
    for (const YearStatistics& stats : variable.years) {
      OrderedJson quantiles = OrderedJson::object();
      for (std::size_t i = 0; i < summary.quantile_levels.size(); ++i)
        quantiles[shortest_decimal(summary.quantile_levels[i])] = number(stats.quantiles[i]);
      years.push_back(OrderedJson{{"year", stats.year}, {"mean", number(stats.mean)}, {"sd", number(stats.sd)},
                                  {"se", number(stats.se)}, {"quantiles", quantiles}});
    }
    variables[variable.name] = OrderedJson{{"unit", variable.unit}, {"kind", variable.kind}, {"years", years}};
  }
  root["variables"] = variables;
  OrderedJson stages = OrderedJson::object();
  for (const StageSummary& stage : summary.stages) {
    OrderedJson years = OrderedJson::array();
    for (const StageYear& y : stage.years)
      years.push_back(OrderedJson{{"year", y.year},
                                  {"binding_share", number(y.binding_share)},
                                  {"binding_share_se", number(y.binding_share_se)},
                                  {"binding_any", number(y.binding_any)},
                                  {"binding_any_se", number(y.binding_any_se)}});
    stages[stage.name] = OrderedJson{{"years", years}};
  }
  root["stages"] = stages;
  OrderedJson thresholds = OrderedJson::array();
  for (const ThresholdResult& t : summary.thresholds)
    thresholds.push_back(OrderedJson{{"variable", t.variable}, {"year", t.year}, {"at_least", number(t.at_least)},
                                     {"p", number(t.p)}, {"se", number(t.se)}});
  root["thresholds"] = thresholds;
  root["notes"] = summary.notes;
  return root.dump(1) + "\n";
}

static void csv_row(std::string& out, const std::string& variable, int year, const std::string& stat, double value) {
  out += variable;
  out += ',';
  out += std::to_string(year);
  out += ',';
  out += stat;
  out += ',';
  out += std::isfinite(value) ? shortest_decimal(value) : "";
  out += '\n';
}

// "q0.05"; appended rather than "q" + …, which trips a GCC 12 -Wrestrict false positive.
static std::string quantile_stat(double level) {
  std::string stat = "q";
  stat += shortest_decimal(level);
  return stat;
}

std::string summary_csv_text(const Summary& summary) {
  std::string out = "variable,year,stat,value\n";
  for (const VariableSummary& variable : summary.variables) {
    for (const YearStatistics& stats : variable.years) {
      csv_row(out, variable.name, stats.year, "mean", stats.mean);
      csv_row(out, variable.name, stats.year, "sd", stats.sd);
      csv_row(out, variable.name, stats.year, "se", stats.se);
      for (std::size_t i = 0; i < summary.quantile_levels.size(); ++i)
        csv_row(out, variable.name, stats.year, quantile_stat(summary.quantile_levels[i]), stats.quantiles[i]);
    }
  }
  for (const StageSummary& stage : summary.stages) {
    const std::string name = "stage." + stage.name;
    for (const StageYear& y : stage.years) {
      csv_row(out, name, y.year, "binding_share", y.binding_share);
      csv_row(out, name, y.year, "binding_share_se", y.binding_share_se);
      csv_row(out, name, y.year, "binding_any", y.binding_any);
      csv_row(out, name, y.year, "binding_any_se", y.binding_any_se);
    }
  }
  for (const ThresholdResult& t : summary.thresholds) {
    const std::string stat = "p_at_least_" + shortest_decimal(t.at_least);
    csv_row(out, t.variable, t.year, stat, t.p);
    csv_row(out, t.variable, t.year, stat + "_se", t.se);
  }
  return out;
}

void write_file_atomically(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      std::error_code ignored;
      fs::remove(temporary, ignored);
      throw ResourceError("cannot write " + path);
    }
  }
  std::error_code error;
  fs::rename(temporary, path, error);
  if (error) {
    fs::remove(temporary, error);
    throw ResourceError("cannot move the finished file into place at " + path);
  }
}

static void create_directory(const std::string& directory) {
  std::error_code error;
  fs::create_directories(directory, error);
  if (error || !fs::is_directory(directory))
    throw ResourceError("cannot create the output directory " + directory + (error ? ": " + error.message() : ""));
}

void write_summary(const std::string& directory, const Summary& summary) {
  create_directory(directory);
  // Build both texts before writing either, so a failure in one leaves neither half-updated.
  const std::string json = summary_json_text(summary);
  const std::string csv = summary_csv_text(summary);
  write_file_atomically((fs::path(directory) / "summary.csv").string(), csv);
  write_file_atomically((fs::path(directory) / "summary.json").string(), json);
}

void write_run_directory(const std::string& directory, const Scenario& scenario, const Summary& summary) {
  create_directory(directory);
  write_file_atomically((fs::path(directory) / "scenario.json").string(), scenario.resolved_json + "\n");
  // summary.json last: its presence marks a complete run directory.
  write_summary(directory, summary);
}

// null (written for NaN) reads back as NaN.
static double read_number(const OrderedJson& value) {
  return value.is_number() ? value.get<double>() : std::numeric_limits<double>::quiet_NaN();
}

Summary read_summary(const std::string& directory) {
  const std::string file = (fs::path(directory) / "summary.json").string();
  std::ifstream in(file);
  if (!in) throw InputError({InputProblem{file, "", "a run directory with summary.json (from chokepoint run)", "no such file"}});
  Summary summary;
  try {
    const OrderedJson root = OrderedJson::parse(in);
    summary.scenario = root.at("scenario").get<std::string>();
    summary.paths = root.at("paths").get<std::uint64_t>();
    summary.seed = root.at("seed").get<std::uint64_t>();
    summary.backend = root.at("backend").get<std::string>();
    summary.device = root.value("device", "");
    summary.precision = root.value("precision", "");
    summary.threads = root.value("threads", 0);
    summary.seconds = root.value("seconds", 0.0);
    summary.years = root.at("years").get<std::vector<int>>();
    summary.quantile_levels = root.at("quantile_levels").get<std::vector<double>>();
    for (const auto& item : root.at("variables").items()) {
      VariableSummary variable;
      variable.name = item.key();
      variable.unit = item.value().at("unit").get<std::string>();
      variable.kind = item.value().at("kind").get<std::string>();
      for (const OrderedJson& year : item.value().at("years")) {
        YearStatistics stats;
        stats.year = year.at("year").get<int>();
        stats.mean = read_number(year.at("mean"));
        stats.sd = read_number(year.at("sd"));
        stats.se = read_number(year.at("se"));
        for (double level : summary.quantile_levels) stats.quantiles.push_back(read_number(year.at("quantiles").at(shortest_decimal(level))));
        variable.years.push_back(stats);
      }
      summary.variables.push_back(variable);
    }
    for (const auto& item : root.at("stages").items()) {
      StageSummary stage;
      stage.name = item.key();
      for (const OrderedJson& year : item.value().at("years"))
        stage.years.push_back(StageYear{year.at("year").get<int>(), read_number(year.at("binding_share")),
                                        read_number(year.at("binding_share_se")), read_number(year.at("binding_any")),
                                        read_number(year.at("binding_any_se"))});
      summary.stages.push_back(stage);
    }
    for (const OrderedJson& t : root.at("thresholds"))
      summary.thresholds.push_back(ThresholdResult{t.at("variable").get<std::string>(), t.at("year").get<int>(),
                                                   read_number(t.at("at_least")), read_number(t.at("p")),
                                                   read_number(t.at("se"))});
    if (root.contains("notes")) summary.notes = root["notes"].get<std::vector<std::string>>();
  } catch (const OrderedJson::exception& error) {
    throw InputError({InputProblem{file, "", "a chokepoint summary.json", std::string("malformed: ") + error.what()}});
  }
  return summary;
}

}  // namespace chokepoint
