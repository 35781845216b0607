// Mixed precision (float normals and factor exp, double chain; precision.hpp) against the
// all-double reference: the same paths to ≈1e-6, and summaries far inside the Monte Carlo error.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "chokepoint/summary_io.hpp"
#include "chokepoint/trajectory_csv.hpp"
#include "test_support.hpp"

namespace chokepoint {
namespace {

using testing::read_text;

double relative_difference(double a, double b) { return std::fabs(a - b) / std::fmax(std::fabs(b), 1e-300); }

TEST(Precision, MixedFollowsTheReferencePathByPath) {
  const Scenario scenario = load_scenario(testing::source_path("scenarios/baseline.json"));
  double worst_demand = 0.0, worst_fleet = 0.0, worst_capacity = 0.0;
  for (std::uint64_t path = 0; path < 64; ++path) {
    const std::vector<TrajectoryPoint> mixed = trace_path(scenario, 5, path, Precision::mixed);
    const std::vector<TrajectoryPoint> reference = trace_path(scenario, 5, path, Precision::reference);
    for (std::size_t s = 0; s < mixed.size(); ++s) {
      worst_demand = std::fmax(worst_demand, relative_difference(mixed[s].token_demand, reference[s].token_demand));
      worst_fleet = std::fmax(worst_fleet, relative_difference(mixed[s].installed_base, reference[s].installed_base));
      worst_capacity = std::fmax(worst_capacity, relative_difference(mixed[s].token_capacity, reference[s].token_capacity));
    }
  }
  // Float normals and a float exp: a few float ulps (6e-8) per step, summed over the steps.
  EXPECT_LT(worst_demand, 1e-5);
  EXPECT_LT(worst_fleet, 1e-5);
  EXPECT_LT(worst_capacity, 1e-5);
  // And not the same numbers: the test would pass vacuously if mixed silently ran reference.
  EXPECT_GT(worst_demand, 0.0);
}

TEST(Precision, MixedSummaryIsWithinAHundredthOfAStandardErrorOfTheReference) {
  const Scenario scenario = load_scenario(testing::source_path("scenarios/baseline.json"));
  RunOptions options;
  options.paths = 2000;
  options.seed = 9;
  options.backend = "cpu";
  options.threads = 2;
  options.precision = Precision::reference;
  const Summary reference = run(scenario, options);
  options.precision = Precision::mixed;
  const Summary mixed = run(scenario, options);
  EXPECT_EQ(reference.precision, "reference");
  EXPECT_EQ(mixed.precision, "mixed");
  int compared = 0;
  for (std::size_t v = 0; v < mixed.variables.size(); ++v)
    for (std::size_t y = 0; y < mixed.variables[v].years.size(); ++y) {
      const YearStatistics& a = mixed.variables[v].years[y];
      const YearStatistics& b = reference.variables[v].years[y];
      if (b.se == 0.0) continue;
      EXPECT_LE(std::fabs(a.mean - b.mean), 0.01 * b.se) << mixed.variables[v].name << " year " << b.year;
      ++compared;
    }
  EXPECT_GT(compared, 100);
}

TEST(Precision, TheSummaryRecordsWhichPrecisionRan) {
  Summary summary;
  summary.scenario = "x";
  summary.backend = "cpu";
  summary.precision = "reference";
  EXPECT_NE(summary_json_text(summary).find("\"precision\": \"reference\""), std::string::npos);
  EXPECT_EQ(RunOptions{}.precision, Precision::mixed) << "mixed is the default";
}

TEST(Precision, TheCommandLineRunsAndRecordsTheChosenPrecision) {
  const std::string dir = testing::unique_test_directory("precision");
  const testing::CommandResult result = testing::run_cli(
      "run " + testing::source_path("tests/scenarios/small.json") + " --paths 300 --seed 4 --per-path 2 --quiet " +
      "--precision reference --out " + dir);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const std::string summary = read_text(dir + "/summary.json");
  EXPECT_NE(summary.find("\"precision\": \"reference\""), std::string::npos);
  const Scenario scenario = load_scenario(testing::source_path("tests/scenarios/small.json"));
  EXPECT_EQ(read_text(dir + "/paths.csv"), trajectory_csv_text(scenario, 4, 2, Precision::reference))
      << "paths.csv follows the run's precision";
  EXPECT_NE(read_text(dir + "/paths.csv"), trajectory_csv_text(scenario, 4, 2, Precision::mixed));
}

}  // namespace
}  // namespace chokepoint
