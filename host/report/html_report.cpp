// The HTML report's page: the header naming the run, then the sections of html_report.hpp in
// reading order. One file, inline CSS and SVG, no script.
#include "report/html_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "chokepoint/number_format.hpp"
#include "chokepoint/report.hpp"

namespace chokepoint {

namespace report {
namespace {

std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, seconds < 10 ? "%.2f s" : seconds < 100 ? "%.1f s" : "%.0f s", seconds);
  return text;
}

std::string fact(const std::string& name, const std::string& value) {
  return "<div><dt>" + html(name) + "</dt><dd>" + html(value) + "</dd></div>";
}

std::string header(const ReportInputs& inputs) {
  const Summary& summary = inputs.summary;
  const std::string span = summary.years.empty() ? std::string()
                                                 : std::to_string(summary.years.front()) + "–" +
                                                       std::to_string(summary.years.back());
  std::string out = "<header class=\"report-header\">\n<p class=\"kicker\">chokepoint · supply-chain risk report</p>\n";
  out += "<h1>" + html(summary.scenario) + "</h1>\n";
  out += "<p class=\"subtitle\">Monte Carlo forecast of the AI-infrastructure supply chain, " + html(span) + "</p>\n";
  const double rate = summary.seconds > 0 ? static_cast<double>(summary.paths) / summary.seconds : 0.0;
  out += "<dl class=\"run-facts\">" + fact("paths", grouped_digits(summary.paths)) + fact("seed", std::to_string(summary.seed)) +
         fact("backend", summary.backend) + fact("device", summary.device.empty() ? "—" : summary.device) +
         fact("run time", seconds_text(summary.seconds) + (rate > 0 ? " · " + si_number(rate) + " paths/s" : "")) +
         fact("engine", std::string("chokepoint ") + kEngineVersion) + fact("run directory", inputs.directory) +
         "</dl>\n</header>\n";
  return out;
}

std::string section_links(const ReportInputs& inputs) {
  std::string out = "<nav class=\"sections\">";
  if (inputs.tornado || inputs.sensitivity) out += "<a href=\"#drivers\">What drives it</a>";
  out += "<a href=\"#headline\">Headline figures</a><a href=\"#bottlenecks\">Bottleneck map</a>";
  if (!inputs.summary.thresholds.empty()) out += "<a href=\"#thresholds\">Thresholds</a>";
  if (inputs.calibration) out += "<a href=\"#calibration\">Calibration</a>";
  if (inputs.baseline) out += "<a href=\"#compare\">Comparison</a>";
  if (!inputs.summary.distributions.empty()) out += "<a href=\"#distribution\">One year</a>";
  if (!inputs.summary.convergence.empty()) out += "<a href=\"#convergence\">Enough paths?</a>";
  return out + "<a href=\"#fans\">Distributions</a></nav>\n";
}

std::string notes_section(const ReportInputs& inputs) {
  std::vector<std::string> notes = inputs.summary.notes;
  notes.insert(notes.end(), inputs.notes.begin(), inputs.notes.end());
  // Non-finite results make a variable-year's statistics unreliable: say so at the top.
  for (const NonfiniteCount& count : inputs.summary.nonfinite)
    notes.push_back(count.variable + " in " + std::to_string(count.year) + ": " + std::to_string(count.nonfinite_paths) +
                    " of " + std::to_string(inputs.summary.paths) + " paths not a finite number, " +
                    std::to_string(count.saturated_paths) + " beyond float range (stored as ±3.4e38); its statistics are unreliable");
  if (notes.empty()) return "";
  std::string out = "<aside class=\"notes\"><h2>Notes</h2><ul>";
  for (const std::string& note : notes) out += "<li>" + html(note) + "</li>";
  return out + "</ul></aside>\n";
}

std::string footer() {
  return std::string("<footer>Made by chokepoint ") + kEngineVersion +
         " from the run's summary.json. Flows are totals over each calendar year, stocks are at year end; quantiles "
         "are exact order statistics across paths. This page is self-contained: it loads nothing.</footer>\n";
}

}  // namespace
}  // namespace report

std::string html_report(const ReportInputs& inputs) {
  using namespace report;
  const Summary& summary = inputs.summary;
  std::string page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  page += "<meta name=\"generator\" content=\"chokepoint " + std::string(kEngineVersion) + "\">\n";
  page += "<title>" + html(summary.scenario) + " — chokepoint report</title>\n<style>\n" + stylesheet() + "</style>\n";
  page += "</head>\n<body>\n<main>\n";
  // What drives the forecast comes first when the run measured it: the question the page answers.
  page += header(inputs) + section_links(inputs) + notes_section(inputs) + drivers_section(inputs) + headline_section(summary);
  page += bottleneck_map_section(summary) + thresholds_section(summary);
  if (inputs.calibration) page += calibration_section(*inputs.calibration, summary);
  page += compare_section(inputs);
  page += distribution_section(summary) + convergence_section(summary);
  page += fan_chart_sections(summary);
  page += footer() + "</main>\n</body>\n</html>\n";
  return page;
}

}  // namespace chokepoint
