// The output half of the front door (docs/errors.md): sizes that cannot wrap, summaries checked
// before use, run directories written as a whole and never over an input, CSV that spreadsheets
// and pandas read safely, the non-finite policy and the CLI's exit codes.
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <cfloat>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "chokepoint/checked_size.hpp"
#include "chokepoint/csv.hpp"
#include "chokepoint/output_files.hpp"
#include "chokepoint/stored_value.hpp"
#include "chokepoint/summary_io.hpp"
#include "reduce/statistics.hpp"
#include "test_support.hpp"

namespace chokepoint::testing {
namespace {

namespace fs = std::filesystem;

class OutputSafety : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fresh_test_directory("output_safety");
  }
  void TearDown() override { fs::remove_all(directory_); }

  // Runs the CLI with the test's directory as working directory.
  CommandResult cli_here(const std::string& arguments) const {
    return run_cli_in(directory_.string(), arguments);
  }
  static CommandResult run_cli_in(const std::string& where, const std::string& arguments) {
    return run_cli("--version >/dev/null && cd " + quoted(where) + " && " + std::string(CHOKEPOINT_CLI) + " " + arguments);
  }
  std::string small_run(const std::string& name, const std::string& extra = "") const {
    const fs::path out = directory_ / name;
    const CommandResult result = run_cli("run " + quoted(source_path("tests/scenarios/small.json")) +
                                         " --paths 64 --backend cpu --quiet --out " + quoted(out.string()) + " " + extra);
    EXPECT_EQ(result.exit_code, 0) << result.output;
    return out.string();
  }

  fs::path directory_;
};

// ---- sizes that cannot wrap ------------------------------------------------------------------

TEST(CheckedSize, ProductsAndSumsThatWouldWrapAreRefused) {
  EXPECT_EQ(checked_product({3, 5, 7}), 105u);
  EXPECT_EQ(checked_product({0, std::numeric_limits<std::uint64_t>::max(), 2}), 0u);
  EXPECT_FALSE(checked_product({std::uint64_t{1} << 62, 4}).has_value());
  EXPECT_FALSE(checked_product({std::uint64_t{1} << 40, std::uint64_t{1} << 20, std::uint64_t{1} << 4}).has_value());
  EXPECT_FALSE(checked_sum({std::numeric_limits<std::uint64_t>::max(), 1}).has_value());
  EXPECT_EQ(saturating_product({std::uint64_t{1} << 63, 2}), std::numeric_limits<std::uint64_t>::max());
}

TEST(CheckedSize, ResultBufferRefusesACountWhoseByteSizeWraps) {
  ResultBuffer<float> buffer;
  // (2⁶² + 1) · 4 bytes wraps to 4: before, that allocated one huge page and "succeeded".
  EXPECT_THROW(buffer.resize((std::size_t{1} << 62) + 1), std::bad_alloc);
  EXPECT_THROW(buffer.reserve(std::numeric_limits<std::size_t>::max()), std::bad_alloc);
}

TEST(CheckedSize, PathCountsNearTwoToTheSixtyTwoAreAResourceErrorNotACrash) {
  const Scenario scenario = load_scenario(source_path("tests/scenarios/small.json"));
  EXPECT_THROW(simulate_cpu(scenario, std::uint64_t{1} << 62, 1, 1), ResourceError);
  EXPECT_THROW(simulate_cpu(scenario, std::numeric_limits<std::uint64_t>::max(), 1, 1), ResourceError);
  // Representable, but more than memory and swap: refused before the allocation, not killed
  // part-way by the OOM killer.
  EXPECT_THROW(simulate_cpu(scenario, std::uint64_t{1} << 44, 1, 1), ResourceError);
}

// A path count beyond the documented range is an argument to fix (exit 2), refused before any
// size is computed; sizes the library is asked for directly are checked above (exit 3).
TEST_F(OutputSafety, RunWithAHugePathCountIsRefusedAsAnArgument) {
  const CommandResult result = run_cli("run " + quoted(source_path("tests/scenarios/small.json")) +
                                       " --paths 4611686018427387904 --backend cpu --quiet --out " +
                                       quoted((directory_ / "huge").string()));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("--paths"), std::string::npos) << result.output;
  EXPECT_FALSE(fs::exists(directory_ / "huge")) << "nothing is left behind by a refused run";
  write_text(directory_ / "targets.json", R"([{"variable": "token_demand", "year": 2025, "value": 1e17, "kind": "at_least"}])");
  const CommandResult calibrate = run_cli("calibrate " + quoted(source_path("tests/scenarios/small.json")) + " --targets " +
                                          quoted((directory_ / "targets.json").string()) +
                                          " --paths 4611686018427387904 --backend cpu --out " + quoted((directory_ / "c").string()));
  EXPECT_EQ(calibrate.exit_code, 2) << calibrate.output;
  EXPECT_FALSE(fs::exists(directory_ / "c"));
}

// ---- summaries checked before use ------------------------------------------------------------

void edit_summary(const std::string& run, const std::function<void(nlohmann::ordered_json&)>& change) {
  const fs::path file = fs::path(run) / "summary.json";
  nlohmann::ordered_json root = nlohmann::ordered_json::parse(read_text(file));
  change(root);
  write_text(file, root.dump(1));
}

TEST_F(OutputSafety, DiffRefusesASummaryWithNegativeZeroOrFractionalPaths) {
  const std::string base = small_run("base");
  for (const std::string paths : {"-1", "0", "1.5e30", "\"many\""}) {
    SCOPED_TRACE(paths);
    const std::string stress = small_run("stress-" + std::to_string(std::hash<std::string>{}(paths)));
    edit_summary(stress, [&paths](nlohmann::ordered_json& root) { root["paths"] = nlohmann::ordered_json::parse(paths); });
    const CommandResult result =
        run_cli("diff " + quoted(stress) + " " + quoted(base) + " --out " + quoted((directory_ / "d").string()));
    EXPECT_EQ(result.exit_code, 2) << result.output;
    EXPECT_NE(result.output.find("paths"), std::string::npos) << result.output;
  }
  // Well-formed but far too many to re-simulate: a resource error before any allocation.
  const std::string stress = small_run("stress-huge");
  edit_summary(stress, [](nlohmann::ordered_json& root) { root["paths"] = std::uint64_t{1} << 62; });
  edit_summary(base, [](nlohmann::ordered_json& root) { root["paths"] = std::uint64_t{1} << 62; });
  const CommandResult result =
      run_cli("diff " + quoted(stress) + " " + quoted(base) + " --out " + quoted((directory_ / "d").string()));
  EXPECT_EQ(result.exit_code, 3) << result.output;
}

TEST_F(OutputSafety, ReportCompareRefusesASummaryWhoseVariableLacksAYear) {
  const std::string base = small_run("base");
  const std::string stress = small_run("stress", "--seed 2");
  edit_summary(stress, [](nlohmann::ordered_json& root) {
    root["variables"]["produced_units"]["years"].erase(1);  // the summary still lists that year
  });
  const CommandResult result =
      run_cli("report " + quoted(stress) + " --compare " + quoted(base) + " --out " + quoted((directory_ / "r.html").string()));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("variables.produced_units.years"), std::string::npos) << result.output;
}

TEST_F(OutputSafety, DiffRefusesAScenarioJsonFromAnotherRun) {
  const std::string base = small_run("base");
  const std::string other = small_run("other");
  // A different scenario.json (another name) beside base's summary.json, as a kill between
  // renames, or a copy by hand, would leave it.
  std::string text = read_text(fs::path(other) / "scenario.json");
  text.replace(text.find("\"small\""), 7, "\"smoll\"");
  write_text(fs::path(base) / "scenario.json", text);
  const CommandResult result =
      run_cli("diff " + quoted(other) + " " + quoted(base) + " --out " + quoted((directory_ / "d").string()));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("different runs"), std::string::npos) << result.output;
}

TEST_F(OutputSafety, ReportUsesTheDiffDirectoryGivenWithDiff) {
  const std::string base = small_run("base");
  const std::string stress = small_run("stress");
  const std::string difference = (directory_ / "d").string();
  CommandResult result = run_cli("diff " + quoted(stress) + " " + quoted(base) + " --out " + quoted(difference));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const std::string page = (directory_ / "page.html").string();
  result = run_cli("report " + quoted(stress) + " --compare " + quoted(base) + " --diff " + quoted(difference) +
                   " --threads 1 --out " + quoted(page));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(read_text(page).find("paired differences from " + difference + "/diff.json"), std::string::npos);
}

// ---- run directories written as a whole ------------------------------------------------------

TEST_F(OutputSafety, AnExistingRunDirectoryIsAnErrorUnlessForced) {
  const std::string run = small_run("run");
  const std::string before = read_text(fs::path(run) / "summary.json");
  const std::string again = "run " + quoted(source_path("tests/scenarios/small.json")) +
                            " --paths 32 --seed 9 --backend cpu --quiet --out " + quoted(run);
  CommandResult result = run_cli(again);
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("--force"), std::string::npos) << result.output;
  EXPECT_EQ(read_text(fs::path(run) / "summary.json"), before);
  result = run_cli(again + " --force");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(read_text(fs::path(run) / "summary.json"), before);
  EXPECT_EQ(read_summary(run).seed, 9u);
  for (const fs::directory_entry& entry : fs::directory_iterator(directory_))
    EXPECT_EQ(entry.path().filename().string().find(".partial-"), std::string::npos) << "staging left behind";
}

TEST_F(OutputSafety, AnUncommittedOutputDirectoryLeavesNothingAndTheOldOneIntact) {
  const fs::path target = directory_ / "results";
  {
    OutputDirectory out(target.string(), false, InputFiles{});
    write_file_atomically(out.staging() + "/summary.json", "half");
    EXPECT_FALSE(fs::exists(target)) << "nothing is visible before commit";
  }  // as when the run throws
  EXPECT_FALSE(fs::exists(target));
  {
    OutputDirectory out(target.string(), false, InputFiles{});
    write_file_atomically(out.staging() + "/summary.json", "old");
    out.commit();
  }
  {
    OutputDirectory out(target.string(), true, InputFiles{});
    write_file_atomically(out.staging() + "/summary.json", "new, unfinished");
  }
  EXPECT_EQ(read_text(target / "summary.json"), "old");
  std::size_t entries = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(directory_))
    entries += entry.path().filename().string().find(".partial-") != std::string::npos;
  EXPECT_EQ(entries, 0u);
}

TEST_F(OutputSafety, ForceReplacesOnlyADirectoryOfChokepointResults) {
  fs::create_directories(directory_ / "mine");
  write_text(directory_ / "mine" / "thesis.tex", "precious");
  const CommandResult result = run_cli("run " + quoted(source_path("tests/scenarios/small.json")) +
                                       " --paths 16 --backend cpu --quiet --force --out " + quoted((directory_ / "mine").string()));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_EQ(read_text(directory_ / "mine" / "thesis.tex"), "precious");
}

TEST_F(OutputSafety, AnOutputIsNeverOneOfTheInputs) {
  const std::string run = small_run("run");
  // The run's own scenario.json as input, its directory as output: replacing it would destroy it.
  CommandResult result = run_cli("run " + quoted(run + "/scenario.json") + " --paths 16 --backend cpu --quiet --force --out " +
                                 quoted(run));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_TRUE(fs::exists(fs::path(run) / "summary.json"));
  // Through another spelling of the same directory: compared by inode, not by name.
  fs::create_directory_symlink(run, directory_ / "alias");
  result = run_cli("run " + quoted((directory_ / "alias" / "scenario.json").string()) +
                   " --paths 16 --backend cpu --quiet --force --out " + quoted(run + "/."));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("holds"), std::string::npos) << result.output;
  const std::string summary = read_text(fs::path(run) / "summary.json");
  result = run_cli("report " + quoted(run) + " --out " + quoted((directory_ / "alias" / "summary.json").string()));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_EQ(read_text(fs::path(run) / "summary.json"), summary);
  // diff cannot write into a run it reads.
  result = run_cli("diff " + quoted(run) + " " + quoted(run) + " --force --out " + quoted(run));
  EXPECT_EQ(result.exit_code, 2) << result.output;
}

TEST_F(OutputSafety, ASecondWriterOfTheSameOutputIsRefused) {
  const fs::path target = directory_ / "busy";
  const OutputLock held(target.string());  // as a concurrent chokepoint would hold it
  const CommandResult result = run_cli("run " + quoted(source_path("tests/scenarios/small.json")) +
                                       " --paths 16 --backend cpu --quiet --out " + quoted(target.string()));
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_NE(result.output.find("another chokepoint"), std::string::npos) << result.output;
}

TEST_F(OutputSafety, AFileWrittenOverASymlinkReplacesTheLinkNotItsTarget) {
  write_text(directory_ / "victim", "untouched");
  fs::create_symlink(directory_ / "victim", directory_ / "report.html");
  write_file_atomically((directory_ / "report.html").string(), "page");
  EXPECT_EQ(read_text(directory_ / "victim"), "untouched");
  EXPECT_EQ(read_text(directory_ / "report.html"), "page");
  EXPECT_FALSE(fs::is_symlink(directory_ / "report.html"));
}

TEST_F(OutputSafety, DefaultOutputFoldersAreUnderOutNamedByCommandAndScenario) {
  const std::string small = quoted(source_path("tests/scenarios/small.json"));
  CommandResult result = cli_here("run " + small + " --paths 16 --backend cpu --quiet");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(fs::exists(directory_ / "out" / "run-small" / "summary.json"));
  result = cli_here("run " + small + " --paths 16 --seed 3 --backend cpu --quiet --out out/other");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  result = cli_here("diff out/other out/run-small");
  EXPECT_EQ(result.exit_code, 2) << "different seeds: " << result.output;
  result = cli_here("run " + small + " --paths 16 --backend cpu --quiet --out out/again");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  result = cli_here("diff out/again out/run-small");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(fs::exists(directory_ / "out" / "diff-small-vs-small" / "diff.json"));
  write_text(directory_ / "targets.json", R"([{"variable": "token_demand", "year": 2025, "value": 1e17, "kind": "at_least", "tolerance": 5}])");
  result = cli_here("calibrate " + small + " --targets targets.json --paths 16 --backend cpu");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(fs::exists(directory_ / "out" / "calibrate-small" / "calibration.json"));
  for (const char* stray : {"diff", "calibration", "summary.json", "diff.json"})
    EXPECT_FALSE(fs::exists(directory_ / stray)) << stray << " written outside out/";
}

TEST_F(OutputSafety, OverlongNamesAndDirectoriesWhereFilesBelongExitTwo) {
  const std::string small = quoted(source_path("tests/scenarios/small.json"));
  CommandResult result = run_cli("run " + small + " --paths 16 --backend cpu --quiet --out " +
                                 quoted((directory_ / std::string(300, 'x')).string()));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  result = run_cli("validate " + quoted((directory_ / (std::string(300, 'y') + ".json")).string()));
  EXPECT_EQ(result.exit_code, 2) << "not 1, internal error: " << result.output;
  const std::string run = small_run("run");
  result = run_cli("report " + quoted(run) + " --out " + quoted(directory_.string()));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  fs::create_directories(directory_ / "run2" / "summary.json");
  result = run_cli("report " + quoted((directory_ / "run2").string()));
  EXPECT_EQ(result.exit_code, 2) << result.output;
}

// ---- CSV ---------------------------------------------------------------------------------------

TEST(Csv, TextCellsAreQuotedAndGuardedNumbersAreNot) {
  EXPECT_EQ(csv_text("cowos"), "cowos");
  EXPECT_EQ(csv_text("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_text("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_text("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_text("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
  EXPECT_EQ(csv_text("+1"), "'+1");
  EXPECT_EQ(csv_text("-1"), "'-1");
  EXPECT_EQ(csv_text("@sum"), "'@sum");
  EXPECT_EQ(csv_number(-1.5), "-1.5");
  EXPECT_EQ(csv_number(std::nan("")), "");
  EXPECT_EQ(csv_number(1e20), "1e+20");
  // to_chars alone writes this as the 21-digit integer 123456789012345680000.
  EXPECT_EQ(csv_number(1.2345678901234568e20), "1.2345678901234568e+20");
  EXPECT_EQ(csv_number(123456789012345.0), "123456789012345");
}

Summary tiny_summary(const std::string& variable_name) {
  Summary summary;
  summary.scenario = "=cmd|' /C calc'!A0";
  summary.paths = 10;
  summary.seed = 1;
  summary.backend = "cpu";
  summary.years = {2025, 2026};
  summary.quantile_levels = {0.05, 0.5, 0.95};
  VariableSummary variable{variable_name, "USD", "flow", {}};
  for (int year : summary.years) variable.years.push_back(YearStatistics{year, 1.2345678901234568e20, 2.0, 0.5, {1.0, 2.0, 3.0}});
  summary.variables.push_back(variable);
  summary.stages.push_back(StageSummary{"demand", {StageYear{2025, 0.5, 0.1, 0.6, 0.1}, StageYear{2026, 0.5, 0.1, 0.6, 0.1}}});
  return summary;
}

TEST(Csv, ANameWithANewlineCannotForgeARowOfSummaryCsv) {
  const std::string csv = summary_csv_text(tiny_summary("x\n=evil,2025,mean,,1"));
  std::size_t rows = 0;
  bool in_quotes = false;
  for (const char c : csv) {
    if (c == '"') in_quotes = !in_quotes;
    if (c == '\n' && !in_quotes) ++rows;
  }
  EXPECT_EQ(rows, 1u + 2 * 6 + 2 * 4) << csv;
  EXPECT_EQ(csv.rfind("scenario,variable,unit,year,stat,quantile,value\n", 0), 0u);
}

TEST_F(OutputSafety, PandasReadsEveryColumnOfSummaryCsvAndPathsCsvWithTheRightType) {
  if (std::system("/usr/bin/python3 -c 'import pandas' >/dev/null 2>&1") != 0) GTEST_SKIP() << "no pandas";
  write_summary(directory_.string(), tiny_summary("revenue"));
  const std::string run = small_run("run", "--per-path 3");
  const std::string script = R"(
import sys, pandas as pd
s = pd.read_csv(sys.argv[1], keep_default_na=False, na_values=[''])
want = {'scenario': 'object', 'variable': 'object', 'unit': 'object', 'year': 'int64', 'stat': 'object', 'quantile': 'float64', 'value': 'float64'}
got = {c: str(t) for c, t in s.dtypes.items()}
assert got == want, got
assert s['quantile'].notna().sum() == 6, s
p = pd.read_csv(sys.argv[2])
bad = [c for c, t in p.dtypes.items() if c != 'binding' and str(t) not in ('int64', 'float64')]
assert not bad, (bad, p.dtypes)
print('ok')
)";
  write_text(directory_ / "check.py", script);
  const CommandResult result = run_cli("--version >/dev/null && /usr/bin/python3 " + quoted((directory_ / "check.py").string()) +
                                       " " + quoted((directory_ / "summary.csv").string()) + " " + quoted(run + "/paths.csv"));
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("ok"), std::string::npos) << result.output;
}

// ---- writers in linear time and memory ---------------------------------------------------------

TEST(SummaryJson, ThousandsOfQuantileLevelsAreWrittenAndReadInLinearTime) {
  Summary summary = tiny_summary("revenue");
  constexpr int kLevels = 40000;
  summary.quantile_levels.clear();
  for (int i = 0; i < kLevels; ++i) summary.quantile_levels.push_back((i + 0.5) / kLevels);
  for (VariableSummary& variable : summary.variables)
    for (YearStatistics& year : variable.years) year.quantiles.assign(kLevels, 1.0);
  const auto start = std::chrono::steady_clock::now();
  const std::string text = summary_json_text(summary);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Quadratic, this was 2 · 40000²/2 key comparisons: seconds; linear, milliseconds (a bound
  // loose enough for a sanitizer build on a busy machine).
  EXPECT_LT(seconds, 4.0);
  const std::string directory = unique_test_directory("levels");
  fs::create_directories(directory);
  write_text(fs::path(directory) / "summary.json", text);
  const auto read_start = std::chrono::steady_clock::now();
  const Summary back = read_summary(directory);
  // Parsed with ordered_json, the read alone took 9.6 s here.
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - read_start).count(), 4.0);
  EXPECT_EQ(back.quantile_levels.size(), static_cast<std::size_t>(kLevels));
  fs::remove_all(directory);
}

TEST_F(OutputSafety, PerPathCsvIsStreamedNotHeldInMemory) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer keeps freed memory in quarantine, so the peak grows anyway";
#endif
  const std::string small = quoted(source_path("tests/scenarios/small.json"));
  // Peak memory of the whole process (ru_maxrss of the child), for few and for many paths of
  // paths.csv: held in memory, 40000 paths (~80 MB of text) raised the peak by as much.
  const auto peak_kib = [&](int paths) {
    const std::string out = (directory_ / ("pp" + std::to_string(paths))).string();
    const pid_t child = ::fork();
    if (child == 0) {
      const std::string per_path = std::to_string(paths);
      ::execl(CHOKEPOINT_CLI, CHOKEPOINT_CLI, "run", source_path("tests/scenarios/small.json").c_str(), "--paths",
              per_path.c_str(), "--per-path", per_path.c_str(), "--threads", "1", "--backend", "cpu", "--quiet", "--out",
              out.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    int status = 0;
    struct rusage usage {};
    ::wait4(child, &status, 0, &usage);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    EXPECT_GT(fs::file_size(fs::path(out) / "paths.csv"), static_cast<std::uintmax_t>(paths) * 1000);
    return usage.ru_maxrss;
  };
  const long few = peak_kib(100), many = peak_kib(40000);
  EXPECT_LT(many - few, 30 * 1024) << "peak KiB: " << few << " for 100 paths, " << many << " for 40000";
}

// ---- the non-finite policy ---------------------------------------------------------------------

TEST(Nonfinite, ValuesBeyondFloatRangeAreSaturatedAndCountedNotMadeInfinite) {
  EXPECT_EQ(stored_value(1e39), FLT_MAX);
  EXPECT_EQ(stored_value(-1e300), -FLT_MAX);
  EXPECT_EQ(stored_value(2.5), 2.5f);
  EXPECT_TRUE(std::isinf(stored_value(std::numeric_limits<double>::infinity())));
  EXPECT_TRUE(std::isnan(stored_value(std::nan(""))));
  const float column[] = {1.0f, FLT_MAX, std::numeric_limits<float>::quiet_NaN(), -FLT_MAX,
                          std::numeric_limits<float>::infinity()};
  const UnusualValues counts = count_unusual_values(column, 5);
  EXPECT_EQ(counts.nonfinite, 2u);
  EXPECT_EQ(counts.saturated, 2u);
}

TEST_F(OutputSafety, ARunWithResultsBeyondFloatRangeExitsFiveUnlessAllowed) {
  // Demand of 1e36 tokens a year with a volatility of 300 %: the central path stays inside float
  // range (validation refuses a scenario whose central path leaves it), but some paths pass
  // 3.4e38 while the double arithmetic stays finite.
  std::string text = minimal_scenario(R"({"growth": 0.1, "sigma": 3.0})", 4, 3, "");
  text.replace(text.find("1e15"), 4, "1e36");
  write_text(directory_ / "huge.json", text);
  const std::string scenario = quoted((directory_ / "huge.json").string());
  CommandResult result = run_cli("run " + scenario + " --paths 8 --backend cpu --quiet --out " + quoted((directory_ / "a").string()));
  EXPECT_EQ(result.exit_code, 5) << result.output;
  EXPECT_NE(result.output.find("saturated"), std::string::npos) << result.output;
  const Summary summary = read_summary((directory_ / "a").string());
  ASSERT_FALSE(summary.nonfinite.empty());
  EXPECT_GT(summary.nonfinite.front().saturated_paths, 0u);
  for (const VariableSummary& variable : summary.variables)
    for (const YearStatistics& year : variable.years)
      for (double q : year.quantiles) EXPECT_FALSE(std::isinf(q)) << variable.name;
  result = run_cli("run " + scenario + " --paths 8 --backend cpu --quiet --allow-nonfinite --report --out " +
                   quoted((directory_ / "b").string()));
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(read_text(directory_ / "b" / "report.html").find("beyond float range"), std::string::npos);
}

// ---- CLI conventions ---------------------------------------------------------------------------

TEST(CliConventions, VersionPrintsTheEngineVersion) {
  const CommandResult result = run_cli("--version");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("chokepoint 0."), std::string::npos) << result.output;
}

TEST(CliConventions, AnUnknownCommandIsAnErrorNamingIt) {
  const CommandResult result = run_cli("sensitivty --help");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("unknown command \"sensitivty\""), std::string::npos) << result.output;
}

TEST(CliConventions, ValidateChecksEveryFileGiven) {
  const std::string good = quoted(source_path("tests/scenarios/small.json"));
  const std::string bad = quoted(source_path("tests/bad/negative_capacity.json"));
  CommandResult result = run_cli("validate " + good + " " + bad + " " + good);
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("negative_capacity.json"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("is valid"), std::string::npos) << result.output;
  result = run_cli("validate " + good + " " + good);
  EXPECT_EQ(result.exit_code, 0) << result.output;
}

TEST(CliConventions, ControlCharactersNeverReachTheTerminalRaw) {
  const CommandResult result = run_cli("validate \"$(printf '/nonexistent/\\033[2J\\rfake.json')\"");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_EQ(result.output.find('\033'), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find('\r'), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("\\x1b[2J\\x0dfake.json"), std::string::npos) << result.output;
}

TEST(CliConventions, TooManyThreadsIsAnArgumentError) {
  const CommandResult result =
      run_cli("run " + quoted(source_path("tests/scenarios/small.json")) + " --paths 8 --threads 100000 --quiet --out /nonexistent/x");
  EXPECT_EQ(result.exit_code, 2) << result.output;
}

#if !defined(__SANITIZE_ADDRESS__)
TEST_F(OutputSafety, OutOfMemoryAndFailedThreadCreationExitThree) {
  const std::string small = quoted(source_path("tests/scenarios/small.json"));
  // 1 GiB of address space: 20 M paths of per-path results do not fit when the run is told it may
  // keep them all (by default it would stream them in bounded memory instead).
  CommandResult result = run_cli("--version >/dev/null; ulimit -v 1048576; " + std::string(CHOKEPOINT_CLI) + " run " + small +
                                 " --paths 20000000 --memory-for-paths 1048576 --backend cpu --quiet --threads 1 --out " +
                                 quoted((directory_ / "m").string()));
  EXPECT_EQ(result.exit_code, 3) << result.output;
  // 1000 threads of 8 MiB stacks in 1 GiB: thread creation fails inside OpenMP.
  result = run_cli("--version >/dev/null; ulimit -v 1048576; " + std::string(CHOKEPOINT_CLI) + " run " + small +
                   " --paths 5000 --backend cpu --quiet --threads 1000 --out " + quoted((directory_ / "t").string()));
  EXPECT_EQ(result.exit_code, 3) << result.output;
}
#endif

}  // namespace
}  // namespace chokepoint::testing
