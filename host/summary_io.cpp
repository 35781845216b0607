#include "chokepoint/summary_io.hpp"

#include <unistd.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
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

void write_summary(const std::string& directory, const Summary& summary) {
  std::error_code error;
  fs::create_directories(directory, error);
  if (error || !fs::is_directory(directory))
    throw ResourceError("cannot create the output directory " + directory + (error ? ": " + error.message() : ""));
  // Build both texts before writing either, so a failure in one leaves neither half-updated.
  const std::string json = summary_json_text(summary);
  const std::string csv = summary_csv_text(summary);
  write_file_atomically((fs::path(directory) / "summary.csv").string(), csv);
  write_file_atomically((fs::path(directory) / "summary.json").string(), json);
}

}  // namespace chokepoint
