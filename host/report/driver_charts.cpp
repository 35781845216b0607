#include "report/driver_charts.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

#include "chokepoint/number_format.hpp"
#include "report/svg_writer.hpp"

namespace chokepoint::report {

namespace {

constexpr double kWidth = 560, kLabelWidth = 180, kRight = 24, kTop = 30, kRowHeight = 22, kBottom = 30;

double swing_size(const TornadoRow& bar) { return std::isfinite(bar.swing) ? std::fabs(bar.swing) : -1.0; }

std::string percentile_text(double percentile) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", percentile);
  return std::string(text) + (percentile == 1 ? "st" : percentile == 2 ? "nd" : percentile == 3 ? "rd" : "th");
}

void x_ticks(svg::Canvas& canvas, const svg::Scale& x, double top, double bottom,
             const std::function<std::string(double)>& label) {
  for (double tick : x.ticks()) {
    canvas.line(x(tick), top, x(tick), bottom, "grid");
    canvas.text(x(tick), bottom + 14, label(tick), "tick-label", svg::Anchor::middle);
  }
}

}  // namespace

std::vector<TornadoRow> sorted_tornado_bars(const TornadoPanel& chart) {
  std::vector<TornadoRow> bars = chart.bars;
  std::stable_sort(bars.begin(), bars.end(), [](const TornadoRow& a, const TornadoRow& b) {
    if (swing_size(a) != swing_size(b)) return swing_size(a) > swing_size(b);
    return a.input < b.input;
  });
  return bars;
}

std::string tornado_svg(const TornadoPanel& chart, std::size_t max_bars) {
  std::vector<TornadoRow> bars = sorted_tornado_bars(chart);
  if (bars.size() > max_bars) bars.resize(max_bars);
  const double height = kTop + kRowHeight * static_cast<double>(std::max<std::size_t>(bars.size(), 1)) + kBottom;
  svg::Canvas canvas(kWidth, height, "Tornado: what moves the median of " + chart.variable + " in " + std::to_string(chart.year));
  std::vector<double> values;
  for (const TornadoRow& bar : bars)
    for (double v : {chart.baseline_median, bar.low.median, bar.high.median})
      if (std::isfinite(v)) values.push_back(v);
  if (values.empty()) values = {0.0, 1.0};  // nothing to place: an empty axis, no NaN coordinates
  const auto [low, high] = std::minmax_element(values.begin(), values.end());
  const double pad = std::max((*high - *low) * 0.05, std::fabs(*high) * 1e-6);
  const svg::Scale x = svg::Scale::linear(*low - pad, *high + pad, kLabelWidth, kWidth - kRight, 5);
  const double bottom = height - kBottom;
  x_ticks(canvas, x, kTop - 6, bottom, [&](double v) { return tick_text(v, chart.unit); });
  if (bars.empty()) canvas.text(kWidth / 2, kTop + 14, "no inputs", "no-data", svg::Anchor::middle);
  const double base = x(std::isfinite(chart.baseline_median) ? chart.baseline_median : (*low + *high) / 2);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const TornadoRow& bar = bars[i];
    const double y = kTop + kRowHeight * static_cast<double>(i);
    canvas.text(kLabelWidth - 8, y + kRowHeight * 0.66, bar.input, "tornado-label", svg::Anchor::end);
    const std::string title =
        bar.input + ": at its " + percentile_text(bar.low.percentile) + " percentile (" + si_number(bar.low.value) +
        ") the median of " + chart.variable + " is " + quantity_text(bar.low.median, chart.unit) + "; at its " +
        percentile_text(bar.high.percentile) + " (" + si_number(bar.high.value) + ") " +
        quantity_text(bar.high.median, chart.unit) + "; swing " + (bar.swing > 0 ? "+" : "") +
        quantity_text(bar.swing, chart.unit);
    for (const auto& [end, css] : {std::pair{bar.low, "tornado-low"}, std::pair{bar.high, "tornado-high"}}) {
      if (!std::isfinite(end.median)) continue;
      const double at = x(end.median);
      canvas.rect(std::min(at, base), y + 4, std::max(std::fabs(at - base), 1.0), kRowHeight - 8, css, title);
    }
  }
  canvas.line(base, kTop - 6, base, bottom, "tornado-axis");
  canvas.text(base, kTop - 12, "median " + quantity_text(chart.baseline_median, chart.unit), "tick-label", svg::Anchor::middle);
  return canvas.str();
}

std::vector<VarianceShare> variance_shares(const OutputIndices& output, std::size_t max_inputs) {
  std::vector<InputIndex> indices = output.indices;
  std::stable_sort(indices.begin(), indices.end(), [](const InputIndex& a, const InputIndex& b) {
    const double ia = std::isfinite(a.index) ? a.index : -1e300, ib = std::isfinite(b.index) ? b.index : -1e300;
    if (ia != ib) return ia > ib;
    return a.input < b.input;
  });
  std::vector<VarianceShare> rows;
  double total = 0.0, rest = 0.0;
  std::size_t rest_count = 0;
  for (std::size_t i = 0; i < indices.size(); ++i) {
    if (std::isfinite(indices[i].index)) total += indices[i].index;
    if (i < max_inputs) {
      rows.push_back(VarianceShare{indices[i].input, indices[i].index, indices[i].se, "input"});
    } else if (std::isfinite(indices[i].index)) {
      rest += indices[i].index;
      ++rest_count;
    }
  }
  if (rest_count > 0)
    rows.push_back(VarianceShare{"other listed inputs (" + std::to_string(rest_count) + ")", rest, std::nan(""), "other"});
  rows.push_back(VarianceShare{"factor shocks, interactions, unlisted inputs", 1.0 - total, std::nan(""), "interactions"});
  return rows;
}

std::string variance_svg(const OutputIndices& output, std::size_t max_inputs) {
  const std::vector<VarianceShare> rows = variance_shares(output, max_inputs);
  const double height = kTop + kRowHeight * static_cast<double>(rows.size()) + kBottom;
  svg::Canvas canvas(kWidth, height, "Contribution to the variance of " + output.output + " in " + std::to_string(output.year));
  double low = 0.0, high = 0.1;
  for (const VarianceShare& row : rows) {
    if (!std::isfinite(row.share)) continue;
    const double whisker = std::isfinite(row.se) ? 2.0 * row.se : 0.0;
    low = std::min(low, row.share - whisker);
    high = std::max(high, row.share + whisker);
  }
  const svg::Scale x = svg::Scale::linear(low, std::min(high, 1.05), kLabelWidth, kWidth - kRight, 5);
  const double bottom = height - kBottom;
  x_ticks(canvas, x, kTop - 6, bottom, [](double v) { return percent_text(v); });
  const double zero = x(0.0);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const VarianceShare& row = rows[i];
    const double y = kTop + kRowHeight * static_cast<double>(i);
    canvas.text(kLabelWidth - 8, y + kRowHeight * 0.66, row.label, "variance-label " + row.css, svg::Anchor::end);
    if (!std::isfinite(row.share)) continue;
    std::string title = row.label + ": " + percent_text(row.share) + " of the variance";
    if (std::isfinite(row.se)) title += " ± " + percent_text(row.se) + " (standard error)";
    const double at = x(row.share);
    canvas.rect(std::min(at, zero), y + 4, std::max(std::fabs(at - zero), 1.0), kRowHeight - 8, "variance-bar " + row.css, title);
    if (std::isfinite(row.se) && row.se > 0) {
      const double mid = y + kRowHeight / 2, from = x(row.share - 2 * row.se), to = x(row.share + 2 * row.se);
      canvas.line(from, mid, to, mid, "whisker");
      canvas.line(from, mid - 4, from, mid + 4, "whisker");
      canvas.line(to, mid - 4, to, mid + 4, "whisker");
    }
  }
  canvas.line(zero, kTop - 6, zero, bottom, "axis");
  return canvas.str();
}

std::string decile_svg(const BindingCurve& curve) {
  constexpr double width = 250, height = 150, left = 40, right = 10, top = 10, bottom_margin = 30;
  svg::Canvas canvas(width, height, "P(" + curve.stage + " binds) by decile of " + curve.input + ", " + std::to_string(curve.year));
  double high = 0.05, sum = 0.0;
  int finite = 0;
  for (double p : curve.probability)
    if (std::isfinite(p)) {
      high = std::max(high, p);
      sum += p;
      ++finite;
    }
  const double bottom = height - bottom_margin;
  const svg::Scale y = svg::Scale::linear(0.0, std::min(1.0, high * 1.1), bottom, top, 4);
  const std::size_t bins = std::max<std::size_t>(curve.probability.size(), 2);
  const std::string bin_name = bins == 10 ? "decile" : "bin (of " + std::to_string(bins) + ")";
  const svg::Scale x = svg::Scale::linear(0.5, static_cast<double>(bins) + 0.5, left, width - right, 10);
  for (double tick : y.ticks()) {
    canvas.line(left, y(tick), width - right, y(tick), "grid");
    canvas.text(left - 4, y(tick) + 4, percent_text(tick), "tick-label", svg::Anchor::end);
  }
  const std::size_t step = bins <= 10 ? 3 : bins / 4;
  for (std::size_t d = 1; d <= bins; d += step)
    canvas.text(x(static_cast<double>(d)), bottom + 14, std::to_string(d), "tick-label", svg::Anchor::middle);
  canvas.text((left + width - right) / 2, bottom + 27, bin_name + " of " + curve.input, "tick-label", svg::Anchor::middle);
  if (finite > 0) {
    // Deciles hold equal shares of the paths, so their mean is the probability over all paths.
    const double overall = sum / finite;
    canvas.line(left, y(overall), width - right, y(overall), "decile-mean");
  }
  std::vector<svg::Point> points;
  for (std::size_t d = 0; d < curve.probability.size(); ++d)
    if (std::isfinite(curve.probability[d])) points.push_back({x(static_cast<double>(d + 1)), y(curve.probability[d])});
  canvas.polyline(points, "decile-line");
  for (std::size_t d = 0; d < curve.probability.size(); ++d)
    if (std::isfinite(curve.probability[d]))
      canvas.circle(x(static_cast<double>(d + 1)), y(curve.probability[d]), 3, "decile-point",
                    curve.input + " in " + bin_name + " " + std::to_string(d + 1) + ": P(" + curve.stage + " binds in " +
                        std::to_string(curve.year) + ") = " + percent_text(curve.probability[d]));
  return canvas.str();
}

}  // namespace chokepoint::report
