// The report's SVG writer (host/report/svg_writer.hpp) and fan chart (host/report/fan_chart.hpp): escaping,
// scales and ticks, and the edge cases a run can produce (no years, one year, all zeros).
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "report/fan_chart.hpp"
#include "report/svg_writer.hpp"

namespace chokepoint {
namespace {

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t found = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++found;
  return found;
}

TEST(SvgEscape, EscapesMarkupCharacters) {
  EXPECT_EQ(svg::escape("a<b & \"c\" > 'd'"), "a&lt;b &amp; &quot;c&quot; &gt; &#39;d&#39;");
  EXPECT_EQ(svg::escape("plain – text ≥ 5"), "plain – text ≥ 5");  // UTF-8 passes through
  EXPECT_EQ(svg::escape(""), "");
}

TEST(SvgCanvas, EscapesTextTitlesAndLabels) {
  svg::Canvas canvas(100, 50, "chart of <x> & \"y\"");
  canvas.text(1, 2, "p < 5 & q > \"3\"", "label");
  canvas.rect(0, 0, 10, 10, "cell", "value <1% & rising");
  const std::string out = canvas.str();
  EXPECT_NE(out.find(">p &lt; 5 &amp; q &gt; &quot;3&quot;</text>"), std::string::npos) << out;
  EXPECT_NE(out.find("<title>value &lt;1% &amp; rising</title>"), std::string::npos) << out;
  EXPECT_NE(out.find("aria-label=\"chart of &lt;x&gt; &amp; &quot;y&quot;\""), std::string::npos) << out;
  EXPECT_EQ(out.find("<x>"), std::string::npos);
}

TEST(SvgCanvas, SkipsShapesWithTooFewPoints) {
  svg::Canvas canvas(10, 10, "empty");
  canvas.polyline({}, "line");
  canvas.polyline({{1, 1}}, "line");
  canvas.polygon({{1, 1}, {2, 2}}, "area");
  const std::string out = canvas.str();
  EXPECT_EQ(out.find("<polyline"), std::string::npos);
  EXPECT_EQ(out.find("<polygon"), std::string::npos);
  canvas.polyline({{0, 0}, {1.5, 2.25}}, "line");
  EXPECT_NE(canvas.str().find("points=\"0,0 1.5,2.25\""), std::string::npos);
}

TEST(SvgCoordinate, ShortDecimals) {
  EXPECT_EQ(svg::coordinate(12.5), "12.5");
  EXPECT_EQ(svg::coordinate(3.0), "3");
  EXPECT_EQ(svg::coordinate(-0.001), "0");
  EXPECT_EQ(svg::coordinate(1.23456), "1.23");
  EXPECT_EQ(svg::coordinate(std::nan("")), "0");
}

TEST(LinearScale, WidensToRoundTicksAndMapsEnds) {
  const svg::Scale scale = svg::Scale::linear(0.0, 93.0, 200.0, 0.0, 5);
  EXPECT_FALSE(scale.is_logarithmic());
  EXPECT_EQ(scale.ticks(), (std::vector<double>{0, 20, 40, 60, 80, 100}));
  EXPECT_DOUBLE_EQ(scale(0.0), 200.0);
  EXPECT_DOUBLE_EQ(scale(100.0), 0.0);
  EXPECT_DOUBLE_EQ(scale(50.0), 100.0);
}

TEST(LinearScale, TicksAvoidFloatingPointDrift) {
  const std::vector<double> ticks = svg::nice_linear_ticks(0.0, 0.7, 7);
  ASSERT_EQ(ticks.size(), 8u);
  EXPECT_DOUBLE_EQ(ticks[3], 0.30000000000000004);  // 3 × 0.1, not 0.1 + 0.1 + 0.1 summed further
  EXPECT_EQ(svg::nice_linear_ticks(-3.0, 7.0, 5), (std::vector<double>{-4, -2, 0, 2, 4, 6, 8}));
}

TEST(LinearScale, ConstantSeriesGetsAVisibleDomain) {
  const svg::Scale zeros = svg::Scale::linear(0.0, 0.0, 100.0, 0.0);
  EXPECT_LT(zeros.domain_low(), zeros.domain_high());
  EXPECT_DOUBLE_EQ(zeros(0.0), 100.0);  // zero sits on the axis
  const svg::Scale constant = svg::Scale::linear(5e6, 5e6, 100.0, 0.0);
  EXPECT_LT(constant.domain_low(), 5e6);
  EXPECT_GT(constant.domain_high(), 5e6);
}

TEST(LogScale, TicksAtPowersOfTenOverManyDecades) {
  const svg::Scale scale = svg::Scale::logarithmic(3e5, 2e9, 100.0, 0.0);
  EXPECT_TRUE(scale.is_logarithmic());
  EXPECT_EQ(scale.ticks(), (std::vector<double>{1e6, 1e7, 1e8, 1e9}));
  EXPECT_NEAR(scale(3e5), 100.0, 1e-9);
  EXPECT_NEAR(scale(2e9), 0.0, 1e-9);
  // Equal ratios, equal distances.
  EXPECT_NEAR(scale(1e6) - scale(1e7), scale(1e7) - scale(1e8), 1e-9);
}

TEST(LogScale, AddsTwoAndFiveWithinFewDecades) {
  const svg::Scale scale = svg::Scale::logarithmic(8e5, 3e7, 100.0, 0.0);
  EXPECT_EQ(scale.ticks(), (std::vector<double>{1e6, 2e6, 5e6, 1e7, 2e7}));
}

TEST(LogScale, UsesOneAndThreeOverAboutThreeDecades) {
  const svg::Scale scale = svg::Scale::logarithmic(15e3, 5e6, 100.0, 0.0);
  EXPECT_EQ(scale.ticks(), (std::vector<double>{3e4, 1e5, 3e5, 1e6, 3e6}));
}

TEST(LogScale, ThinsTicksOverVeryManyDecades) {
  const svg::Scale scale = svg::Scale::logarithmic(1.0, 1e12, 100.0, 0.0);
  EXPECT_EQ(scale.ticks(), (std::vector<double>{1, 1e2, 1e4, 1e6, 1e8, 1e10, 1e12}));
}

TEST(LogScale, NonPositiveValuesSitAtTheFloor) {
  const svg::Scale scale = svg::Scale::logarithmic(1e3, 1e6, 100.0, 0.0);
  EXPECT_DOUBLE_EQ(scale(0.0), 100.0);
  EXPECT_DOUBLE_EQ(scale(-5.0), 100.0);
  const svg::Scale from_zero = svg::Scale::logarithmic(0.0, 1e6, 100.0, 0.0);  // low ≤ 0 replaced
  EXPECT_GT(from_zero.domain_low(), 0.0);
  EXPECT_FALSE(from_zero.ticks().empty());
}

FanYear fan_year(int year, double median, double spread) {
  FanYear y;
  y.year = year;
  y.mean = median;
  y.se = median * 0.01;
  y.q01 = median / (spread * spread);
  y.q05 = median / spread;
  y.q25 = median / std::sqrt(spread);
  y.q50 = median;
  y.q75 = median * std::sqrt(spread);
  y.q95 = median * spread;
  y.q99 = median * spread * spread;
  return y;
}

TEST(FanChart, EmptySeriesSaysNoData) {
  const FanLayer empty{"none", {}};
  const std::string out = fan_chart_svg("produced_units", "units", empty);
  EXPECT_NE(out.find("no data"), std::string::npos);
  EXPECT_EQ(out.find("<polygon"), std::string::npos);
}

TEST(FanChart, SingleYearDrawsBoxesNotPolygons) {
  const FanLayer one{"one", {fan_year(2025, 1e6, 2.0)}};
  const std::string out = fan_chart_svg("produced_units", "units", one);
  EXPECT_EQ(out.find("<polygon"), std::string::npos);
  EXPECT_NE(out.find("class=\"band-90\""), std::string::npos);
  EXPECT_NE(out.find("class=\"band-50\""), std::string::npos);
  EXPECT_NE(out.find("class=\"median\""), std::string::npos);
  EXPECT_NE(out.find(">2025</text>"), std::string::npos);
  EXPECT_EQ(count(out, "class=\"hover-column\""), 1u);
}

TEST(FanChart, ManyYearsDrawOneBandPolygonEachAndHoverValues) {
  FanLayer layer{"base", {}};
  for (int year = 2024; year < 2030; ++year) layer.years.push_back(fan_year(year, 1e6 * (year - 2023), 1.5));
  const std::string out = fan_chart_svg("installed_base", "units", layer);
  EXPECT_EQ(count(out, "<polygon"), 3u);  // 1–99 %, 90 %, 50 %
  EXPECT_EQ(count(out, "<polyline"), 1u);  // the median
  EXPECT_EQ(count(out, "class=\"hover-column\""), 6u);
  EXPECT_NE(out.find("median 3.00 M units"), std::string::npos) << "hover text gives the year's median";
}

TEST(FanChart, LogAxisWhenTheNinetyPercentBandSpansDecades) {
  FanLayer narrow{"narrow", {fan_year(2025, 1e6, 1.2), fan_year(2026, 2e6, 1.2)}};
  FanLayer wide{"wide", {fan_year(2025, 1e6, 3.0), fan_year(2026, 1e8, 3.0)}};
  EXPECT_FALSE(wants_log_axis({&narrow}));
  EXPECT_TRUE(wants_log_axis({&wide}));
  EXPECT_NE(fan_chart_svg("x", "units", wide).find("log scale"), std::string::npos);
  EXPECT_EQ(fan_chart_svg("x", "units", narrow).find("log scale"), std::string::npos);
  // A band that touches zero cannot go on a log axis.
  FanLayer with_zero = wide;
  with_zero.years[0].q05 = 0.0;
  EXPECT_FALSE(wants_log_axis({&with_zero}));
}

TEST(FanChart, AllZeroSeriesDrawsOnALinearAxis) {
  FanYear zero;
  zero.year = 2025;
  FanYear zero_later = zero;
  zero_later.year = 2026;
  const FanLayer zeros{"zeros", {zero, zero_later}};
  const std::string out = fan_chart_svg("unmet_tokens", "tokens", zeros);
  EXPECT_EQ(out.find("log scale"), std::string::npos);
  EXPECT_EQ(out.find("nan"), std::string::npos);
  EXPECT_EQ(out.find("inf"), std::string::npos);
}

TEST(FanChart, ComparisonDrawsBothRuns) {
  const FanLayer base{"base", {fan_year(2025, 1e6, 1.5), fan_year(2026, 2e6, 1.5)}};
  const FanLayer stress{"stress", {fan_year(2025, 0.8e6, 1.5), fan_year(2026, 1.2e6, 1.5)}};
  const std::string out = fan_chart_svg("produced_units", "units", stress, &base);
  EXPECT_NE(out.find("class=\"band-90 base\""), std::string::npos);
  EXPECT_NE(out.find("class=\"band-90 stress\""), std::string::npos);
  EXPECT_NE(out.find("class=\"median stress\""), std::string::npos);
  EXPECT_EQ(out.find("band-98"), std::string::npos) << "no faint tails when two fans overlap";
}

}  // namespace
}  // namespace chokepoint
