// A small SVG writer for the HTML report: escaping, linear and logarithmic scales with readable
// ticks, and a canvas that collects shapes and text into one <svg> element. Styling is left to
// CSS classes, so the report's look lives in one stylesheet.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace chokepoint::svg {

// Text and attribute values with & < > " ' escaped, so a scenario named "a<b & \"c\"" cannot
// break the page.
std::string escape(std::string_view text);

// A coordinate with at most two decimals and no trailing zeros: "12.5", "0", "-3.25".
std::string coordinate(double value);

// Maps a data interval onto a pixel interval. Linear, or logarithmic (base 10) for quantities
// that span decades; a log scale draws values ≤ 0 at the bottom of its domain, since log of them
// has no place on the axis.
class Scale {
 public:
  // A linear scale whose domain is widened to round tick values (1, 2 or 5 × 10^k), about
  // `tick_count` of them. An empty domain (low == high) is widened around its value.
  static Scale linear(double domain_low, double domain_high, double range_low, double range_high, int tick_count = 5);
  // A log scale over [domain_low, domain_high], both > 0 (a non-positive low is replaced by
  // high / 1000). Ticks at powers of ten: with 2 and 5 between them over about two decades, with
  // 3 over up to three and a half, every second or third power when the domain spans many.
  static Scale logarithmic(double domain_low, double domain_high, double range_low, double range_high);

  double operator()(double value) const;
  bool is_logarithmic() const { return logarithmic_; }
  double domain_low() const { return domain_low_; }
  double domain_high() const { return domain_high_; }
  const std::vector<double>& ticks() const { return ticks_; }

 private:
  Scale() = default;
  bool logarithmic_ = false;
  double domain_low_ = 0.0, domain_high_ = 1.0;
  double range_low_ = 0.0, range_high_ = 1.0;
  std::vector<double> ticks_;
};

// Round tick values covering [low, high]: steps of 1, 2 or 5 × 10^k, about `count` of them.
std::vector<double> nice_linear_ticks(double low, double high, int count);

struct Point {
  double x = 0.0;
  double y = 0.0;
};

enum class Anchor { start, middle, end };

// Shapes in document order; each takes a CSS class and, where a reader may want the exact value,
// a `title` shown by the browser on hover.
class Canvas {
 public:
  // `label` describes the picture for screen readers (aria-label).
  Canvas(double width, double height, std::string_view label);

  void rect(double x, double y, double width, double height, std::string_view css_class, std::string_view title = {});
  void line(double x1, double y1, double x2, double y2, std::string_view css_class);
  // An open line through the points; nothing is drawn for fewer than two points.
  void polyline(const std::vector<Point>& points, std::string_view css_class);
  // A closed filled shape; nothing is drawn for fewer than three points.
  void polygon(const std::vector<Point>& points, std::string_view css_class, std::string_view title = {});
  void circle(double x, double y, double radius, std::string_view css_class, std::string_view title = {});
  void text(double x, double y, std::string_view content, std::string_view css_class, Anchor anchor = Anchor::start);

  // The finished <svg> element.
  std::string str() const;

 private:
  double width_, height_;
  std::string label_;
  std::string body_;
};

}  // namespace chokepoint::svg
