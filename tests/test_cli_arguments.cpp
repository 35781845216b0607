// Numeric arguments (docs/errors.md, "Arguments"): a seed is a whole number in [0, 2^64), a
// path count one in [1, 10^9]; anything else exits 2 naming the argument, where CLI11 alone
// saturated "18446744073709551616" to 2^64 − 1 and let 2^62 paths overflow the result size.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "test_support.hpp"

namespace chokepoint::testing {
namespace {

namespace fs = std::filesystem;

std::string small_scenario() { return "'" + source_path("tests/scenarios/small.json") + "'"; }

void expect_refused(const std::string& arguments, const std::string& fragment) {
  const CommandResult result = run_cli(arguments);
  SCOPED_TRACE(arguments + "\n" + result.output);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find(fragment), std::string::npos) << "no \"" << fragment << "\"";
}

TEST(CliArguments, SeedsOutsideTheRangeOfSixtyFourBitsExitTwo) {
  for (const char* seed : {"18446744073709551616", "99999999999999999999999", "-1", "1e3", "0x10", "+5", " 7", "seven"})
    expect_refused("run " + small_scenario() + " --quiet --paths 8 --seed='" + seed + "'",
                   "expected a seed, a whole number from 0 to 18446744073709551615");
}

TEST(CliArguments, PathCountsOutsideTheDocumentedRangeExitTwo) {
  for (const char* paths : {"0", "1000000001", "4611686018427387904", "18446744073709551617", "-5", "1e9", "10.5"}) {
    expect_refused("run " + small_scenario() + " --quiet --paths='" + paths + "'",
                   "expected a number of paths, a whole number from 1 to 1000000000");
    expect_refused("calibrate " + small_scenario() + " --targets x.json --paths='" + paths + "'",
                   "expected a number of paths, a whole number from 1 to 1000000000");
  }
  expect_refused("run " + small_scenario() + " --quiet --per-path 4611686018427387904", "a number of paths");
}

TEST(CliArguments, ThreadCountsAreBounded) {
  expect_refused("run " + small_scenario() + " --quiet --paths 8 --threads 5000", "expected a number of threads");
  expect_refused("run " + small_scenario() + " --quiet --paths 8 --threads=-1", "expected a number of threads");
}

TEST(CliArguments, TheLargestSeedRuns) {
  for (const char* seed : {"0", "18446744073709551615"}) {
    const std::string out = unique_test_directory("chokepoint_cli_arguments") + "_" + seed;
    fs::remove_all(out);
    const CommandResult result = run_cli("run " + small_scenario() + " --quiet --paths 8 --seed " + seed + " --out '" + out + "'");
    EXPECT_EQ(result.exit_code, 0) << result.output;
    EXPECT_TRUE(fs::exists(fs::path(out) / "summary.json"));
    fs::remove_all(out);
  }
}

}  // namespace
}  // namespace chokepoint::testing
