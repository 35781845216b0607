// Determinism (docs/model.md, "Randomness"): the same seed gives the same bits for any thread
// count, and draws belong to names.
#include <gtest/gtest.h>

#include <fstream>

#include "chokepoint/summary_io.hpp"
#include "scenario_builder.hpp"
#include "test_support.hpp"

namespace chokepoint {
namespace {

using testing::Json;

// The summary as text without the fields that describe the machine rather than the result.
std::string result_text(Summary summary) {
  summary.seconds = 0;
  summary.threads = 0;
  summary.device.clear();
  return summary_json_text(summary);
}

Summary run_with_threads(const Scenario& scenario, int threads, std::uint64_t paths = 3000, std::uint64_t seed = 7) {
  PathResults results = simulate_cpu(scenario, paths, seed, threads);
  return summarize(scenario, results, seed, threads);
}

TEST(Determinism, SameSeedSameSummaryAcrossThreads) {
  const Scenario scenario = load_scenario(testing::source_path("tests/scenarios/small.json"));
  const std::string one = result_text(run_with_threads(scenario, 1));
  EXPECT_EQ(one, result_text(run_with_threads(scenario, 2)));
  EXPECT_EQ(one, result_text(run_with_threads(scenario, 3)));
}

TEST(Determinism, SameSeedSameBitsAcrossRuns) {
  const Scenario scenario = load_scenario(testing::source_path("tests/scenarios/small.json"));
  EXPECT_EQ(result_text(run_with_threads(scenario, 2)), result_text(run_with_threads(scenario, 2)));
  EXPECT_NE(result_text(run_with_threads(scenario, 2, 3000, 7)), result_text(run_with_threads(scenario, 2, 3000, 8)));
}

TEST(Determinism, AnUnrelatedExtraFactorLeavesTheOtherDrawsUnchanged) {
  const std::string text = testing::source_path("tests/scenarios/small.json");
  const Scenario base = load_scenario(text);
  std::ifstream in(text);
  Json extended = Json::parse(in, nullptr, true, true);
  // A new, uncorrelated factor placed *between* existing ones, used by nothing.
  Json factors = Json::object();
  for (const auto& item : extended["factors"].items()) {
    factors[item.key()] = item.value();
    if (item.key() == "throughput") factors["sentiment"] = Json::parse(R"({"growth": 0.1, "sigma": 0.5})");
  }
  extended["factors"] = factors;
  const Scenario with_extra = testing::compile(extended);
  for (std::uint64_t path : {0ull, 5ull, 999ull}) {
    const auto a = trace_path(base, 7, path);
    const auto b = trace_path(with_extra, 7, path);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t t = 0; t < a.size(); ++t) {
      EXPECT_EQ(a[t].token_demand, b[t].token_demand);
      EXPECT_EQ(a[t].deployed, b[t].deployed);
      EXPECT_EQ(a[t].binding, b[t].binding);
    }
  }
}

TEST(Determinism, ResultsDoNotDependOnTheOrderPathsAreComputed) {
  // Path p's trajectory is the same whether traced alone or simulated among others.
  const Scenario scenario = load_scenario(testing::source_path("tests/scenarios/small.json"));
  PathResults results = simulate_cpu(scenario, 600, 7, 2);
  const auto alone = trace_path(scenario, 7, 517);
  double deployed_first_year = 0;
  for (int t = 0; t < scenario.model->steps_per_year; ++t) deployed_first_year += alone[t].deployed;
  const int deployed = scenario.variable_index("deployed_units");
  EXPECT_EQ(results.column(deployed, 0)[517], static_cast<float>(deployed_first_year));
}

}  // namespace
}  // namespace chokepoint
