// The cases with known answers (closed forms without randomness, the variance of log demand,
// event rates, correlations, Philox vectors; docs/model.md), all but the GPU one.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "chokepoint/path_step.hpp"
#include "scenario_builder.hpp"

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
    const std::vector<TrajectoryPoint> trajectory = trace_path(scenario, 3, path);
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

}  // namespace
}  // namespace chokepoint
