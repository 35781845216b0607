// The CPU backend computes the derived outputs inside the simulation, from the parameter draws
// each path started with. They must be what add_derived_outputs computes afterwards from the
// same columns with a second draw of the parameters.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "test_support.hpp"

namespace chokepoint::testing {
namespace {

TEST(FusedOutputs, EqualWhatAddDerivedOutputsComputesAfterTheRun) {
  // Coefficients that are drawn (one correlated with nothing, one on its own stream) and a
  // schedule, on a scenario with uncertain model parameters too.
  const std::string derived = R"({
    "spend": {"unit": "USD", "kind": "flow", "constant": 1e6,
              "terms": {"produced_units": {"dist": "lognormal", "median": 2e4, "p95": 3e4, "name": "unit_price"},
                        "deployed_units": {"2025": 1.0, "2026": 2.0}}},
    "power": {"unit": "W", "kind": "stock",
              "terms": {"installed_base": {"dist": "uniform", "min": 700, "max": 1400, "name": "watts_per_unit"}}}})";
  const Scenario scenario = load_scenario_text(
      minimal_scenario(R"({"growth": 0.5, "sigma": 0.3})", 4, 3, ",\n  \"derived\": " + derived), "inline.json");
  for (Precision precision : {Precision::reference, Precision::mixed}) {
    const std::uint64_t paths = 203;  // not a whole number of packs
    const PathResults fused = simulate_cpu(scenario, paths, 11, 2, {}, precision);
    ASSERT_EQ(fused.variables, static_cast<int>(scenario.variables.size()));

    // The simulated columns alone, then the derived ones the old way.
    PathResults after;
    after.paths = paths;
    after.years = fused.years;
    after.binding_codes = fused.binding_codes;
    after.variables = static_cast<int>(scenario.variables.size() - scenario.derived.size());
    after.values.resize(static_cast<std::size_t>(after.variables) * after.years * paths);
    std::memcpy(after.values.data(), fused.values.data(), after.values.size() * sizeof(float));
    add_derived_outputs(scenario, after, 11, 2);

    int compared = 0, ulp_apart = 0;
    for (const DerivedOutput& output : scenario.derived)
      for (int year = 0; year < fused.years; ++year)
        for (std::uint64_t p = 0; p < paths; ++p) {
          const float a = fused.column(output.variable, year)[p], b = after.column(output.variable, year)[p];
          ++compared;
          if (a == b) continue;
          // The simulation's start normals come from libmvec on SIMD packs, add_derived_outputs'
          // from glibc's scalar log/sin/cos: draws equal to ~1e-16, which can move a value across
          // a float rounding boundary, one float ulp, and never more.
          EXPECT_EQ(std::nextafter(a, b), b) << "path " << p << " year " << year;
          ++ulp_apart;
        }
    EXPECT_EQ(compared, 2 * 3 * 203);
    EXPECT_LE(ulp_apart, compared / 100) << "one-ulp differences are rare";
  }
}

}  // namespace
}  // namespace chokepoint::testing
