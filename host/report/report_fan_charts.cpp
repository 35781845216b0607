// The fan charts of every reported variable, grouped as the chain reads (html_report.hpp).
#include <cmath>

#include "chokepoint/number_format.hpp"
#include "report/fan_chart.hpp"
#include "report/html_report.hpp"

namespace chokepoint::report {

namespace {

std::string last_year_reading(const FanLayer& layer, const std::string& unit) {
  if (layer.years.empty()) return "";
  const FanYear& last = layer.years.back();
  return "<p class=\"reading\">" + std::to_string(last.year) + ": median <b>" + html(quantity_text(last.q50, unit)) +
         "</b>, 90% " + html(quantity_range_text(last.q05, last.q95, unit)) + "</p>\n";
}

std::string swatch(const std::string& css_class, const std::string& label) {
  return "<span class=\"key\"><svg viewBox=\"0 0 22 12\" width=\"22\" height=\"12\"><rect x=\"0\" y=\"1\" width=\"22\" "
         "height=\"10\" class=\"" + css_class + "\"/></svg>" + html(label) + "</span>";
}

std::string median_swatch(const std::string& css_class, const std::string& label) {
  return "<span class=\"key\"><svg viewBox=\"0 0 22 12\" width=\"22\" height=\"12\"><line x1=\"0\" y1=\"6\" x2=\"22\" "
         "y2=\"6\" class=\"" + css_class + "\"/></svg>" + html(label) + "</span>";
}

}  // namespace

std::string chart_card(const std::string& css_class, const VariableSummary& variable, const std::string& svg,
                       const std::string& below) {
  const std::string description = describe_variable(variable.name, variable.kind);
  return "<section class=\"" + css_class + "\" data-variable=\"" + html(variable.name) + "\">\n<h4><code>" +
         html(variable.name) + "</code> <span class=\"unit\">" + html(variable.unit) + "</span></h4>\n<p class=\"what\">" +
         html(description.empty() ? variable.kind : description) + "</p>\n" + svg + below + "</section>\n";
}

std::string fan_legend(const std::string& front_scenario, const std::string& behind_scenario) {
  if (behind_scenario.empty())
    return "<div class=\"fan-legend\">" + swatch("band-98", "1–99%") + swatch("band-90", "90%") +
           swatch("band-50", "50% (quartiles)") + median_swatch("median", "median") +
           "<span class=\"legend-note\">hover a chart for each year's numbers and the mean's Monte Carlo standard "
           "error</span></div>\n";
  return "<div class=\"fan-legend\">" + swatch("band-90 base", behind_scenario + " 90%") +
         swatch("band-50 base", behind_scenario + " 50%") + median_swatch("median base", behind_scenario + " median") +
         swatch("band-90 stress", front_scenario + " 90%") + swatch("band-50 stress", front_scenario + " 50%") +
         median_swatch("median stress", front_scenario + " median") + "</div>\n";
}

std::string fan_chart_sections(const Summary& summary) {
  const std::vector<VariableGroup> groups = group_variables(summary);
  std::string out = "<section id=\"fans\" class=\"panel\">\n<h2>Distributions by variable</h2>\n";
  out += "<p class=\"lead\">Each fan shows how the variable's distribution across paths spreads over the years. Flows "
         "are totals over the calendar year, stocks are at year end. Axes switch to a log scale where a variable spans "
         "more than about 1.5 decades.</p>\n";
  out += fan_legend(summary.scenario);
  out += "<nav class=\"group-links\">";
  for (const VariableGroup& group : groups)
    out += "<a href=\"#" + html(group.id) + "\">" + html(group.title) + "</a>";
  out += "</nav>\n";
  for (const VariableGroup& group : groups) {
    out += "<div class=\"variable-group\" id=\"" + html(group.id) + "\">\n<h3>" + html(group.title) + "</h3>\n";
    out += "<div class=\"chart-grid\">\n";
    for (const VariableSummary* variable : group.variables) {
      const FanLayer layer = fan_layer(summary, *variable);
      out += chart_card("fan-chart", *variable, fan_chart_svg(variable->name, variable->unit, layer),
                        last_year_reading(layer, variable->unit));
    }
    out += "</div>\n</div>\n";
  }
  return out + "</section>\n";
}

}  // namespace chokepoint::report
