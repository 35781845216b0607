// `chokepoint diff` (docs/glossary.md, "paired difference"): paired per-path differences stress − base. Draws are keyed
// by name, so a scenario against itself differs by exactly zero, and a stress that shares the
// base's random drivers has a paired standard error far below the unpaired one.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "chokepoint/paired_difference.hpp"
#include "chokepoint/summary_io.hpp"
#include "test_support.hpp"

namespace chokepoint::testing {
namespace {

namespace fs = std::filesystem;

const std::string kNoisy = R"({"growth": 0.5, "sigma": 0.4, "trend_uncertainty": 0.1, "persistence": 0.3})";

// A scenario whose flow stage binds, with a forced event as the stress.
std::string scenario_with(const std::string& extra) {
  return R"({
  "name": "capped",
  "time": {"start_year": 2025, "years": 3, "steps_per_year": 4},
  "factors": {"token_demand": )" + kNoisy + R"(, "throughput": {"growth": 0.2, "sigma": 0.2},
              "cowos": {"growth": 0.3, "sigma": 0.2}},
  "demand": {"tokens_per_year": 2e15, "factor": "token_demand"},
  "throughput": {"tokens_per_year_per_unit": 1e9, "factor": "throughput"},
  "useful_life_years": 5,
  "price": {"usd_per_million_tokens": 1.0},
  "initial": {"installed_base_units": 1e6},
  "stages": {"cowos": {"type": "flow", "capacity_per_year": 1e5, "factor": "cowos", "per_unit": 0.1}},
  "derived": {"cowos_spend": {"unit": "USD", "kind": "flow",
              "terms": {"cowos.used": {"dist": "uniform", "min": 5000, "max": 9000, "name": "usd_per_wafer"}}}})" +
         extra + "\n}";
}

const std::string kQuake = R"(,
  "events": {"quake": {"rate_per_year": 0, "severity": 0.5, "half_life_years": 0.2, "targets": {"cowos": 1.0},
                       "forced": {"year": 2026, "severity": 0.5}}})";

TEST(PairedDifference, ScenarioAgainstItselfIsExactlyZeroWithZeroStandardError) {
  const Scenario scenario = load_scenario_text(scenario_with(""), "capped.json");
  const PairedDifference difference = paired_difference(scenario, scenario, 3000, 11, 2);
  ASSERT_EQ(difference.variables.size(), scenario.variables.size());
  for (const VariableDifference& variable : difference.variables)
    for (const DifferenceYear& year : variable.years) {
      SCOPED_TRACE(variable.name + " " + std::to_string(year.year));
      EXPECT_EQ(year.mean, 0.0);
      EXPECT_EQ(year.sd, 0.0);
      EXPECT_EQ(year.se, 0.0);
      for (double q : year.quantiles) EXPECT_EQ(q, 0.0);
      EXPECT_EQ(year.stress_mean, year.base_mean);
    }
  for (const StageDifference& stage : difference.stages)
    for (const BindingDifference& year : stage.years) {
      EXPECT_EQ(year.binding_share, 0.0);
      EXPECT_EQ(year.binding_share_se, 0.0);
      EXPECT_EQ(year.binding_any, 0.0);
      EXPECT_EQ(year.binding_any_se, 0.0);
    }
  EXPECT_TRUE(difference.notes.empty());
}

TEST(PairedDifference, CommonRandomNumbersMakeThePairedErrorSmallerThanTheUnpaired) {
  const Scenario base = load_scenario_text(scenario_with(""), "capped.json");
  const Scenario stress = load_scenario_text(scenario_with(kQuake), "quake.json");
  const PairedDifference difference = paired_difference(stress, base, 4000, 3, 2);
  const DifferenceYear& produced = difference.find_variable("produced_units")->years[1];  // 2026
  EXPECT_LT(produced.mean, 0.0);
  EXPECT_LT(produced.se * 5.0, produced.unpaired_se) << produced.se << " vs " << produced.unpaired_se;
  EXPECT_NEAR(produced.mean, produced.stress_mean - produced.base_mean, 1e-6 * std::fabs(produced.base_mean));
  // Before the quake the two runs are path for path the same.
  EXPECT_EQ(difference.find_variable("produced_units")->years[0].se, 0.0);
  // The derived output shares its coefficient draws too.
  EXPECT_LT(difference.find_variable("cowos_spend")->years[1].se * 5.0,
            difference.find_variable("cowos_spend")->years[1].unpaired_se);
}

TEST(PairedDifference, DiffIsTheSameForAnyThreadCount) {
  const Scenario base = load_scenario_text(scenario_with(""), "capped.json");
  const Scenario stress = load_scenario_text(scenario_with(kQuake), "quake.json");
  const std::string one = difference_json_text(paired_difference(stress, base, 1500, 9, 1));
  const std::string four = difference_json_text(paired_difference(stress, base, 1500, 9, 4));
  EXPECT_EQ(one, four);
}

TEST(PairedDifference, DifferentYearsAreRefused) {
  const Scenario base = load_scenario_text(scenario_with(""), "capped.json");
  std::string longer_text = scenario_with("");
  longer_text.replace(longer_text.find("\"years\": 3"), 10, "\"years\": 4");
  const Scenario longer = load_scenario_text(longer_text, "longer.json");
  EXPECT_THROW(paired_difference(longer, base, 10, 1, 1), InputError);
}

class DiffCli : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fresh_test_directory("chokepoint_diff_cli");
    std::ofstream(directory_ / "base.json") << scenario_with("");
    std::ofstream(directory_ / "quake.json") << scenario_with(kQuake);
  }
  void TearDown() override { fs::remove_all(directory_); }

  std::string run_directory(const std::string& scenario, const std::string& arguments) {
    const fs::path out = directory_ / ("run-" + scenario + "-" + std::to_string(runs_++));
    const CommandResult result = run_cli("run " + quoted((directory_ / (scenario + ".json")).string()) + " " + arguments +
                                         " --quiet --backend cpu --out " + quoted(out.string()));
    EXPECT_EQ(result.exit_code, 0) << result.output;
    return out.string();
  }

  fs::path directory_;
  int runs_ = 0;
};

TEST_F(DiffCli, RunAgainstItselfWritesZeroDifferences) {
  const std::string base = run_directory("base", "--paths 800 --seed 4");
  const fs::path out = directory_ / "diff-self";
  const CommandResult result = run_cli("diff " + quoted(base) + " " + quoted(base) + " --out " + quoted(out.string()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("produced_units"), std::string::npos) << result.output;
  ASSERT_TRUE(fs::exists(out / "diff.csv"));
  std::ifstream in(out / "diff.json");
  const nlohmann::json diff = nlohmann::json::parse(in);
  EXPECT_EQ(diff["paths"], 800);
  EXPECT_EQ(diff["seed"], 4);
  for (const auto& variable : diff["variables"].items())
    for (const auto& year : variable.value()["years"]) {
      EXPECT_EQ(year["mean"], 0.0) << variable.key();
      EXPECT_EQ(year["se"], 0.0) << variable.key();
    }
}

TEST_F(DiffCli, StressAgainstBaseShowsPairedAndUnpairedErrors) {
  const std::string base = run_directory("base", "--paths 800 --seed 4");
  const std::string quake = run_directory("quake", "--paths 800 --seed 4");
  const fs::path out = directory_ / "diff-quake";
  const CommandResult result = run_cli("diff " + quoted(quake) + " " + quoted(base) + " --out " + quoted(out.string()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  std::ifstream in(out / "diff.json");
  const nlohmann::json diff = nlohmann::json::parse(in);
  const nlohmann::json& year_2026 = diff["variables"]["produced_units"]["years"][1];
  EXPECT_LT(year_2026["mean"].get<double>(), 0.0);
  EXPECT_LT(year_2026["se"].get<double>(), year_2026["unpaired_se"].get<double>());
  EXPECT_TRUE(diff["stages"].contains("cowos"));
}

TEST_F(DiffCli, MismatchedPathsSeedOrYearsExitTwoNamingTheDirectory) {
  const std::string base = run_directory("base", "--paths 300 --seed 4");
  const std::string other_paths = run_directory("quake", "--paths 400 --seed 4");
  const std::string other_seed = run_directory("quake", "--paths 300 --seed 5");
  for (const auto& [stress, field] : {std::pair{other_paths, "paths"}, std::pair{other_seed, "seed"}}) {
    const CommandResult result = run_cli("diff " + quoted(stress) + " " + quoted(base) + " --out " +
                                         quoted((directory_ / "never").string()));
    SCOPED_TRACE(result.output);
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.output.find(stress), std::string::npos);
    EXPECT_NE(result.output.find(std::string(field) + ": expected the same"), std::string::npos);
  }
  EXPECT_FALSE(fs::exists(directory_ / "never"));
}

TEST_F(DiffCli, MissingRunDirectoryExitsTwo) {
  const CommandResult result = run_cli("diff " + quoted((directory_ / "nothing").string()) + " " +
                                       quoted((directory_ / "nothing").string()));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("summary.json"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace chokepoint::testing
