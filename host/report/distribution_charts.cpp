#include "report/distribution_charts.hpp"

#include <algorithm>
#include <cmath>

#include "chokepoint/number_format.hpp"
#include "reduce/distribution_histogram.hpp"
#include "report/html_report.hpp"
#include "report/svg_writer.hpp"

namespace chokepoint::report {

namespace {

constexpr double kWidth = 420, kHeight = 200, kLeft = 56, kRight = 14, kTop = 14, kBottom = 28;
constexpr double kPlotRight = kWidth - kRight, kPlotBottom = kHeight - kBottom;
constexpr double kZ90 = 1.6448536269514722, kZ95 = 1.959963984540054;

bool drawable(std::uint32_t bucket) {
  return std::isfinite(bucket_lower_value(bucket)) && std::isfinite(bucket_upper_value(bucket));
}

svg::Scale value_axis(const DistributionAxis& axis) {
  return axis.logarithmic ? svg::Scale::logarithmic(axis.low, axis.high, kLeft, kPlotRight)
                          : svg::Scale::linear(axis.low, axis.high, kLeft, kPlotRight, 5);
}

double clamp_to(const svg::Scale& x, double value) {
  return std::clamp(value, x.domain_low(), x.domain_high());
}

void value_ticks(svg::Canvas& canvas, const svg::Scale& x, const std::string& unit) {
  for (double tick : x.ticks()) {
    canvas.line(x(tick), kTop, x(tick), kPlotBottom, "grid");
    canvas.text(x(tick), kPlotBottom + 14, tick_text(tick, unit), "tick-label", svg::Anchor::middle);
  }
  canvas.line(kLeft, kPlotBottom, kPlotRight, kPlotBottom, "axis");
}

// A histogram's charts need a path with a finite value; without one the canvas says so, and
// that note is the whole chart.
bool says_nothing_drawable(svg::Canvas& canvas, const DistributionAxis& axis) {
  const bool nothing = axis.total == 0 || axis.not_drawn == axis.total;
  if (nothing) canvas.text(kWidth / 2, kHeight / 2, "no finite values", "no-data", svg::Anchor::middle);
  return nothing;
}

std::string level_name(double level) {
  char text[32];
  std::snprintf(text, sizeof text, "p%g", level * 100.0);
  return text;
}

std::string axis_note(const DistributionAxis& axis) {
  std::string note = axis.logarithmic ? "log scale" : "";
  const double total = static_cast<double>(axis.total);
  if (axis.below + axis.above > 0)
    note += std::string(note.empty() ? "" : "; ") + percent_text(static_cast<double>(axis.below) / total) + " of paths left, " +
            percent_text(static_cast<double>(axis.above) / total) + " right of the axis";
  if (axis.not_drawn > 0) note += std::string(note.empty() ? "" : "; ") + std::to_string(axis.not_drawn) + " not finite";
  return note;
}

}  // namespace

DistributionAxis distribution_axis(const ValueHistogram& histogram) {
  DistributionAxis axis;
  std::uint64_t finite = 0;
  for (std::size_t b = 0; b < histogram.buckets.size(); ++b) {
    axis.total += histogram.counts[b];
    if (drawable(histogram.buckets[b])) finite += histogram.counts[b];
    else axis.not_drawn += histogram.counts[b];
  }
  if (finite == 0) return axis;
  // Integer thresholds: the bucket holding the 0.5th percentile of the finite values and the one
  // holding the 99.5th (the same buckets whatever order the counts were added in).
  const std::uint64_t first_rank = finite / 200, last_rank = finite - 1 - finite / 200;
  std::uint64_t seen = 0;
  bool found_low = false;
  for (std::size_t b = 0; b < histogram.buckets.size(); ++b) {
    if (!drawable(histogram.buckets[b])) continue;
    const std::uint64_t count = histogram.counts[b];
    if (!found_low && seen + count > first_rank) {
      axis.low = bucket_lower_value(histogram.buckets[b]);
      axis.below = seen;
      found_low = true;
    }
    if (seen + count > last_rank) {
      axis.high = bucket_upper_value(histogram.buckets[b]);
      axis.above = finite - seen - count;
      break;
    }
    seen += count;
  }
  axis.logarithmic = axis.low > 0.0 && axis.high / axis.low > 20.0;
  if (!(axis.high > axis.low)) axis.high = axis.low + std::max(std::fabs(axis.low) * 0.01, 1e-9);
  return axis;
}

std::vector<HistogramBar> histogram_bars(const ValueHistogram& histogram, const DistributionAxis& axis) {
  std::vector<HistogramBar> bars;
  // Buckets shrink towards zero (four per factor of two; the bucket of 0 is 10⁻³⁸ wide), so on a
  // linear axis a bar takes the next buckets, and the empty ones between, until it is 1/60 of
  // the axis: still an exact count of the paths in its range. On a log axis each bucket is wide
  // enough.
  const double min_width = axis.logarithmic ? 0.0 : (axis.high - axis.low) / 60.0;
  for (std::size_t b = 0; b < histogram.buckets.size(); ++b) {
    const std::uint32_t bucket = histogram.buckets[b];
    if (!drawable(bucket)) continue;
    const double low = bucket_lower_value(bucket), high = bucket_upper_value(bucket);
    if (high < axis.low || low > axis.high) continue;
    if (!bars.empty() && bars.back().high - bars.back().low < min_width) {
      bars.back().high = high;
      bars.back().paths += histogram.counts[b];
    } else {
      bars.push_back(HistogramBar{low, high, histogram.counts[b]});
    }
  }
  return bars;
}

std::string histogram_svg(const ValueHistogram& histogram, const std::string& unit,
                          const std::vector<std::pair<double, double>>& quantiles) {
  svg::Canvas canvas(kWidth, kHeight, "Histogram of " + histogram.variable + " in " + std::to_string(histogram.year));
  const DistributionAxis axis = distribution_axis(histogram);
  if (says_nothing_drawable(canvas, axis)) return canvas.str();
  const svg::Scale x = value_axis(axis);
  const std::vector<HistogramBar> bars = histogram_bars(histogram, axis);
  // Bar area is the share of paths: height = share / width (width in decades on a log axis).
  auto width_of = [&](const HistogramBar& bar) {
    return axis.logarithmic ? std::log10(bar.high / bar.low) : bar.high - bar.low;
  };
  double tallest = 0.0;
  for (const HistogramBar& bar : bars)
    if (width_of(bar) > 0) tallest = std::max(tallest, static_cast<double>(bar.paths) / width_of(bar));
  value_ticks(canvas, x, unit);
  const double total = static_cast<double>(axis.total);
  for (const HistogramBar& bar : bars) {
    if (!(width_of(bar) > 0) || tallest <= 0) continue;
    const double left = x(clamp_to(x, bar.low)), right = x(clamp_to(x, bar.high));
    const double top = kPlotBottom - (kPlotBottom - kTop) * (static_cast<double>(bar.paths) / width_of(bar)) / tallest;
    canvas.rect(left, top, std::max(right - left, 0.5), kPlotBottom - top, "histogram-bar",
                quantity_range_text(bar.low, bar.high, unit) + ": " + std::to_string(bar.paths) + " paths (" +
                    percent_text(static_cast<double>(bar.paths) / total) + ")");
  }
  for (const auto& [level, value] : quantiles) {
    if (!std::isfinite(value) || value < x.domain_low() || value > x.domain_high()) continue;
    const bool median = std::fabs(level - 0.5) < 1e-9;
    if (!median && std::fabs(level - 0.05) > 1e-9 && std::fabs(level - 0.95) > 1e-9) continue;
    canvas.line(x(value), kTop, x(value), kPlotBottom, median ? "marker-median" : "marker-band");
    canvas.text(x(value) + 3, kTop + 10, level_name(level), "tick-label");
  }
  canvas.text(kPlotRight, kHeight - 1, axis_note(axis), "scale-note", svg::Anchor::end);
  return canvas.str();
}

std::string cdf_svg(const ValueHistogram& histogram, const std::string& unit,
                    const std::vector<std::pair<double, double>>& quantiles) {
  svg::Canvas canvas(kWidth, kHeight, "Cumulative distribution of " + histogram.variable + " in " + std::to_string(histogram.year));
  const DistributionAxis axis = distribution_axis(histogram);
  if (says_nothing_drawable(canvas, axis)) return canvas.str();
  const svg::Scale x = value_axis(axis);
  const svg::Scale y = svg::Scale::linear(0.0, 1.0, kPlotBottom, kTop, 4);
  for (double tick : y.ticks()) {
    canvas.line(kLeft, y(tick), kPlotRight, y(tick), "grid");
    canvas.text(kLeft - 4, y(tick) + 4, percent_text(tick), "tick-label", svg::Anchor::end);
  }
  value_ticks(canvas, x, unit);
  // Exact at every bucket edge: the share of paths at or below it (non-finite ones included in
  // the total, so the curve ends below 100 % when there are any).
  const double total = static_cast<double>(axis.total);
  std::uint64_t below = 0;
  std::vector<svg::Point> points;
  for (std::size_t b = 0; b < histogram.buckets.size(); ++b) {
    const std::uint32_t bucket = histogram.buckets[b];
    if (bucket_upper_value(bucket) != bucket_upper_value(bucket)) continue;  // NaN
    if (!drawable(bucket)) {
      below += histogram.counts[b];
      continue;
    }
    const double low = bucket_lower_value(bucket), high = bucket_upper_value(bucket);
    if (high >= axis.low && low <= axis.high) {
      if (points.empty() || b == 0 || histogram.buckets[b - 1] + 1 != bucket)
        points.push_back({x(clamp_to(x, low)), y(static_cast<double>(below) / total)});
      points.push_back({x(clamp_to(x, high)), y(static_cast<double>(below + histogram.counts[b]) / total)});
    }
    below += histogram.counts[b];
  }
  canvas.polyline(points, "cdf-line");
  for (const auto& [level, value] : quantiles) {
    if (!std::isfinite(value) || value < x.domain_low() || value > x.domain_high()) continue;
    canvas.circle(x(value), y(level), 3, "cdf-quantile", level_name(level) + " = " + quantity_text(value, unit));
  }
  canvas.text(kPlotRight, kHeight - 1, axis_note(axis), "scale-note", svg::Anchor::end);
  return canvas.str();
}

std::string convergence_svg(const ConvergenceTrace& trace, const std::string& unit) {
  svg::Canvas canvas(kWidth, kHeight, "Convergence of " + trace.variable + " in " + std::to_string(trace.year));
  std::vector<double> values;
  for (const ConvergencePoint& p : trace.points)
    for (double v : {p.mean - kZ95 * p.mean_se, p.mean + kZ95 * p.mean_se, p.median_low, p.median_high})
      if (std::isfinite(v)) values.push_back(v);
  if (trace.points.size() < 2 || values.empty()) {
    canvas.text(kWidth / 2, kHeight / 2, "too few paths", "no-data", svg::Anchor::middle);
    return canvas.str();
  }
  const auto [low, high] = std::minmax_element(values.begin(), values.end());
  const svg::Scale x = svg::Scale::logarithmic(static_cast<double>(trace.points.front().paths),
                                               static_cast<double>(trace.points.back().paths), kLeft, kPlotRight);
  const svg::Scale y = svg::Scale::linear(*low, *high, kPlotBottom, kTop, 4);
  for (double tick : y.ticks()) {
    canvas.line(kLeft, y(tick), kPlotRight, y(tick), "grid");
    canvas.text(kLeft - 4, y(tick) + 4, tick_text(tick, unit), "tick-label", svg::Anchor::end);
  }
  value_ticks(canvas, x, "");  // the path counts, unitless
  std::vector<svg::Point> mean_band, median_band, mean_line, median_line;
  for (const ConvergencePoint& p : trace.points) {
    const double at = x(static_cast<double>(p.paths));
    mean_line.push_back({at, y(p.mean)});
    median_line.push_back({at, y(p.median)});
    mean_band.push_back({at, y(p.mean + kZ95 * p.mean_se)});
    median_band.push_back({at, y(p.median_high)});
  }
  for (std::size_t i = trace.points.size(); i-- > 0;) {
    const ConvergencePoint& p = trace.points[i];
    const double at = x(static_cast<double>(p.paths));
    mean_band.push_back({at, y(p.mean - kZ95 * p.mean_se)});
    median_band.push_back({at, y(p.median_low)});
  }
  canvas.polygon(median_band, "convergence-median-band");
  canvas.polygon(mean_band, "convergence-mean-band");
  canvas.polyline(median_line, "convergence-median");
  canvas.polyline(mean_line, "convergence-mean");
  for (const ConvergencePoint& p : trace.points)
    canvas.circle(x(static_cast<double>(p.paths)), y(p.mean), 2.5, "convergence-point",
                  std::to_string(p.paths) + " paths: mean " + quantity_text(p.mean, unit) + " ± " +
                      quantity_text(kZ95 * p.mean_se, unit) + " (95%), median " + quantity_text(p.median, unit) + " (95%: " +
                      quantity_range_text(p.median_low, p.median_high, unit) + ")");
  canvas.text(kPlotRight, kHeight - 1, "paths, log scale", "scale-note", svg::Anchor::end);
  return canvas.str();
}

std::string difference_svg(const VariableDifference& difference, bool paired) {
  svg::Canvas canvas(kWidth, kHeight, "Change in the mean of " + difference.name + " by year");
  std::vector<double> values{0.0};
  for (const DifferenceYear& year : difference.years)
    for (double v : {year.mean - kZ90 * year.se, year.mean + kZ90 * year.se})
      if (std::isfinite(v)) values.push_back(v);
  if (difference.years.empty()) {
    canvas.text(kWidth / 2, kHeight / 2, "no common years", "no-data", svg::Anchor::middle);
    return canvas.str();
  }
  const auto [low, high] = std::minmax_element(values.begin(), values.end());
  const svg::Scale y = svg::Scale::linear(*low, *high, kPlotBottom, kTop, 5);
  const int first = difference.years.front().year, last = difference.years.back().year;
  auto x = [&](int year) {
    return last == first ? (kLeft + kPlotRight) / 2
                         : kLeft + 10 + (year - first) * (kPlotRight - kLeft - 20) / static_cast<double>(last - first);
  };
  for (double tick : y.ticks()) {
    canvas.line(kLeft, y(tick), kPlotRight, y(tick), "grid");
    canvas.text(kLeft - 4, y(tick) + 4, tick_text(tick, difference.unit), "tick-label", svg::Anchor::end);
  }
  const int step = last - first > 8 ? 2 : 1;
  for (const DifferenceYear& year : difference.years)
    if ((year.year - first) % step == 0)
      canvas.text(x(year.year), kPlotBottom + 14, std::to_string(year.year), "tick-label", svg::Anchor::middle);
  std::vector<svg::Point> band, line;
  for (const DifferenceYear& year : difference.years) {
    line.push_back({x(year.year), y(year.mean)});
    band.push_back({x(year.year), y(year.mean + kZ90 * year.se)});
  }
  for (std::size_t i = difference.years.size(); i-- > 0;)
    band.push_back({x(difference.years[i].year), y(difference.years[i].mean - kZ90 * difference.years[i].se)});
  canvas.polygon(band, "difference-band");
  canvas.line(kLeft, y(0.0), kPlotRight, y(0.0), "difference-zero");
  canvas.polyline(line, "difference-mean");
  for (const DifferenceYear& year : difference.years) {
    const std::string change = relative_change_text(year);
    const std::string relative = change.empty() ? "" : " (" + change + ")";
    canvas.circle(x(year.year), y(year.mean), 3, "difference-point",
                  std::to_string(year.year) + ": change in the mean " + (year.mean > 0 ? "+" : "") +
                      quantity_text(year.mean, difference.unit) + relative + ", 90% interval " +
                      quantity_range_text(year.mean - kZ90 * year.se, year.mean + kZ90 * year.se, difference.unit) +
                      (paired ? " (paired)" : " (unpaired)"));
  }
  canvas.text(kPlotRight, kHeight - 1, paired ? "band: 90% interval, paired" : "band: 90% interval, unpaired",
              "scale-note", svg::Anchor::end);
  return canvas.str();
}

}  // namespace chokepoint::report
