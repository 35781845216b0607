// The calibration check (docs/calibration.md): the baseline's medians reproduce the seed's
// figures (scenarios/targets/seed.json), and `chokepoint calibrate` exits 0 when every target
// is met, 1 when one is missed, 2 on a bad targets file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "chokepoint/calibration.hpp"
#include "test_support.hpp"

namespace chokepoint::testing {
namespace {

namespace fs = std::filesystem;

// 20,000 paths: a second or two on two cores, and the medians are within ~1 % of a 10⁵-path run.
constexpr std::uint64_t kCiPaths = 20000;

Summary run_for_calibration(Scenario scenario, std::uint64_t paths, const CalibrationTargets& targets = {}) {
  prepare_calibration_run(scenario, targets);
  RunOptions options;
  options.paths = paths;
  options.seed = 1;
  options.backend = "cpu";
  return run(scenario, options);
}

TEST(Calibration, BaselineReproducesTheSeedFiguresAndPassesTheTailChecks) {
  const Scenario baseline = load_scenario(source_path("scenarios/baseline.json"));
  CalibrationTargets targets = read_calibration_targets(source_path("scenarios/targets/seed.json"), baseline);
  // The tail checks from physical and economic limits (scenarios/targets/tails.json) too.
  targets.tails = read_calibration_targets(source_path("scenarios/targets/tails.json"), baseline).tails;
  const CalibrationReport report = check_calibration(run_for_calibration(baseline, kCiPaths, targets), targets);
  for (const TailRow& row : report.tails) {
    ASSERT_FALSE(row.skipped) << row.check.variable;
    EXPECT_TRUE(row.passed) << row.check.label << ": worst year " << row.years[row.worst].year << ", estimate "
                            << row.years[row.worst].estimate << " against [" << row.years[row.worst].lowest_allowed
                            << ", " << row.years[row.worst].highest_allowed << "]";
  }
  int checked = 0;
  for (const CalibrationRow& row : report.rows) {
    if (row.skipped) continue;
    ++checked;
    EXPECT_TRUE(row.passed) << row.target.variable << " " << row.target.year << ": median " << row.median
                            << " outside [" << row.lowest_allowed << ", " << row.highest_allowed << "] ("
                            << row.target.label << ")";
  }
  EXPECT_GE(checked, 9);  // the baseline starts in 2026: the seed's 2023 and 2025 figures are history
  EXPECT_TRUE(report.all_passed());
}

TEST(Calibration, TargetsBeforeTheRunAreSkippedNotFailed) {
  const Scenario baseline = load_scenario(source_path("scenarios/baseline.json"));
  const std::vector<CalibrationTarget> targets =
      read_calibration_targets(source_path("scenarios/targets/seed.json"), baseline).medians;
  ASSERT_EQ(targets.front().year, 2023);  // ~5M XPUs in 2023; the baseline starts in 2026
  const CalibrationReport report = check_calibration(run_for_calibration(baseline, 200), {targets.front()});
  EXPECT_TRUE(report.rows.front().skipped);
  EXPECT_TRUE(report.all_passed());
}

TEST(Calibration, AboutAndAtLeastBands) {
  Summary summary;
  summary.years = {2030};
  summary.quantile_levels = {0.05, 0.5, 0.95};
  summary.variables.push_back(VariableSummary{"x", "u", "flow", {YearStatistics{2030, 0, 0, 0, {80.0, 100.0, 120.0}}}});
  const auto check = [&summary](TargetKind kind, double value, double tolerance) {
    CalibrationTarget target;
    target.variable = "x";
    target.year = 2030;
    target.kind = kind;
    target.value = value;
    target.tolerance = tolerance;
    return check_calibration(summary, {target}).rows.front();
  };
  EXPECT_TRUE(check(TargetKind::about, 110.0, 0.15).passed);    // 100 within ±16.5 of 110
  EXPECT_FALSE(check(TargetKind::about, 120.0, 0.15).passed);   // 100 below 102
  EXPECT_TRUE(check(TargetKind::at_least, 80.0, 0.30).passed);  // 100 in [80, 104]
  EXPECT_FALSE(check(TargetKind::at_least, 70.0, 0.30).passed); // 100 above 91: the model overshoots "> 70"
  EXPECT_FALSE(check(TargetKind::at_least, 101.0, 0.30).passed);
  const CalibrationRow row = check(TargetKind::at_least, 80.0, 0.30);
  EXPECT_EQ(row.low, 80.0);
  EXPECT_EQ(row.high, 120.0);
  EXPECT_DOUBLE_EQ(row.highest_allowed, 104.0);
}

class CalibrateCli : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fresh_test_directory("chokepoint_calibrate_cli");
  }
  void TearDown() override { fs::remove_all(directory_); }

  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(directory_ / name) << text;
    return (directory_ / name).string();
  }

  fs::path directory_;
};

TEST_F(CalibrateCli, MetTargetsExitZeroAndWriteTheTable) {
  const std::string small = source_path("tests/scenarios/small.json");
  const std::string targets = write("targets.json", R"([
    {"variable": "token_demand", "year": 2025, "value": 1e17, "kind": "at_least", "tolerance": 5, "source": "test"}])");
  const fs::path out = directory_ / "out";
  const CommandResult result = run_cli("calibrate " + quoted(small) + " --targets " + quoted(targets) +
                                       " --paths 500 --backend cpu --out " + quoted(out.string()));
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("token_demand"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("1 of 1 targets met"), std::string::npos) << result.output;
  EXPECT_TRUE(fs::exists(out / "calibration.json"));
  EXPECT_TRUE(fs::exists(out / "calibration.csv"));
  EXPECT_TRUE(fs::exists(out / "summary.json"));
}

TEST_F(CalibrateCli, MissedTargetExitsFourNotAnErrorCode) {
  const std::string small = source_path("tests/scenarios/small.json");
  const std::string targets = write("targets.json", R"({"targets": [
    {"variable": "token_demand", "year": 2025, "value": 1e30, "kind": "about", "source": "far too high"}]})");
  const CommandResult result = run_cli("calibrate " + quoted(small) + " --targets " + quoted(targets) +
                                       " --paths 200 --backend cpu --out " + quoted((directory_ / "out").string()));
  EXPECT_EQ(result.exit_code, 4) << result.output;
  EXPECT_NE(result.output.find("MISS low"), std::string::npos) << result.output;
}

TEST_F(CalibrateCli, BadTargetsFileExitsTwoNamingThePath) {
  const std::string small = source_path("tests/scenarios/small.json");
  const std::string targets = write("targets.json", R"([
    {"variable": "produced_unit", "year": 2025, "value": 1e6},
    {"variable": "revenue", "year": 2025, "value": -1, "kind": "roughly"}])");
  const fs::path out = directory_ / "out";
  const CommandResult result = run_cli("calibrate " + quoted(small) + " --targets " + quoted(targets) +
                                       " --paths 200 --out " + quoted(out.string()));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("[0].variable"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("did you mean \"produced_units\""), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("[1].value"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("[1].kind"), std::string::npos) << result.output;
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
}  // namespace chokepoint::testing
