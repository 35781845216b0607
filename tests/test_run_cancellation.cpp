// A front end stops a run by throwing from the progress callback (Python's Ctrl-C does): the
// CPU backend must carry the exception out of its OpenMP threads, skip the remaining batches,
// and leave the library usable. patch_scenario must equal a stress file that extends its base.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "chokepoint/engine.hpp"
#include "chokepoint/summary_io.hpp"
#include "test_support.hpp"

namespace chokepoint {
namespace {

struct StopRun {};

TEST(RunCancellation, AnExceptionFromProgressStopsTheRunAndComesOut) {
  const Scenario scenario = load_scenario(testing::source_path("tests/scenarios/small.json"));
  int reports = 0;
  RunOptions options;
  options.paths = 200000;  // 782 batches of 256 paths
  options.threads = 2;
  options.backend = "cpu";
  options.progress = [&reports](double fraction) {
    ++reports;
    if (fraction > 0.01) throw StopRun{};
  };
  EXPECT_THROW(run(scenario, options), StopRun);
  EXPECT_LT(reports, 20) << "batches went on reporting after the throw";

  // The library is usable afterwards and gives the run it would have given.
  RunOptions small;
  small.paths = 500;
  small.threads = 2;
  small.backend = "cpu";
  const std::string first = summary_csv_text(run(scenario, small));
  small.progress = [](double) {};
  EXPECT_EQ(summary_csv_text(run(scenario, small)), first);
}

TEST(PatchScenario, EqualsTheSameStressWrittenWithExtends) {
  const std::string base_file = testing::source_path("tests/scenarios/small.json");
  const std::string patch =
      R"({"name": "patched", "factors": {"token_demand": {"growth": {"2026": 1.5}, "persistence": null}},
          "stages": {"power": {"additions_per_year": 1000}}})";
  const Scenario patched = patch_scenario(load_scenario(base_file), patch, "patch.json");
  // A parent must lie in the extending file's directory: the stress and a copy of its base share one.
  const std::filesystem::path directory = testing::unique_test_directory("patch");
  std::filesystem::create_directories(directory);
  std::filesystem::copy_file(base_file, directory / "small.json");
  const std::string stress_file = (directory / "stress.json").string();
  std::ofstream(stress_file) << R"({"extends": "small.json", )" << patch.substr(1);
  const Scenario extended = load_scenario(stress_file);
  EXPECT_EQ(patched.resolved_json, extended.resolved_json);
  EXPECT_NE(patched.resolved_json.find(R"("2025": 1.0,)"), std::string::npos);
  EXPECT_LT(patched.resolved_json.find(R"("2026": 1.5)"), patched.resolved_json.find(R"("2027": 0.5)"));
  EXPECT_EQ(patched.resolved_json.find("persistence"), std::string::npos);
  std::filesystem::remove_all(directory);
}

TEST(PatchScenario, ReportsEveryProblemOfTheResultUnderThePatchsName) {
  const Scenario base = load_scenario(testing::source_path("tests/scenarios/small.json"));
  try {
    patch_scenario(base, R"({"stages": {"cowos": {"yield": 2}}, "factors": {"power": {"sigma": -1}}})", "edit");
    FAIL() << "expected an InputError";
  } catch (const InputError& error) {
    ASSERT_EQ(error.problems().size(), 2u);
    for (const InputProblem& problem : error.problems()) EXPECT_EQ(problem.file, "edit");
  }
}

}  // namespace
}  // namespace chokepoint
