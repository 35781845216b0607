// The cases with known answers (docs/model.md §11; all but the GPU one).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <memory>
#include <vector>

#include "chokepoint/path_step.hpp"
#include "chokepoint/year_record.hpp"
#include "scenario_builder.hpp"
#include "test_support.hpp"

namespace chokepoint {
namespace {

using testing::compile;
using testing::deterministic_scenario;
using testing::Json;

// The log index X_f at every year end of `paths` paths (no events, uncapped chain).
std::vector<std::vector<double>> year_end_log_index(const Scenario& scenario, int factor, int paths,
                                                    std::uint64_t seed = 11) {
  const Model& model = *scenario.model;
  std::vector<std::vector<double>> values(model.years, std::vector<double>(paths));
  auto state = std::make_unique<PathState<>>();
  for (int p = 0; p < paths; ++p) {
    FactorNormalCache cache;
    StepShocks<> shocks;
    StepOutcome<> out;
    start_path(model, seed_key(seed), p, *state);
    for (int step = 1; step <= model.steps; ++step) {
      draw_step_shocks(model, seed_key(seed), p, step, cache, shocks);
      step_path(model, step, shocks, *state, out);
      if (step % model.steps_per_year == 0) values[step / model.steps_per_year - 1][p] = state->log_index[factor];
    }
  }
  return values;
}

double mean_of(const std::vector<double>& x) {
  double sum = 0;
  for (double v : x) sum += v;
  return sum / static_cast<double>(x.size());
}

double sd_of(const std::vector<double>& x) {
  const double m = mean_of(x);
  double sum = 0;
  for (double v : x) sum += (v - m) * (v - m);
  return std::sqrt(sum / static_cast<double>(x.size() - 1));
}

TEST(KnownAnswers, WithoutRandomnessEveryPathIsTheClosedForm) {
  Json s = deterministic_scenario();
  s["time"] = Json::parse(R"({"start_year": 2025, "years": 6, "steps_per_year": 12})");
  s["factors"]["token_demand"]["growth"] = Json::parse(R"({"2025": 2.5, "2027": 0.8, "2029": -0.1})");
  const Scenario scenario = compile(s);
  const double growth[] = {2.5, 2.5, 0.8, 0.8, -0.1, -0.1};
  for (std::uint64_t path : {0ull, 1ull, 977ull, 123456789ull}) {
    const std::vector<TrajectoryPoint> trajectory = trace_path(scenario, 3, path, Precision::reference);
    double closed_form = 1000.0;
    for (int year = 0; year < 6; ++year) {
      closed_form *= 1.0 + growth[year];  // tok_0 · Π(1 + g) at each year end
      EXPECT_NEAR(trajectory[year * 12 + 11].token_demand / closed_form, 1.0, 1e-12) << "path " << path;
    }
  }
}

// Quantiles of N(mean, sd²) against the sample's, each within 3 standard errors of a quantile.
void expect_normal_quantiles(std::vector<double> sample, double mean, double sd) {
  std::sort(sample.begin(), sample.end());
  const double n = static_cast<double>(sample.size());
  for (double q : {0.05, 0.25, 0.5, 0.75, 0.95}) {
    const double z = normal_quantile(q);
    const double density = std::exp(-0.5 * z * z) / std::sqrt(2 * M_PI) / sd;
    const double se = std::sqrt(q * (1 - q) / n) / density;
    const double observed = sample[static_cast<std::size_t>(q * (n - 1))];
    EXPECT_NEAR(observed, mean + sd * z, 3 * se) << "quantile " << q;
  }
}

TEST(KnownAnswers, LogDemandIsNormalWithVarianceSigmaSquaredT) {
  Json s = deterministic_scenario();
  s["time"] = Json::parse(R"({"start_year": 2025, "years": 3, "steps_per_year": 4})");
  s["factors"]["token_demand"] = Json::parse(R"({"growth": 0.6, "sigma": 0.35})");
  const auto x = year_end_log_index(compile(s), 0, 20000);
  for (int year = 1; year <= 3; ++year)
    expect_normal_quantiles(x[year - 1], std::log(1.6) * year, 0.35 * std::sqrt(year));
}

TEST(KnownAnswers, TrendUncertaintyAddsTauSquaredTSquared) {
  Json s = deterministic_scenario();
  s["time"] = Json::parse(R"({"start_year": 2025, "years": 4, "steps_per_year": 4})");
  s["factors"]["token_demand"] = Json::parse(R"({"growth": 0.6, "sigma": 0.2, "trend_uncertainty": 0.15})");
  const auto x = year_end_log_index(compile(s), 0, 20000);
  for (int t = 1; t <= 4; ++t) {
    const double expected = std::sqrt(0.04 * t + 0.0225 * t * t);
    EXPECT_NEAR(sd_of(x[t - 1]), expected, 3 * expected / std::sqrt(2.0 * 20000)) << "year " << t;
    expect_normal_quantiles(x[t - 1], std::log(1.6) * t, expected);
  }
}

class PersistentShocks : public ::testing::TestWithParam<int> {};

TEST_P(PersistentShocks, OneYearsLogGrowthHasSdSigmaAtEveryStepSize) {
  Json s = deterministic_scenario();
  s["time"] = Json::parse(R"({"start_year": 2025, "years": 3, "steps_per_year": 1})");
  s["time"]["steps_per_year"] = GetParam();
  s["factors"]["token_demand"] = Json::parse(R"({"growth": 0.0, "sigma": 0.4, "persistence": 0.6})");
  const int paths = 20000;
  const auto x = year_end_log_index(compile(s), 0, paths);
  std::vector<double> first_year = x[0], third_year(paths);
  for (int p = 0; p < paths; ++p) third_year[p] = x[2][p] - x[1][p];
  const double se = 0.4 / std::sqrt(2.0 * paths);
  EXPECT_NEAR(sd_of(first_year), 0.4, 3 * se);
  EXPECT_NEAR(sd_of(third_year), 0.4, 3 * se);
}

INSTANTIATE_TEST_SUITE_P(StepsPerYear, PersistentShocks, ::testing::Values(1, 2, 4, 12));

TEST(KnownAnswers, EventFiresInAYearWithProbabilityOneMinusExpMinusRate) {
  Json s = deterministic_scenario();
  s["time"] = Json::parse(R"({"start_year": 2025, "years": 2, "steps_per_year": 12})");
  s["events"] = Json::parse(R"({"quake": {"rate_per_year": 0.7, "severity": 0.5, "half_life_years": 1e9,
                                           "targets": {"cowos": 1.0}}})");
  const Scenario scenario = compile(s);
  const Model& model = *scenario.model;
  const int paths = 40000;
  int fired_first_year = 0, fired_second_year = 0;
  auto state = std::make_unique<PathState<>>();
  for (int p = 0; p < paths; ++p) {
    FactorNormalCache cache;
    StepShocks<> shocks;
    StepOutcome<> out;
    start_path(model, seed_key(5), p, *state);
    double at_year_end = 1.0;
    for (int step = 1; step <= model.steps; ++step) {
      draw_step_shocks(model, seed_key(5), p, step, cache, shocks);
      step_path(model, step, shocks, *state, out);
      if (step == 12) {
        at_year_end = state->impairment[0];
        fired_first_year += at_year_end < 1.0;
      }
    }
    // With a half-life of 10⁹ years nothing heals: a further drop means a firing in year two.
    fired_second_year += state->impairment[0] < at_year_end;
  }
  const double expected = 1.0 - std::exp(-0.7);
  const double se = std::sqrt(expected * (1 - expected) / paths);
  EXPECT_NEAR(fired_first_year / double(paths), expected, 3 * se);
  EXPECT_NEAR(fired_second_year / double(paths), expected, 3 * se);
}

TEST(KnownAnswers, CorrelatedFactorsReproduceTheirCorrelationMatrix) {
  Json s = deterministic_scenario();
  s["time"] = Json::parse(R"({"start_year": 2025, "years": 1, "steps_per_year": 4})");
  s["factors"] = Json::parse(R"({
    "token_demand": {"growth": 0.0, "sigma": 0.3}, "throughput": {"growth": 0.0, "sigma": 0.2},
    "cowos": {"growth": 0.0, "sigma": 0.25}})");
  s["correlations"] = Json::parse(R"({"token_demand": {"throughput": 0.6, "cowos": -0.3}, "cowos": {"throughput": 0.2}})");
  const Scenario scenario = compile(s);
  const Model& model = *scenario.model;
  const int paths = 20000;
  // Shocks of step 2 (after e(0) and step 1), recovered from the index increments.
  std::vector<double> shock[3];
  auto state = std::make_unique<PathState<>>();
  for (int p = 0; p < paths; ++p) {
    FactorNormalCache cache;
    StepShocks<> shocks;
    StepOutcome<> out;
    start_path(model, seed_key(9), p, *state);
    for (int step = 1; step <= 2; ++step) {
      double before[3] = {state->log_index[0], state->log_index[1], state->log_index[2]};
      draw_step_shocks(model, seed_key(9), p, step, cache, shocks);
      step_path(model, step, shocks, *state, out);
      if (step == 2)
        for (int f = 0; f < 3; ++f) shock[f].push_back(state->log_index[f] - before[f]);
    }
  }
  auto correlation = [&](int a, int b) {
    const double ma = mean_of(shock[a]), mb = mean_of(shock[b]);
    double sab = 0, saa = 0, sbb = 0;
    for (int p = 0; p < paths; ++p) {
      sab += (shock[a][p] - ma) * (shock[b][p] - mb);
      saa += (shock[a][p] - ma) * (shock[a][p] - ma);
      sbb += (shock[b][p] - mb) * (shock[b][p] - mb);
    }
    return sab / std::sqrt(saa * sbb);
  };
  const double expected[3][3] = {{1, 0.6, -0.3}, {0.6, 1, 0.2}, {-0.3, 0.2, 1}};
  for (int a = 0; a < 3; ++a)
    for (int b = a + 1; b < 3; ++b) {
      const double r = expected[a][b];
      EXPECT_NEAR(correlation(a, b), r, 3 * (1 - r * r) / std::sqrt(paths)) << a << "," << b;
    }
}

// Every path's yearly values (YearRecord of each year) through the scalar step.
std::vector<std::vector<std::vector<double>>> yearly_values(const Scenario& scenario, int paths, std::uint64_t seed) {
  const Model& model = *scenario.model;
  std::vector<std::vector<std::vector<double>>> values(paths);
  auto state = std::make_unique<PathState<>>();
  auto record = std::make_unique<YearRecord<>>();
  for (int p = 0; p < paths; ++p) {
    FactorNormalCache cache;
    StepShocks<> shocks;
    StepOutcome<> out;
    start_path(model, seed_key(seed), p, *state);
    for (int year = 0; year < model.years; ++year) {
      begin_year(model, *record);
      for (int s = 1; s <= model.steps_per_year; ++s) {
        const int step = year * model.steps_per_year + s;
        draw_step_shocks(model, seed_key(seed), p, step, cache, shocks);
        step_path(model, step, shocks, *state, out);
        record_step(model, out, *state, *record);
      }
      values[p].emplace_back(record->value, record->value + variable_count(model));
    }
  }
  return values;
}

// A noisy demand-led chain with one power stage, for the v2 cases below.
Json noisy_power_chain() {
  Json s = deterministic_scenario();
  s["time"] = Json::parse(R"({"start_year": 2025, "years": 6, "steps_per_year": 4})");
  s["factors"] = Json::parse(R"({
    "token_demand": {"growth": 0.8, "sigma": 0.5, "trend_uncertainty": 0.2, "persistence": 0.3},
    "throughput": {"growth": 0.2, "sigma": 0.2},
    "power": {"growth": 0.6, "sigma": 0.4, "trend_uncertainty": 0.2}})");
  s["stages"] = Json::parse(R"({
    "cowos": {"type": "flow", "capacity_per_year": 400, "per_unit": 1.0, "response": 0.3},
    "power": {"type": "stock", "initial_capacity": 30, "additions_per_year": 20, "factor": "power", "per_unit": 0.5}})");
  return s;
}

TEST(KnownAnswers, ZeroHeadroomAndHorizonZeroMeanNothingIsBuiltAndInventoryDecays) {
  Json s = noisy_power_chain();
  s["order_horizon_years"] = 0;
  s["inventory_write_off"] = 0.3;
  s["initial"]["inventory_units"] = 1000;
  s["stages"]["power"] = Json::parse(R"({"type": "stock", "initial_capacity": 0, "additions_per_year": 0,
                                         "initial_used": 0, "per_unit": 0.5})");
  const Scenario scenario = compile(s);
  const auto values = yearly_values(scenario, 200, 4);
  for (const auto& path : values)
    for (int year = 0; year < 6; ++year) {
      EXPECT_EQ(path[year][kProducedUnits], 0.0);
      EXPECT_EQ(path[year][kDeployedUnits], 0.0);
      const double steps = 4.0 * (year + 1);  // I₀·(1 − ωΔ)^t at the year's last step t
      EXPECT_NEAR(path[year][kInventoryUnits] / (1000.0 * std::pow(1.0 - 0.3 * 0.25, steps)), 1.0, 1e-12);
    }
}

TEST(KnownAnswers, RevenueNeverExceedsSpendOnAnyPathOrYear) {
  Json s = noisy_power_chain();
  s["demand"]["spend_usd_per_year"] = Json::parse(R"({"2025": 0.004, "2027": {"dist": "lognormal", "median": 0.02, "p95": 0.05}})");
  const Scenario scenario = compile(s);
  const auto values = yearly_values(scenario, 400, 6);
  int capped = 0;
  for (const auto& path : values)
    for (int year = 0; year < 6; ++year) {
      const double spend = year < 2 ? 0.004 : 0.0;  // a drawn spend is checked through the cap below
      const double revenue = path[year][kRevenue];
      if (spend > 0) {
        EXPECT_LE(revenue, spend * (1 + 1e-12));
        capped += revenue > spend * (1 - 1e-9);
      }
      // revenue = Σ Srv·price·Δ ≤ Σ Tok·price·Δ, and Tok·price ≤ spend·10⁶ by the ceiling
      EXPECT_LE(revenue, path[year][kTokenDemand] * 2.0 * 1e-6 * (1 + 1e-12));
    }
  EXPECT_GT(capped, 0) << "the ceiling must bind in some path, or this test could not fail";
}

TEST(KnownAnswers, DrawnSpendCeilingBoundsEveryPathsRevenue) {
  // Spend drawn per path: the path's revenue can never exceed its own draw.
  Json s = noisy_power_chain();
  s["demand"]["spend_usd_per_year"] = Json::parse(R"({"dist": "uniform", "min": 0.002, "max": 0.01, "name": "spend"})");
  const Scenario scenario = compile(s);
  const Model& model = *scenario.model;
  auto state = std::make_unique<PathState<>>();
  int capped = 0;
  for (int p = 0; p < 300; ++p) {
    FactorNormalCache cache;
    StepShocks<> shocks;
    StepOutcome<> out;
    start_path(model, seed_key(8), p, *state);
    const double spend = state->draws[0];
    double revenue = 0.0;
    for (int step = 1; step <= model.steps; ++step) {
      draw_step_shocks(model, seed_key(8), p, step, cache, shocks);
      step_path(model, step, shocks, *state, out);
      revenue += out.served * model.step_years * out.usd_per_million_tokens * 1e-6;
      if (step % model.steps_per_year == 0) {
        EXPECT_LE(revenue, spend * (1 + 1e-12)) << "path " << p << " step " << step;
        capped += revenue > spend * (1 - 1e-9);
        revenue = 0.0;
      }
    }
  }
  EXPECT_GT(capped, 0);
}

TEST(KnownAnswers, StockCapacityNeverGrowsFasterThanMaxAdditions) {
  Json s = noisy_power_chain();
  s["stages"]["power"]["max_additions"] = Json::parse(R"({"2025": 25, "2028": 40})");
  const Scenario scenario = compile(s);
  const auto values = yearly_values(scenario, 400, 7);
  const int capacity = stage_capacity_variable(1);
  int at_cap = 0;
  for (const auto& path : values) {
    double before = 30.0;
    for (int year = 0; year < 6; ++year) {
      const double m = year < 3 ? 25.0 : 40.0;
      const double growth = path[year][capacity] - before;
      EXPECT_LE(growth, m * (1 + 1e-12)) << "year " << 2025 + year;
      at_cap += growth > m * (1 - 1e-9);
      before = path[year][capacity];
    }
  }
  EXPECT_GT(at_cap, 0) << "the cap must bind in some path, or this test could not fail";
}

TEST(KnownAnswers, SigmaScheduleGivesEachYearItsOwnVariance) {
  Json s = deterministic_scenario();
  s["time"] = Json::parse(R"({"start_year": 2025, "years": 3, "steps_per_year": 4})");
  s["factors"]["token_demand"] = Json::parse(R"({"growth": 0.3, "sigma": {"2025": 0.4, "2026": 0.2, "2027": 0.1}})");
  const auto x = year_end_log_index(compile(s), 0, 20000);
  const double variance[] = {0.16, 0.16 + 0.04, 0.16 + 0.04 + 0.01};
  for (int year = 1; year <= 3; ++year)
    expect_normal_quantiles(x[year - 1], std::log(1.3) * year, std::sqrt(variance[year - 1]));
}

// v1's chain (orders Dp = max(0, Dd − Inv), no write-off), kept here as the reference the
// v2 step must reduce to when h is huge and ω = 0. It reads the stages' K and C from the v2
// outcome (they do not depend on the chain but through the binding history, which is compared
// step by step) and keeps its own Inv, B, Q and U.
struct V1Chain {
  double inventory, fleet, token_capacity, used[kMaxStages];

  void step(const Model& model, double retained, const StepOutcome<>& out, double& wanted, double& produced,
            double& deployed, int& binding) {
    wanted = std::fmax(0.0, out.token_demand - retained * token_capacity) / out.throughput;
    const double orders = std::fmax(0.0, wanted - inventory);
    double tightest = INFINITY;
    int tightest_code = -1;
    for (int k = 0; k < model.stage_count; ++k)
      if (model.stages[k].kind == StageKind::flow && out.stage_units[k] < tightest) {
        tightest = out.stage_units[k];
        tightest_code = binding_code_of_stage(k);
      }
    produced = std::fmin(orders, tightest);
    const double available = produced == orders ? std::fmax(inventory + produced, wanted) : inventory + produced;
    deployed = std::fmin(wanted, available);
    double headroom[kMaxStages] = {};
    for (int k = 0; k < model.stage_count; ++k)
      if (model.stages[k].kind == StageKind::stock) {
        headroom[k] = std::fmax(0.0, out.stage_native[k] - retained * used[k]) / out.stage_per_unit[k];
        deployed = std::fmin(deployed, headroom[k]);
      }
    binding = tightest_code;
    for (int k = model.stage_count - 1; k >= 0; --k)
      if (model.stages[k].kind == StageKind::stock && deployed == headroom[k]) binding = binding_code_of_stage(k);
    if (deployed == wanted) binding = kBindingDemand;
    inventory = inventory + produced - deployed;
    fleet = retained * fleet + deployed;
    token_capacity = retained * token_capacity + deployed * out.throughput;
    for (int k = 0; k < model.stage_count; ++k)
      if (model.stages[k].kind == StageKind::stock) used[k] = retained * used[k] + deployed * out.stage_per_unit[k];
  }
};

TEST(KnownAnswers, WithAHugeHorizonAndNoWriteOffTheStepIsV1sOnTheOldBaseline) {
  std::ifstream file(testing::source_path("tests/scenarios/baseline_v1.json"));
  Json s = Json::parse(file, nullptr, /*allow_exceptions=*/true, /*ignore_comments=*/true);
  s["order_horizon_years"] = 1e12;
  const Scenario scenario = compile(s);
  const Model& model = *scenario.model;
  auto state = std::make_unique<PathState<>>();
  int stock_bound = 0;
  for (int p = 0; p < 64; ++p) {
    FactorNormalCache cache;
    StepShocks<> shocks;
    StepOutcome<> out;
    start_path(model, seed_key(13), p, *state);
    V1Chain v1{state->inventory, state->fleet, state->token_capacity, {}};
    for (int k = 0; k < model.stage_count; ++k) v1.used[k] = state->stock_used[k];
    const double retained = std::fmax(0.0, 1.0 - model.step_years / model.useful_life_years.value(state->draws));
    for (int step = 1; step <= model.steps; ++step) {
      draw_step_shocks(model, seed_key(13), p, step, cache, shocks);
      step_path(model, step, shocks, *state, out);
      double wanted, produced, deployed;
      int binding;
      v1.step(model, retained, out, wanted, produced, deployed, binding);
      ASSERT_EQ(out.wanted, wanted) << "path " << p << " step " << step;
      ASSERT_EQ(out.produced, produced) << "path " << p << " step " << step;
      ASSERT_EQ(out.deployed, deployed) << "path " << p << " step " << step;
      ASSERT_EQ(static_cast<int>(out.binding), binding) << "path " << p << " step " << step;
      ASSERT_EQ(state->inventory, v1.inventory) << "path " << p << " step " << step;
      ASSERT_EQ(state->token_capacity, v1.token_capacity) << "path " << p << " step " << step;
      stock_bound += binding > 0 && model.stages[binding - 1].kind == StageKind::stock;
    }
  }
  EXPECT_GT(stock_bound, 0) << "power must bind somewhere, or the horizon would not matter";
}

}  // namespace
}  // namespace chokepoint
