#include "report/fan_chart.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "chokepoint/number_format.hpp"
#include "report/svg_writer.hpp"

namespace chokepoint {

namespace {

constexpr double kWidth = 420, kHeight = 232;
constexpr double kLeft = 62, kRight = 14, kTop = 14, kBottom = 26;
constexpr double kPlotWidth = kWidth - kLeft - kRight, kPlotHeight = kHeight - kTop - kBottom;

double quantile_at(const Summary& summary, const YearStatistics& stats, double level) {
  for (std::size_t i = 0; i < summary.quantile_levels.size() && i < stats.quantiles.size(); ++i)
    if (std::fabs(summary.quantile_levels[i] - level) < 1e-9) return stats.quantiles[i];
  return std::numeric_limits<double>::quiet_NaN();
}

// One end of a quantile's 95 % interval; NaN when the summary carries no intervals.
double interval_end_at(const Summary& summary, const std::vector<double>& ends, double level) {
  for (std::size_t i = 0; i < summary.quantile_levels.size() && i < ends.size(); ++i)
    if (std::fabs(summary.quantile_levels[i] - level) < 1e-9) return ends[i];
  return std::nan("");
}

// The quantile pairs drawn as bands, outermost first.
struct Band {
  double FanYear::*low;
  double FanYear::*high;
  const char* css_class;
  const char* name;
};
const Band kOuterBand{&FanYear::q01, &FanYear::q99, "band-98", "1–99%"};
const Band kBand90{&FanYear::q05, &FanYear::q95, "band-90", "90%"};
const Band kBand50{&FanYear::q25, &FanYear::q75, "band-50", "50%"};

std::vector<Band> drawn_bands(bool comparing) {
  // Over a comparison the faint 1–99 % bands of two runs would only muddy each other.
  if (comparing) return {kBand90, kBand50};
  return {kOuterBand, kBand90, kBand50};
}

std::vector<double> drawn_values(const std::vector<const FanLayer*>& layers, bool comparing) {
  std::vector<double> values;
  for (const FanLayer* layer : layers)
    for (const FanYear& year : layer->years) {
      for (const Band& band : drawn_bands(comparing)) {
        values.push_back(year.*band.low);
        values.push_back(year.*band.high);
      }
      values.push_back(year.q50);
    }
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); }), values.end());
  return values;
}

// The values that set a linear axis: the 90 % band and the median. The faint 1–99 % band may run
// off the top (clipped), since one extreme tail would otherwise flatten everything a reader needs.
double linear_top(const std::vector<const FanLayer*>& layers) {
  double top = 0.0, extreme = 0.0;
  for (const FanLayer* layer : layers)
    for (const FanYear& year : layer->years) {
      for (double value : {year.q05, year.q25, year.q50, year.q75, year.q95})
        if (std::isfinite(value)) top = std::max(top, value);
      if (std::isfinite(year.q99)) extreme = std::max(extreme, year.q99);
    }
  return extreme <= top * 1.25 ? std::max(top, extreme) : top;  // clip only when it buys room
}

svg::Scale value_scale(const std::vector<const FanLayer*>& layers, bool comparing) {
  const std::vector<double> values = drawn_values(layers, comparing);
  const double bottom = kTop + kPlotHeight;
  if (values.empty()) return svg::Scale::linear(0.0, 1.0, bottom, kTop);
  const double low = *std::min_element(values.begin(), values.end());
  const double high = *std::max_element(values.begin(), values.end());
  if (wants_log_axis(layers)) {
    // Down to the smallest positive value drawn, but never more than nine decades below the top:
    // a stray tiny quantile must not squash the chart.
    double smallest_positive = high;
    for (double v : values)
      if (v > 0.0) smallest_positive = std::min(smallest_positive, v);
    return svg::Scale::logarithmic(std::max(smallest_positive, high * 1e-9) / 1.15, high * 1.15, bottom, kTop);
  }
  // A quantity that cannot go negative is drawn from zero, so heights compare honestly.
  return svg::Scale::linear(std::min(0.0, low), linear_top(layers), bottom, kTop);
}

// What the reader must know about the axis: a log scale, a tail running off the top.
std::string scale_note(const std::vector<const FanLayer*>& layers, const svg::Scale& y, bool comparing) {
  if (y.is_logarithmic()) return "log scale";
  const std::vector<double> values = drawn_values(layers, comparing);
  const bool clipped = std::any_of(values.begin(), values.end(), [&y](double v) { return v > y.domain_high() * 1.0001; });
  return clipped ? "1–99% band clipped at the top" : "";
}

// Years share one x axis across both layers.
std::vector<int> all_years(const std::vector<const FanLayer*>& layers) {
  std::vector<int> years;
  for (const FanLayer* layer : layers)
    for (const FanYear& year : layer->years) years.push_back(year.year);
  std::sort(years.begin(), years.end());
  years.erase(std::unique(years.begin(), years.end()), years.end());
  return years;
}

class YearAxis {
 public:
  explicit YearAxis(std::vector<int> years) : years_(std::move(years)) {}
  double operator()(int year) const {
    if (years_.size() < 2) return kLeft + kPlotWidth / 2;
    constexpr double inset = 10;  // keeps the first and last medians off the frame
    return kLeft + inset + (year - years_.front()) * (kPlotWidth - 2 * inset) / (years_.back() - years_.front());
  }
  // Width of the hover column of one year.
  double column_width() const {
    return years_.size() < 2 ? kPlotWidth : (kPlotWidth - 20) / static_cast<double>(years_.back() - years_.front());
  }
  const std::vector<int>& years() const { return years_; }

 private:
  std::vector<int> years_;
};

void draw_axes(svg::Canvas& canvas, const svg::Scale& y, const YearAxis& x, const std::string& unit,
               const std::string& note) {
  for (double tick : y.ticks()) {
    const double position = y(tick);
    canvas.line(kLeft, position, kLeft + kPlotWidth, position, "grid");
    canvas.text(kLeft - 6, position + 3.5, tick_text(tick, unit), "tick-label", svg::Anchor::end);
  }
  canvas.line(kLeft, kTop + kPlotHeight, kLeft + kPlotWidth, kTop + kPlotHeight, "axis");
  // Label at most about seven years, always the first.
  const std::size_t every = std::max<std::size_t>(1, (x.years().size() + 6) / 7);
  for (std::size_t i = 0; i < x.years().size(); i += every)
    canvas.text(x(x.years()[i]), kHeight - 8, std::to_string(x.years()[i]), "tick-label", svg::Anchor::middle);
  if (!note.empty()) canvas.text(kLeft + kPlotWidth, kTop - 3, note, "scale-note", svg::Anchor::end);
}

void draw_layer(svg::Canvas& canvas, const FanLayer& layer, const svg::Scale& scale, const YearAxis& x, bool comparing,
                const std::string& role) {
  // Values off the axis (a clipped tail) are drawn at its edge.
  const auto y = [&scale](double value) { return std::clamp(scale(value), kTop, kTop + kPlotHeight); };
  const std::string suffix = role.empty() ? "" : " " + role;
  if (layer.years.size() == 1) {
    // One year has no width to fan out over: draw the bands as nested boxes.
    const FanYear& year = layer.years.front();
    const double box_width = std::min(90.0, kPlotWidth * 0.35);
    const double left = x(year.year) - box_width / 2;
    for (const Band& band : drawn_bands(comparing)) {
      if (!std::isfinite(year.*band.low) || !std::isfinite(year.*band.high)) continue;
      canvas.rect(left, y(year.*band.high), box_width, y(year.*band.low) - y(year.*band.high), band.css_class + suffix);
    }
    canvas.line(left, y(year.q50), left + box_width, y(year.q50), "median" + suffix);
    return;
  }
  for (const Band& band : drawn_bands(comparing)) {
    std::vector<svg::Point> outline;
    for (const FanYear& year : layer.years)
      if (std::isfinite(year.*band.high)) outline.push_back({x(year.year), y(year.*band.high)});
    for (auto year = layer.years.rbegin(); year != layer.years.rend(); ++year)
      if (std::isfinite((*year).*band.low)) outline.push_back({x(year->year), y((*year).*band.low)});
    if (outline.size() == 2 * layer.years.size()) canvas.polygon(outline, band.css_class + suffix);
  }
  std::vector<svg::Point> median;
  for (const FanYear& year : layer.years) median.push_back({x(year.year), y(year.q50)});
  canvas.polyline(median, "median" + suffix);
  for (const svg::Point& point : median) canvas.circle(point.x, point.y, 2.2, "median-point" + suffix);
}

std::string year_description(const FanYear& year, const std::string& unit, const std::string& heading) {
  std::string text = heading + "\n  median " + quantity_text(year.q50, unit);
  text += "\n  50%: " + quantity_range_text(year.q25, year.q75, unit);
  text += "\n  90%: " + quantity_range_text(year.q05, year.q95, unit);
  text += "\n  1–99%: " + quantity_range_text(year.q01, year.q99, unit);
  if (std::isfinite(year.q99_low) && std::isfinite(year.q99_high))
    text += "\n  p99 " + quantity_text(year.q99, unit) + ", 95% CI " + quantity_range_text(year.q99_low, year.q99_high, unit);
  if (std::isfinite(year.q01_low) && std::isfinite(year.q01_high))
    text += "\n  p1 " + quantity_text(year.q01, unit) + ", 95% CI " + quantity_range_text(year.q01_low, year.q01_high, unit);
  text += "\n  mean " + quantity_text(year.mean, unit) + " ± " + quantity_text(year.se, unit) + " (MC s.e.)";
  return text;
}

const FanYear* find_year(const FanLayer* layer, int year) {
  if (!layer) return nullptr;
  for (const FanYear& candidate : layer->years)
    if (candidate.year == year) return &candidate;
  return nullptr;
}

// Invisible columns, one per year, whose hover text gives that year's numbers exactly.
void draw_hover_columns(svg::Canvas& canvas, const FanLayer& front, const FanLayer* behind, const YearAxis& x,
                        const std::string& unit) {
  const double width = x.column_width();
  for (int year : x.years()) {
    std::string title = std::to_string(year);
    if (const FanYear* stats = find_year(&front, year))
      title += "\n" + year_description(*stats, unit, behind ? front.scenario : std::string("distribution"));
    if (const FanYear* stats = find_year(behind, year)) title += "\n" + year_description(*stats, unit, behind->scenario);
    const double left = std::max(kLeft, x(year) - width / 2);
    const double right = std::min(kLeft + kPlotWidth, x(year) + width / 2);
    canvas.rect(left, kTop, right - left, kPlotHeight, "hover-column", title);
  }
}

}  // namespace

FanLayer fan_layer(const Summary& summary, const VariableSummary& variable) {
  FanLayer layer;
  layer.scenario = summary.scenario;
  for (const YearStatistics& stats : variable.years) {
    FanYear year;
    year.year = stats.year;
    year.mean = stats.mean;
    year.se = stats.se;
    year.q01 = quantile_at(summary, stats, 0.01);
    year.q05 = quantile_at(summary, stats, 0.05);
    year.q25 = quantile_at(summary, stats, 0.25);
    year.q50 = quantile_at(summary, stats, 0.5);
    year.q75 = quantile_at(summary, stats, 0.75);
    year.q95 = quantile_at(summary, stats, 0.95);
    year.q99 = quantile_at(summary, stats, 0.99);
    year.q01_low = interval_end_at(summary, stats.quantile_ci_low, 0.01);
    year.q01_high = interval_end_at(summary, stats.quantile_ci_high, 0.01);
    year.q99_low = interval_end_at(summary, stats.quantile_ci_low, 0.99);
    year.q99_high = interval_end_at(summary, stats.quantile_ci_high, 0.99);
    layer.years.push_back(year);
  }
  return layer;
}

bool wants_log_axis(const std::vector<const FanLayer*>& layers) {
  double smallest = std::numeric_limits<double>::infinity(), largest = 0.0;
  for (const FanLayer* layer : layers)
    for (const FanYear& year : layer->years) {
      if (!(year.q05 > 0.0) || !(year.q50 > 0.0)) return false;
      smallest = std::min(smallest, year.q05);
      if (std::isfinite(year.q95)) largest = std::max(largest, year.q95);
    }
  return largest > 0.0 && largest / smallest > std::pow(10.0, 1.5);
}

std::string fan_chart_svg(const std::string& variable, const std::string& unit, const FanLayer& front,
                          const FanLayer* behind) {
  std::vector<const FanLayer*> layers{&front};
  if (behind) layers.push_back(behind);
  const bool comparing = behind != nullptr;
  svg::Canvas canvas(kWidth, kHeight, "fan chart of " + variable + (unit.empty() ? "" : " (" + unit + ")"));
  const YearAxis x(all_years(layers));
  if (x.years().empty()) {
    canvas.rect(kLeft, kTop, kPlotWidth, kPlotHeight, "empty-plot");
    canvas.text(kLeft + kPlotWidth / 2, kTop + kPlotHeight / 2, "no data", "no-data", svg::Anchor::middle);
    return canvas.str();
  }
  const svg::Scale y = value_scale(layers, comparing);
  draw_axes(canvas, y, x, unit, scale_note(layers, y, comparing));
  if (behind) draw_layer(canvas, *behind, y, x, comparing, "base");
  draw_layer(canvas, front, y, x, comparing, comparing ? "stress" : "");
  draw_hover_columns(canvas, front, behind, x, unit);
  return canvas.str();
}

}  // namespace chokepoint
