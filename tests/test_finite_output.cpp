// Scenarios whose results cannot be finite are refused (docs/errors.md, "Numbers out of range"):
// results are stored as float, and a magnitude that takes the central path past 3.4e38 used to
// run with exit 0 and come out as null statistics.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "test_support.hpp"

namespace chokepoint::testing {
namespace {

namespace fs = std::filesystem;

InputProblem only_problem(const std::string& text) {
  try {
    load_scenario_text(text, "finite.json");
  } catch (const InputError& error) {
    EXPECT_EQ(error.problems().size(), 1u) << error.what();
    return error.problems().front();
  }
  ADD_FAILURE() << "accepted";
  return {};
}

std::string with(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

const char* kExpected = "magnitudes whose results stay below 3.4e38, the largest float in which results are stored";

TEST(FiniteOutput, DemandGrowingPastFloatIsRefused) {
  // 1e37 tokens doubling for 10 years: 1e40 by the end.
  const std::string text = with(minimal_scenario(R"({"growth": 1.0, "sigma": 0.0})", 4, 10), "\"tokens_per_year\": 1e15",
                                "\"tokens_per_year\": 1e37");
  const InputProblem problem = only_problem(text);
  EXPECT_EQ(problem.path, "demand.tokens_per_year");
  EXPECT_EQ(problem.expected, kExpected);
  EXPECT_NE(problem.found.find("token_demand about 1e40"), std::string::npos) << problem.found;
}

TEST(FiniteOutput, TinyPerUnitMakesCapacityInAcceleratorsOverflow) {
  const InputProblem problem = only_problem(with(minimal_scenario(), "\"per_unit\": 1.0", "\"per_unit\": 1e-30"));
  EXPECT_EQ(problem.path, "stages.cowos.per_unit");
  EXPECT_NE(problem.found.find("capacity_units.cowos about 1e41"), std::string::npos) << problem.found;
}

TEST(FiniteOutput, PriceTimesTokensOverflowingIsRefused) {
  const InputProblem problem =
      only_problem(with(minimal_scenario(), "\"usd_per_million_tokens\": 1.0", "\"usd_per_million_tokens\": 1e31"));
  EXPECT_EQ(problem.path, "price.usd_per_million_tokens");
  EXPECT_NE(problem.found.find("revenue about 1e40"), std::string::npos) << problem.found;
}

TEST(FiniteOutput, DerivedCoefficientOverflowingIsRefused) {
  const InputProblem problem = only_problem(minimal_scenario(R"({"growth": 0.5, "sigma": 0.0})", 4, 3, R"(,
  "derived": {"cost": {"unit": "USD", "kind": "flow", "terms": {"token_demand": 1e30}}})"));
  EXPECT_EQ(problem.path, "derived.cost");
}

TEST(FiniteOutput, MediansOfDistributionsAreUsed) {
  // A lognormal whose median is 1e37 and which doubles for 10 years: refused as the constant is.
  const std::string text = with(minimal_scenario(R"({"growth": 1.0, "sigma": 0.0})", 4, 10), "\"tokens_per_year\": 1e15",
                                R"("tokens_per_year": {"dist": "lognormal", "median": 1e37, "p95": 2e37})");
  EXPECT_EQ(only_problem(text).path, "demand.tokens_per_year");
}

TEST(FiniteOutput, LargeButRepresentableMagnitudesRun) {
  const std::string text = with(minimal_scenario(R"({"growth": 1.0, "sigma": 0.0})", 4, 10), "\"tokens_per_year\": 1e15",
                                "\"tokens_per_year\": 1e30");
  EXPECT_NO_THROW(load_scenario_text(text, "finite.json"));
}

TEST(FiniteOutput, EveryShippedScenarioPasses) {
  for (const auto& entry : fs::directory_iterator(source_path("scenarios"))) {
    if (entry.path().extension() != ".json") continue;
    EXPECT_NO_THROW(load_scenario(entry.path().string())) << entry.path();
  }
}

}  // namespace
}  // namespace chokepoint::testing
