// Tornado data (analyse/tornado.hpp, docs/sensitivity.md "Tornado"): median swings with one
// parameter pinned at its 10th and 90th percentile on common random numbers.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "analyse/tornado.hpp"
#include "scenario_builder.hpp"

namespace chokepoint {
namespace {

using testing::Json;

// CoWoS binds in every step, so production is the drawn CoWoS capacity (uniform 50–150); the
// price is drawn too, and production does not read it. Random demand makes every path differ.
Scenario two_parameter_scenario() {
  Json s = testing::deterministic_scenario();
  s["time"] = Json::parse(R"({"start_year": 2025, "years": 2, "steps_per_year": 4})");
  s["factors"]["token_demand"]["sigma"] = 0.2;
  s["stages"]["cowos"]["capacity_per_year"] =
      Json::parse(R"({"dist": "uniform", "min": 50, "max": 150, "name": "cowos_capacity"})");
  s["price"]["usd_per_million_tokens"] = Json::parse(R"({"dist": "uniform", "min": 1, "max": 3, "name": "price"})");
  return testing::compile(s);
}

const TornadoChart& chart_of(const Tornado& tornado, const std::string& variable, int year) {
  for (const TornadoChart& chart : tornado.charts)
    if (chart.variable == variable && chart.year == year) return chart;
  throw std::runtime_error("no chart " + variable);
}

TEST(Tornado, OnlyTheParameterThatMovesTheOutputHasABarAndItsSignIsRight) {
  const Scenario scenario = two_parameter_scenario();
  TornadoRequest request;
  request.paths = 400;
  request.seed = 5;
  request.threads = 2;
  request.backend = "cpu";
  const Tornado tornado = compute_tornado(scenario, request);
  EXPECT_EQ(tornado.paths, 400u);
  // token_demand, tokens_served, produced_units, installed_base, revenue (no power stage) × 2 years.
  EXPECT_EQ(tornado.charts.size(), 10u);
  const TornadoChart& produced = chart_of(tornado, "produced_units", 2026);
  ASSERT_EQ(produced.bars.size(), 2u);
  EXPECT_EQ(produced.bars[0].input, "cowos_capacity");  // sorted by |swing|
  EXPECT_DOUBLE_EQ(produced.bars[0].low.value, 60.0);    // uniform 50–150 at 10% and 90%
  EXPECT_DOUBLE_EQ(produced.bars[0].high.value, 140.0);
  EXPECT_EQ(produced.bars[0].low.percentile, 10.0);
  // Production is the capacity: more capacity, more units; 80 units/yr apart.
  EXPECT_NEAR(produced.bars[0].swing, 80.0, 1e-3);
  EXPECT_EQ(produced.bars[0].swing, produced.bars[0].high.median - produced.bars[0].low.median);
  EXPECT_NEAR(produced.baseline_median, 100.0, 15.0);
  // Pinning the price changes no draw that production reads: exactly no swing.
  EXPECT_EQ(produced.bars[1].input, "price");
  EXPECT_EQ(produced.bars[1].swing, 0.0);
  EXPECT_EQ(produced.bars[1].low.median, produced.baseline_median);
  // Token demand reads neither parameter.
  for (const TornadoBar& bar : chart_of(tornado, "token_demand", 2025).bars) EXPECT_EQ(bar.swing, 0.0);
  // Revenue = served tokens × price: a higher price raises it.
  const TornadoChart& revenue = chart_of(tornado, "revenue", 2026);
  for (const TornadoBar& bar : revenue.bars)
    if (bar.input == "price") {
      EXPECT_GT(bar.swing, 0.0);
    }
}

TEST(Tornado, PinningKeepsEveryOtherDrawOfEveryPath) {
  const Scenario scenario = two_parameter_scenario();
  int price = -1;
  for (std::size_t i = 0; i < scenario.parameter_names.size(); ++i)
    if (scenario.parameter_names[i] == "price") price = static_cast<int>(i);
  ASSERT_GE(price, 0);
  const PathResults base = simulate_cpu(scenario, 64, 9, 1);
  const PathResults pinned = simulate_cpu(with_parameter_pinned(scenario, price, 2.5), 64, 9, 1);
  const int produced = scenario.variable_index("produced_units"), revenue = scenario.variable_index("revenue");
  bool revenue_moved = false;
  for (std::uint64_t p = 0; p < 64; ++p) {
    EXPECT_EQ(base.column(produced, 1)[p], pinned.column(produced, 1)[p]);
    revenue_moved = revenue_moved || base.column(revenue, 1)[p] != pinned.column(revenue, 1)[p];
  }
  EXPECT_TRUE(revenue_moved);
  EXPECT_DOUBLE_EQ(parameter_percentile(*scenario.model, price, 0.5), 2.0);
}

TEST(Tornado, JsonFollowsTheSchemaTheReportReads) {
  const Scenario scenario = two_parameter_scenario();
  TornadoRequest request;
  request.paths = 50;
  request.backend = "cpu";
  const nlohmann::json json = nlohmann::json::parse(tornado_json_text(compute_tornado(scenario, request)));
  EXPECT_EQ(json["paths"], 50);
  EXPECT_EQ(json["seed"], 1);
  const nlohmann::json& chart = json["charts"][0];
  for (const char* key : {"variable", "unit", "year", "baseline_median", "bars"}) EXPECT_TRUE(chart.contains(key)) << key;
  const nlohmann::json& bar = chart["bars"][0];
  for (const char* key : {"input", "low", "high", "swing"}) EXPECT_TRUE(bar.contains(key)) << key;
  EXPECT_EQ(bar["low"]["percentile"], 10);
  EXPECT_EQ(bar["high"]["percentile"], 90);
  EXPECT_TRUE(bar["high"]["percentile"].is_number_integer());
  for (const char* key : {"percentile", "value", "median"}) EXPECT_TRUE(bar["low"].contains(key)) << key;
}

}  // namespace
}  // namespace chokepoint
