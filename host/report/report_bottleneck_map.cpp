// The bottleneck map: which stage sets deployments when. Rows are "demand" and the stages, columns
// the years; a cell's shade is the stage's binding share (docs/glossary.md), its small print the
// probability that the stage binds at least once that year.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "chokepoint/number_format.hpp"
#include "report/html_report.hpp"

namespace chokepoint::report {

namespace {

// A sequential palette, pale to dark red: a reader sees "how much" at a glance, and light cells
// (rarely binding) recede.
std::string shade(double share) {
  struct Stop {
    double at;
    std::array<double, 3> rgb;
  };
  static const std::array<Stop, 5> stops{{{0.0, {255, 250, 243}},
                                          {0.15, {253, 219, 180}},
                                          {0.4, {250, 160, 100}},
                                          {0.7, {220, 78, 50}},
                                          {1.0, {127, 20, 20}}}};
  const double p = std::clamp(std::isfinite(share) ? share : 0.0, 0.0, 1.0);
  std::size_t i = 1;
  while (i + 1 < stops.size() && p > stops[i].at) ++i;
  const double t = (p - stops[i - 1].at) / (stops[i].at - stops[i - 1].at);
  char color[16];
  std::snprintf(color, sizeof color, "#%02x%02x%02x",
                static_cast<unsigned>(std::lround(stops[i - 1].rgb[0] + t * (stops[i].rgb[0] - stops[i - 1].rgb[0]))),
                static_cast<unsigned>(std::lround(stops[i - 1].rgb[1] + t * (stops[i].rgb[1] - stops[i - 1].rgb[1]))),
                static_cast<unsigned>(std::lround(stops[i - 1].rgb[2] + t * (stops[i].rgb[2] - stops[i - 1].rgb[2]))));
  return color;
}

std::string stage_unit(const Summary& summary, const std::string& stage) {
  if (stage == "demand") return "supply kept up";
  const VariableSummary* used = summary.find_variable(stage + ".used");
  return used ? used->unit : "";
}

std::string cell(const StageSummary& stage, const StageYear& year) {
  const std::string title = stage.name + ", " + std::to_string(year.year) + ": binds in " +
                            percent_text(year.binding_share) + " of the year's steps (" +
                            percentage_points_text(year.binding_share_se) + "); binds at least once: " +
                            percent_text(year.binding_any) + " (" + percentage_points_text(year.binding_any_se) + ")";
  const bool dark = year.binding_share > 0.55;
  return "<td class=\"binding-cell" + std::string(dark ? " dark" : "") + "\" data-stage=\"" + html(stage.name) +
         "\" data-year=\"" + std::to_string(year.year) + "\" data-binding-share=\"" + percent_text(year.binding_share) +
         "\" style=\"background:" + shade(year.binding_share) + "\" title=\"" + html(title) + "\"><span class=\"share\">" +
         percent_text(year.binding_share) + "</span><span class=\"any\">" + percent_text(year.binding_any) + "</span></td>";
}

std::string legend() {
  std::string swatches;
  for (double share : {0.0, 0.1, 0.25, 0.5, 0.75, 1.0})
    swatches += "<span class=\"swatch\" style=\"background:" + shade(share) + "\"></span><span>" + percent_text(share) +
                "</span>";
  return "<div class=\"map-legend\"><span class=\"legend-title\">share of steps binding</span>" + swatches +
         "<span class=\"legend-note\">large figure: share of the year's steps the stage sets deployments · "
         "small figure: probability it binds at least once in the year · hover a cell for standard errors</span></div>";
}

}  // namespace

std::string bottleneck_map_section(const Summary& summary) {
  std::string out = "<section id=\"bottlenecks\" class=\"panel\">\n<h2>Bottleneck map</h2>\n";
  out += "<p class=\"lead\">Which link of the chain sets deployments, year by year. <b>demand</b> means supply kept up; "
         "a stage binds when its capacity is what stopped more accelerators from being deployed.</p>\n";
  if (summary.stages.empty() || summary.years.empty()) return out + "<p class=\"empty\">The run reports no stages.</p>\n</section>\n";

  out += "<table class=\"bottleneck-map\">\n<thead><tr><th class=\"stage-head\">stage</th>";
  for (int year : summary.years) out += "<th>" + std::to_string(year) + "</th>";
  out += "</tr></thead>\n<tbody>\n";
  for (const StageSummary& stage : summary.stages) {
    out += "<tr><th class=\"stage-name\">" + html(stage.name) + "<small>" + html(stage_unit(summary, stage.name)) +
           "</small></th>";
    for (const StageYear& year : stage.years) out += cell(stage, year);
    out += "</tr>\n";
  }
  out += "</tbody>\n<tfoot><tr><th>likeliest</th>";
  for (std::size_t y = 0; y < summary.years.size(); ++y) {
    const StageSummary* likeliest = nullptr;
    for (const StageSummary& stage : summary.stages)
      if (y < stage.years.size() && (!likeliest || stage.years[y].binding_share > likeliest->years[y].binding_share))
        likeliest = &stage;
    out += "<td class=\"likeliest\">" + (likeliest ? html(likeliest->name) : std::string()) + "</td>";
  }
  out += "</tr></tfoot>\n</table>\n" + legend() + "\n</section>\n";
  return out;
}

}  // namespace chokepoint::report
