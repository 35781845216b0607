// Tail checks in `chokepoint calibrate` (docs/uncertainty.md): bounds on a quantile or on the
// probability of a threshold event, fixed or relative to another variable's quantile, for one
// year or every year; validated with located errors; passing and failing on a scenario whose
// tails are known (tests/scenarios/lognormal_demand.json); shown in the terminal table,
// calibration.json/.csv and the report.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "chokepoint/calibration.hpp"
#include "chokepoint/summary_io.hpp"
#include "output/result_readers.hpp"
#include "report/html_report.hpp"
#include "test_support.hpp"

namespace chokepoint::testing {
namespace {

namespace fs = std::filesystem;

// lognormal_demand.json: token_demand is lognormal with median 1e15 and p95 3e15 in every year.
const double kSigma = std::log(3.0) / 1.6448536269514729;
double true_quantile(double z) { return 1e15 * std::exp(z * kSigma); }
const double kTrueP99 = true_quantile(2.3263478740408408);  // 4.73e15

class TailChecks : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fresh_test_directory("chokepoint_tail_checks");
    scenario_ = load_scenario(source_path("tests/scenarios/lognormal_demand.json"));
  }
  void TearDown() override { fs::remove_all(directory_); }

  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(directory_ / name) << text;
    return (directory_ / name).string();
  }

  CalibrationReport calibrate(const std::string& targets_text, std::uint64_t paths = 4000) {
    const CalibrationTargets targets = read_calibration_targets(write("targets.json", targets_text), scenario_);
    Scenario prepared = scenario_;
    prepare_calibration_run(prepared, targets);
    RunOptions options;
    options.paths = paths;
    options.backend = "cpu";
    return check_calibration(run(prepared, options), targets);
  }

  fs::path directory_;
  Scenario scenario_;
};

TEST_F(TailChecks, QuantileBoundsPassAndFailAroundTheKnownP99) {
  const CalibrationReport report = calibrate(R"([
    {"variable": "token_demand", "year": 2025, "quantile": 0.99, "at_most": 5.5e15, "source": "above the true 4.73e15"},
    {"variable": "token_demand", "year": 2025, "quantile": 0.99, "at_most": 4.0e15, "source": "below it"},
    {"variable": "token_demand", "year": "every", "quantile": 0.99, "at_least": 4.0e15, "at_most": 5.5e15, "reasoning": "both sides"},
    {"variable": "token_demand", "year": 2025, "quantile": 0.99, "at_least": 5.5e15, "source": "above it, as a floor"}])");
  ASSERT_EQ(report.tails.size(), 4u);
  EXPECT_TRUE(report.tails[0].passed);
  EXPECT_FALSE(report.tails[1].passed);
  EXPECT_TRUE(report.tails[2].passed);
  EXPECT_EQ(report.tails[2].years.size(), 2u) << "\"every\" checks each year of the run";
  EXPECT_FALSE(report.tails[3].passed);
  EXPECT_FALSE(report.all_passed());
  const TailYear& year = report.tails[0].years.front();
  EXPECT_NEAR(year.estimate, kTrueP99, 0.1 * kTrueP99);
  EXPECT_LE(year.ci_low, kTrueP99);  // the order-statistic interval holds the true p99
  EXPECT_GE(year.ci_high, kTrueP99);
  EXPECT_TRUE(year.decided);  // 5.5e15 lies beyond the whole interval
  EXPECT_EQ(year.highest_allowed, 5.5e15);
  EXPECT_EQ(year.lowest_allowed, -std::numeric_limits<double>::infinity());
}

TEST_F(TailChecks, ProbabilityBoundsOnEventsBelowAndAbove) {
  // P(token_demand ≤ 1e15) = ½ (the median) and P(token_demand ≥ 3e15) = 5 % (the p95).
  const CalibrationReport report = calibrate(R"({"targets": [
    {"variable": "token_demand", "year": 2026, "probability_of": {"at_most": 1e15}, "at_least": 0.45, "at_most": 0.55, "source": "the median"},
    {"variable": "token_demand", "year": 2026, "probability_of": {"at_most": 1e15}, "at_most": 0.4, "source": "too tight"},
    {"variable": "token_demand", "year": "every", "probability_of": {"at_least": 3e15}, "at_least": 0.03, "at_most": 0.07, "source": "the p95"},
    {"variable": "token_demand", "year": "every", "probability_of": {"at_most": 0}, "at_most": 0.01, "reasoning": "demand is never 0"}]})");
  ASSERT_EQ(report.tails.size(), 4u);
  EXPECT_NEAR(report.tails[0].years.front().estimate, 0.5, 0.03);
  EXPECT_TRUE(report.tails[0].passed);
  EXPECT_FALSE(report.tails[1].passed);
  EXPECT_TRUE(report.tails[1].years.front().decided);
  EXPECT_NEAR(report.tails[2].years.front().estimate, 0.05, 0.01);
  EXPECT_TRUE(report.tails[2].passed);
  const TailYear& never = report.tails[3].years.back();
  EXPECT_EQ(never.estimate, 0.0);
  EXPECT_TRUE(report.tails[3].passed);
  // No path in the event still leaves an interval above 0 (Wilson): 0 of 4000 is < 0.1 %, not "never".
  EXPECT_EQ(never.ci_low, 0.0);
  EXPECT_GT(never.ci_high, 0.0);
  EXPECT_LT(never.ci_high, 0.002);
}

TEST_F(TailChecks, BoundRelativeToAnotherQuantileOfTheSameYear) {
  // p99 / median of the lognormal = exp(2.326·σ) = 4.73.
  const CalibrationReport report = calibrate(R"([
    {"variable": "token_demand", "year": "every", "quantile": 0.99,
     "at_most": {"variable": "token_demand", "quantile": 0.5, "times": 5}, "reasoning": "5 × median holds"},
    {"variable": "token_demand", "year": "every", "quantile": 0.99,
     "at_most": {"variable": "token_demand", "quantile": 0.5, "times": 4}, "reasoning": "4 × median does not"}])");
  EXPECT_TRUE(report.tails[0].passed);
  EXPECT_FALSE(report.tails[1].passed);
  const TailYear& year = report.tails[1].years.front();
  EXPECT_NEAR(year.highest_allowed, 4e15, 0.1e15) << "4 × the run's own median";
}

TEST_F(TailChecks, EveryYearReportsItsWorstYear) {
  Summary summary;
  summary.scenario = "hand-made";
  summary.paths = 100;
  summary.years = {2030, 2031, 2032};
  summary.quantile_levels = {0.05, 0.5, 0.95, 0.99};
  VariableSummary x{"x", "u", "stock", {}};
  for (int y = 0; y < 3; ++y)
    x.years.push_back(YearStatistics{2030 + y, 0, 0, 0, {1, 2, 3, y == 1 ? 12.0 : 8.0}, {}, {}});
  summary.variables.push_back(x);
  TailCheck check;
  check.variable = "x";
  check.year = TailCheck::kEveryYear;
  check.quantile = 0.99;
  check.at_most.present = true;
  check.at_most.value = 10.0;
  check.source = "test";
  const CalibrationReport report = check_calibration(summary, CalibrationTargets{{}, {check}});
  ASSERT_EQ(report.tails.size(), 1u);
  const TailRow& row = report.tails.front();
  EXPECT_FALSE(row.passed);
  EXPECT_EQ(row.years[row.worst].year, 2031);
  EXPECT_TRUE(row.years[0].passed);
  EXPECT_FALSE(row.years[1].passed);
  EXPECT_FALSE(row.years[1].decided) << "without intervals nothing is settled";
  // A year outside the run is skipped, not failed.
  check.year = 2040;
  EXPECT_TRUE(check_calibration(summary, CalibrationTargets{{}, {check}}).tails.front().skipped);
}

TEST_F(TailChecks, AtMostEventIsTheComplementOfTheNextFloatAbove) {
  const CalibrationTargets targets = read_calibration_targets(write("t.json", R"([
    {"variable": "produced_units", "year": "every", "probability_of": {"at_most": 0}, "at_most": 0.01, "source": "s"},
    {"variable": "produced_units", "year": 2026, "probability_of": {"at_least": 5e6}, "at_least": 0.5, "source": "s"}])"),
                                                              scenario_);
  Scenario prepared = scenario_;
  const std::size_t before = prepare_calibration_run(prepared, targets);
  EXPECT_EQ(before, scenario_.thresholds.size());
  ASSERT_EQ(prepared.thresholds.size(), before + 3);  // two years, then one
  EXPECT_EQ(prepared.thresholds[before].at_least, static_cast<double>(std::numeric_limits<float>::denorm_min()));
  EXPECT_EQ(prepared.thresholds[before + 1].year, 2026);
  EXPECT_EQ(prepared.thresholds[before + 2].at_least, 5e6);
  EXPECT_NE(std::find(prepared.quantile_levels.begin(), prepared.quantile_levels.end(), 0.5),
            prepared.quantile_levels.end());
}

TEST_F(TailChecks, BadTailChecksAreLocatedErrors) {
  const std::string targets = write("bad.json", R"([
    {"variable": "token_demand", "year": 2025, "quantile": 1.5, "at_most": 1},
    {"variable": "token_demand", "year": "often", "probability_of": {"below": 0}, "at_most": 2, "source": "s"},
    {"variable": "token_demand", "year": 2025, "quantile": 0.99, "probability_of": {"at_most": 0}, "at_most": 1, "source": "s"},
    {"variable": "token_demand", "year": 2025, "quantile": 0.99, "source": "s"},
    {"variable": "token_demand", "year": 2025, "quantile": 0.99, "at_most": {"variable": "produced_unit"}, "source": "s"},
    {"variable": "token_demand", "year": 2025, "probability_of": {"at_most": 0}, "at_most": {"variable": "revenue"}, "source": "s"}])");
  const CommandResult result =
      run_cli("calibrate " + quoted(source_path("tests/scenarios/lognormal_demand.json")) + " --targets " +
              quoted(targets) + " --paths 100 --backend cpu --out " + quoted((directory_ / "out").string()));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  for (const char* where : {"[0].quantile", "[0].source", "[1].year", "[1].probability_of", "[1].at_most", "[2]",
                            "[3].at_most", "[4].at_most.variable", "[5].at_most"})
    EXPECT_NE(result.output.find(where), std::string::npos) << where << "\n" << result.output;
  EXPECT_NE(result.output.find("did you mean \"produced_units\""), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("a \"source\" or \"reasoning\""), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("bad.json"), std::string::npos) << result.output;
  EXPECT_FALSE(fs::exists(directory_ / "out"));
}

TEST_F(TailChecks, CliShowsTailsBesideMediansWritesThemAndKeepsTheRunDirectoryClean) {
  const std::string medians = write("medians.json", R"([
    {"variable": "token_demand", "year": 2025, "value": 1e15, "source": "the median"}])");
  const std::string tails = write("tails.json", R"({"targets": [
    {"variable": "token_demand", "year": 2035, "quantile": 0.99, "at_most": 1, "source": "outside the run"},
    {"variable": "token_demand", "year": "every", "probability_of": {"at_most": 0}, "at_most": 0.01, "label": "demand every year", "reasoning": "r"},
    {"variable": "token_demand", "year": 2026, "quantile": 0.99, "at_most": 4e15, "label": "a p99 limit it misses", "source": "s"}]})");
  const fs::path out = directory_ / "out";
  const std::string command = "calibrate " + quoted(source_path("tests/scenarios/lognormal_demand.json")) +
                              " --targets " + quoted(medians) + " --targets " + quoted(tails) +
                              " --paths 2000 --backend cpu --out " + quoted(out.string());
  const CommandResult result = run_cli(command);
  EXPECT_EQ(result.exit_code, 4) << result.output;  // the p99 limit is missed: targets missed
  EXPECT_NE(result.output.find("1 of 1 targets met"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("tail checks"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("1 of 2 tail checks met, 1 missed, 1 skipped"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("P(≤ 0) ≤ 1%"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("p99 ≤ 4"), std::string::npos) << result.output;

  std::ifstream json_file(out / "calibration.json");
  const nlohmann::json root = nlohmann::json::parse(json_file);
  EXPECT_FALSE(root["all_passed"].get<bool>());
  ASSERT_EQ(root["tail_checks"].size(), 3u);
  EXPECT_EQ(root["tail_checks"][0]["result"], "skipped");
  EXPECT_EQ(root["tail_checks"][1]["result"], "pass");
  EXPECT_EQ(root["tail_checks"][1]["years"].size(), 2u);
  EXPECT_EQ(root["tail_checks"][2]["result"], "miss");
  EXPECT_EQ(root["tail_checks"][2]["years"][0]["ci"].size(), 2u);

  std::ifstream csv_file(out / "calibration.csv");
  std::stringstream csv;
  csv << csv_file.rdbuf();
  EXPECT_NE(csv.str().find(",statistic,estimate,ci_low,ci_high\n"), std::string::npos) << csv.str();
  EXPECT_NE(csv.str().find("token_demand,2026,tail_quantile,"), std::string::npos) << csv.str();
  EXPECT_NE(csv.str().find(",tail_probability,"), std::string::npos) << csv.str();

  // The thresholds the tail checks needed are the calibration's: the run's summary has only the
  // scenario's own (none).
  std::ifstream summary_file(out / "summary.json");
  EXPECT_TRUE(nlohmann::json::parse(summary_file)["thresholds"].empty());

  // The report reads calibration.json back and shows the tail checks beside the median targets.
  const CalibrationReport back = read_calibration_file((out / "calibration.json").string());
  ASSERT_EQ(back.tails.size(), 3u);
  EXPECT_TRUE(back.tails[0].skipped);
  EXPECT_TRUE(back.tails[1].passed);
  EXPECT_EQ(back.tails[1].years.size(), 2u);
  EXPECT_EQ(back.tails[1].check.year, TailCheck::kEveryYear);
  EXPECT_FALSE(back.tails[2].passed);
  EXPECT_EQ(back.tails[2].check.at_most.value, 4e15);
  const std::string section = report::calibration_section(back, read_summary(out.string()));
  EXPECT_NE(section.find("Tail checks"), std::string::npos);
  EXPECT_NE(section.find("a p99 limit it misses"), std::string::npos);
  EXPECT_NE(section.find("every year (worst"), std::string::npos);

  const std::string passing = write("passing.json", R"([
    {"variable": "token_demand", "year": "every", "quantile": 0.99, "at_most": 6e15, "source": "s"}])");
  // Every check met: exit 0. One file per --targets, so the scenario may come after it.
  EXPECT_EQ(run_cli("calibrate --targets " + quoted(passing) + " " +
                    quoted(source_path("tests/scenarios/lognormal_demand.json")) + " --paths 1000 --backend cpu --out " +
                    quoted((directory_ / "ok").string()))
                .exit_code,
            0);
}

TEST(TailChecksFile, TheBaselinesTailChecksReadAndCarryTheirSources) {
  const Scenario baseline = load_scenario(source_path("scenarios/baseline.json"));
  const CalibrationTargets targets = read_calibration_targets(source_path("scenarios/targets/tails.json"), baseline);
  EXPECT_TRUE(targets.medians.empty());
  ASSERT_GE(targets.tails.size(), 5u);
  for (const TailCheck& check : targets.tails) EXPECT_FALSE(check.source.empty() && check.reasoning.empty()) << check.label;
  const auto find = [&targets](const std::string& variable) -> const TailCheck* {
    for (const TailCheck& check : targets.tails)
      if (check.variable == variable) return &check;
    return nullptr;
  };
  ASSERT_NE(find("power.capacity"), nullptr);
  EXPECT_EQ(find("power.capacity")->at_most.value, 1.2e6);  // 1.2 TW in MW
  EXPECT_EQ(find("power.capacity")->year, 2035);
  ASSERT_NE(find("revenue"), nullptr);
  EXPECT_EQ(find("revenue")->at_most.value, 5e12);
  for (const char* variable : {"produced_units", "deployed_units"}) {
    ASSERT_NE(find(variable), nullptr) << variable;
    EXPECT_EQ(find(variable)->kind, TailKind::probability);
    EXPECT_EQ(find(variable)->year, TailCheck::kEveryYear);
    EXPECT_EQ(find(variable)->at_most.value, 0.01);
  }
  ASSERT_NE(find("inventory_units"), nullptr);
  EXPECT_EQ(find("inventory_units")->at_most.variable, "produced_units");
}

}  // namespace
}  // namespace chokepoint::testing
