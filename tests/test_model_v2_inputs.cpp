// The v2 inputs (docs/scenario-format.md): spend ceiling, order horizon, write-off, stage
// ceilings, max_additions and σ schedules accept numbers, distributions and schedules, and a
// wrong one is reported with its file, JSON path, what was expected and what was found.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scenario_builder.hpp"

namespace chokepoint {
namespace {

using testing::compile;
using testing::Json;

// A scenario with one flow and one stock stage, to which each test adds what it checks.
Json chain() {
  Json s = testing::deterministic_scenario();
  s["time"] = Json::parse(R"({"start_year": 2026, "years": 3, "steps_per_year": 4})");
  s["stages"]["power"] = Json::parse(R"({"type": "stock", "initial_capacity": 100, "additions_per_year": 40, "per_unit": 0.5})");
  return s;
}

std::vector<InputProblem> problems_of(const Json& document) {
  try {
    compile(document);
  } catch (const InputError& error) {
    return error.problems();
  }
  ADD_FAILURE() << "the scenario was accepted:\n" << document.dump(2);
  return {};
}

// The one problem of `document`, which must lie at `path`.
InputProblem only_problem_at(const Json& document, const std::string& path) {
  const std::vector<InputProblem> problems = problems_of(document);
  EXPECT_EQ(problems.size(), 1u);
  if (problems.empty()) return {};
  EXPECT_EQ(problems[0].path, path) << problems[0].message();
  EXPECT_EQ(problems[0].file, "test.json");
  return problems[0];
}

TEST(ModelV2Inputs, EveryNewInputAcceptsADistributionOrASchedule) {
  Json s = chain();
  s["order_horizon_years"] = Json::parse(R"({"dist": "uniform", "min": 0.25, "max": 1.0})");
  s["inventory_write_off"] = Json::parse(R"({"dist": "pert", "min": 0.2, "mode": 0.4, "max": 0.8})");
  s["demand"]["spend_usd_per_year"] = Json::parse(R"({"2026": 1e12, "2027": {"dist": "lognormal", "median": 2e12, "p95": 4e12}})");
  s["factors"]["token_demand"]["sigma"] = Json::parse(R"({"2026": {"dist": "uniform", "min": 0.2, "max": 0.4}, "2028": 0.1})");
  s["stages"]["cowos"]["ceiling"] = Json::parse(R"({"2026": 1e9, "2028": {"dist": "triangular", "min": 1e9, "mode": 2e9, "max": 3e9}})");
  s["stages"]["power"]["max_additions"] = Json::parse(R"({"2026": 50, "2027": {"dist": "normal", "mean": 80, "sd": 10, "min": 0}})");
  s["stages"]["power"]["ceiling"] = Json::parse(R"({"dist": "uniform", "min": 150, "max": 300})");
  const Scenario scenario = compile(s);
  EXPECT_EQ(scenario.model->uncertain_count, 7);
  EXPECT_GE(scenario.model->spend_usd_per_year.offset, 0);
  EXPECT_GE(scenario.model->stages[0].ceiling.offset, 0);
  EXPECT_LT(scenario.model->stages[0].max_additions.offset, 0);  // a flow stage has none
  EXPECT_GE(scenario.model->stages[1].max_additions.offset, 0);
}

TEST(ModelV2Inputs, DefaultsAreHalfAYearOfHorizonAndNoWriteOff) {
  const Scenario scenario = compile(chain());
  EXPECT_EQ(scenario.model->order_horizon_years.constant, 0.5);
  EXPECT_EQ(scenario.model->inventory_write_off.constant, 0.0);
  EXPECT_LT(scenario.model->spend_usd_per_year.offset, 0);
  EXPECT_LT(scenario.model->stages[1].ceiling.offset, 0);
}

TEST(ModelV2Inputs, ANegativeHorizonOrWriteOffIsReportedWhereItIs) {
  Json s = chain();
  s["order_horizon_years"] = -1;
  EXPECT_EQ(only_problem_at(s, "order_horizon_years").found, "the number -1");
  s = chain();
  s["inventory_write_off"] = "fast";
  EXPECT_NE(only_problem_at(s, "inventory_write_off").expected.find("write-off rate"), std::string::npos);
}

TEST(ModelV2Inputs, SpendMustBePositiveInEveryYear) {
  Json s = chain();
  s["demand"]["spend_usd_per_year"] = Json::parse(R"({"2026": 1e12, "2027": 0})");
  EXPECT_NE(only_problem_at(s, "demand.spend_usd_per_year.2027").expected.find("spend > 0"), std::string::npos);
}

TEST(ModelV2Inputs, CeilingsAndMaxAdditionsAreCheckedEntryByEntry) {
  Json s = chain();
  s["stages"]["power"]["max_additions"] = Json::parse(R"({"2026": 50, "2027": -5})");
  only_problem_at(s, "stages.power.max_additions.2027");
  s = chain();
  s["stages"]["cowos"]["ceiling"] = 0;  // a flow ceiling of 0 would stop all production: a typo, not a limit
  only_problem_at(s, "stages.cowos.ceiling");
  s = chain();
  s["stages"]["power"]["ceiling"] = Json::parse(R"({"dist": "normal", "mean": 100, "sd": 10})");
  only_problem_at(s, "stages.power.ceiling");  // may draw negative values
}

TEST(ModelV2Inputs, MaxAdditionsOnAFlowStageIsAnUnknownKey) {
  Json s = chain();
  s["stages"]["cowos"]["max_additions"] = 10;
  only_problem_at(s, "stages.cowos.max_additions");
}

TEST(ModelV2Inputs, ASigmaScheduleIsCheckedLikeAnyScheduleAndSigmaStaysRequired) {
  Json s = chain();
  s["factors"]["token_demand"]["sigma"] = Json::parse(R"({"2026": 0.3, "2027": -0.1})");
  only_problem_at(s, "factors.token_demand.sigma.2027");
  s = chain();
  s["factors"]["token_demand"]["sigma"] = Json::parse(R"({"2027": 0.3})");  // must start by 2026
  only_problem_at(s, "factors.token_demand.sigma.2027");
  s = chain();
  s["factors"]["token_demand"].erase("sigma");
  const InputProblem missing = only_problem_at(s, "factors.token_demand.sigma");
  EXPECT_NE(missing.found.find("missing"), std::string::npos) << missing.message();
}

}  // namespace
}  // namespace chokepoint
