// The comparison section (`report DIR --compare OTHER_DIR`): how the run differs from the other
// (DIR − OTHER), as tables of mean changes with standard errors and as fans drawn over fans.
#include <cmath>

#include "chokepoint/number_format.hpp"
#include "report/fan_chart.hpp"
#include "report/html_report.hpp"

namespace chokepoint::report {

namespace {

std::string signed_quantity(double value, const std::string& unit) {
  return (value > 0 ? "+" : "") + quantity_text(value, unit);
}

std::string signed_points(double difference) {
  char text[32];
  std::snprintf(text, sizeof text, "%+.1f pp", difference * 100.0);
  const std::string printed = text;
  return printed == "-0.0 pp" || printed == "+0.0 pp" ? "0.0 pp" : printed;
}

// A change smaller than two standard errors may be noise: the page greys it out.
bool clear_of_noise(double mean, double se) { return std::isfinite(se) && std::fabs(mean) > 2.0 * se; }

// Cells stay narrow enough for a dozen years side by side: counts drop their unit word (the row
// names it), and the unpaired standard error moves to the hover text.
std::string change_cell(const DifferenceYear& year, const std::string& full_unit, bool paired) {
  const std::string unit = unit_in_cells(full_unit);
  const std::string relative = relative_change_text(year);
  const std::string se_text = "± " + quantity_text(year.se, unit);
  const std::string title = std::to_string(year.year) + ": stress mean " + quantity_text(year.stress_mean, full_unit) +
                            ", base mean " + quantity_text(year.base_mean, full_unit) + ", change " +
                            signed_quantity(year.mean, full_unit) + " ± " + quantity_text(year.se, full_unit) +
                            (paired ? " (paired s.e.; two independent runs would give ± " +
                                          quantity_text(year.unpaired_se, full_unit) + ")"
                                    : " (unpaired s.e.)");
  return std::string("<td class=\"num change") + (clear_of_noise(year.mean, year.se) ? "" : " noise") + "\" title=\"" +
         html(title) + "\"><span class=\"value\">" + html(signed_quantity(year.mean, unit)) +
         "</span><span class=\"relative\">" + html(relative) + "</span><span class=\"se\">" + html(se_text) + "</span></td>";
}

std::string difference_table(const PairedDifference& difference, const std::vector<const VariableDifference*>& rows,
                             bool paired) {
  std::string out = "<table class=\"data differences\">\n<thead><tr><th>variable</th>";
  for (int year : difference.years) out += "<th class=\"num\">" + std::to_string(year) + "</th>";
  out += "</tr></thead>\n<tbody>\n";
  for (const VariableDifference* variable : rows) {
    out += "<tr><th><code>" + html(variable->name) + "</code><small>" + html(variable->unit) + "</small></th>";
    for (const DifferenceYear& year : variable->years) out += change_cell(year, variable->unit, paired);
    out += "</tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

std::string binding_table(const PairedDifference& difference) {
  std::string out = "<table class=\"data differences binding-changes\">\n<thead><tr><th>stage</th>";
  for (int year : difference.years) out += "<th class=\"num\">" + std::to_string(year) + "</th>";
  out += "</tr></thead>\n<tbody>\n";
  for (const StageDifference& stage : difference.stages) {
    out += "<tr><th>" + html(stage.name) + "</th>";
    for (const BindingDifference& year : stage.years) {
      const std::string title = stage.name + ", " + std::to_string(year.year) + ": binding share " +
                                signed_points(year.binding_share) + " " + percentage_points_text(year.binding_share_se) +
                                "; binds at least once " + signed_points(year.binding_any) + " " +
                                percentage_points_text(year.binding_any_se);
      const char* direction = year.binding_share > 0 ? " up" : year.binding_share < 0 ? " down" : "";
      out += std::string("<td class=\"num change") + direction +
             (clear_of_noise(year.binding_share, year.binding_share_se) ? "" : " noise") + "\" title=\"" + html(title) +
             "\">" + signed_points(year.binding_share) + "</td>";
    }
    out += "</tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

std::string overlay_fans(const Summary& stress, const Summary& base) {
  std::string out = "<h3>Distributions, " + html(stress.scenario) + " over " + html(base.scenario) + "</h3>\n";
  out += fan_legend(stress.scenario, base.scenario);
  for (const VariableGroup& group : group_variables(stress)) {
    std::string charts;
    for (const VariableSummary* variable : group.variables) {
      const VariableSummary* other = base.find_variable(variable->name);
      if (!other) continue;
      const FanLayer front = fan_layer(stress, *variable), behind = fan_layer(base, *other);
      std::string reading;
      if (!front.years.empty() && !behind.years.empty())
        reading = "<p class=\"reading\">" + std::to_string(front.years.back().year) + " median: " +
                  html(quantity_text(front.years.back().q50, variable->unit)) + " vs " +
                  html(quantity_text(behind.years.back().q50, variable->unit)) + "</p>\n";
      charts += chart_card("compare-chart", *variable, fan_chart_svg(variable->name, variable->unit, front, &behind), reading);
    }
    if (!charts.empty()) out += "<div class=\"variable-group\">\n<h4 class=\"group-title\">" + html(group.title) + "</h4>\n<div class=\"chart-grid\">\n" + charts + "</div>\n</div>\n";
  }
  return out;
}

}  // namespace

std::string relative_change_text(const DifferenceYear& year) {
  if (!std::isfinite(year.base_mean) || year.base_mean == 0.0) return "";
  char text[32];
  std::snprintf(text, sizeof text, "%+.1f%%", 100.0 * year.mean / std::fabs(year.base_mean));
  return text;
}

std::string compare_section(const ReportInputs& inputs) {
  if (!inputs.baseline || !inputs.difference) return "";
  const Summary& stress = inputs.summary;
  const Summary& base = *inputs.baseline;
  const PairedDifference& difference = *inputs.difference;
  const bool paired = inputs.difference_is_paired;

  std::string out = "<section id=\"compare\" class=\"panel\">\n<h2>Comparison: " + html(stress.scenario) + " against " +
                    html(base.scenario) + "</h2>\n";
  out += "<p class=\"lead\">Changes are <b>" + html(stress.scenario) + " − " + html(base.scenario) + "</b> (" +
         html(inputs.directory) + " − " + html(inputs.baseline_directory) + "): " + html(inputs.difference_source) + ".";
  if (paired)
    out += " Both runs share their random numbers path by path (common random numbers), so the standard errors shown "
           "are of the paired difference; hover a cell to compare with what two independent runs would give.";
  else
    out += " <b>These standard errors are unpaired</b>: the noise of the two runs adds up instead of cancelling.";
  out += " Changes within two standard errors are greyed out.</p>\n";

  std::vector<const VariableDifference*> headline, all;
  for (const VariableSummary* variable : headline_variables(stress))
    if (const VariableDifference* row = difference.find_variable(variable->name)) headline.push_back(row);
  for (const VariableGroup& group : group_variables(stress))
    for (const VariableSummary* variable : group.variables)
      if (const VariableDifference* row = difference.find_variable(variable->name)) all.push_back(row);

  out += "<h3>Change in the mean, headline variables</h3>\n" + difference_table(difference, headline, paired);
  out += "<details><summary>All " + std::to_string(all.size()) + " variables</summary>\n" +
         difference_table(difference, all, paired) + "</details>\n";
  out += difference_charts(inputs);
  out += "<h3>Change in binding share</h3>\n" + binding_table(difference);
  for (const std::string& note : difference.notes) out += "<p class=\"note\">" + html(note) + "</p>\n";
  out += overlay_fans(stress, base);
  return out + "</section>\n";
}

}  // namespace chokepoint::report
