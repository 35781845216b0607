// Bad input (docs/scenario-format.md): every malformed scenario in tests/bad/ must be refused
// with exit code 2 and a message naming the file, the JSON path, and what was expected or found.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace chokepoint::testing {
namespace {

namespace fs = std::filesystem;

std::string bad_file(const std::string& name) { return source_path("tests/bad/" + name); }

// Counts the problems a failed validation printed, from its last line "N problem(s) found".
int reported_problems(const std::string& output) {
  const std::size_t end = output.rfind(" problem");
  if (end == std::string::npos) return -1;
  const std::size_t start = output.rfind('\n', end);
  return std::stoi(output.substr(start == std::string::npos ? 0 : start + 1, end));
}

struct BadScenario {
  const char* file;      // under tests/bad/
  const char* path;      // the JSON path the first relevant problem names ("" for the whole file)
  const char* fragment;  // a piece of its expected/found text
  int problems;          // how many problems validation reports in all
  const char* reported_in = nullptr;  // the file the problem is in, when not `file` (extends chains)
};

// nesting_too_deep.json: the top-level object, then arrays; the 32nd array is one too many.
std::string deep_path() {
  std::string path = "description";
  for (int level = 1; level < 32; ++level) path += "[0]";
  return path;
}
const std::string kDeepPath = deep_path();

// One line per file of tests/bad/; NamesEveryBadFile checks that none is left out.
const BadScenario kBadScenarios[] = {
    {"syntax_error.json", "(line 4, column 58)", "syntax error", 1},
    {"number_overflow.json", "(line 12, column 37)", "a number too large for a double", 1},
    {"top_level_array.json", "", "a JSON object at the top level, found an array of 1 element", 1},
    {"duplicate_stage_name.json", "stages.cowos", "the key \"cowos\" a second time", 1},
    {"string_for_number.json", "stages.cowos.capacity_per_year", "found the string \"3e5\"", 1},
    {"time_wrong_type.json", "time", "found the string \"2025-2028\"", 1},
    {"unknown_key_top.json", "descripton", "did you mean \"description\"", 1},
    // The typo also leaves the real key missing: two problems, and the missing key once only.
    {"unknown_key_nested.json", "stages.cowos.capacity_per_yaer", "did you mean \"capacity_per_year\"", 2},
    {"missing_steps_per_year.json", "time.steps_per_year", "the key is missing", 1},
    {"missing_name.json", "name", "the key is missing", 1},
    {"steps_per_year_3.json", "time.steps_per_year", "expected 1, 2, 4 or 12, found the number 3", 1},
    {"negative_capacity.json", "stages.cowos.capacity_per_year", "an annual capacity > 0, found the number -3", 1},
    {"yield_above_one.json", "stages.cowos.yield", "a yield in (0, 1], found the number 1.2", 1},
    {"negative_sigma.json", "factors.cowos.sigma", "found the number -0.2", 1},
    {"persistence_one.json", "factors.token_demand.persistence", "in [0, 1), found the number 1", 1},
    {"correlation_not_psd.json", "correlations", "smallest eigenvalue -0.8", 1},
    {"correlation_above_one.json", "correlations.token_demand.throughput", "in [-1, 1], found the number 1.3", 1},
    {"correlation_unknown_factor.json", "correlations.cowos.powr", "did you mean \"power\"", 1},
    {"correlation_duplicate_pair.json", "correlations.throughput.token_demand", "each pair written once", 1},
    {"dangling_stage_factor.json", "stages.cowos.factor", "\"cowoss\" (did you mean \"cowos\"?)", 1},
    {"dangling_event_target.json", "events.quake.targets.hbm", "a stage declared in \"stages\", found \"hbm\"", 1},
    {"empty_stages.json", "stages", "at least one stage", 1},
    // demand and throughput must name a factor, so they are reported too.
    {"empty_factors.json", "factors", "at least one factor", 3},
    {"unknown_distribution.json", "stages.cowos.yield.dist", "found the string \"gamma\"", 1},
    {"normal_unbounded_positive.json", "useful_life_years", "values from -inf to inf", 1},
    {"lognormal_p95_below_median.json", "demand.tokens_per_year.p95", "p95 > median", 1},
    {"triangular_mode_outside.json", "useful_life_years.mode", "min ≤ mode ≤ max, found the number 8", 1},
    {"schedule_bad_year_key.json", "price.usd_per_million_tokens.later", "a calendar year as the key", 1},
    {"schedule_starts_late.json", "stages.cowos.per_unit.2026", "at or before time.start_year (2025)", 1},
    {"event_severity_above_one.json", "events.quake.severity", "a severity in [0, 1], found the number 1.5", 1},
    {"forced_year_outside_run.json", "events.quake.forced.year", "from 2025 to 2028, found the number 2035", 1},
    {"threshold_unknown_variable.json", "report.thresholds[0].variable", "did you mean \"produced_units\"", 1},
    {"useful_life_below_step.json", "useful_life_years", "at least one step (0.25 years), found the number 0.1", 1},
    {"extends_missing_parent.json", "extends", "no such file", 1},
    // The cycle closes in the second file of the chain, which names the first.
    {"extends_cycle_a.json", "extends", "already in the chain", 1, "extends_cycle_b.json"},
    {"extends_cycle_b.json", "extends", "already in the chain", 1, "extends_cycle_a.json"},
    {"quantile_above_one.json", "report.quantiles[2]", "a probability in (0, 1), found the number 1.5", 1},
    {"several_problems.json", "descripton", "did you mean \"description\"", 5},
    // Names (docs/errors.md, "Names"): shown escaped, refused before anything is compiled.
    {"stage_name_newline.json", "stages.power\\nforged,row", "ASCII letters, digits, '_' or '-'", 1},
    {"stage_name_formula.json", "stages.=HYPERLINK(\"http://x\")", "ASCII letters, digits, '_' or '-'", 1},
    {"factor_name_terminal_escape.json", "factors.power\\x1b]0;owned\\x07", "ASCII letters, digits", 1},
    {"parameter_name_with_space.json", "stages.cowos.yield.name", "found the string \"cowos yield\"", 1},
    {"unit_formula.json", "stages.cowos.unit", "not starting with = + - @", 1},
    {"stage_names_collide.json", "stages.used", "\"capacity_units.used\" reported twice by stages.capacity_units", 1},
    {"lognormal_both_parametrisations.json", "demand.tokens_per_year", "not both, found both (median and mean)", 1},
    // Limits (docs/errors.md, "Limits").
    {"too_many_quantiles.json", "report.quantiles", "at most 99 quantile levels, found 100", 1},
    {"nesting_too_deep.json", kDeepPath.c_str(), "arrays and objects nested at most 32 deep", 1},
    {"syntax_error_secret.json", "(line 3, column 11)", "syntax error while parsing value - invalid literal", 1},
    // extends (docs/errors.md, "extends"): contained, and problems in a parent filed there.
    {"extends_absolute.json", "extends", "found an absolute path, the string \"/etc/passwd\"", 1},
    {"extends_dot_dot.json", "extends", "a parent inside this file's directory (no \"..\")", 1},
    {"extends_parent_negative_capacity.json", "stages.cowos.capacity_per_year",
     "found the number -300000.0 (through \"extends\": ", 1, "negative_capacity.json"},
    {"extends_parent_syntax_error.json", "(line 3, column 11)", "invalid literal (through \"extends\": ", 1,
     "syntax_error_secret.json"},
};

class BadInput : public ::testing::TestWithParam<BadScenario> {};

TEST_P(BadInput, ValidateExitsTwoNamingFilePathAndProblem) {
  const BadScenario& bad = GetParam();
  const std::string file = bad_file(bad.file);
  const CommandResult result = run_cli("validate " + quoted(file));
  SCOPED_TRACE(result.output);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find(file), std::string::npos) << "the output does not name " << file;
  // "FILE: PATH: expected …": the path belongs to the problem in that file.
  const std::string location = bad_file(bad.reported_in ? bad.reported_in : bad.file) + ": " +
                               (*bad.path ? std::string(bad.path) + ": " : std::string()) + "expected";
  EXPECT_NE(result.output.find(location), std::string::npos) << "no problem at \"" << location << "\"";
  EXPECT_NE(result.output.find(bad.fragment), std::string::npos) << "no \"" << bad.fragment << "\"";
  EXPECT_EQ(reported_problems(result.output), bad.problems);
}

std::string test_name(const ::testing::TestParamInfo<BadScenario>& info) {
  std::string name = info.param.file;
  name = name.substr(0, name.find('.'));
  std::replace_if(name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(EveryFile, BadInput, ::testing::ValuesIn(kBadScenarios), test_name);

TEST(BadInputFiles, NamesEveryBadFile) {
  std::vector<std::string> listed;
  for (const BadScenario& bad : kBadScenarios) listed.push_back(bad.file);
  int files = 0;
  for (const auto& entry : fs::directory_iterator(source_path("tests/bad"))) {
    if (entry.path().extension() != ".json") continue;
    ++files;
    const std::string name = entry.path().filename().string();
    EXPECT_NE(std::find(listed.begin(), listed.end(), name), listed.end()) << name << " has no line in kBadScenarios";
  }
  EXPECT_EQ(files, static_cast<int>(listed.size()));
  EXPECT_GE(files, 24);
}

TEST(BadInputFiles, SeveralProblemsAreAllReportedInOneRun) {
  const std::string file = bad_file("several_problems.json");
  const CommandResult result = run_cli("validate " + quoted(file));
  SCOPED_TRACE(result.output);
  EXPECT_EQ(result.exit_code, 2);
  const char* paths[] = {"descripton", "factors.cowos.sigma", "stages.cowos.yield", "events.quake.targets.hbm",
                         "report.quantiles[2]"};
  for (const char* path : paths)
    EXPECT_NE(result.output.find(file + ": " + path + ": expected"), std::string::npos) << path;
  EXPECT_NE(result.output.find("5 problems found"), std::string::npos);
}

TEST(BadInputFiles, FileThatFailsToParseIsNeverQuoted) {
  for (const char* name : {"syntax_error_secret.json", "extends_parent_syntax_error.json"}) {
    const CommandResult result = run_cli("validate " + quoted(bad_file(name)));
    EXPECT_EQ(result.exit_code, 2) << result.output;
    EXPECT_EQ(result.output.find("SECRET"), std::string::npos) << result.output;
  }
}

TEST(BadInputFiles, ControlCharactersInNamesAreShownEscaped) {
  for (const char* name : {"stage_name_newline.json", "factor_name_terminal_escape.json"}) {
    const CommandResult result = run_cli("validate " + quoted(bad_file(name)));
    EXPECT_EQ(result.exit_code, 2) << result.output;
    EXPECT_EQ(result.output.find('\x1b'), std::string::npos) << result.output;
    EXPECT_EQ(result.output.find('\x07'), std::string::npos) << result.output;
    EXPECT_EQ(result.output.find("\nforged"), std::string::npos) << result.output;  // no forged line
  }
}

TEST(BadInputFiles, NotPositiveSemiDefiniteNamesTheFactors) {
  const CommandResult result = run_cli("validate " + quoted(bad_file("correlation_not_psd.json")));
  EXPECT_EQ(result.exit_code, 2);
  for (const char* factor : {"token_demand", "throughput", "cowos"})
    EXPECT_NE(result.output.find(factor), std::string::npos) << factor << "\n" << result.output;
  EXPECT_NE(result.output.find("repair_correlations"), std::string::npos) << result.output;
}

TEST(BadInputCli, RunOnBadScenarioExitsTwoAndWritesNothing) {
  const fs::path out = chokepoint::testing::unique_test_directory("chokepoint_bad_input_run");
  fs::remove_all(out);
  const CommandResult result =
      run_cli("run " + quoted(bad_file("negative_capacity.json")) + " --paths 10 --out " + quoted(out.string()));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("stages.cowos.capacity_per_year"), std::string::npos) << result.output;
  EXPECT_FALSE(fs::exists(out / "summary.json"));
  fs::remove_all(out);
}

TEST(BadInputCli, MissingScenarioFileExitsTwoNamingIt) {
  const std::string missing = source_path("tests/bad/no_such_scenario.json");
  for (const std::string& arguments : {"validate " + quoted(missing), "run " + quoted(missing) + " --quiet"}) {
    const CommandResult result = run_cli(arguments);
    SCOPED_TRACE(arguments + "\n" + result.output);
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.output.find(missing + ": expected a readable scenario file, found no such file"),
              std::string::npos);
  }
}

TEST(BadInputCli, DirectoryInsteadOfScenarioExitsTwo) {
  const std::string directory = source_path("tests/bad");
  const CommandResult result = run_cli("validate " + quoted(directory));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find(directory + ": expected a readable scenario file, found a directory"), std::string::npos)
      << result.output;
}

TEST(BadInputCli, BadArgumentsExitTwo) {
  const std::string small = quoted(source_path("tests/scenarios/small.json"));
  const struct {
    std::string arguments;
    const char* mentions;
  } cases[] = {
      {"run " + small + " --paths 0", "--paths"},
      {"run " + small + " --backend tpu", "tpu"},
      {"run " + small + " --no-such-option", "--no-such-option"},
      {"validate", "scenario"},
      {"", "subcommand"},
  };
  for (const auto& bad : cases) {
    const CommandResult result = run_cli(bad.arguments);
    SCOPED_TRACE(bad.arguments + "\n" + result.output);
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.output.find(bad.mentions), std::string::npos);
  }
}

TEST(BadInputCli, SmallScenarioIsValid) {
  const CommandResult result = run_cli("validate " + quoted(source_path("tests/scenarios/small.json")));
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("is valid"), std::string::npos) << result.output;
}

// In-process: the problems travel as fields, not only as text.
std::vector<InputProblem> problems_of(const std::string& text) {
  try {
    load_scenario_text(text, "inline.json");
  } catch (const InputError& error) {
    return error.problems();
  }
  ADD_FAILURE() << "the scenario was accepted:\n" << text;
  return {};
}

TEST(BadInputInProcess, MinimalScenarioIsValid) {
  EXPECT_NO_THROW(load_scenario_text(minimal_scenario(), "inline.json"));
}

TEST(BadInputInProcess, ProblemCarriesFilePathExpectedAndFound) {
  const std::vector<InputProblem> problems = problems_of(minimal_scenario(R"({"growth": 0.5, "sigma": -1})"));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].file, "inline.json");
  EXPECT_EQ(problems[0].path, "factors.token_demand.sigma");
  EXPECT_NE(problems[0].expected.find("volatility ≥ 0"), std::string::npos) << problems[0].expected;
  EXPECT_EQ(problems[0].found, "the number -1");
  EXPECT_EQ(problems[0].message().rfind("inline.json: factors.token_demand.sigma: expected ", 0), 0u);
}

TEST(BadInputInProcess, UnknownKeySuggestsTheKnownOne) {
  const std::vector<InputProblem> problems =
      problems_of(minimal_scenario(R"({"growth": 0.5, "sigma": 0.0, "persistance": 0.5})"));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].path, "factors.token_demand.persistance");
  EXPECT_EQ(problems[0].found, "unknown key \"persistance\" (did you mean \"persistence\"?)");
  EXPECT_NE(problems[0].expected.find("persistence"), std::string::npos);
}

TEST(BadInputInProcess, SyntaxErrorGivesLineAndColumn) {
  const std::vector<InputProblem> problems = problems_of("{\n  \"name\": \"x\",\n  \"time\": {,}\n}");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].path, "(line 3, column 12)");
  EXPECT_NE(problems[0].found.find("syntax error"), std::string::npos) << problems[0].found;
}

TEST(BadInputInProcess, EveryProblemIsCollected) {
  const std::vector<InputProblem> problems = problems_of(
      minimal_scenario(R"({"growth": -2, "sigma": "high"})", 3, 3, R"(, "report": {"quantiles": [0, 0.5, 1]})"));
  std::vector<std::string> paths;
  for (const InputProblem& problem : problems) paths.push_back(problem.path);
  const std::vector<std::string> expected = {"time.steps_per_year", "factors.token_demand.growth",
                                             "factors.token_demand.sigma", "report.quantiles[0]",
                                             "report.quantiles[2]"};
  EXPECT_EQ(paths, expected);
}

TEST(BadInputInProcess, MissingRequiredValueIsReportedOnce) {
  std::string text = minimal_scenario();
  const std::string capacity = R"("capacity_per_year": 1e12, )";
  ASSERT_NE(text.find(capacity), std::string::npos);
  text.erase(text.find(capacity), capacity.size());
  const std::vector<InputProblem> problems = problems_of(text);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].path, "stages.cowos.capacity_per_year");
  EXPECT_EQ(problems[0].found, "nothing (the key is missing)");
}

TEST(BadInputInProcess, BrokenTimeIsNotReportedAgainThroughYears) {
  // With steps_per_year wrong there is no run to place 2026 in; the year must not be blamed.
  const std::vector<InputProblem> problems = problems_of(minimal_scenario(
      R"({"growth": 0.5, "sigma": 0.0})", 5, 3,
      R"(, "report": {"thresholds": [{"variable": "produced_units", "year": 2026, "at_least": 1}]})"));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].path, "time.steps_per_year");
}

TEST(BadInputInProcess, DuplicateKeyIsReportedWithItsPath) {
  std::string text = minimal_scenario();
  const std::string stages = R"("stages": {)";
  text.insert(text.find(stages) + stages.size(),
              R"("cowos": {"type": "flow", "capacity_per_year": 1, "per_unit": 1}, )");
  const std::vector<InputProblem> problems = problems_of(text);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].path, "stages.cowos");
  EXPECT_EQ(problems[0].found, "the key \"cowos\" a second time");
}

}  // namespace
}  // namespace chokepoint::testing
