// The pieces of the HTML report (include/chokepoint/report.hpp), one section per function, each
// returning finished HTML. html_report.cpp puts them on the page in reading order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chokepoint/report.hpp"

namespace chokepoint::report {

// Text for HTML content and attribute values (& < > " ' escaped).
std::string html(const std::string& text);

// The report's stylesheet, inlined into the page's <head>.
std::string stylesheet();

// ---- variables, as the reader meets them -------------------------------------------------------

struct VariableGroup {
  std::string title;  // "Demand, tokens and revenue", "Stage: cowos (CoWoS wafers)", …
  std::string id;     // an HTML id for links
  std::vector<const VariableSummary*> variables;
};

// The chain's variables first (demand to revenue, then accelerators), then one group per stage
// in the scenario's order, then any other outputs; every reported variable exactly once.
std::vector<VariableGroup> group_variables(const Summary& summary);

// What a variable measures, in words ("accelerators produced in the year"); empty when unknown.
std::string describe_variable(const std::string& name, const std::string& kind);

// The variables the headline and the comparison lead with, those of them the run reports.
std::vector<const VariableSummary*> headline_variables(const Summary& summary);

// The quantile at `level` of one year, NaN when the run did not report that level.
double quantile_of(const Summary& summary, const YearStatistics& stats, double level);

// ---- fan charts ----------------------------------------------------------------------------------

// One chart with its heading (name, unit, what it measures) and `below` (HTML: a reading of the
// figures) inside <section class="CSS_CLASS" data-variable="NAME">.
std::string chart_card(const std::string& css_class, const VariableSummary& variable, const std::string& svg,
                       const std::string& below);

// The key to the bands: one run, or the stress drawn over the baseline.
std::string fan_legend(const std::string& front_scenario, const std::string& behind_scenario = "");

// ---- sections ------------------------------------------------------------------------------------

// Path counts read exactly: 100000 → "100,000".
std::string grouped_digits(std::uint64_t value);

// Fan charts and first/middle/last-year figures of the headline variables, and how precise the
// page's numbers are (Monte Carlo standard errors).
std::string headline_section(const Summary& summary);
std::string bottleneck_map_section(const Summary& summary);
std::string thresholds_section(const Summary& summary);          // "" when the scenario asks for none
std::string calibration_section(const CalibrationReport& calibration, const Summary& summary);
std::string compare_section(const ReportInputs& inputs);          // needs inputs.baseline and .difference
// A year's change in the mean relative to the base mean, "+12.3%"; "" when the base mean is 0 or
// not finite (the comparison's cells and the difference chart's hover text).
std::string relative_change_text(const DifferenceYear& year);
std::string fan_chart_sections(const Summary& summary);
// "" when the run has none of what they draw.
std::string drivers_section(const ReportInputs& inputs);   // DIR/tornado.json, summary.json "sensitivity"
std::string distribution_section(const Summary& summary);  // summary.json "distributions"
std::string convergence_section(const Summary& summary);   // summary.json "convergence"
std::string difference_charts(const ReportInputs& inputs); // part of the comparison

}  // namespace chokepoint::report
