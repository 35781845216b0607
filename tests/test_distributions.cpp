// The distributions of uncertain parameters (docs/scenario-format.md, "Values") against known values.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <vector>

#include "chokepoint/distributions.hpp"
#include "chokepoint/path_step.hpp"
#include "scenario_builder.hpp"
#include "test_support.hpp"

namespace chokepoint {
namespace {

TEST(Distributions, NormalQuantileIsTheInverseOfTheCdf) {
  for (double p : {1e-10, 1e-4, 0.02, 0.3, 0.5, 0.77, 0.975, 1 - 1e-9}) {
    EXPECT_NEAR(normal_cdf(normal_quantile(p)) / p, 1.0, 1e-12) << p;
  }
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-13);
}

TEST(Distributions, ClosedFormsAtKnownPoints) {
  const Distribution uniform{DistributionKind::uniform, {2, 6, 0, 0}};
  EXPECT_DOUBLE_EQ(quantile(uniform, 0.25), 3.0);
  const Distribution triangle{DistributionKind::triangular, {0, 1, 4, 0}};
  EXPECT_NEAR(quantile(triangle, 0.25), 1.0, 1e-15);  // F(mode) = (mode − min)/(max − min)
  const Distribution lognormal{DistributionKind::lognormal, {std::log(5.0), std::log(9.0 / 5.0) / 1.6448536269514722, 0, 0}};
  EXPECT_NEAR(quantile(lognormal, 0.5), 5.0, 1e-12);
  EXPECT_NEAR(quantile(lognormal, 0.95), 9.0, 1e-8);
}

TEST(Distributions, PertIsABetaWithShapeFour) {
  // min 0, mode 0.25, max 1: α = 2, β = 4; Beta(2, 4) has CDF 1 − (1−x)⁴(1 + 4x)... at x: checked by value.
  const Distribution pert{DistributionKind::pert, {0.0, 1.0, 2.0, 4.0}};
  for (double x : {0.05, 0.2, 0.5, 0.8}) {
    const double cdf = 1.0 - std::pow(1 - x, 4) * (1 + 4 * x) - 0.0;  // I_x(2, 4) = 1 − (1−x)⁴(1+4x)
    EXPECT_NEAR(quantile(pert, cdf), x, 1e-12) << x;
  }
}

TEST(Distributions, TruncatedNormalStaysInsideItsBounds) {
  const double low = normal_cdf((0.0 - 1.0) / 2.0), high = normal_cdf((1.5 - 1.0) / 2.0);
  const Distribution truncated{DistributionKind::truncated_normal, {1.0, 2.0, low, high}};
  for (double u : {1e-9, 0.1, 0.5, 0.9, 1 - 1e-9}) {
    const double x = quantile(truncated, u);
    EXPECT_GE(x, 0.0);
    EXPECT_LE(x, 1.5);
  }
  EXPECT_NEAR(quantile(truncated, 0.5), 1.0 + 2.0 * normal_quantile(0.5 * (low + high)), 1e-12);
}

TEST(Distributions, TabulatedPertMatchesTheExactQuantile) {
  testing::Json s = testing::deterministic_scenario();
  s["stages"]["cowos"]["yield"] = testing::Json::parse(R"({"dist": "pert", "min": 0.5, "mode": 0.85, "max": 0.98})");
  const Scenario scenario = testing::compile(s);
  const Model& model = *scenario.model;
  ASSERT_EQ(model.uncertain_count, 1);
  const UncertainSpec& spec = model.uncertain[0];
  ASSERT_GE(spec.table, 0) << "PERT parameters are tabulated";
  double worst = 0.0;
  for (double z = -7.9; z < 7.9; z += 0.0137) {
    const double tabulated = interpolate_quantile(model.quantile_nodes + spec.table, kQuantileNodes, -kQuantileTableReach,
                                                  2.0 * kQuantileTableReach / (kQuantileNodes - 1), z);
    worst = std::fmax(worst, std::fabs(tabulated - from_standard_normal(spec.distribution, z)));
  }
  EXPECT_LT(worst, 1e-9);
}

TEST(Distributions, CorrelatedParametersFollowTheirCopula) {
  testing::Json s = testing::deterministic_scenario();
  s["useful_life_years"] = testing::Json::parse(R"({"dist": "normal", "mean": 5, "sd": 0.5, "min": 2, "name": "life"})");
  s["initial"]["installed_base_units"] = testing::Json::parse(R"({"dist": "lognormal", "median": 50, "p95": 80, "name": "base"})");
  s["parameter_correlations"] = testing::Json::parse(R"({"life": {"base": 0.8}})");
  const Scenario scenario = testing::compile(s);
  const Model& model = *scenario.model;
  // Rank correlation of the drawn pair over many paths (the copula preserves ranks).
  const int paths = 20000;
  std::vector<double> life(paths), base(paths);
  double draws[kMaxUncertain];
  for (int p = 0; p < paths; ++p) {
    draw_parameters(model, seed_key(3), p, draws);
    life[p] = draws[0];
    base[p] = draws[1];
  }
  auto ranks = [](std::vector<double> x) {
    std::vector<std::size_t> order(x.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
    std::vector<double> r(x.size());
    for (std::size_t i = 0; i < order.size(); ++i) r[order[i]] = static_cast<double>(i);
    return r;
  };
  const std::vector<double> a = ranks(life), b = ranks(base);
  double sab = 0, saa = 0, sbb = 0;
  const double mean = (paths - 1) / 2.0;
  for (int p = 0; p < paths; ++p) {
    sab += (a[p] - mean) * (b[p] - mean);
    saa += (a[p] - mean) * (a[p] - mean);
    sbb += (b[p] - mean) * (b[p] - mean);
  }
  // Spearman's ρ of a Gaussian copula with correlation r: (6/π)·asin(r/2).
  const double expected = 6.0 / M_PI * std::asin(0.8 / 2.0);
  EXPECT_NEAR(sab / std::sqrt(saa * sbb), expected, 0.01);
}

}  // namespace
}  // namespace chokepoint

namespace chokepoint {
namespace {

// The mixed precision reads an event's PERT severity from a quantile table through z = Φ⁻¹(u)
// (docs/model.md, "Precision"); the reference solves it exactly. The largest difference over u,
// out to the smallest and largest uniforms a Philox word gives (2⁻³³ and 1 − 2⁻³³), for the
// baseline's severities and for shapes skewed to either end, is the figure docs/model.md quotes.
TEST(Distributions, TabulatedSeveritiesMatchTheExactQuantile) {
  std::ifstream file(testing::source_path("scenarios/baseline.json"));
  testing::Json s = testing::Json::parse(file, nullptr, /*allow_exceptions=*/true, /*ignore_comments=*/true);
  const char* shapes[] = {R"({"dist": "pert", "min": 0.5, "mode": 0.85, "max": 0.98})",
                          R"({"dist": "pert", "min": 0.0, "mode": 0.01, "max": 1.0})",
                          R"({"dist": "pert", "min": 0.0, "mode": 0.99, "max": 1.0})",
                          R"({"dist": "pert", "min": 0.2, "mode": 0.3, "max": 0.4})"};
  double worst = 0.0;
  for (const char* shape : shapes) {
    s["events"]["taiwan_conflict"]["severity"] = testing::Json::parse(shape);
    const Scenario scenario = testing::compile(s);
    const Model& model = *scenario.model;
    const EventSpec& event = model.events[1];
    ASSERT_GE(event.severity_table, 0) << "a PERT severity has a table";
    EXPECT_LT(model.events[0].severity_table, 0) << "a triangular one has a closed form";
    const QuantileNode* table = table_at(model, event.severity_table);
    std::vector<double> uniforms = {0x1p-33, 1e-9, 1e-6, 1.0 - 1e-6, 1.0 - 1e-9, 1.0 - 0x1p-33};
    for (double u = 1e-4; u < 1.0; u += 1.37e-4) uniforms.push_back(u);
    for (double u : uniforms) {
      const double error = std::fabs(quantile_at(table, event.severity, u) - quantile(event.severity, u));
      worst = std::fmax(worst, error);
    }
  }
  std::printf("largest |tabulated − exact| severity: %.3g\n", worst);
  EXPECT_LT(worst, 1e-9);
}

}  // namespace
}  // namespace chokepoint
