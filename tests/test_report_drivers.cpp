// The report's charts of what drives the forecast (tornado, contribution to variance, binding
// by decile), of one year's distribution (histogram, CDF), of convergence and of the paired
// difference: their SVG, their order, nothing drawn without data, and bad files refused.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "chokepoint/report.hpp"
#include "chokepoint/summary_io.hpp"
#include "reduce/distribution_histogram.hpp"
#include "report/distribution_charts.hpp"
#include "report/driver_charts.hpp"
#include "report/html_report.hpp"
#include "test_support.hpp"

namespace chokepoint::testing {
namespace {

namespace fs = std::filesystem;
using report::sorted_tornado_bars;

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t found = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++found;
  return found;
}

TornadoRow bar(const std::string& input, double low_median, double high_median) {
  return TornadoRow{input, {10, 0.1, low_median}, {90, 0.9, high_median}, high_median - low_median};
}

TornadoPanel sample_tornado(int year = 2027) {
  return TornadoPanel{"produced_units", "units", year, 100.0,
                      {bar("alpha", 99, 100), bar("beta", 104, 99), bar("gamma", 98.5, 101.5)}};
}

TEST(TornadoPanel, BarsAreSortedByTheSizeOfTheSwingAroundTheBaselineMedian) {
  const std::vector<TornadoRow> sorted = sorted_tornado_bars(sample_tornado());
  ASSERT_EQ(sorted.size(), 3u);
  EXPECT_EQ(sorted[0].input, "beta");   // |−5|
  EXPECT_EQ(sorted[1].input, "gamma");  // 3
  EXPECT_EQ(sorted[2].input, "alpha");  // 1
  const std::string svg = report::tornado_svg(sample_tornado());
  EXPECT_LT(svg.find(">beta<"), svg.find(">gamma<"));
  EXPECT_LT(svg.find(">gamma<"), svg.find(">alpha<"));
  EXPECT_EQ(count(svg, "class=\"tornado-low\""), 3u);
  EXPECT_EQ(count(svg, "class=\"tornado-high\""), 3u);
  EXPECT_EQ(count(svg, "class=\"tornado-axis\""), 1u);
  EXPECT_NE(svg.find("beta: at its 10th percentile"), std::string::npos);
  const std::string two = report::tornado_svg(sample_tornado(), 2);
  EXPECT_EQ(two.find(">alpha<"), std::string::npos) << "the smallest swing is left out beyond max_bars";
}

TEST(TornadoChart, MissingNumbersDrawNoNaNCoordinates) {
  TornadoPanel chart = sample_tornado();
  chart.baseline_median = std::nan("");
  chart.bars[0].low.median = std::nan("");
  const std::string svg = report::tornado_svg(chart);
  EXPECT_EQ(svg.find("nan"), std::string::npos) << svg;
  EXPECT_EQ(count(svg, "class=\"tornado-high\""), 3u);
  EXPECT_EQ(count(svg, "class=\"tornado-low\""), 2u);
}

TEST(VarianceChart, ListsTheLargestIndicesThenTheRestThenInteractions) {
  const OutputIndices output{"produced_units", 2027,
                                {{"small", 0.1, 0.01}, {"large", 0.5, 0.02}, {"middle", 0.2, 0.0}}};
  const std::vector<report::VarianceShare> rows = report::variance_shares(output, 2);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].label, "large");
  EXPECT_EQ(rows[1].label, "middle");
  EXPECT_EQ(rows[2].label, "other listed inputs (1)");
  EXPECT_DOUBLE_EQ(rows[2].share, 0.1);
  EXPECT_EQ(rows[3].label, "factor shocks, interactions, unlisted inputs");
  EXPECT_NEAR(rows[3].share, 0.2, 1e-12);
  const std::string svg = report::variance_svg(output, 2);
  EXPECT_EQ(count(svg, "class=\"variance-bar "), 4u);
  EXPECT_EQ(count(svg, "class=\"whisker\""), 3u) << "one whisker (three lines) for the only input with an s.e.";
}

TEST(DecileChart, DrawsTenPointsAndTheAllPathsProbability) {
  const BindingCurve curve{"power", 2028, "demand_trend", {0.0, 0.0, 0.1, 0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0}};
  const std::string svg = report::decile_svg(curve);
  EXPECT_EQ(count(svg, "class=\"decile-point\""), 10u);
  EXPECT_EQ(count(svg, "class=\"decile-mean\""), 1u);
  EXPECT_NE(svg.find("demand_trend in decile 10: P(power binds in 2028) = 100%"), std::string::npos);
  const BindingCurve twenty{"power", 2028, "demand_trend", std::vector<double>(20, 0.5)};
  EXPECT_EQ(count(report::decile_svg(twenty), "class=\"decile-point\""), 20u) << "any number of equal-probability bins";
}

ValueHistogram histogram_of(const std::vector<float>& values) {
  std::vector<std::uint64_t> dense(kDistributionBuckets, 0);
  count_distribution(values.data(), values.size(), dense.data());
  ValueHistogram histogram{"produced_units", 2027, {}, {}};
  for (std::size_t b = 0; b < dense.size(); ++b)
    if (dense[b]) histogram.buckets.push_back(static_cast<std::uint32_t>(b)), histogram.counts.push_back(dense[b]);
  return histogram;
}

TEST(HistogramChart, BarsCountEveryPathOnTheAxisExactly) {
  std::vector<float> values;
  for (int i = 0; i < 1000; ++i) values.push_back(1.0f + static_cast<float>(i) * 0.001f);  // [1, 2)
  values.push_back(100.0f);                                                             // far right
  const ValueHistogram histogram = histogram_of(values);
  const report::DistributionAxis axis = report::distribution_axis(histogram);
  EXPECT_EQ(axis.total, 1001u);
  EXPECT_EQ(axis.above, 1u);
  EXPECT_FALSE(axis.logarithmic);
  std::uint64_t drawn = 0;
  for (const report::HistogramBar& b : report::histogram_bars(histogram, axis)) drawn += b.paths;
  EXPECT_EQ(drawn, 1000u);
  const std::string svg = report::histogram_svg(histogram, "units", {{0.5, 1.5}});
  EXPECT_EQ(count(svg, "class=\"histogram-bar\""), 4u) << "four buckets per factor of two";
  EXPECT_NE(svg.find("250 paths (25%)"), std::string::npos) << svg;
  EXPECT_EQ(count(svg, "class=\"marker-median\""), 1u);
  const std::string cdf = report::cdf_svg(histogram, "units", {{0.5, 1.5}});
  EXPECT_EQ(count(cdf, "class=\"cdf-line\""), 1u);
  EXPECT_EQ(count(cdf, "class=\"cdf-quantile\""), 1u);
  EXPECT_NE(report::histogram_svg(ValueHistogram{"x", 2027, {}, {}}, "units", {}).find("no finite values"), std::string::npos);
}

TEST(HistogramChart, APointMassAtZeroIsABarAsWideAsTheOthers) {
  // The bucket of 0 is 10⁻³⁸ wide: alone, its height would flatten every other bar to nothing.
  std::vector<float> values(300, 0.0f);
  for (int i = 0; i < 700; ++i) values.push_back(1.0f + static_cast<float>(i) / 700.0f);
  const ValueHistogram histogram = histogram_of(values);
  const report::DistributionAxis axis = report::distribution_axis(histogram);
  EXPECT_EQ(axis.low, 0.0);
  const std::vector<report::HistogramBar> bars = report::histogram_bars(histogram, axis);
  ASSERT_FALSE(bars.empty());
  EXPECT_EQ(bars.front().low, 0.0);
  EXPECT_GE(bars.front().high - bars.front().low, (axis.high - axis.low) / 60.0);
  std::uint64_t drawn = 0;
  for (const report::HistogramBar& b : bars) drawn += b.paths;
  EXPECT_EQ(drawn, 1000u);
  EXPECT_GE(bars.front().paths, 300u);
}

TEST(DifferenceChart, DrawsTheMeanChangeWithItsNinetyPercentBand) {
  VariableDifference difference{"produced_units", "units", "flow", {}};
  for (int year = 2025; year <= 2028; ++year) {
    DifferenceYear y;
    y.year = year;
    y.base_mean = 100;
    y.mean = year == 2027 ? -6 : 0.1;
    y.se = 0.5;
    difference.years.push_back(y);
  }
  const std::string svg = report::difference_svg(difference, true);
  EXPECT_EQ(count(svg, "class=\"difference-point\""), 4u);
  EXPECT_EQ(count(svg, "class=\"difference-band\""), 1u);
  EXPECT_EQ(count(svg, "class=\"difference-zero\""), 1u);
  EXPECT_NE(svg.find("2027: change in the mean −6.00 units (-6.0%)"), std::string::npos) << svg;
  EXPECT_NE(svg.find("(paired)"), std::string::npos);
}

// ---- the page, from a run directory -----------------------------------------------------------------

class DriverReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    directory_ = fs::path(::testing::TempDir()) / (std::string("chokepoint_drivers_") + info->name() + "_" + std::to_string(::getpid()));
    fs::remove_all(directory_);
    fs::create_directories(directory_);
  }
  void TearDown() override { fs::remove_all(directory_); }

  std::string run(const std::string& scenario, const std::string& name) {
    const fs::path out = directory_ / name;
    const CommandResult result = run_cli("run " + quoted(source_path("tests/scenarios/" + scenario)) +
                                         " --paths 800 --seed 3 --quiet --backend cpu --out " + quoted(out.string()));
    EXPECT_EQ(result.exit_code, 0) << result.output;
    return out.string();
  }

  fs::path directory_;
};

std::string tornado_json() {
  return R"({"paths": 2000, "seed": 3, "charts": [
    {"variable": "produced_units", "unit": "units", "year": 2027, "baseline_median": 5.0e6,
     "bars": [{"input": "cowos.trend", "low": {"percentile": 10, "value": -0.1, "median": 4.5e6},
               "high": {"percentile": 90, "value": 0.1, "median": 5.6e6}, "swing": 1.1e6},
              {"input": "token_demand.trend", "low": {"percentile": 10, "value": -0.05, "median": 4.9e6},
               "high": {"percentile": 90, "value": 0.05, "median": 5.1e6}, "swing": 2.0e5}]},
    {"variable": "produced_units", "unit": "units", "year": 2028, "baseline_median": 6.0e6,
     "bars": [{"input": "cowos.trend", "low": {"percentile": 10, "value": -0.1, "median": 5.5e6},
               "high": {"percentile": 90, "value": 0.1, "median": 6.6e6}, "swing": 1.1e6}]}]})";
}

nlohmann::json sensitivity_json() {
  return nlohmann::json::parse(R"({"bins": 20, "inputs": ["cowos.trend", "token_demand.trend", "yield"],
    "input_kinds": ["trend", "trend", "parameter"], "out_of_range": 0,
    "first_order": {"produced_units": {"2027": [{"input": "cowos.trend", "index": 0.55, "se": 0.02},
                                                {"input": "token_demand.trend", "index": 0.1, "se": 0.01},
                                                {"input": "yield", "index": 0.05, "se": 0.01}]},
                    "power.binding_share": {"2028": [{"input": "token_demand.trend", "index": 0.4, "se": 0.03},
                                                     {"input": "cowos.trend", "index": 0.02, "se": 0.01}]}},
    "binding_by_decile": {"power": {"2028": {"token_demand.trend": [0, 0, 0.05, 0.1, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9],
                                             "cowos.trend": [0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3]}}}})");
}

void add_sensitivity(const std::string& dir, const nlohmann::json& section) {
  nlohmann::ordered_json summary = nlohmann::ordered_json::parse(read_text(fs::path(dir) / "summary.json"));
  summary["sensitivity"] = section;
  write_text(fs::path(dir) / "summary.json", summary.dump(1));
}

std::string report_page(const std::string& dir, const std::string& arguments = "") {
  const CommandResult result = run_cli("report " + quoted(dir) + " " + arguments);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  return read_text(fs::path(dir) / "report.html");
}

TEST_F(DriverReportTest, DriversComeFirstWithProductionIn2027AndPowerBindingIn2028) {
  const std::string dir = run("small.json", "small");
  write_text(fs::path(dir) / "tornado.json", tornado_json());
  add_sensitivity(dir, sensitivity_json());
  const std::string page = report_page(dir);
  ASSERT_EQ(count(page, "<section id=\"drivers\""), 1u);
  EXPECT_LT(page.find("<section id=\"drivers\""), page.find("id=\"headline\""));
  const std::size_t production = page.find("<section class=\"driver-card\" data-output=\"produced_units\" data-year=\"2027\">");
  const std::size_t power = page.find("<section class=\"driver-card\" data-output=\"power.binding_share\" data-year=\"2028\">");
  ASSERT_NE(production, std::string::npos);
  ASSERT_NE(power, std::string::npos);
  EXPECT_NE(page.find("<figure class=\"tornado\" data-variable=\"produced_units\" data-year=\"2027\">", production), std::string::npos);
  EXPECT_NE(page.find("<figure class=\"variance\" data-output=\"power.binding_share\" data-year=\"2028\">", power), std::string::npos);
  // Top driver of power binding first.
  const std::size_t deciles = page.find("<div class=\"decile-grid\" data-stage=\"power\" data-year=\"2028\">", power);
  ASSERT_NE(deciles, std::string::npos);
  EXPECT_LT(page.find("data-input=\"token_demand.trend\"", deciles), page.find("data-input=\"cowos.trend\"", deciles));
  // The tornado picker: one year each, 2027 checked.
  EXPECT_EQ(count(page, "name=\"tornado-year-0\""), 2u);
  EXPECT_NE(page.find("<label for=\"tornado-year-0-0\">2027</label>"), std::string::npos);
  EXPECT_NE(page.find("id=\"tornado-year-0-0\" checked>"), std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos) << "the page stays script-free";
}

void remove_sensitivity(const std::string& dir) {
  nlohmann::ordered_json summary = nlohmann::ordered_json::parse(read_text(fs::path(dir) / "summary.json"));
  summary.erase("sensitivity");
  write_text(fs::path(dir) / "summary.json", summary.dump(1));
}

TEST_F(DriverReportTest, NothingIsDrawnWithoutTheirData) {
  const std::string dir = run("small.json", "small");
  remove_sensitivity(dir);  // a run may compute its own: this test is of a summary without one
  std::string page = report_page(dir);
  EXPECT_EQ(page.find("id=\"drivers\""), std::string::npos);
  EXPECT_EQ(page.find("class=\"tornado\""), std::string::npos);
  // Indices without deciles, no tornado: the variance bars only.
  nlohmann::json only_indices = sensitivity_json();
  only_indices.erase("binding_by_decile");
  add_sensitivity(dir, only_indices);
  page = report_page(dir);
  EXPECT_EQ(count(page, "<section id=\"drivers\""), 1u);
  EXPECT_EQ(page.find("class=\"tornado\""), std::string::npos);
  EXPECT_EQ(page.find("class=\"decile\""), std::string::npos);
  EXPECT_NE(page.find("<figure class=\"variance\""), std::string::npos);
}

TEST_F(DriverReportTest, BadDriverFilesExitTwoNamingTheFileAndThePath) {
  const std::string dir = run("small.json", "small");
  const fs::path tornado = fs::path(dir) / "tornado.json";
  struct Case {
    std::string text;
    std::string path;
  };
  std::string bad_swing = tornado_json();
  bad_swing.replace(bad_swing.find("\"swing\": 2.0e5"), 14, "\"swing\": \"big\"");
  std::string no_year = tornado_json();
  no_year.replace(no_year.find("\"year\": 2028"), 12, "\"years\": 2028");
  for (const Case& item : {Case{bad_swing, "charts[0].bars[1].swing"}, Case{no_year, "charts[1].year"},
                           Case{"{\"paths\": 1, ", "malformed"}}) {
    write_text(tornado, item.text);
    const CommandResult result = run_cli("report " + quoted(dir));
    EXPECT_EQ(result.exit_code, 2) << result.output;
    EXPECT_NE(result.output.find(tornado.string()), std::string::npos) << result.output;
    EXPECT_NE(result.output.find(item.path), std::string::npos) << result.output;
  }
  fs::remove(tornado);
  nlohmann::json section = sensitivity_json();
  section["first_order"]["produced_units"]["2027"][1]["index"] = "high";
  add_sensitivity(dir, section);
  const CommandResult result = run_cli("report " + quoted(dir));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("summary.json"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("sensitivity.first_order.produced_units.2027[1].index"), std::string::npos) << result.output;
  section = sensitivity_json();
  section["binding_by_decile"]["power"]["2028"]["cowos.trend"] = nlohmann::json::array({0.1});
  add_sensitivity(dir, section);
  const CommandResult short_curve = run_cli("report " + quoted(dir));
  EXPECT_EQ(short_curve.exit_code, 2) << short_curve.output;
  EXPECT_NE(short_curve.output.find("sensitivity.binding_by_decile.power.2028.cowos.trend"), std::string::npos) << short_curve.output;
}

TEST_F(DriverReportTest, EveryVariableYearHasAHistogramAndACdfAndTheHeadlinesConverge) {
  const std::string dir = run("small.json", "small");
  const Summary summary = read_summary(dir);
  const std::string page = report_page(dir);
  EXPECT_EQ(count(page, "<figure class=\"distribution\""), summary.variables.size() * summary.years.size());
  EXPECT_EQ(count(page, "<div class=\"histogram\">"), summary.variables.size() * summary.years.size());
  EXPECT_EQ(count(page, "<div class=\"cdf\">"), summary.variables.size() * summary.years.size());
  EXPECT_EQ(count(page, "name=\"distribution-0\""), summary.variables.size());
  EXPECT_EQ(count(page, "name=\"distribution-1\""), summary.years.size());
  EXPECT_EQ(count(page, " checked>"), count(page, "<div class=\"pick-row\">"))
      << "one checked choice per axis";
  ASSERT_FALSE(summary.convergence.empty());
  EXPECT_EQ(count(page, "<figure class=\"convergence\""), summary.convergence.size());
}

TEST_F(DriverReportTest, AStreamedRunSaysWhichOfItsPathsAreTraced) {
  // More paths than one MiB keeps, and more than twice the traced prefix: a gap in the trace.
  const fs::path out = directory_ / "streamed";
  const CommandResult result =
      run_cli("run " + quoted(source_path("tests/scenarios/small.json")) +
              " --paths 140000 --memory-for-paths 1 --seed 3 --quiet --backend cpu --out " + quoted(out.string()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const Summary summary = read_summary(out.string());
  ASSERT_FALSE(summary.convergence.empty());
  EXPECT_EQ(summary.convergence.front().points.back().paths, 140000u);
  const std::string page = report_page(out.string());
  EXPECT_EQ(count(page, "<figure class=\"convergence\""), summary.convergence.size());
  EXPECT_NE(page.find("its first 65,536 paths are traced, then all of them"), std::string::npos);
  // A kept run's page does not say it.
  EXPECT_EQ(report_page(run("small.json", "kept")).find("did not keep its paths"), std::string::npos);
}

TEST_F(DriverReportTest, ComparisonDrawsTheDifferenceOfEveryVariable) {
  const std::string base = run("small.json", "base");
  const std::string stress = run("small_power_crunch.json", "stress");
  const std::string page = report_page(stress, "--compare " + quoted(base));
  const Summary summary = read_summary(stress);
  EXPECT_EQ(count(page, "<figure class=\"difference\""), summary.variables.size());
  EXPECT_NE(page.find("id=\"difference-0-"), std::string::npos);
  EXPECT_NE(page.find("its paired 90% interval"), std::string::npos);
  EXPECT_LT(page.find("<section id=\"compare\""), page.find("<figure class=\"difference\""));
}

}  // namespace
}  // namespace chokepoint::testing
