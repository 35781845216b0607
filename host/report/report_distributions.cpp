// "One year's distribution" (histogram and CDF of any variable-year the reader picks) and
// "Enough paths?" (convergence of the headline means and medians), from summary.json's
// "distributions" and "convergence" sections.
#include <algorithm>
#include <set>

#include "chokepoint/number_format.hpp"
#include "report/distribution_charts.hpp"
#include "report/html_report.hpp"
#include "report/picker.hpp"
#include "reduce/streamed_convergence.hpp"

namespace chokepoint::report {

namespace {

// The year a picker starts at: the calibration's production year when the run has it (the
// drivers section starts there too), else the middle year.
int starting_year(const std::vector<int>& years) {
  for (int year : years)
    if (year == 2027) return year;
  return years.empty() ? 0 : years[years.size() / 2];
}

std::vector<std::pair<double, double>> quantile_marks(const Summary& summary, const VariableSummary& variable, int year) {
  std::vector<std::pair<double, double>> marks;
  for (const YearStatistics& stats : variable.years)
    if (stats.year == year)
      for (std::size_t i = 0; i < summary.quantile_levels.size() && i < stats.quantiles.size(); ++i)
        marks.emplace_back(summary.quantile_levels[i], stats.quantiles[i]);
  return marks;
}

PickerAxis year_axis(const std::vector<int>& years) {
  PickerAxis axis{"Year", {}, 0};
  const int start = starting_year(years);
  for (std::size_t i = 0; i < years.size(); ++i) {
    axis.labels.push_back(std::to_string(years[i]));
    if (years[i] == start) axis.chosen = i;
  }
  return axis;
}

}  // namespace

std::string distribution_section(const Summary& summary) {
  if (summary.distributions.empty()) return "";
  std::vector<const VariableSummary*> variables;
  for (const VariableGroup& group : group_variables(summary))
    for (const VariableSummary* variable : group.variables)
      for (const ValueHistogram& histogram : summary.distributions)
        if (histogram.variable == variable->name) {
          variables.push_back(variable);
          break;
        }
  if (variables.empty()) return "";
  PickerAxis variable_axis{"Variable", {}, 0};
  for (std::size_t i = 0; i < variables.size(); ++i) {
    variable_axis.labels.push_back(variables[i]->name);
    if (variables[i]->name == "produced_units") variable_axis.chosen = i;
  }
  std::string out = "<section id=\"distribution\" class=\"panel\">\n<h2>One year's distribution</h2>\n<p class=\"lead\">"
                    "Pick a variable and a year. The histogram's bars count the paths exactly, in buckets of a quarter of a "
                    "factor of two (narrow ones merged on a linear axis); the area of a bar is its share of the paths. "
                    "The cumulative distribution is exact at every bucket edge; its dots are the run's quantiles.</p>\n";
  out += picker("distribution", {variable_axis, year_axis(summary.years)}, [&](const std::vector<std::size_t>& chosen) {
    const VariableSummary& variable = *variables[chosen[0]];
    const int year = summary.years[chosen[1]];
    for (const ValueHistogram& histogram : summary.distributions)
      if (histogram.variable == variable.name && histogram.year == year) {
        const auto marks = quantile_marks(summary, variable, year);
        return "<figure class=\"distribution\" data-variable=\"" + html(variable.name) + "\" data-year=\"" +
               std::to_string(year) + "\">\n<figcaption><code>" + html(variable.name) + "</code> in " + std::to_string(year) +
               " <span class=\"unit\">" + html(variable.unit) + "</span></figcaption>\n<div class=\"pair\">" +
               "<div class=\"histogram\">" + histogram_svg(histogram, variable.unit, marks) + "</div><div class=\"cdf\">" +
               cdf_svg(histogram, variable.unit, marks) + "</div></div>\n</figure>\n";
      }
    return std::string();
  });
  return out + "</section>\n";
}

// A run that streamed traces only its first paths and its last point (reduce/streamed_convergence.hpp).
static bool traced_in_part(const Summary& summary) {
  for (const ConvergenceTrace& trace : summary.convergence)
    for (std::size_t i = 1; i < trace.points.size(); ++i)
      if (trace.points[i].paths > 2 * trace.points[i - 1].paths) return true;
  return false;
}

std::string convergence_section(const Summary& summary) {
  if (summary.convergence.empty()) return "";
  std::vector<std::string> names;
  std::set<int> year_set;
  for (const ConvergenceTrace& trace : summary.convergence) {
    if (std::find(names.begin(), names.end(), trace.variable) == names.end()) names.push_back(trace.variable);
    year_set.insert(trace.year);
  }
  const std::vector<int> years(year_set.begin(), year_set.end());
  PickerAxis variable_axis{"Variable", names, 0};
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == "produced_units") variable_axis.chosen = i;
  std::string out = "<section id=\"convergence\" class=\"panel\">\n<h2>Enough paths?</h2>\n<p class=\"lead\">The mean "
                    "(line, 95% interval shaded) and the median (its 95% interval lighter) of the run's first n paths, "
                    "at n = 32, 64, 128, … up to all of them. Where the intervals have narrowed and the lines stay "
                    "inside them, more paths would not change the picture." +
                    std::string(traced_in_part(summary) ? " This run did not keep its paths: its first " +
                                                              grouped_digits(kTracedPrefixPaths) +
                                                              " paths are traced, then all of them, and nothing between."
                                                        : "") +
                    "</p>\n";
  out += picker("convergence", {variable_axis, year_axis(years)}, [&](const std::vector<std::size_t>& chosen) {
    for (const ConvergenceTrace& trace : summary.convergence)
      if (trace.variable == names[chosen[0]] && trace.year == years[chosen[1]] && !trace.points.empty()) {
        const VariableSummary* variable = summary.find_variable(trace.variable);
        const std::string unit = variable ? variable->unit : "";
        const ConvergencePoint& last = trace.points.back();
        return "<figure class=\"convergence\" data-variable=\"" + html(trace.variable) + "\" data-year=\"" +
               std::to_string(trace.year) + "\">\n" + convergence_svg(trace, unit) + "<p class=\"reading\">With all " +
               grouped_digits(last.paths) + " paths: mean " + html(quantity_text(last.mean, unit)) + " ± " +
               html(quantity_text(1.96 * last.mean_se, unit)) + ", median " + html(quantity_text(last.median, unit)) +
               " (95%: " + html(quantity_range_text(last.median_low, last.median_high, unit)) + ")</p>\n</figure>\n";
      }
    return std::string();
  });
  return out + "</section>\n";
}

std::string difference_charts(const ReportInputs& inputs) {
  if (!inputs.difference || inputs.difference->variables.empty()) return "";
  const PairedDifference& difference = *inputs.difference;
  std::vector<const VariableDifference*> rows;
  for (const VariableSummary* variable : headline_variables(inputs.summary))
    if (const VariableDifference* row = difference.find_variable(variable->name)) rows.push_back(row);
  for (const VariableDifference& row : difference.variables)
    if (std::find(rows.begin(), rows.end(), &row) == rows.end()) rows.push_back(&row);
  PickerAxis axis{"Variable", {}, 0};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    axis.labels.push_back(rows[i]->name);
    if (rows[i]->name == "produced_units") axis.chosen = i;
  }
  std::string out = "<h3>The difference itself</h3>\n<p class=\"note\">The change in the mean by year (" +
                    html(inputs.summary.scenario) + " − " + html(inputs.baseline ? inputs.baseline->scenario : "") + "), with " +
                    (inputs.difference_is_paired ? "its paired 90% interval" : "an unpaired 90% interval") +
                    ": a change whose band stays off the zero line is not noise.</p>\n";
  return out + picker("difference", {axis}, [&](const std::vector<std::size_t>& chosen) {
           const VariableDifference& row = *rows[chosen[0]];
           return "<figure class=\"difference\" data-variable=\"" + html(row.name) + "\">\n<figcaption><code>" +
                  html(row.name) + "</code> <span class=\"unit\">" + html(row.unit) + "</span></figcaption>\n" +
                  difference_svg(row, inputs.difference_is_paired) + "</figure>\n";
         });
}

}  // namespace chokepoint::report
