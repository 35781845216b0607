// The report's plain tables: threshold probabilities and the calibration check.
#include <cmath>

#include "analyse/calibration_counts.hpp"
#include "chokepoint/number_format.hpp"
#include "report/html_report.hpp"

namespace chokepoint::report {

namespace {

std::string unit_of(const Summary& summary, const std::string& variable) {
  const VariableSummary* found = summary.find_variable(variable);
  return found ? found->unit : "";
}

double median_of(const Summary& summary, const std::string& variable, int year) {
  if (const VariableSummary* found = summary.find_variable(variable))
    for (const YearStatistics& stats : found->years)
      if (stats.year == year) return quantile_of(summary, stats, 0.5);
  return std::nan("");
}

// A probability as a small horizontal bar, so a column of them reads like a chart.
std::string probability_bar(double p) {
  const double percent = std::isfinite(p) ? std::fmax(0.0, std::fmin(1.0, p)) * 100.0 : 0.0;
  char width[32];
  std::snprintf(width, sizeof width, "%.1f%%", percent);
  return "<span class=\"bar\"><span style=\"width:" + std::string(width) + "\"></span></span>";
}

std::string tail_value_text(const TailCheck& check, double value, const std::string& unit) {
  return check.kind == TailKind::quantile ? quantity_text(value, unit) : percent_text(value);
}

std::string tail_bound_cell(const TailCheck& check, const TailBound& bound, const std::string& unit) {
  if (!bound.variable.empty()) return tail_bound_text(bound);
  return tail_value_text(check, bound.value, unit);
}

// Tail checks beside the median targets: one row per check, at its worst year when it covers
// every year. The verdict is the point estimate's; the 95 % interval says whether more paths
// could change it.
std::string tail_check_table(const CalibrationReport& calibration, const Summary& summary) {
  const CheckCounts counts = count_checks(calibration.tails);
  std::string out = "<h3>Tail checks</h3>\n<p class=\"lead\">Limits on the tails (a p99, the chance of no production) "
                    "that the scenario must respect: " +
                    std::to_string(counts.passed) + " of " + std::to_string(counts.checked) +
                    " met. Judged on the model's estimate; its 95% interval is shown beside it (a quantile's from order "
                    "statistics, a probability's Wilson interval), and “unsettled” marks a verdict the interval does "
                    "not settle.</p>\n";
  out += "<table class=\"data calibration tails\">\n<thead><tr><th>limit</th><th>variable</th><th>year</th>"
         "<th>check</th><th class=\"num\">model (worst year)</th><th class=\"num\">95% interval</th><th>result</th>"
         "<th>source or reasoning</th></tr></thead>\n<tbody>\n";
  for (const TailRow& row : calibration.tails) {
    const TailCheck& check = row.check;
    const std::string full_unit = unit_of(summary, check.variable);
    const std::string unit = unit_in_cells(full_unit);
    std::string check_text = tail_statistic_text(check);
    if (check.at_least.present) check_text += " ≥ " + tail_bound_cell(check, check.at_least, unit);
    if (check.at_most.present) check_text += (check.at_least.present ? ", ≤ " : " ≤ ") + tail_bound_cell(check, check.at_most, unit);
    std::string year = check.year == TailCheck::kEveryYear ? "every year" : std::to_string(check.year);
    out += "<tr><td>" + html(check.label) + "</td><td><code>" + html(check.variable) + "</code><small class=\"unit\">" +
           html(full_unit) + "</small></td>";
    if (row.skipped) {
      out += "<td>" + year + "</td><td>" + html(check_text) + "</td><td></td><td></td>"
             "<td><span class=\"badge skipped\">skipped</span></td>";
    } else {
      const TailYear& worst = row.years[row.worst];
      if (check.year == TailCheck::kEveryYear) year += " (worst " + std::to_string(worst.year) + ")";
      const std::size_t failed = missed_years(row);
      std::string result = row.passed ? "pass" : "miss";
      if (check.year == TailCheck::kEveryYear && failed > 0)
        result += " (" + std::to_string(failed) + " of " + std::to_string(row.years.size()) + " years)";
      out += "<td>" + year + "</td><td>" + html(check_text) + "</td><td class=\"num strong\">" +
             html(tail_value_text(check, worst.estimate, unit)) + "</td><td class=\"num\">" +
             html(tail_value_text(check, worst.ci_low, unit)) + " – " + html(tail_value_text(check, worst.ci_high, unit)) +
             "</td><td><span class=\"badge " + std::string(row.passed ? "pass" : "miss") + "\">" + result + "</span>" +
             (worst.decided ? "" : " <small>unsettled</small>") + "</td>";
    }
    out += "<td class=\"source\">" + html(check.source.empty() ? check.reasoning : check.source) + "</td></tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

}  // namespace

std::string thresholds_section(const Summary& summary) {
  if (summary.thresholds.empty()) return "";
  std::string out = "<section id=\"thresholds\" class=\"panel\">\n<h2>Threshold probabilities</h2>\n";
  out += "<p class=\"lead\">The chance that a variable reaches a level the scenario asks about, with its Monte Carlo "
         "standard error.</p>\n";
  out += "<table class=\"data thresholds\">\n<thead><tr><th>variable</th><th>year</th><th class=\"num\">at least</th>"
         "<th class=\"num\">median that year</th><th class=\"num\">probability</th><th class=\"num\">MC s.e.</th>"
         "<th></th></tr></thead>\n<tbody>\n";
  for (const ThresholdResult& threshold : summary.thresholds) {
    const std::string unit = unit_of(summary, threshold.variable);
    out += "<tr class=\"threshold\"><td><code>" + html(threshold.variable) + "</code></td><td>" +
           std::to_string(threshold.year) + "</td><td class=\"num\">" + html(quantity_text(threshold.at_least, unit)) +
           "</td><td class=\"num\">" + html(quantity_text(median_of(summary, threshold.variable, threshold.year), unit)) +
           "</td><td class=\"num strong\">" + percent_text(threshold.p) + "</td><td class=\"num muted\">" +
           percentage_points_text(threshold.se) + "</td><td>" + probability_bar(threshold.p) + "</td></tr>\n";
  }
  return out + "</tbody>\n</table>\n</section>\n";
}

std::string calibration_section(const CalibrationReport& calibration, const Summary& summary) {
  const CheckCounts counts = count_checks(calibration.rows);
  std::string out = "<section id=\"calibration\" class=\"panel\">\n<h2>Calibration</h2>\n";
  out += "<p class=\"lead\">Does the median reproduce the published figures the scenario was calibrated to? " +
         std::to_string(counts.passed) + " of " + std::to_string(counts.checked) + " targets met (from <code>calibration.json</code>, " +
         "written by <code>chokepoint calibrate</code>).</p>\n";
  out += "<table class=\"data calibration\">\n<thead><tr><th>figure</th><th>variable</th><th>year</th>"
         "<th class=\"num\">published</th><th class=\"num\">median allowed</th><th class=\"num\">model median</th>"
         "<th class=\"num\">model 5–95%</th><th>result</th><th>source</th></tr></thead>\n<tbody>\n";
  for (const CalibrationRow& row : calibration.rows) {
    const std::string full_unit = unit_of(summary, row.target.variable);
    const std::string unit = unit_in_cells(full_unit);  // other units print once, under the variable
    const std::string figure = (row.target.kind == TargetKind::about ? "≈ " : "≥ ") + quantity_text(row.target.value, unit);
    const std::string result = row.skipped ? "skipped" : row.passed ? "pass" : row.median < row.lowest_allowed ? "miss (low)" : "miss (high)";
    const std::string result_class = row.skipped ? "skipped" : row.passed ? "pass" : "miss";
    out += "<tr><td>" + html(row.target.label) + "</td><td><code>" + html(row.target.variable) + "</code><small class=\"unit\">" + html(full_unit) + "</small></td><td>" +
           std::to_string(row.target.year) + "</td><td class=\"num\">" + html(figure) + "</td>";
    if (row.skipped) {
      out += "<td></td><td></td><td></td>";
    } else {
      out += "<td class=\"num\">" + html(quantity_range_text(row.lowest_allowed, row.highest_allowed, unit)) +
             "</td><td class=\"num strong\">" + html(quantity_text(row.median, unit)) + "</td><td class=\"num\">" +
             html(quantity_range_text(row.low, row.high, unit)) + "</td>";
    }
    out += "<td><span class=\"badge " + result_class + "\">" + result + "</span></td><td class=\"source\">" +
           html(row.target.source) + "</td></tr>\n";
  }
  out += "</tbody>\n</table>\n";
  if (!calibration.tails.empty()) out += tail_check_table(calibration, summary);
  return out + "</section>\n";
}

}  // namespace chokepoint::report
