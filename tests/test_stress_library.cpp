// The stress library (scenarios/README.md, "Stress library"): each stress extends the baseline,
// validates and runs; the Taiwan quake of 2027 costs 2027 output and makes CoWoS bind more often.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "chokepoint/paired_difference.hpp"
#include "test_support.hpp"

namespace chokepoint::testing {
namespace {

const char* const kStresses[] = {"taiwan-quake-2027", "taiwan-blockade", "power-crunch", "hbm-shortfall",
                                 "optics-shortfall",  "demand-bust",     "demand-boom"};

Scenario stress(const std::string& name) { return load_scenario(source_path("scenarios/" + name + ".json")); }

class StressLibrary : public ::testing::TestWithParam<const char*> {};

TEST_P(StressLibrary, ValidatesRunsAndDiffersFromTheBaseline) {
  const Scenario baseline = load_scenario(source_path("scenarios/baseline.json"));
  const Scenario scenario = stress(GetParam());
  EXPECT_EQ(scenario.name, GetParam());  // a name of its own, not the baseline's
  EXPECT_EQ(scenario.calendar_years(), baseline.calendar_years());
  EXPECT_EQ(scenario.stage_names, baseline.stage_names);
  RunOptions options;
  options.paths = 400;
  options.backend = "cpu";
  const Summary summary = run(scenario, options);
  EXPECT_EQ(summary.scenario, GetParam());
  ASSERT_NE(summary.find_variable("produced_units"), nullptr);
  ASSERT_NE(summary.find_variable("transceivers_800g"), nullptr);  // the baseline's derived outputs come along

  // Stated only what differs: something in 2026–2030 must move.
  const PairedDifference difference = paired_difference(scenario, baseline, 400, 1, 0);
  double largest_change = 0.0;
  for (const char* variable : {"produced_units", "deployed_units"})
    for (const DifferenceYear& year : difference.find_variable(variable)->years)
      largest_change = std::max(largest_change, std::fabs(year.mean));
  EXPECT_GT(largest_change, 1e5);
}

// "taiwan-quake-2027" → "taiwan_quake_2027": test names allow no '-'.
std::string test_name(const ::testing::TestParamInfo<const char*>& parameter) {
  std::string name = parameter.param;
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(EveryStress, StressLibrary, ::testing::ValuesIn(kStresses), test_name);

TEST(StressLibraryCli, EveryStressValidates) {
  for (const char* name : kStresses) {
    const CommandResult result = run_cli("validate '" + source_path(std::string("scenarios/") + name + ".json") + "'");
    EXPECT_EQ(result.exit_code, 0) << name << "\n" << result.output;
  }
}

TEST(StressLibrary, TaiwanQuake2027LowersOutputAndRaisesCowosBindingIn2027) {
  const Scenario baseline = load_scenario(source_path("scenarios/baseline.json"));
  const Scenario quake = stress("taiwan-quake-2027");
  const PairedDifference difference = paired_difference(quake, baseline, 4000, 1, 0);
  const std::size_t year_2027 = static_cast<std::size_t>(2027 - baseline.calendar_years().front());
  ASSERT_EQ(difference.years[year_2027], 2027);

  const DifferenceYear& produced = difference.find_variable("produced_units")->years[year_2027];
  EXPECT_LT(produced.mean + 5.0 * produced.se, 0.0) << produced.mean << " ± " << produced.se;
  const auto median = std::find(difference.quantile_levels.begin(), difference.quantile_levels.end(), 0.5);
  ASSERT_NE(median, difference.quantile_levels.end());
  EXPECT_LT(produced.quantiles[static_cast<std::size_t>(median - difference.quantile_levels.begin())], 0.0);  // the median change

  const BindingDifference& cowos = difference.find_stage("cowos")->years[year_2027];
  EXPECT_GT(cowos.binding_share - 5.0 * cowos.binding_share_se, 0.0)
      << cowos.binding_share << " ± " << cowos.binding_share_se;

  // Before the quake the two scenarios are the same path for path (common random numbers).
  EXPECT_EQ(difference.find_variable("produced_units")->years[year_2027 - 1].se, 0.0);
}

TEST_P(StressLibrary, KeepsEveryThresholdOfTheBaseline) {
  const Scenario baseline = load_scenario(source_path("scenarios/baseline.json"));
  const Scenario scenario = stress(GetParam());
  for (const ThresholdRequest& kept : baseline.thresholds)
    EXPECT_TRUE(std::any_of(scenario.thresholds.begin(), scenario.thresholds.end(), [&](const ThresholdRequest& t) {
      return t.variable == kept.variable && t.year == kept.year && t.at_least == kept.at_least;
    })) << scenario.variables[static_cast<std::size_t>(kept.variable)].name << " " << kept.year;
}

// Thresholds through `extends` (scenario-format.md, "report"): named thresholds merge by name and
// null drops one; a child's array is appended to its parent's; the two forms do not mix.
class ThresholdMerge : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = unique_test_directory("chokepoint_thresholds");
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }
  std::string write(const std::string& name, const std::string& report) {
    const std::string file = directory_ + "/" + name;
    std::ofstream(file) << minimal_scenario(R"({"growth": 0.5, "sigma": 0.0})", 4, 3, ",\n  \"report\": " + report);
    return file;
  }
  std::string write_child(const std::string& name, const std::string& report) {
    const std::string file = directory_ + "/" + name;
    std::ofstream(file) << R"({"extends": "parent.json", "name": "child", "report": )" + report + "}";
    return file;
  }
  std::string directory_;
};

TEST_F(ThresholdMerge, NamedThresholdsMergeByNameAndNullDropsOne) {
  write("parent.json", R"({"thresholds": {
    "big_2026": {"variable": "produced_units", "year": 2026, "at_least": 1e6},
    "big_2027": {"variable": "produced_units", "year": 2027, "at_least": 2e6}}})");
  const Scenario child = load_scenario(write_child("child.json", R"({"thresholds": {
    "big_2027": null,
    "deployed_2025": {"variable": "deployed_units", "year": 2025, "at_least": 5e5}}})"));
  ASSERT_EQ(child.thresholds.size(), 2u);
  EXPECT_EQ(child.thresholds[0].year, 2026);
  EXPECT_EQ(child.thresholds[1].variable, child.variable_index("deployed_units"));
}

TEST_F(ThresholdMerge, AChildsArrayIsAppendedToItsParents) {
  write("parent.json", R"({"thresholds": [{"variable": "produced_units", "year": 2026, "at_least": 1e6}]})");
  const Scenario child = load_scenario(
      write_child("child.json", R"({"thresholds": [{"variable": "deployed_units", "year": 2025, "at_least": 5e5}]})"));
  ASSERT_EQ(child.thresholds.size(), 2u);
  EXPECT_EQ(child.thresholds[0].year, 2026);
  EXPECT_EQ(child.thresholds[1].year, 2025);
}

TEST_F(ThresholdMerge, MixingAnArrayWithNamedThresholdsIsAnError) {
  write("parent.json", R"({"thresholds": {"big": {"variable": "produced_units", "year": 2026, "at_least": 1e6}}})");
  const std::string child =
      write_child("child.json", R"({"thresholds": [{"variable": "deployed_units", "year": 2025, "at_least": 5e5}]})");
  const CommandResult result = run_cli("validate '" + child + "'");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("report.thresholds"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace chokepoint::testing
