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

void expect_pack_equals_scalar(const Scenario& scenario, int paths) {
  const Model& model = *scenario.model;
  auto state = std::make_unique<PathState<>>();
  int near_ties = 0, binding_differences = 0;
  for (int p = 0; p < paths; ++p) {
    const std::vector<TrajectoryPoint> packed = trace_path(scenario, 21, p);
    FactorNormalCache cache;
    StepShocks<> shocks;
    StepOutcome<> out;
    start_path(model, seed_key(21), p, *state);
    for (int step = 1; step <= model.steps; ++step) {
      draw_step_shocks(model, seed_key(21), p, step, cache, shocks);
      step_path(model, step, shocks, *state, out);
      const TrajectoryPoint& q = packed[step - 1];
      ASSERT_LT(relative_difference(q.token_demand, out.token_demand), 1e-11) << "path " << p << " step " << step;
      ASSERT_LT(relative_difference(q.deployed, out.deployed), 1e-9) << "path " << p << " step " << step;
      ASSERT_LT(relative_difference(q.installed_base, state->fleet), 1e-9) << "path " << p << " step " << step;
      if (q.binding != static_cast<int>(out.binding)) {
        ++binding_differences;
        // Allowed only where two candidates lie within 1e-9 of each other (a tie up to rounding).
        bool near_tie = std::fabs(out.deployed - out.wanted) <= 1e-9 * std::fabs(out.wanted);
        for (int k = 0; k < model.stage_count; ++k)
          near_tie = near_tie || std::fabs(out.stage_units[k] - out.deployed) <= 1e-9 * std::fabs(out.deployed) ||
                     std::fabs(out.stage_units[k] - out.orders) <= 1e-9 * std::fabs(out.orders);
        near_ties += near_tie;
      }
    }
  }
  EXPECT_EQ(binding_differences, near_ties) << "every binding difference is a near tie";
}

TEST(PackVsScalar, SmallScenarioAgreesPathByPath) {
  expect_pack_equals_scalar(load_scenario(testing::source_path("tests/scenarios/small.json")), 200);
}

TEST(PackVsScalar, BaselineAgreesPathByPath) {
  expect_pack_equals_scalar(load_scenario(testing::source_path("scenarios/baseline.json")), 100);
}

TEST(PackVsScalar, DeterministicCaseIsExactlyTheClosedFormInBoth) {
  testing::Json s = testing::deterministic_scenario();
  s["time"] = testing::Json::parse(R"({"start_year": 2025, "years": 3, "steps_per_year": 4})");
  const Scenario scenario = testing::compile(s);
  const std::vector<TrajectoryPoint> packed = trace_path(scenario, 1, 0);
  for (int year = 1; year <= 3; ++year)
    EXPECT_NEAR(packed[year * 4 - 1].token_demand / (1000.0 * std::pow(2.0, year)), 1.0, 1e-12);
}

}  // namespace
}  // namespace chokepoint
