#include "report/svg_writer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace chokepoint::svg {

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string coordinate(double value) {
  if (!std::isfinite(value)) return "0";
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.2f", value);
  std::string text = buffer;
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  if (text == "-0") text = "0";
  return text;
}

// ---- scales --------------------------------------------------------------------------------------

std::vector<double> nice_linear_ticks(double low, double high, int count) {
  if (!(high > low) || count < 1) return {low};
  const double raw_step = (high - low) / count;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw_step)));
  const double residual = raw_step / magnitude;
  const double step = (residual <= 1.0 ? 1.0 : residual <= 2.0 ? 2.0 : residual <= 5.0 ? 5.0 : 10.0) * magnitude;
  const double first = std::floor(low / step + 1e-9);
  const double last = std::ceil(high / step - 1e-9);
  std::vector<double> ticks;
  // Multiplying an integer by the step (rather than adding steps) keeps 0.1 + 0.2 drift out.
  for (double i = first; i <= last + 0.5; i += 1.0) {
    const double tick = i * step;
    ticks.push_back(std::fabs(tick) < step * 1e-9 ? 0.0 : tick);
  }
  return ticks;
}

Scale Scale::linear(double domain_low, double domain_high, double range_low, double range_high, int tick_count) {
  if (domain_high < domain_low) std::swap(domain_low, domain_high);
  if (!(domain_high > domain_low)) {
    // One value (a constant series): centre it in a band of ±10 %, or [0, 1] around zero.
    const double spread = domain_low == 0.0 ? 1.0 : std::fabs(domain_low) * 0.1;
    domain_low = domain_low == 0.0 ? 0.0 : domain_low - spread;
    domain_high += spread;
  }
  Scale scale;
  scale.ticks_ = nice_linear_ticks(domain_low, domain_high, tick_count);
  scale.domain_low_ = scale.ticks_.front();
  scale.domain_high_ = scale.ticks_.back();
  scale.range_low_ = range_low;
  scale.range_high_ = range_high;
  return scale;
}

Scale Scale::logarithmic(double domain_low, double domain_high, double range_low, double range_high) {
  if (domain_high < domain_low) std::swap(domain_low, domain_high);
  if (!(domain_high > 0.0)) domain_high = 1.0;
  if (!(domain_low > 0.0)) domain_low = domain_high / 1000.0;
  if (!(domain_high > domain_low)) {
    domain_low /= 10.0;
    domain_high *= 10.0;
  }
  Scale scale;
  scale.logarithmic_ = true;
  scale.domain_low_ = domain_low;
  scale.domain_high_ = domain_high;
  scale.range_low_ = range_low;
  scale.range_high_ = range_high;

  const double decades = std::log10(domain_high / domain_low);
  const int lowest_power = static_cast<int>(std::floor(std::log10(domain_low)));
  const int highest_power = static_cast<int>(std::ceil(std::log10(domain_high)));
  // A tick sits inside the domain up to a rounding error of the power computation.
  const auto inside = [&](double tick) { return tick >= domain_low * (1 - 1e-9) && tick <= domain_high * (1 + 1e-9); };
  const auto mantissa_ticks = [&](const std::vector<double>& mantissas) {
    std::vector<double> ticks;
    for (int power = lowest_power; power <= highest_power; ++power)
      for (const double mantissa : mantissas) {
        const double tick = mantissa * std::pow(10.0, power);
        if (inside(tick)) ticks.push_back(tick);
      }
    return ticks;
  };
  // Five to eight labels read well on a chart's height: 1-2-5 steps over up to two decades, 1-3
  // over up to three and a half, powers of ten beyond.
  if (decades < 2.2) {
    scale.ticks_ = mantissa_ticks({1.0, 2.0, 5.0});
    if (scale.ticks_.size() < 2) scale.ticks_ = mantissa_ticks({1, 2, 3, 4, 5, 6, 7, 8, 9});
  } else if (decades < 3.5) {
    scale.ticks_ = mantissa_ticks({1.0, 3.0});
  } else {
    // Every power of ten up to six decades; beyond, every second or third, so labels never crowd.
    const int every = decades <= 6.5 ? 1 : decades <= 12.5 ? 2 : 3;
    for (int power = lowest_power; power <= highest_power; ++power) {
      const double tick = std::pow(10.0, power);
      if (power % every == 0 && inside(tick)) scale.ticks_.push_back(tick);
    }
  }
  return scale;
}

double Scale::operator()(double value) const {
  double fraction = 0.0;
  if (logarithmic_) {
    const double clamped = std::clamp(value, domain_low_, domain_high_);
    fraction = std::log(clamped / domain_low_) / std::log(domain_high_ / domain_low_);
  } else {
    fraction = (value - domain_low_) / (domain_high_ - domain_low_);
  }
  return range_low_ + fraction * (range_high_ - range_low_);
}

// ---- canvas ----------------------------------------------------------------------------------------

namespace {

std::string points_attribute(const std::vector<Point>& points) {
  std::string text;
  for (const Point& point : points) {
    if (!text.empty()) text += ' ';
    text += coordinate(point.x) + "," + coordinate(point.y);
  }
  return text;
}

std::string class_attribute(std::string_view css_class) {
  return css_class.empty() ? std::string() : " class=\"" + escape(css_class) + "\"";
}

// A shape closes with its hover text as a <title> child, or self-closes without one.
std::string close_shape(std::string_view element, std::string_view title) {
  if (title.empty()) return "/>\n";
  return "><title>" + escape(title) + "</title></" + std::string(element) + ">\n";
}

}  // namespace

Canvas::Canvas(double width, double height, std::string_view label) : width_(width), height_(height), label_(label) {}

void Canvas::rect(double x, double y, double width, double height, std::string_view css_class, std::string_view title) {
  body_ += "<rect x=\"" + coordinate(x) + "\" y=\"" + coordinate(y) + "\" width=\"" + coordinate(std::max(0.0, width)) +
           "\" height=\"" + coordinate(std::max(0.0, height)) + "\"" + class_attribute(css_class) + close_shape("rect", title);
}

void Canvas::line(double x1, double y1, double x2, double y2, std::string_view css_class) {
  body_ += "<line x1=\"" + coordinate(x1) + "\" y1=\"" + coordinate(y1) + "\" x2=\"" + coordinate(x2) + "\" y2=\"" +
           coordinate(y2) + "\"" + class_attribute(css_class) + "/>\n";
}

void Canvas::polyline(const std::vector<Point>& points, std::string_view css_class) {
  if (points.size() < 2) return;
  body_ += "<polyline points=\"" + points_attribute(points) + "\"" + class_attribute(css_class) + "/>\n";
}

void Canvas::polygon(const std::vector<Point>& points, std::string_view css_class, std::string_view title) {
  if (points.size() < 3) return;
  body_ += "<polygon points=\"" + points_attribute(points) + "\"" + class_attribute(css_class) + close_shape("polygon", title);
}

void Canvas::circle(double x, double y, double radius, std::string_view css_class, std::string_view title) {
  body_ += "<circle cx=\"" + coordinate(x) + "\" cy=\"" + coordinate(y) + "\" r=\"" + coordinate(radius) + "\"" +
           class_attribute(css_class) + close_shape("circle", title);
}

void Canvas::text(double x, double y, std::string_view content, std::string_view css_class, Anchor anchor) {
  const char* anchor_name = anchor == Anchor::start ? "start" : anchor == Anchor::middle ? "middle" : "end";
  body_ += "<text x=\"" + coordinate(x) + "\" y=\"" + coordinate(y) + "\" text-anchor=\"" + anchor_name + "\"" +
           class_attribute(css_class) + ">" + escape(content) + "</text>\n";
}

std::string Canvas::str() const {
  // No xmlns: inline SVG in HTML5 needs none, and the page then names no address at all.
  return "<svg viewBox=\"0 0 " + coordinate(width_) + " " + coordinate(height_) +
         "\" width=\"" + coordinate(width_) + "\" height=\"" + coordinate(height_) + "\" role=\"img\" aria-label=\"" +
         escape(label_) + "\">\n" + body_ + "</svg>\n";
}

}  // namespace chokepoint::svg
