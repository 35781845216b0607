// The HTML report (`chokepoint report`, `run --report`), per-path trajectories (`run --per-path`)
// and the terminal table: structure a reader and a script can rely on, read from real runs of
// tests/scenarios/small.json and a stress of it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "chokepoint/paired_difference.hpp"
#include "chokepoint/report.hpp"
#include "chokepoint/summary_io.hpp"
#include "chokepoint/csv.hpp"
#include "chokepoint/trajectory_csv.hpp"
#include "test_support.hpp"

namespace chokepoint::testing {
namespace {

namespace fs = std::filesystem;

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t found = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++found;
  return found;
}

// Each test gets its own directory: ctest runs tests in parallel processes.
class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    // The process id keeps two test runs at once (two build directories) out of each other's files.
    directory_ = fs::path(::testing::TempDir()) /
                 (std::string("chokepoint_report_") + info->name() + "_" + std::to_string(::getpid()));
    fs::remove_all(directory_);
    fs::create_directories(directory_);
  }
  void TearDown() override { fs::remove_all(directory_); }

  // Runs a scenario of tests/scenarios into DIR/NAME and returns DIR/NAME.
  std::string run(const std::string& scenario, const std::string& name, const std::string& arguments) {
    const fs::path out = directory_ / name;
    const CommandResult result = run_cli("run " + quoted(source_path("tests/scenarios/" + scenario)) + " " + arguments +
                                         " --quiet --backend cpu --out " + quoted(out.string()));
    EXPECT_EQ(result.exit_code, 0) << result.output;
    return out.string();
  }

  fs::path directory_;
};

TEST_F(ReportTest, RunReportHasOneFanChartPerVariableAndAStageByYearMap) {
  const std::string dir = run("small.json", "small", "--paths 3000 --seed 7 --report");
  const fs::path page_file = fs::path(dir) / "report.html";
  ASSERT_TRUE(fs::exists(page_file));
  const std::string page = read_text(page_file);
  const Summary summary = read_summary(dir);

  EXPECT_EQ(count(page, "<section class=\"fan-chart\" data-variable=\""), summary.variables.size());
  for (const VariableSummary& variable : summary.variables)
    EXPECT_EQ(count(page, "<section class=\"fan-chart\" data-variable=\"" + variable.name + "\""), 1u) << variable.name;

  EXPECT_EQ(count(page, "<table class=\"bottleneck-map\">"), 1u);
  EXPECT_EQ(count(page, "<td class=\"binding-cell"), summary.stages.size() * summary.years.size());
  ASSERT_NE(summary.find_stage("demand"), nullptr);
  for (const StageSummary& stage : summary.stages)
    for (int year : summary.years)
      EXPECT_EQ(count(page, "data-stage=\"" + stage.name + "\" data-year=\"" + std::to_string(year) + "\" data-binding-share="), 1u)
          << stage.name << " " << year;
}

TEST_F(ReportTest, HeaderNamesTheRunAndItsPrecision) {
  const std::string dir = run("small.json", "small", "--paths 3000 --seed 7 --report");
  const std::string page = read_text(fs::path(dir) / "report.html");
  EXPECT_NE(page.find("<h1>small</h1>"), std::string::npos);
  EXPECT_NE(page.find("3,000"), std::string::npos);
  EXPECT_NE(page.find("<dt>seed</dt><dd>7</dd>"), std::string::npos);
  EXPECT_NE(page.find("<dt>backend</dt><dd>cpu</dd>"), std::string::npos);
  EXPECT_NE(page.find(std::string("chokepoint ") + kEngineVersion), std::string::npos);
  EXPECT_NE(page.find("Monte Carlo precision"), std::string::npos);
  EXPECT_NE(page.find("<section id=\"thresholds\""), std::string::npos);
  EXPECT_NE(page.find("<tr class=\"threshold\">"), std::string::npos);
  EXPECT_EQ(page.find("<section id=\"compare\""), std::string::npos);
  EXPECT_EQ(page.find("<section id=\"calibration\""), std::string::npos);
}

TEST_F(ReportTest, PageIsSelfContained) {
  const std::string dir = run("small.json", "small", "--paths 2000 --report");
  const std::string page = read_text(fs::path(dir) / "report.html");
  for (const char* outside : {"http://", "https://", "<script", "<link", "src=", "@import", "url("})
    EXPECT_EQ(page.find(outside), std::string::npos) << outside;
  EXPECT_NE(page.find("<style>"), std::string::npos);
  EXPECT_GT(count(page, "<svg "), 10u);
}

TEST_F(ReportTest, CompareSectionDrawsTheStressOverTheBaselineWithPairedDifferences) {
  const std::string base = run("small.json", "base", "--paths 2000 --seed 3");
  const std::string stress = run("small_power_crunch.json", "stress", "--paths 2000 --seed 3");
  const fs::path out = directory_ / "elsewhere" / "compare.html";
  const CommandResult result =
      run_cli("report " + quoted(stress) + " --compare " + quoted(base) + " --out " + quoted(out.string()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const std::string page = read_text(out);
  EXPECT_EQ(count(page, "<section id=\"compare\""), 1u);
  EXPECT_NE(page.find("small-power-crunch against small"), std::string::npos);
  EXPECT_NE(page.find("paired differences, re-simulated"), std::string::npos);
  const Summary summary = read_summary(stress);
  EXPECT_EQ(count(page, "<section class=\"compare-chart\" data-variable=\""), summary.variables.size());
  EXPECT_EQ(count(page, "<section class=\"fan-chart\" data-variable=\""), summary.variables.size());
  EXPECT_NE(page.find("class=\"band-90 stress\""), std::string::npos);
  EXPECT_NE(page.find("class=\"band-90 base\""), std::string::npos);
  EXPECT_NE(page.find("table class=\"data differences binding-changes\""), std::string::npos);
}

TEST_F(ReportTest, RunsThatCannotBePairedShowUnpairedDifferencesAndSaySo) {
  const std::string base = run("small.json", "base", "--paths 1500 --seed 3");
  const std::string stress = run("small_power_crunch.json", "stress", "--paths 1500 --seed 4");
  ReportOptions options;
  options.compare_directory = base;
  const ReportInputs inputs = read_report_inputs(stress, options);
  ASSERT_TRUE(inputs.difference.has_value());
  EXPECT_FALSE(inputs.difference_is_paired);
  EXPECT_NE(inputs.difference_source.find("different seeds"), std::string::npos) << inputs.difference_source;
  const VariableDifference* produced = inputs.difference->find_variable("produced_units");
  ASSERT_NE(produced, nullptr);
  const Summary a = read_summary(stress), b = read_summary(base);
  const YearStatistics& ya = a.find_variable("produced_units")->years[1];
  const YearStatistics& yb = b.find_variable("produced_units")->years[1];
  EXPECT_DOUBLE_EQ(produced->years[1].mean, ya.mean - yb.mean);
  EXPECT_DOUBLE_EQ(produced->years[1].se, std::sqrt(ya.se * ya.se + yb.se * yb.se));
  EXPECT_NE(html_report(inputs).find("These standard errors are unpaired"), std::string::npos);
}

TEST_F(ReportTest, UsesDiffJsonWhenItPairsTheTwoRuns) {
  const std::string base = run("small.json", "base", "--paths 1500 --seed 3");
  const std::string stress = run("small_power_crunch.json", "stress", "--paths 1500 --seed 3");
  const Scenario stress_scenario = load_scenario(source_path("tests/scenarios/small_power_crunch.json"));
  const Scenario base_scenario = load_scenario(source_path("tests/scenarios/small.json"));
  const PairedDifference written = paired_difference(stress_scenario, base_scenario, 1500, 3, 1);
  write_difference(stress, written);
  ReportOptions options;
  options.compare_directory = base;
  options.max_resimulated_paths = 0;  // it must not need to re-simulate
  const ReportInputs inputs = read_report_inputs(stress, options);
  EXPECT_TRUE(inputs.difference_is_paired);
  EXPECT_NE(inputs.difference_source.find("diff.json"), std::string::npos) << inputs.difference_source;
  const VariableDifference* produced = inputs.difference->find_variable("produced_units");
  ASSERT_NE(produced, nullptr);
  EXPECT_DOUBLE_EQ(produced->years[2].mean, written.find_variable("produced_units")->years[2].mean);
  EXPECT_DOUBLE_EQ(produced->years[2].se, written.find_variable("produced_units")->years[2].se);
}

TEST_F(ReportTest, CalibrationSectionWhenCalibrationJsonExists) {
  const std::string dir = run("small.json", "small", "--paths 1500");
  std::ofstream(fs::path(dir) / "calibration.json") << R"json({
    "scenario": "small", "paths": 1500, "seed": 1, "all_passed": false,
    "targets": [
      {"variable": "produced_units", "year": 2026, "kind": "about", "value": 3.5e6, "tolerance": 0.15,
       "label": "accelerators shipped <2026>", "source": "[S1] a note", "result": "pass", "median": 3.6e6,
       "q0.05": 1e6, "q0.95": 8e6, "lowest_allowed": 2.975e6, "highest_allowed": 4.025e6},
      {"variable": "power.capacity", "year": 2028, "kind": "at_least", "value": 6e4, "tolerance": 0.3,
       "label": "data-centre power", "source": "[S2]", "result": "miss (low)", "median": 3.6e4,
       "q0.05": 2.8e4, "q0.95": 4.8e4, "lowest_allowed": 6e4, "highest_allowed": 7.8e4},
      {"variable": "revenue", "year": 2040, "kind": "about", "value": 1e12, "tolerance": 0.15,
       "label": "revenue later", "source": "", "result": "skipped"}]})json";
  const CommandResult result = run_cli("report " + quoted(dir));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const std::string page = read_text(fs::path(dir) / "report.html");
  EXPECT_NE(page.find("<section id=\"calibration\""), std::string::npos);
  EXPECT_NE(page.find("1 of 2 targets met"), std::string::npos);
  EXPECT_NE(page.find("accelerators shipped &lt;2026&gt;"), std::string::npos);
  EXPECT_NE(page.find("≥ 60.0 GW"), std::string::npos) << "targets print in the variable's unit";
  EXPECT_NE(page.find("≈ 3.50 M<"), std::string::npos) << "counts print without their unit word, given once under the variable";
  EXPECT_NE(page.find("class=\"badge miss\""), std::string::npos);
  EXPECT_NE(page.find("class=\"badge skipped\""), std::string::npos);
}

TEST_F(ReportTest, UnreadableCalibrationJsonIsSkippedWithANote) {
  const std::string dir = run("small.json", "small", "--paths 1000");
  std::ofstream(fs::path(dir) / "calibration.json") << "{ not json";
  const CommandResult result = run_cli("report " + quoted(dir));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const std::string page = read_text(fs::path(dir) / "report.html");
  EXPECT_EQ(page.find("<section id=\"calibration\""), std::string::npos);
  EXPECT_NE(page.find("calibration section skipped"), std::string::npos);
}

TEST_F(ReportTest, ScenarioNamesAreEscaped) {
  const std::string dir = run("small.json", "small", "--paths 500");
  ReportInputs inputs = read_report_inputs(dir);
  inputs.summary.scenario = "a<b & \"c\"";
  const std::string page = html_report(inputs);
  EXPECT_NE(page.find("<h1>a&lt;b &amp; &quot;c&quot;</h1>"), std::string::npos);
  EXPECT_EQ(page.find("a<b"), std::string::npos);
}

TEST_F(ReportTest, SameInputsGiveTheSamePage) {
  const std::string dir = run("small.json", "small", "--paths 500");
  EXPECT_EQ(html_report(read_report_inputs(dir)), html_report(read_report_inputs(dir)));
}

TEST_F(ReportTest, MissingRunDirectoryIsBadInput) {
  const CommandResult result = run_cli("report " + quoted((directory_ / "nothing-here").string()));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("summary.json"), std::string::npos) << result.output;
}

TEST(EngineVersion, MatchesTheProjectVersionInCMake) {
  const std::string cmake = read_text(source_path("CMakeLists.txt"));
  const std::regex project(R"(project\(chokepoint VERSION ([0-9.]+))");
  std::smatch match;
  ASSERT_TRUE(std::regex_search(cmake, match, project));
  EXPECT_EQ(match[1].str(), kEngineVersion);
}

TEST_F(ReportTest, PerPathWritesTheFirstPathsStepByStep) {
  const std::string dir = run("small.json", "small", "--paths 1000 --seed 5 --per-path 3");
  const std::string csv = read_text(fs::path(dir) / "paths.csv");
  const Scenario scenario = load_scenario(source_path("tests/scenarios/small.json"));
  const int steps = scenario.model->steps;
  EXPECT_EQ(count(csv, "\n"), 1u + 3u * static_cast<std::size_t>(steps));
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "path,step,year,time,token_demand,throughput,wanted_units,produced_units,deployed_units,inventory_units,"
            "installed_base,token_capacity,tokens_served,binding");
  EXPECT_EQ(csv, trajectory_csv_text(scenario, 5, 3)) << "the file is trace_path's numbers for the run's seed";

  // Path 2, step 5 (the first step of 2026): its values are trace_path's.
  const TrajectoryPoint point = trace_path(scenario, 5, 2)[4];
  // csv_number: shortest round-trip decimal, in exponent form beyond 15 integer digits.
  const std::string row = "2,5,2026,2026.25," + csv_number(point.token_demand) + "," + csv_number(point.throughput) + ",";
  EXPECT_NE(csv.find("\n" + row), std::string::npos) << row;
  const std::regex binding(",(demand|cowos|power)\n");
  EXPECT_EQ(std::distance(std::sregex_iterator(csv.begin(), csv.end(), binding), std::sregex_iterator()), 3 * steps);
}

TEST_F(ReportTest, TerminalTableColumnsLineUp) {
  const CommandResult result = run_cli("run " + quoted(source_path("tests/scenarios/small.json")) +
                                       " --paths 1000 --backend cpu --out " + quoted((directory_ / "t").string()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const std::string& out = result.output;
  EXPECT_NE(out.find("paths/s"), std::string::npos) << out;
  EXPECT_NE(out.find("GW ["), std::string::npos) << "power in GW: " << out;
  EXPECT_NE(out.find("$"), std::string::npos) << "revenue in dollars: " << out;
  // The "likeliest bottleneck" column starts at the same screen column on every year's row.
  const auto columns = [](const std::string& line, std::size_t bytes) {
    std::size_t width = 0;
    for (std::size_t i = 0; i < bytes; ++i)
      if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80) ++width;
    return width;
  };
  std::istringstream lines(out);
  std::string line;
  std::size_t header_column = 0;
  int year_rows = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("year", 0) == 0) header_column = columns(line, line.find("likeliest bottleneck"));
    if (line.size() > 4 && line.rfind("202", 0) == 0) {
      ++year_rows;
      const std::size_t stage = std::min({line.find("demand"), line.find("cowos"), line.find("power ")});
      ASSERT_NE(stage, std::string::npos) << line;
      EXPECT_EQ(columns(line, stage), header_column) << line;
    }
  }
  EXPECT_EQ(year_rows, 4);
}

}  // namespace
}  // namespace chokepoint::testing
