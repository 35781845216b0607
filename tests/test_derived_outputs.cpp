// Derived outputs (docs/scenario-format.md, "derived"): value = constant + Σ coefficient ·
// variable, per path and year, with coefficients that may follow a schedule and be uncertain
// (drawn once per path from a stream of their own name).
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "test_support.hpp"

namespace chokepoint::testing {
namespace {

std::string with_derived(const std::string& derived) {
  return minimal_scenario(R"({"growth": 0.5, "sigma": 0.3})", 4, 3, ",\n  \"derived\": " + derived);
}

PathResults simulate_with_derived(const Scenario& scenario, std::uint64_t paths, std::uint64_t seed) {
  PathResults results = simulate_cpu(scenario, paths, seed, 2);
  add_derived_outputs(scenario, results, seed, 2);
  return results;
}

TEST(DerivedOutputs, ConstantCoefficientsGiveTheLinearFunctionOnEveryPath) {
  const Scenario scenario = load_scenario_text(with_derived(R"({
    "twice_output_plus_five": {"unit": "units", "kind": "flow", "constant": 5,
                               "terms": {"produced_units": 2, "deployed_units": -0.5}}})"), "inline.json");
  const int derived = scenario.variable_index("twice_output_plus_five");
  ASSERT_EQ(derived, static_cast<int>(scenario.variables.size()) - 1);
  const PathResults results = simulate_with_derived(scenario, 200, 3);
  ASSERT_EQ(results.variables, static_cast<int>(scenario.variables.size()));
  const int produced = scenario.variable_index("produced_units"), deployed = scenario.variable_index("deployed_units");
  for (int year = 0; year < results.years; ++year)
    for (std::uint64_t p = 0; p < results.paths; ++p) {
      const double expected = 5.0 + 2.0 * results.column(produced, year)[p] - 0.5 * results.column(deployed, year)[p];
      EXPECT_FLOAT_EQ(results.column(derived, year)[p], static_cast<float>(expected));
    }
}

TEST(DerivedOutputs, ScheduleCoefficientsChangeByCalendarYear) {
  const Scenario scenario = load_scenario_text(with_derived(R"({
    "share": {"unit": "units", "kind": "stock", "terms": {"installed_base": {"2025": 1.0, "2027": 0.25}}}})"),
                                               "inline.json");
  const PathResults results = simulate_with_derived(scenario, 50, 1);
  const int share = scenario.variable_index("share"), base = scenario.variable_index("installed_base");
  for (int year = 0; year < 3; ++year) {
    const double coefficient = year < 2 ? 1.0 : 0.25;  // 2025, 2026 take the 2025 entry; 2027 its own
    EXPECT_FLOAT_EQ(results.column(share, year)[7], static_cast<float>(coefficient * results.column(base, year)[7]));
  }
}

TEST(DerivedOutputs, UncertainCoefficientIsDrawnOncePerPathFromItsNamedStream) {
  // Demand without noise keeps output positive on every path, so coefficient = derived / output.
  const auto with_steady_demand = [](const std::string& derived_section) {
    return minimal_scenario(R"({"growth": 0.5, "sigma": 0.0})", 4, 3, ",\n  \"derived\": " + derived_section);
  };
  const std::string derived = R"({
    "scaled": {"unit": "units", "kind": "flow",
               "terms": {"produced_units": {"dist": "uniform", "min": 1, "max": 3, "name": "scale"}}}})";
  const Scenario scenario = load_scenario_text(with_steady_demand(derived), "inline.json");
  const PathResults results = simulate_with_derived(scenario, 2000, 5);
  const int scaled = scenario.variable_index("scaled"), produced = scenario.variable_index("produced_units");
  double sum = 0.0;
  for (std::uint64_t p = 0; p < results.paths; ++p) {
    ASSERT_GT(results.column(produced, 0)[p], 0.0f);
    const double coefficient = results.column(scaled, 0)[p] / results.column(produced, 0)[p];
    EXPECT_GE(coefficient, 1.0 - 1e-6);
    EXPECT_LE(coefficient, 3.0 + 1e-6);
    // One draw per path: the same coefficient in every year.
    for (int year = 1; year < results.years; ++year) {
      if (results.column(produced, year)[p] > 0.0f) {
        EXPECT_NEAR(results.column(scaled, year)[p] / results.column(produced, year)[p], coefficient, 1e-5 * coefficient);
      }
    }
    sum += coefficient;
  }
  EXPECT_NEAR(sum / static_cast<double>(results.paths), 2.0, 0.05);  // uniform(1, 3) has mean 2; sd/√n ≈ 0.013

  // Another scenario with the same coefficient name shares its draws (common random numbers),
  // even though it has another derived output before it.
  const Scenario other = load_scenario_text(with_steady_demand(R"({
    "first": {"unit": "x", "kind": "flow", "terms": {"revenue": {"dist": "normal", "mean": 1, "sd": 0.1, "name": "other"}}},
    "scaled": {"unit": "units", "kind": "flow",
               "terms": {"produced_units": {"dist": "uniform", "min": 1, "max": 3, "name": "scale"}}}})"), "other.json");
  const PathResults other_results = simulate_with_derived(other, 2000, 5);
  const int other_scaled = other.variable_index("scaled");
  for (std::uint64_t p = 0; p < 2000; p += 97)
    EXPECT_EQ(other_results.column(other_scaled, 1)[p], results.column(scaled, 1)[p]);
}

TEST(DerivedOutputs, LaterOutputMayUseAnEarlierOne) {
  const Scenario scenario = load_scenario_text(with_derived(R"({
    "a": {"unit": "units", "kind": "flow", "terms": {"produced_units": 2}},
    "b": {"unit": "units", "kind": "flow", "constant": 1, "terms": {"a": 3}}})"), "inline.json");
  const PathResults results = simulate_with_derived(scenario, 20, 1);
  const int a = scenario.variable_index("a"), b = scenario.variable_index("b");
  EXPECT_FLOAT_EQ(results.column(b, 2)[4], static_cast<float>(1.0 + 3.0 * results.column(a, 2)[4]));
}

TEST(DerivedOutputs, AppearInTheSummaryWithUnitKindAndThresholds) {
  const Scenario scenario = load_scenario_text(
      minimal_scenario(R"({"growth": 0.5, "sigma": 0.3})", 4, 3, R"(,
  "derived": {"spend": {"unit": "USD", "kind": "flow", "constant": 1e9, "terms": {"produced_units": 1000}}},
  "report": {"thresholds": [{"variable": "spend", "year": 2026, "at_least": 1e9}]})"),
      "inline.json");
  RunOptions options;
  options.paths = 500;
  options.backend = "cpu";
  const Summary summary = run(scenario, options);
  const VariableSummary* spend = summary.find_variable("spend");
  ASSERT_NE(spend, nullptr);
  EXPECT_EQ(spend->unit, "USD");
  EXPECT_EQ(spend->kind, "flow");
  EXPECT_GE(spend->years[1].mean, 1e9);
  ASSERT_EQ(summary.thresholds.size(), 1u);
  EXPECT_EQ(summary.thresholds[0].p, 1.0);  // output ≥ 0, so spend ≥ 1e9 on every path
}

TEST(DerivedOutputs, SummarizeAddsThemWhenTheCallerDidNot) {
  const Scenario scenario = load_scenario_text(with_derived(R"({
    "a": {"unit": "units", "kind": "flow", "terms": {"produced_units": 2}}})"), "inline.json");
  PathResults results = simulate_cpu(scenario, 100, 1, 1);
  const Summary summary = summarize(scenario, results, 1, 1);
  ASSERT_NE(summary.find_variable("a"), nullptr);
  EXPECT_DOUBLE_EQ(summary.find_variable("a")->years[0].mean, 2.0 * summary.find_variable("produced_units")->years[0].mean);
}

std::vector<InputProblem> problems_of(const std::string& derived) {
  try {
    load_scenario_text(with_derived(derived), "inline.json");
  } catch (const InputError& error) {
    return error.problems();
  }
  ADD_FAILURE() << "accepted: " << derived;
  return {};
}

TEST(DerivedOutputs, BadDefinitionsNameTheirPath) {
  const struct {
    const char* derived;
    const char* path;
    const char* fragment;
  } cases[] = {
      {R"({"x": {"unit": "u", "kind": "flow", "terms": {"produced_unit": 1}}})", "derived.x.terms.produced_unit",
       "did you mean \"produced_units\""},
      {R"({"x": {"unit": "u", "kind": "flow", "terms": {"x": 1}}})", "derived.x.terms.x", "listed earlier"},
      {R"({"x": {"unit": "u", "kind": "rate", "terms": {"revenue": 1}}})", "derived.x.kind", "\"flow\" or \"stock\""},
      {R"({"x": {"kind": "flow", "terms": {"revenue": 1}}})", "derived.x.unit", "the key is missing"},
      {R"({"x": {"unit": "u", "kind": "flow", "terms": {}}})", "derived.x.terms", "at least one term"},
      {R"({"x": {"unit": "u", "kind": "flow", "terms": {"revenue": "two"}}})", "derived.x.terms.revenue", "the string"},
      {R"({"revenue": {"unit": "u", "kind": "flow", "terms": {"produced_units": 1}}})", "derived.revenue",
       "not already a reported variable"},
      {R"({"x": {"unit": "u", "kind": "flow", "terms": {"revenue": 1}, "weight": 2}})", "derived.x.weight", "unknown"},
  };
  for (const auto& bad : cases) {
    const std::vector<InputProblem> problems = problems_of(bad.derived);
    SCOPED_TRACE(bad.derived);
    ASSERT_FALSE(problems.empty());
    bool found = false;
    for (const InputProblem& problem : problems)
      found = found || (problem.path == bad.path && problem.message().find(bad.fragment) != std::string::npos);
    EXPECT_TRUE(found) << problems.front().message();
  }
}

}  // namespace
}  // namespace chokepoint::testing
