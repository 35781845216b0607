#include "analyse/sobol_files.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <nlohmann/json.hpp>

#include "chokepoint/csv.hpp"
#include "chokepoint/number_format.hpp"
#include "chokepoint/output_files.hpp"

namespace chokepoint {

namespace {

using OrderedJson = nlohmann::ordered_json;

constexpr double kShownAbove = 0.001;  // the terminal table's threshold

OrderedJson index_json(const SobolIndex& index) {
  return OrderedJson{{"estimate", index.estimate}, {"low", index.lower}, {"high", index.upper}, {"se", index.standard_error}};
}

// 1 − Σ S_i: the share of the variance in interactions between groups.
double interactions(const SobolIndices& indices) {
  double sum = 0.0;
  for (const SobolIndex& index : indices.first_order) sum += index.estimate;
  return 1.0 - sum;
}

std::string joined(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

std::string fixed(double value, const char* format = "%7.3f") {
  if (std::isnan(value)) return "      —";
  char text[32];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

}  // namespace

std::string sobol_json_text(const SobolAnalysis& analysis) {
  OrderedJson root;
  root["scenario"] = analysis.scenario;
  root["seed"] = analysis.seed;
  root["base_samples"] = analysis.base_samples;
  root["paths_simulated"] = analysis.paths_simulated;
  root["backend"] = analysis.backend;
  root["precision"] = analysis.precision;
  root["seconds"] = analysis.seconds;
  root["estimators"] = "first order: Saltelli et al. (2010); total: Jansen (1999); pick-freeze through re-keyed streams";
  root["bootstrap"] = OrderedJson{{"replicates", analysis.bootstrap}, {"level", analysis.level},
                                  {"method", "percentile, resampling 100 batches of base samples"}};
  OrderedJson groups = OrderedJson::array();
  for (const InputGroup& group : analysis.groups) groups.push_back(OrderedJson{{"name", group.name}, {"inputs", group.inputs}});
  root["groups"] = groups;
  OrderedJson outputs = OrderedJson::array();
  for (const SobolOutputIndices& entry : analysis.outputs) {
    OrderedJson output;
    output["output"] = entry.output.label;
    output["variable"] = entry.output.variable;
    output["year"] = entry.output.year;
    output["unit"] = entry.output.unit;
    output["N"] = entry.indices.samples;
    output["variance"] = entry.indices.variance;
    output["interactions"] = interactions(entry.indices);
    OrderedJson indices = OrderedJson::array();
    for (std::size_t i = 0; i < analysis.groups.size(); ++i)
      indices.push_back(OrderedJson{{"group", analysis.groups[i].name},
                                    {"first_order", index_json(entry.indices.first_order[i])},
                                    {"total", index_json(entry.indices.total[i])}});
    output["indices"] = indices;
    outputs.push_back(output);
  }
  root["outputs"] = outputs;
  return root.dump(1, ' ', false, OrderedJson::error_handler_t::replace) + "\n";
}

std::string sobol_csv_text(const SobolAnalysis& analysis) {
  std::string out = "output,variable,year,group,inputs,first_order,first_order_low,first_order_high,total,total_low,"
                    "total_high,base_samples\n";
  for (const SobolOutputIndices& entry : analysis.outputs)
    for (std::size_t i = 0; i < analysis.groups.size(); ++i) {
      const SobolIndex& s = entry.indices.first_order[i];
      const SobolIndex& st = entry.indices.total[i];
      out += csv_text(entry.output.label) + "," + csv_text(entry.output.variable) + "," + std::to_string(entry.output.year) +
             "," + csv_text(analysis.groups[i].name) + "," + csv_text(joined(analysis.groups[i].inputs, ";")) + "," +
             csv_number(s.estimate) + "," + csv_number(s.lower) + "," + csv_number(s.upper) + "," +
             csv_number(st.estimate) + "," + csv_number(st.lower) + "," + csv_number(st.upper) + "," +
             std::to_string(entry.indices.samples) + "\n";
    }
  return out;
}

std::string sobol_table_text(const SobolAnalysis& analysis) {
  std::size_t width = 24;
  for (const InputGroup& group : analysis.groups) width = std::max(width, std::min<std::size_t>(group.name.size(), 48));
  const int level = static_cast<int>(std::lround(analysis.level * 100));
  std::string out;
  for (const SobolOutputIndices& entry : analysis.outputs) {
    out += "\n" + entry.output.label + " (" + entry.output.unit + "): standard deviation " +
           quantity_text(std::sqrt(entry.indices.variance), entry.output.unit) + ", N = " +
           std::to_string(entry.indices.samples) + " base samples\n";
    char heading[160];
    std::snprintf(heading, sizeof heading, "  %-*s  %7s  %-18s  %7s  %s\n", static_cast<int>(width), "group", "S",
                  (std::to_string(level) + "% interval").c_str(), "ST", (std::to_string(level) + "% interval").c_str());
    out += heading;
    std::vector<std::size_t> order(analysis.groups.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    // Largest total index first; NaN (a constant output) last; ties in the groups' order.
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      const double x = entry.indices.total[a].estimate, y = entry.indices.total[b].estimate;
      return std::isnan(y) ? !std::isnan(x) : x > y;
    });
    std::size_t hidden = 0;
    for (std::size_t i : order) {
      const SobolIndex& s = entry.indices.first_order[i];
      const SobolIndex& st = entry.indices.total[i];
      // Groups that explain nothing of this output (every input of the derived outputs, for a
      // headline variable) would bury the ones that do; sobol.csv keeps every row.
      if (std::fabs(s.estimate) < kShownAbove && std::fabs(st.estimate) < kShownAbove) {
        ++hidden;
        continue;
      }
      std::string name = analysis.groups[i].name;
      if (name.size() > width) name = name.substr(0, width - 1) + "~";
      char row[256];
      std::snprintf(row, sizeof row, "  %-*s  %s  [%s, %s]  %s  [%s, %s]\n", static_cast<int>(width), name.c_str(),
                    fixed(s.estimate).c_str(), fixed(s.lower).c_str(), fixed(s.upper).c_str(), fixed(st.estimate).c_str(),
                    fixed(st.lower).c_str(), fixed(st.upper).c_str());
      out += row;
    }
    if (hidden > 0)
      out += "  … " + std::to_string(hidden) + " more group" + (hidden == 1 ? "" : "s") + " with |S| and ST below 0.001 " +
             "(sobol.csv lists every group)\n";
    out += "  interactions (1 − ΣS): " + fixed(interactions(entry.indices), "%.3f") + "\n";
  }
  return out;
}

void write_sobol_files(const std::string& directory, const Scenario& scenario, const SobolAnalysis& analysis) {
  write_file_atomically(directory + "/sobol.json", sobol_json_text(analysis));
  write_file_atomically(directory + "/sobol.csv", sobol_csv_text(analysis));
  write_file_atomically(directory + "/scenario.json", scenario.resolved_json + "\n");
}

}  // namespace chokepoint
