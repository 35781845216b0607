// "What drives it": the tornado (DIR/tornado.json), the contribution to variance and each
// stage's binding drivers (summary.json "sensitivity"). First two cards answer the questions a
// reader of the baseline asks first: what drives production in 2027 and power binding in 2028.
#include <algorithm>
#include <cmath>
#include <set>

#include "report/driver_charts.hpp"
#include "report/html_report.hpp"
#include "report/picker.hpp"

namespace chokepoint::report {

namespace {

// The calibration's anchor years (docs/calibration.md: production in 2027, power in 2028); the
// middle of what is there when the run lacks them.
constexpr int kProductionYear = 2027, kPowerYear = 2028;
constexpr std::size_t kBindingDrivers = 4;

int preferred_year(const std::set<int>& available, int wanted) {
  if (available.empty()) return wanted;
  if (available.count(wanted)) return wanted;
  auto middle = available.begin();
  std::advance(middle, static_cast<long>(available.size() / 2));
  return *middle;
}

const TornadoPanel* find_tornado(const ReportInputs& inputs, const std::string& variable, int year) {
  if (!inputs.tornado) return nullptr;
  for (const TornadoPanel& chart : inputs.tornado->charts)
    if (chart.variable == variable && chart.year == year) return &chart;
  return nullptr;
}

const OutputIndices* find_first_order(const ReportInputs& inputs, const std::string& output, int year) {
  if (!inputs.sensitivity) return nullptr;
  for (const OutputIndices& row : inputs.sensitivity->first_order)
    if (row.output == output && row.year == year) return &row;
  return nullptr;
}

std::string binding_output(const std::string& stage) { return stage + ".binding_share"; }

// The inputs whose deciles a stage's binding chart shows: the largest first-order indices of
// its binding share, else the curves that move most.
std::vector<const BindingCurve*> binding_drivers(const ReportInputs& inputs, const std::string& stage, int year) {
  std::vector<const BindingCurve*> curves;
  if (!inputs.sensitivity) return curves;
  for (const BindingCurve& curve : inputs.sensitivity->binding_by_decile)
    if (curve.stage == stage && curve.year == year) curves.push_back(&curve);
  auto spread = [](const BindingCurve* curve) {
    double low = 1.0, high = 0.0;
    for (double p : curve->probability)
      if (std::isfinite(p)) low = std::min(low, p), high = std::max(high, p);
    return high - low;
  };
  auto index_of = [&](const BindingCurve* curve) {
    if (const OutputIndices* row = find_first_order(inputs, binding_output(stage), year))
      for (const InputIndex& index : row->indices)
        if (index.input == curve->input && std::isfinite(index.index)) return index.index;
    return -1e300;
  };
  std::stable_sort(curves.begin(), curves.end(), [&](const BindingCurve* a, const BindingCurve* b) {
    if (index_of(a) != index_of(b)) return index_of(a) > index_of(b);
    if (spread(a) != spread(b)) return spread(a) > spread(b);
    return a->input < b->input;
  });
  if (curves.size() > kBindingDrivers) curves.resize(kBindingDrivers);
  return curves;
}

std::string tornado_figure(const TornadoPanel& chart) {
  return "<figure class=\"tornado\" data-variable=\"" + html(chart.variable) + "\" data-year=\"" + std::to_string(chart.year) +
         "\">\n<figcaption><code>" + html(chart.variable) + "</code>, " + std::to_string(chart.year) +
         ": the median when one input sits at its 10th (light) or 90th (dark) percentile</figcaption>\n" + tornado_svg(chart) +
         "</figure>\n";
}

std::string variance_figure(const OutputIndices& output) {
  return "<figure class=\"variance\" data-output=\"" + html(output.output) + "\" data-year=\"" + std::to_string(output.year) +
         "\">\n<figcaption>Share of the variance of <code>" + html(output.output) + "</code> in " +
         std::to_string(output.year) + " each input explains alone (first-order index, whiskers ± 2 s.e.)</figcaption>\n" +
         variance_svg(output) + "</figure>\n";
}

std::string binding_figures(const ReportInputs& inputs, const std::string& stage, int year) {
  std::string out;
  if (const OutputIndices* row = find_first_order(inputs, binding_output(stage), year)) out += variance_figure(*row);
  const std::vector<const BindingCurve*> drivers = binding_drivers(inputs, stage, year);
  if (!drivers.empty()) {
    out += "<div class=\"decile-grid\" data-stage=\"" + html(stage) + "\" data-year=\"" + std::to_string(year) + "\">\n";
    for (const BindingCurve* curve : drivers)
      out += "<figure class=\"decile\" data-input=\"" + html(curve->input) + "\"><figcaption>P(" + html(stage) +
             " binds) by decile of <code>" + html(curve->input) + "</code></figcaption>\n" + decile_svg(*curve) + "</figure>\n";
    out += "</div>\n";
  }
  return out;
}

std::set<std::string> binding_stages(const SensitivityFile& data) {
  std::set<std::string> stages;
  for (const BindingCurve& curve : data.binding_by_decile) stages.insert(curve.stage);
  const std::string suffix = ".binding_share";
  for (const OutputIndices& row : data.first_order)
    if (row.output.size() > suffix.size() && row.output.compare(row.output.size() - suffix.size(), suffix.size(), suffix) == 0)
      stages.insert(row.output.substr(0, row.output.size() - suffix.size()));
  return stages;
}

std::set<int> years_of_stage(const SensitivityFile& data, const std::string& stage) {
  std::set<int> years;
  for (const BindingCurve& curve : data.binding_by_decile)
    if (curve.stage == stage) years.insert(curve.year);
  for (const OutputIndices& row : data.first_order)
    if (row.output == binding_output(stage)) years.insert(row.year);
  return years;
}

// The two questions up front.
std::string headline_cards(const ReportInputs& inputs) {
  std::string out = "<div class=\"driver-cards\">\n";
  // Production: the variable with a tornado or indices, produced units when it has them.
  std::set<int> production_years;
  if (inputs.tornado)
    for (const TornadoPanel& chart : inputs.tornado->charts)
      if (chart.variable == "produced_units") production_years.insert(chart.year);
  if (inputs.sensitivity)
    for (const OutputIndices& row : inputs.sensitivity->first_order)
      if (row.output == "produced_units") production_years.insert(row.year);
  if (!production_years.empty()) {
    const int year = preferred_year(production_years, kProductionYear);
    out += "<section class=\"driver-card\" data-output=\"produced_units\" data-year=\"" + std::to_string(year) +
           "\">\n<h3>What drives production in " + std::to_string(year) + "</h3>\n";
    if (const TornadoPanel* chart = find_tornado(inputs, "produced_units", year)) out += tornado_figure(*chart);
    if (const OutputIndices* row = find_first_order(inputs, "produced_units", year)) out += variance_figure(*row);
    out += "</section>\n";
  }
  if (inputs.sensitivity) {
    const std::set<std::string> stages = binding_stages(*inputs.sensitivity);
    std::string stage = stages.count("power") ? "power" : "";
    if (stage.empty() && !stages.empty()) {
      // The stage that binds most often in the middle year.
      double most = -1.0;
      for (const std::string& name : stages)
        if (const StageSummary* summary = inputs.summary.find_stage(name))
          for (const StageYear& y : summary->years)
            if (y.binding_share > most) most = y.binding_share, stage = name;
      if (stage.empty()) stage = *stages.begin();
    }
    if (!stage.empty()) {
      const int year = preferred_year(years_of_stage(*inputs.sensitivity, stage), kPowerYear);
      out += "<section class=\"driver-card\" data-output=\"" + html(binding_output(stage)) + "\" data-year=\"" +
             std::to_string(year) + "\">\n<h3>What makes " + html(stage) + " bind in " + std::to_string(year) + "</h3>\n" +
             binding_figures(inputs, stage, year) + "</section>\n";
    }
  }
  return out + "</div>\n";
}

std::string tornado_explorer(const TornadoFile& data) {
  std::set<int> year_set;
  for (const TornadoPanel& chart : data.charts) year_set.insert(chart.year);
  const std::vector<int> years(year_set.begin(), year_set.end());
  PickerAxis axis{"Year", {}, 0};
  for (std::size_t i = 0; i < years.size(); ++i) {
    axis.labels.push_back(std::to_string(years[i]));
    if (years[i] == preferred_year(year_set, kProductionYear)) axis.chosen = i;
  }
  std::string out = "<h3>Tornado by year</h3>\n<p class=\"note\">" + std::to_string(data.paths) +
                    " paths per setting, seed " + std::to_string(data.seed) +
                    "; every other draw is the same in each setting (common random numbers), so a bar is the input's own "
                    "effect. Bars are sorted by the size of the swing; hover a bar for its numbers.</p>\n";
  return out + picker("tornado-year", {axis}, [&](const std::vector<std::size_t>& chosen) {
           std::string charts;
           for (const TornadoPanel& chart : data.charts)
             if (chart.year == years[chosen[0]]) charts += tornado_figure(chart);
           return charts.empty() ? charts : "<div class=\"driver-grid\">\n" + charts + "</div>\n";
         });
}

// The headline variables and each stage's binding share: every output and threshold the run
// has indices for would put hundreds of charts on the page.
std::string variance_explorer(const ReportInputs& inputs) {
  const SensitivityFile& data = *inputs.sensitivity;
  std::vector<std::string> wanted;
  for (const VariableSummary* variable : headline_variables(inputs.summary)) wanted.push_back(variable->name);
  for (const std::string& stage : binding_stages(data)) wanted.push_back(binding_output(stage));
  std::vector<std::string> outputs;
  std::set<int> year_set;
  for (const std::string& name : wanted)
    for (const OutputIndices& row : data.first_order)
      if (row.output == name) {
        if (std::find(outputs.begin(), outputs.end(), row.output) == outputs.end()) outputs.push_back(row.output);
        year_set.insert(row.year);
      }
  if (outputs.empty()) return "";
  const std::vector<int> years(year_set.begin(), year_set.end());
  PickerAxis output_axis{"Output", outputs, 0}, year_axis{"Year", {}, 0};
  for (std::size_t i = 0; i < outputs.size(); ++i)
    if (outputs[i] == "produced_units") output_axis.chosen = i;
  for (std::size_t i = 0; i < years.size(); ++i) {
    year_axis.labels.push_back(std::to_string(years[i]));
    if (years[i] == preferred_year(year_set, kProductionYear)) year_axis.chosen = i;
  }
  std::string out = "<h3>Contribution to variance</h3>\n<p class=\"note\">First-order indices from the run's own " +
                    std::string("paths, ") + std::to_string(data.bins) +
                    " equal-probability bins per input (docs/sensitivity.md). What the listed inputs do not explain alone "
                    "is their interactions and the inputs not listed.</p>\n";
  return out + picker("variance", {output_axis, year_axis}, [&](const std::vector<std::size_t>& chosen) {
           for (const OutputIndices& row : data.first_order)
             if (row.output == outputs[chosen[0]] && row.year == years[chosen[1]]) return variance_figure(row);
           return std::string();
         });
}

std::string binding_explorer(const ReportInputs& inputs) {
  const SensitivityFile& data = *inputs.sensitivity;
  const std::set<std::string> stage_set = binding_stages(data);
  if (stage_set.empty()) return "";
  const std::vector<std::string> stages(stage_set.begin(), stage_set.end());
  std::set<int> year_set;
  for (const std::string& stage : stages)
    for (int year : years_of_stage(data, stage)) year_set.insert(year);
  const std::vector<int> years(year_set.begin(), year_set.end());
  PickerAxis stage_axis{"Stage", stages, 0}, year_axis{"Year", {}, 0};
  for (std::size_t i = 0; i < stages.size(); ++i)
    if (stages[i] == "power") stage_axis.chosen = i;
  for (std::size_t i = 0; i < years.size(); ++i) {
    year_axis.labels.push_back(std::to_string(years[i]));
    if (years[i] == preferred_year(year_set, kPowerYear)) year_axis.chosen = i;
  }
  return "<h3>What makes each stage bind</h3>\n<p class=\"note\">The inputs that explain most of the stage's binding "
         "share, and the probability that it binds when each input lies in each tenth of its range (dashed: over all "
         "paths).</p>\n" +
         picker("binding", {stage_axis, year_axis}, [&](const std::vector<std::size_t>& chosen) {
           return binding_figures(inputs, stages[chosen[0]], years[chosen[1]]);
         });
}

}  // namespace

std::string drivers_section(const ReportInputs& inputs) {
  const bool has_tornado = inputs.tornado && !inputs.tornado->charts.empty();
  const bool has_sensitivity =
      inputs.sensitivity && (!inputs.sensitivity->first_order.empty() || !inputs.sensitivity->binding_by_decile.empty());
  if (!has_tornado && !has_sensitivity) return "";
  std::string out = "<section id=\"drivers\" class=\"panel\">\n<h2>What drives it</h2>\n<p class=\"lead\">Which uncertain "
                    "inputs move the forecast, and which make a stage the bottleneck.</p>\n";
  out += headline_cards(inputs);
  if (has_tornado) out += tornado_explorer(*inputs.tornado);
  if (has_sensitivity) out += variance_explorer(inputs) + binding_explorer(inputs);
  return out + "</section>\n";
}

}  // namespace chokepoint::report
