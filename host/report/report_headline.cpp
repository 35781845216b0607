// The report's headline: the few variables a reader asks about first, each as a fan chart with its
// figures for the first, middle and last year, and how precise the page's numbers are.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "chokepoint/number_format.hpp"
#include "report/fan_chart.hpp"
#include "report/html_report.hpp"

namespace chokepoint::report {

namespace {

// The first, middle and last years: enough to read the trend without a wall of numbers.
std::vector<std::size_t> headline_year_indices(const Summary& summary) {
  std::vector<std::size_t> indices;
  if (summary.years.empty()) return indices;
  for (std::size_t index : {std::size_t{0}, summary.years.size() / 2, summary.years.size() - 1})
    if (std::find(indices.begin(), indices.end(), index) == indices.end()) indices.push_back(index);
  return indices;
}

std::string figures_table(const Summary& summary, const VariableSummary& variable) {
  const std::string unit = unit_in_cells(variable.unit);  // the card's heading names the unit
  std::string out = "<table class=\"figures\"><thead><tr><th></th><th>median</th><th>90% band</th>"
                    "<th>mean ± MC s.e.</th></tr></thead><tbody>";
  for (std::size_t y : headline_year_indices(summary)) {
    if (y >= variable.years.size()) continue;
    const YearStatistics& stats = variable.years[y];
    out += "<tr><th>" + std::to_string(stats.year) + "</th><td class=\"median\">" +
           html(quantity_text(quantile_of(summary, stats, 0.5), unit)) + "</td><td>" +
           html(quantity_range_text(quantile_of(summary, stats, 0.05), quantile_of(summary, stats, 0.95), unit)) +
           "</td><td class=\"mean\">" + html(quantity_text(stats.mean, unit)) + " ± " +
           html(quantity_text(stats.se, unit)) + "</td></tr>";
  }
  return out + "</tbody></table>";
}

// How precise the numbers are: the largest Monte Carlo standard errors on the page.
std::string precision_note(const Summary& summary) {
  double relative_se = 0.0, binding_se = 0.0, threshold_se = 0.0;
  for (const VariableSummary* variable : headline_variables(summary))
    for (const YearStatistics& stats : variable->years)
      if (stats.mean != 0.0 && std::isfinite(stats.se)) relative_se = std::max(relative_se, stats.se / std::fabs(stats.mean));
  for (const StageSummary& stage : summary.stages)
    for (const StageYear& year : stage.years)
      if (std::isfinite(year.binding_share_se)) binding_se = std::max(binding_se, year.binding_share_se);
  for (const ThresholdResult& threshold : summary.thresholds)
    if (std::isfinite(threshold.se)) threshold_se = std::max(threshold_se, threshold.se);
  char relative[32];
  std::snprintf(relative, sizeof relative, "%.2g%%", relative_se * 100.0);
  std::string out = "<p class=\"precision\"><b>Monte Carlo precision</b> with " + grouped_digits(summary.paths) +
                    " paths: the means of the headline variables carry a standard error of at most " + relative +
                    " of their value; binding shares at most " + percentage_points_text(binding_se);
  if (!summary.thresholds.empty()) out += "; threshold probabilities at most " + percentage_points_text(threshold_se);
  return out + ". Quantiles are exact order statistics of the simulated paths, with errors of similar relative size.</p>\n";
}

}  // namespace

std::string headline_section(const Summary& summary) {
  std::string out = "<section id=\"headline\" class=\"panel\">\n<h2>Headline figures</h2>\n";
  out += fan_legend(summary.scenario);
  out += "<div class=\"chart-grid\">\n";
  for (const VariableSummary* variable : headline_variables(summary)) {
    const FanLayer layer = fan_layer(summary, *variable);
    out += chart_card("headline-chart", *variable, fan_chart_svg(variable->name, variable->unit, layer),
                      figures_table(summary, *variable));
  }
  out += "</div>\n";
  return out + precision_note(summary) + "</section>\n";
}

}  // namespace chokepoint::report
