// Convergence traces of runs that do not keep their paths (reduce/streamed_convergence.hpp): the
// points a kept run traces over the first 2¹⁶ paths, bit for bit, then its last point at all the
// paths, and nothing between — whether the run streamed or was checkpointed.
#include <gtest/gtest.h>

#include <filesystem>

#include "chokepoint/engine.hpp"
#include "chokepoint/scale.hpp"
#include "reduce/streamed_convergence.hpp"
#include "test_support.hpp"

namespace chokepoint {
namespace {

bool same_point(const ConvergencePoint& a, const ConvergencePoint& b) {
  return a.paths == b.paths && a.mean == b.mean && a.mean_se == b.mean_se && a.median == b.median &&
         a.median_low == b.median_low && a.median_high == b.median_high;
}

// The kept run's trace as a streamed run must give it: the prefix points, then the last one.
std::vector<ConvergencePoint> expected_points(const ConvergenceTrace& kept, std::uint64_t paths) {
  std::vector<ConvergencePoint> points;
  for (const ConvergencePoint& point : kept.points)
    if (point.paths <= kTracedPrefixPaths || point.paths == paths) points.push_back(point);
  return points;
}

void expect_traces_of_kept_run(const Summary& kept, const Summary& other, const std::string& route) {
  ASSERT_EQ(kept.convergence.size(), other.convergence.size()) << route;
  ASSERT_FALSE(kept.convergence.empty());
  for (std::size_t t = 0; t < kept.convergence.size(); ++t) {
    const ConvergenceTrace& trace = other.convergence[t];
    EXPECT_EQ(trace.variable, kept.convergence[t].variable);
    EXPECT_EQ(trace.year, kept.convergence[t].year);
    const std::vector<ConvergencePoint> expected = expected_points(kept.convergence[t], kept.paths);
    ASSERT_EQ(trace.points.size(), expected.size()) << route << " " << trace.variable << " " << trace.year;
    for (std::size_t i = 0; i < expected.size(); ++i)
      EXPECT_TRUE(same_point(trace.points[i], expected[i]))
          << route << " " << trace.variable << " " << trace.year << " at " << expected[i].paths << " paths";
    EXPECT_EQ(trace.points.back().paths, kept.paths);
  }
}

TEST(StreamedConvergence, IsTheKeptRunsTraceOverTheFirstPathsAndAtTheEnd) {
  const Scenario scenario = load_scenario(testing::source_path("tests/scenarios/small.json"));
  RunOptions options;
  options.paths = kTracedPrefixPaths + 4321;  // past the traced prefix, and not a power of two
  options.seed = 17;
  options.threads = 2;
  options.backend = "cpu";
  const Summary kept = run(scenario, options);

  RunOptions streamed = options;
  streamed.keep_paths_up_to_bytes = 1;  // nothing fits: every path streams
  expect_traces_of_kept_run(kept, run(scenario, streamed), "streamed");

  const std::filesystem::path directory = testing::fresh_test_directory("checkpoint");
  streamed.threads = 1;
  expect_traces_of_kept_run(kept, run_checkpointed(scenario, streamed, directory.string(), 20000), "checkpointed");
}

TEST(StreamedConvergence, ARunWithinThePrefixIsTracedWhole) {
  const Scenario scenario = load_scenario(testing::source_path("tests/scenarios/small.json"));
  RunOptions options;
  options.paths = 3000;
  options.seed = 5;
  options.backend = "cpu";
  const Summary kept = run(scenario, options);
  options.keep_paths_up_to_bytes = 1;
  const Summary streamed = run(scenario, options);
  ASSERT_EQ(kept.convergence.size(), streamed.convergence.size());
  for (std::size_t t = 0; t < kept.convergence.size(); ++t) {
    ASSERT_EQ(kept.convergence[t].points.size(), streamed.convergence[t].points.size());
    for (std::size_t i = 0; i < kept.convergence[t].points.size(); ++i)
      EXPECT_TRUE(same_point(kept.convergence[t].points[i], streamed.convergence[t].points[i]));
  }
}

}  // namespace
}  // namespace chokepoint
