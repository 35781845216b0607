// The CPU runs the step on SIMD packs of paths; the GPU (and this test) on one path in a double.
// Both are the same template, so they must agree path by path up to the last bits of exp/log.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "chokepoint/path_step.hpp"
#include "scenario_builder.hpp"
#include "test_support.hpp"

namespace chokepoint {
namespace {

// Relative difference, with an absolute floor for values near zero.
double relative_difference(double a, double b) { return std::fabs(a - b) / std::fmax(std::fabs(b), 1.0); }

// The scalar step of one path in the given precision.
template <Precision kPrecision>
void expect_pack_equals_scalar(const Scenario& scenario, int paths) {
  const Model& model = *scenario.model;
  // Reference: libmvec's vector exp/log/sin/cos against glibc's scalar ones, ≤ 4 ulp of double.
  // Mixed: the same for their float variants, ≤ 4 ulp of float (1e-7) per step, summed.
  const double demand_tolerance = kPrecision == Precision::reference ? 1e-11 : 2e-5;
  const double chain_tolerance = kPrecision == Precision::reference ? 1e-9 : 2e-5;
  auto state = std::make_unique<PathState<>>();
  int near_ties = 0, binding_differences = 0;
  for (int p = 0; p < paths; ++p) {
    const std::vector<TrajectoryPoint> packed = trace_path(scenario, 21, p, kPrecision);
    FactorNormalCache cache;
    StepShocks<> shocks;
    StepOutcome<> out;
    start_path(model, seed_key(21), p, *state);
    for (int step = 1; step <= model.steps; ++step) {
      draw_step_shocks(model, seed_key(21), p, step, cache, shocks, kPrecision);
      step_path<double, kPrecision>(model, step, shocks, *state, out);
      const TrajectoryPoint& q = packed[step - 1];
      ASSERT_LT(relative_difference(q.token_demand, out.token_demand), demand_tolerance) << "path " << p << " step " << step;
      // Mixed: Y is a difference of two large numbers (Tok − (1−rΔ)·Q)/Eff when demand binds, so its
      // float error is relative to the gross demand in units, Tok/Eff, not to Y itself.
      const double deployed_scale = kPrecision == Precision::reference
                                        ? 1.0
                                        : std::fmax(std::fabs(out.deployed), out.token_demand / out.throughput);
      ASSERT_LT(std::fabs(q.deployed - out.deployed) / std::fmax(std::fabs(out.deployed), deployed_scale), chain_tolerance)
          << "path " << p << " step " << step;
      ASSERT_LT(relative_difference(q.installed_base, state->fleet), chain_tolerance) << "path " << p << " step " << step;
      if (q.binding != static_cast<int>(out.binding)) {
        ++binding_differences;
        // Allowed only where two candidates lie within the tolerance of each other (a tie up to rounding).
        bool near_tie = std::fabs(out.deployed - out.wanted) <= chain_tolerance * std::fabs(out.wanted);
        for (int k = 0; k < model.stage_count; ++k)
          near_tie = near_tie || std::fabs(out.stage_units[k] - out.deployed) <= chain_tolerance * std::fabs(out.deployed) ||
                     std::fabs(out.stage_units[k] - out.orders) <= chain_tolerance * std::fabs(out.orders);
        near_ties += near_tie;
      }
    }
  }
  EXPECT_EQ(binding_differences, near_ties) << "every binding difference is a near tie";
}

TEST(PackVsScalar, SmallScenarioAgreesPathByPath) {
  expect_pack_equals_scalar<Precision::reference>(load_scenario(testing::source_path("tests/scenarios/small.json")), 200);
}

TEST(PackVsScalar, BaselineAgreesPathByPath) {
  expect_pack_equals_scalar<Precision::reference>(load_scenario(testing::source_path("scenarios/baseline.json")), 100);
}

TEST(PackVsScalar, SmallScenarioAgreesPathByPathInMixedPrecision) {
  expect_pack_equals_scalar<Precision::mixed>(load_scenario(testing::source_path("tests/scenarios/small.json")), 200);
}

TEST(PackVsScalar, BaselineAgreesPathByPathInMixedPrecision) {
  expect_pack_equals_scalar<Precision::mixed>(load_scenario(testing::source_path("scenarios/baseline.json")), 100);
}

TEST(PackVsScalar, DeterministicCaseIsExactlyTheClosedFormInBoth) {
  testing::Json s = testing::deterministic_scenario();
  s["time"] = testing::Json::parse(R"({"start_year": 2025, "years": 3, "steps_per_year": 4})");
  const Scenario scenario = testing::compile(s);
  const std::vector<TrajectoryPoint> packed = trace_path(scenario, 1, 0, Precision::reference);
  for (int year = 1; year <= 3; ++year)
    EXPECT_NEAR(packed[year * 4 - 1].token_demand / (1000.0 * std::pow(2.0, year)), 1.0, 1e-12);
}

}  // namespace
}  // namespace chokepoint
