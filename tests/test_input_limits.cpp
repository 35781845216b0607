// Bounded parsing (docs/errors.md, "Limits"): a scenario's text costs time and memory in
// proportion to its size, whatever its shape; messages never carry raw control characters; a
// file that fails to parse is never quoted.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "scenario/bounded_json.hpp"
#include "scenario/input_limits.hpp"
#include "scenario/input_problems.hpp"
#include "scenario/input_rules.hpp"
#include "test_support.hpp"

namespace chokepoint::testing {
namespace {

// The problems loading `text` reports (none when it loads).
std::vector<InputProblem> problems_of(const std::string& text) {
  try {
    load_scenario_text(text, "limits.json");
  } catch (const InputError& error) {
    return error.problems();
  }
  return {};
}

std::string all_messages(const std::vector<InputProblem>& problems) {
  std::string text;
  for (const InputProblem& problem : problems) text += problem.message() + "\n";
  return text;
}

double seconds_to_parse(const std::string& text) {
  const auto start = std::chrono::steady_clock::now();
  (void)parse_bounded_json(text, "limits.json");
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}


// Generous bounds: a shape that is quadratic takes minutes or gigabytes on these sizes, a linear
// parse well under a second even under the sanitizers.
constexpr double kLinearSeconds = 5.0;

TEST(InputLimits, NestingBeyondTheLimitStopsAtTheLimitAndCostsLittle) {
  // A megabyte of '[': the old duplicate-key finder kept a path per open container (quadratic
  // memory: 40 KB of '[' took 3 GB).
  const std::string text = "{\"description\": " + std::string(kMaxScenarioBytes - 20, '[');
  std::vector<InputProblem> problems;
  const auto start = std::chrono::steady_clock::now();
  problems = problems_of(text);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), kLinearSeconds);
  ASSERT_EQ(problems.size(), 1u) << all_messages(problems);
  EXPECT_EQ(problems[0].expected, "arrays and objects nested at most 32 deep");
  EXPECT_EQ(problems[0].path.rfind("description[0][0]", 0), 0u) << problems[0].path;
}

// `containers` arrays (or objects) of `members` empty objects each, under "description".
std::string wide_document(int containers, std::size_t members, bool objects) {
  std::string text = "{\"description\": [";
  for (int c = 0; c < containers; ++c) {
    text += c ? (objects ? ",{" : ",[") : (objects ? "{" : "[");
    for (std::size_t i = 0; i < members; ++i) {
      if (i) text += ",";
      if (objects) text += "\"k" + std::to_string(i) + "\":";
      text += "{}";
    }
    text += objects ? "}" : "]";
  }
  return text + "]}";
}

// The same number of members, held in containers of the largest width or in eight times as many
// containers of an eighth of it: the same bytes and the same memory, so a linear parser takes
// about the same time for both, while a cost quadratic in a container's width is eight times
// higher for the wide one. The fastest of three interleaved rounds of each, since other work on
// the machine only ever adds time. Only the parse is timed: that is where the cost was quadratic.
void expect_linear_in_width(bool objects, int wide_containers) {
  const std::string narrow_text = wide_document(8 * wide_containers, kMaxContainerElements / 8, objects);
  const std::string wide_text = wide_document(wide_containers, kMaxContainerElements, objects);
  ASSERT_LT(wide_text.size(), kMaxScenarioBytes);
  double narrow = 1e9, wide = 1e9;
  for (int round = 0; round < 3; ++round) {
    narrow = std::min(narrow, seconds_to_parse(narrow_text));
    wide = std::min(wide, seconds_to_parse(wide_text));
  }
  EXPECT_LT(wide / narrow, 3.0) << narrow << " s in narrow containers, " << wide << " s in wide ones";
  // Parsed whole; then the compiler finds the description is not a string.
  const std::string messages = all_messages(problems_of(wide_text));
  EXPECT_NE(messages.find("limits.json: description: expected a string, found an array of " +
                          std::to_string(wide_containers) + " elements"),
            std::string::npos) << messages;
}

TEST(InputLimits, ManyObjectsInArraysParseInLinearTime) {
  // The old finder rescanned the parent at each object's end: quadratic in an array's length.
  expect_linear_in_width(false, 6);
}

TEST(InputLimits, ObjectsWithManyKeysParseInLinearTime) {
  // An ordered object looks a key up by scanning its members; the builder knows each key is
  // new (it checked) and appends without scanning.
  expect_linear_in_width(true, 2);
}

TEST(InputLimits, ContainerBeyondTheElementLimitIsRefusedWithItsPath) {
  std::string text = "{\"description\": [0";
  for (std::size_t i = 1; i <= kMaxContainerElements; ++i) text += ",0";
  text += "]}";
  const std::vector<InputProblem> problems = problems_of(text);
  ASSERT_EQ(problems.size(), 1u) << all_messages(problems);
  EXPECT_EQ(problems[0].path, "description[10000]");
  EXPECT_EQ(problems[0].expected, "at most 10000 elements in one array or object");
}

TEST(InputLimits, DuplicateKeyDeepInsideIsFoundWithItsPath) {
  std::string open, close;
  for (int level = 0; level < 30; ++level) {
    open += "{\"k" + std::to_string(level) + "\": ";
    close += "}";
  }
  const std::vector<InputProblem> problems = problems_of("{\"description\": " + open + "{\"a\": 1, \"a\": 2}" + close + "}");
  ASSERT_FALSE(problems.empty());
  std::string path = "description";
  for (int level = 0; level < 30; ++level) path += ".k" + std::to_string(level);
  EXPECT_EQ(problems[0].path, path + ".a");
  EXPECT_EQ(problems[0].found, "the key \"a\" a second time");
}

TEST(InputLimits, TextAboveTheSizeLimitIsRefused) {
  const std::string text = "{\"description\": \"" + std::string(kMaxScenarioBytes, 'x') + "\"}";
  const std::vector<InputProblem> problems = problems_of(text);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].expected, "at most 1048576 bytes of JSON");
}

TEST(InputLimits, ProblemsBeyondTheCapAreCountedNotListed) {
  std::string text = "{";
  for (int i = 0; i < 150; ++i) text += (i ? ",\"unknown" : "\"unknown") + std::to_string(i) + "\": 0";
  text += "}";
  const std::vector<InputProblem> problems = problems_of(text);
  ASSERT_EQ(problems.size(), kMaxReportedProblems + 1);
  EXPECT_NE(problems.back().found.find(" more, not listed"), std::string::npos) << problems.back().found;
}

TEST(InputLimits, SyntaxErrorsGivePositionAndKindButNeverTheText) {
  // Each input fails to parse at a token that holds the secret; the lexer's message would quote it.
  const char* inputs[] = {
      "{\"name\": SECRET}",                  // invalid literal
      "{\"name\": \"SECRET",                 // unterminated string
      "{\"name\": 1.5SECRET}",               // number followed by junk
      "{\"name\": \"SE\x01" "CRET\"}",       // control character inside a string
      "SECRET",                              // not JSON at all (a password file, say)
      "{\"name\": 1e999, \"x\": \"SECRET\"}",  // number overflow
  };
  for (const char* input : inputs) {
    const std::vector<InputProblem> problems = problems_of(input);
    ASSERT_EQ(problems.size(), 1u) << input;
    EXPECT_EQ(problems[0].path.rfind("(line 1, column ", 0), 0u) << problems[0].path;
    const std::string message = problems[0].message();
    EXPECT_EQ(message.find("SECRET"), std::string::npos) << message;
    EXPECT_EQ(message.find("CRET"), std::string::npos) << message;
  }
}

TEST(InputLimits, TargetsFileThatFailsToParseIsNeverQuoted) {
  const std::string directory = unique_test_directory("chokepoint_input_limits");
  std::filesystem::create_directories(directory);
  const std::string targets = directory + "/targets.json";
  std::ofstream(targets) << "{\"targets\": [SECRET_TARGET_TOKEN]}";
  const CommandResult result = run_cli("calibrate '" + source_path("tests/scenarios/small.json") + "' --targets '" +
                                       targets + "' --paths 8 --out '" + directory + "/out'");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find(targets + ": (line 1, column 14): expected valid JSON"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("SECRET"), std::string::npos) << result.output;
  std::filesystem::remove_all(directory);
}

TEST(InputLimits, PrintableEscapesWhatATerminalWouldActOn) {
  EXPECT_EQ(printable("plain cowos.used"), "plain cowos.used");
  EXPECT_EQ(printable("a\nb\tc\r"), "a\\nb\\tc\\r");
  EXPECT_EQ(printable("\x1b[31mred"), "\\x1b[31mred");
  EXPECT_EQ(printable(std::string("nul\0byte", 8)), "nul\\x00byte");
  EXPECT_EQ(printable("\x7f"), "\\x7f");
  EXPECT_EQ(printable("\xc2\x9b" "2J"), "\\u009b2J");            // C1 control sequence introducer
  EXPECT_EQ(printable("abc\xe2\x80\xae" "cba"), "abc\\u202ecba");  // right-to-left override
  EXPECT_EQ(printable("\xff\xfe"), "\\xff\\xfe");                // not UTF-8
  EXPECT_EQ(printable("\xe2\x82"), "\\xe2\\x82");                // truncated sequence
  EXPECT_EQ(printable("CoWoS wafers, 5 µm ≤ x"), "CoWoS wafers, 5 µm ≤ x");
  EXPECT_EQ(printable(std::string(300, 'x'), 10), std::string(10, 'x') + "… (300 bytes in all)");
}

TEST(InputLimits, MessagesNeverCarryRawControlCharacters) {
  const std::vector<InputProblem> problems =
      problems_of("{\"name\": \"x\", \"bad\\u001b[2J\\u001b]0;t\\u0007\\n\": 1, \"stages\": {\"a\\nb\": 1}}");
  ASSERT_FALSE(problems.empty());
  for (const InputProblem& problem : problems) {
    const std::string message = problem.message();
    for (char c : message) EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20 || c == 0x7f) << message;
  }
}

TEST(InputLimits, NamesAreLettersDigitsUnderscoreAndHyphen) {
  for (const char* good : {"cowos", "CoWoS-L", "3nm_wafers", "hbm3e", "a", "taiwan-quake-2027"})
    EXPECT_TRUE(is_valid_name(good)) << good;
  for (const char* bad : {"", "-cowos", "_cowos", "=SUM(A1)", "+1", "@cmd", "a.b", "a b", "a,b", "a\nb", "a\"b",
                          "../x", "a/b", "é", "cowos\t"})
    EXPECT_FALSE(is_valid_name(bad)) << bad;
  EXPECT_TRUE(is_valid_name(std::string(kMaxNameBytes, 'a')));
  EXPECT_FALSE(is_valid_name(std::string(kMaxNameBytes + 1, 'a')));
}

TEST(InputLimits, ScenarioNameAndDerivedNamesFollowTheRule) {
  const std::string text = minimal_scenario(R"({"growth": 0.5, "sigma": 0.0})", 4, 3, R"(,
  "derived": {"=cost": {"unit": "USD", "kind": "flow", "terms": {"produced_units": 2}}})");
  std::string renamed = text;
  renamed.replace(renamed.find("\"minimal\""), 9, "\"mini/../x\"");
  const std::vector<InputProblem> problems = problems_of(renamed);
  ASSERT_EQ(problems.size(), 2u) << all_messages(problems);
  EXPECT_EQ(problems[0].path, "name");
  EXPECT_EQ(problems[1].path, "derived.=cost");
}

TEST(InputLimits, DerivedOutputsThresholdsAndQuantileLevelsAreBounded) {
  std::string derived = ",\n  \"derived\": {";
  for (std::size_t i = 0; i <= kMaxDerivedOutputs; ++i)
    derived += (i ? ",\"d" : "\"d") + std::to_string(i) + "\": {\"unit\": \"u\", \"kind\": \"flow\", \"terms\": {\"produced_units\": 1}}";
  derived += "},\n  \"report\": {\"thresholds\": [";
  for (std::size_t i = 0; i <= kMaxThresholds; ++i)
    derived += std::string(i ? "," : "") + "{\"variable\": \"produced_units\", \"year\": 2025, \"at_least\": 1}";
  derived += "]}";
  const std::vector<InputProblem> problems = problems_of(minimal_scenario(R"({"growth": 0.5, "sigma": 0.0})", 4, 3, derived));
  ASSERT_EQ(problems.size(), 2u) << all_messages(problems);
  EXPECT_EQ(problems[0].path, "derived");
  EXPECT_EQ(problems[0].found, std::to_string(kMaxDerivedOutputs + 1));
  EXPECT_EQ(problems[1].path, "report.thresholds");
}

}  // namespace
}  // namespace chokepoint::testing
