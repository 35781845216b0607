// The summary's per-variable-year bucket counts (summary.json "distributions") and the
// convergence traces: exact counts that are the same on every route and merge bit-identically
// across threads, batches and shards; and their round trip through summary.json.
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>

#include "chokepoint/engine.hpp"
#include "chokepoint/scale.hpp"
#include "chokepoint/summary_io.hpp"
#include "reduce/distribution_histogram.hpp"
#include "reduce/quantiles.hpp"
#include "reduce/statistics.hpp"
#include "reduce/run_accumulators.hpp"
#include "reduce/streaming_run.hpp"
#include "test_support.hpp"

namespace chokepoint {
namespace {

Scenario small_scenario() { return load_scenario(testing::source_path("tests/scenarios/small.json")); }

// The counts of one column by sorting its buckets: an independent reference.
std::vector<std::pair<std::uint32_t, std::uint64_t>> reference_counts(const float* column, std::uint64_t paths) {
  std::vector<std::uint32_t> buckets;
  for (std::uint64_t p = 0; p < paths; ++p) buckets.push_back(distribution_bucket(column[p]));
  std::sort(buckets.begin(), buckets.end());
  std::vector<std::pair<std::uint32_t, std::uint64_t>> counts;
  for (std::uint32_t bucket : buckets)
    if (!counts.empty() && counts.back().first == bucket) ++counts.back().second;
    else counts.emplace_back(bucket, 1);
  return counts;
}

TEST(DistributionHistogram, BucketsAreInValueOrderAndHoldTheirValues) {
  for (float value : {-1e30f, -3.5f, -1.0f, -1e-30f, 0.0f, 1e-30f, 0.7f, 1.0f, 1.2f, 1.3f, 2.0f, 1e6f, 3e38f}) {
    const std::uint32_t bucket = distribution_bucket(value);
    EXPECT_LE(bucket_lower_value(bucket), value) << value;
    EXPECT_GE(bucket_upper_value(bucket), value) << value;
  }
  EXPECT_LT(distribution_bucket(-2.0f), distribution_bucket(-1.0f));
  EXPECT_LT(distribution_bucket(1.0f), distribution_bucket(1.3f));  // four buckets per factor of two
  EXPECT_EQ(distribution_bucket(1.0f), distribution_bucket(1.2f));
  EXPECT_EQ(bucket_lower_value(distribution_bucket(1.3f)), 1.25f);
}

// summarize() takes the distribution from the quantile selection's first pass: the same counts as
// count_distribution's own pass, on values of every kind (signed zeros, NaNs, infinities, float
// extremes, denormals and ordinary numbers).
TEST(DistributionHistogram, TheSelectionsFirstPassCountsWhatCountDistributionCounts) {
  std::vector<float> values = {0.0f, -0.0f, NAN, -NAN, INFINITY, -INFINITY, FLT_MAX, -FLT_MAX, FLT_MIN, 1e-42f, -1e-42f};
  for (int i = 0; i < 5000; ++i) values.push_back(static_cast<float>(std::ldexp((i % 97) - 48.5, (i % 61) - 30)));
  std::vector<std::uint64_t> counted(kDistributionBuckets, 0), from_selection(kDistributionBuckets, 0);
  count_distribution(values.data(), values.size(), counted.data());
  const QuantilePlan plan = plan_quantiles(values.size(), {0.1, 0.5, 0.9});
  order_statistics(values.data(), values.size(), plan.ranks, from_selection.data());
  EXPECT_EQ(from_selection, counted);
  std::vector<std::uint64_t> without_ranks(kDistributionBuckets, 0);
  order_statistics(values.data(), values.size(), {}, without_ranks.data());
  EXPECT_EQ(without_ranks, counted);
}

TEST(DistributionHistogram, SummaryCountsEveryPathOfEveryVariableYear) {
  const Scenario scenario = small_scenario();
  const std::uint64_t paths = 1500;
  PathResults results = simulate_cpu(scenario, paths, 3, 2);
  add_derived_outputs(scenario, results, 3, 2);
  PathResults copy = results;
  const Summary summary = summarize(scenario, copy, 3, 2);
  ASSERT_EQ(summary.distributions.size(), scenario.variables.size() * static_cast<std::size_t>(results.years));
  for (std::size_t v = 0; v < scenario.variables.size(); ++v)
    for (int y = 0; y < results.years; ++y) {
      const ValueHistogram& histogram = summary.distributions[v * static_cast<std::size_t>(results.years) + static_cast<std::size_t>(y)];
      EXPECT_EQ(histogram.variable, scenario.variables[v].name);
      EXPECT_EQ(histogram.year, summary.years[static_cast<std::size_t>(y)]);
      const auto expected = reference_counts(results.column(static_cast<int>(v), y), paths);
      ASSERT_EQ(histogram.buckets.size(), expected.size()) << histogram.variable << " " << histogram.year;
      for (std::size_t b = 0; b < expected.size(); ++b) {
        EXPECT_EQ(histogram.buckets[b], expected[b].first);
        EXPECT_EQ(histogram.counts[b], expected[b].second);
      }
    }
}

std::string distributions_text(const Summary& summary) {
  std::string text;
  for (const ValueHistogram& histogram : summary.distributions) {
    text += histogram.variable + " " + std::to_string(histogram.year) + ":";
    for (std::size_t b = 0; b < histogram.buckets.size(); ++b)
      text += " " + std::to_string(histogram.buckets[b]) + "=" + std::to_string(histogram.counts[b]);
    text += "\n";
  }
  return text;
}

TEST(DistributionHistogram, SameCountsInMemoryStreamedInAnyBatchesAndThreadsAndFromShards) {
  const Scenario scenario = small_scenario();
  const std::uint64_t paths = 2000;
  PathResults results = simulate_cpu(scenario, paths, 5, 1);
  add_derived_outputs(scenario, results, 5, 1);
  const std::string in_memory = distributions_text(summarize(scenario, results, 5, 1));
  ASSERT_FALSE(in_memory.empty());

  RunOptions options;
  options.paths = paths;
  options.seed = 5;
  for (const auto& [threads, batch] : {std::pair{1, 2000}, std::pair{2, 128}, std::pair{3, 333}}) {
    options.threads = threads;
    EXPECT_EQ(distributions_text(run_streaming(scenario, options, static_cast<std::uint64_t>(batch))), in_memory)
        << threads << " threads, batches of " << batch;
  }

  // Two shards' first passes, written as bytes and merged in either order.
  const SelectionPlan plan = first_run_plan(scenario, paths, 5);
  auto shard_bytes = [&](PathRange range) {
    PassProgress progress{range.begin, empty_pass_accumulators(scenario, plan)};
    run_pass(scenario, 5, Precision::mixed, 2, range, plan, progress, 256, 0, {}, {});
    return encode_pass(progress.accumulators, true);
  };
  const std::string first = shard_bytes(PathRange{0, 700}), second = shard_bytes(PathRange{700, paths});
  for (const auto& [a, b] : {std::pair{&first, &second}, std::pair{&second, &first}}) {
    PassAccumulators merged = empty_pass_accumulators(scenario, plan), part = empty_pass_accumulators(scenario, plan);
    decode_pass(*a, true, merged);
    decode_pass(*b, true, part);
    merged.merge(part);
    Summary summary;
    summary.distributions = value_histograms(scenario, merged.moments.distribution);
    EXPECT_EQ(distributions_text(summary), in_memory);
  }
}

TEST(DistributionHistogram, ConvergenceTracesEndAtTheSummaryAndIgnoreThreads) {
  const Scenario scenario = small_scenario();
  RunOptions options;
  options.paths = 1000;
  options.seed = 9;
  options.backend = "cpu";
  options.threads = 1;
  const Summary one = run(scenario, options);
  options.threads = 3;
  const Summary three = run(scenario, options);
  ASSERT_FALSE(one.convergence.empty());
  EXPECT_EQ(summary_json_text(one).substr(summary_json_text(one).find("\"convergence\"")),
            summary_json_text(three).substr(summary_json_text(three).find("\"convergence\"")));
  for (const ConvergenceTrace& trace : one.convergence) {
    EXPECT_TRUE(traces_convergence(trace.variable));
    ASSERT_EQ(trace.points.size(), 6u);  // 32, 64, 128, 256, 512, then all 1000
    for (std::size_t i = 0; i + 1 < trace.points.size(); ++i) EXPECT_EQ(trace.points[i].paths, 32u << i);
    const ConvergencePoint& last = trace.points.back();
    EXPECT_EQ(last.paths, 1000u);
    const VariableSummary* variable = one.find_variable(trace.variable);
    ASSERT_NE(variable, nullptr);
    for (const YearStatistics& stats : variable->years)
      if (stats.year == trace.year) {
        EXPECT_EQ(last.mean, stats.mean) << trace.variable;
        EXPECT_EQ(last.mean_se, stats.se);
        for (std::size_t i = 0; i < one.quantile_levels.size(); ++i)
          if (one.quantile_levels[i] == 0.5) {
            EXPECT_EQ(last.median, stats.quantiles[i]);
            EXPECT_EQ(last.median_low, stats.quantile_ci_low[i]);
            EXPECT_EQ(last.median_high, stats.quantile_ci_high[i]);
          }
      }
    for (const ConvergencePoint& point : trace.points) {
      EXPECT_LE(point.median_low, point.median);
      EXPECT_GE(point.median_high, point.median);
    }
  }
}

TEST(DistributionHistogram, EveryPrefixPointIsThatPrefixsOwnMeanAndMedian) {
  const Scenario scenario = small_scenario();
  const std::uint64_t paths = 700;
  PathResults results = simulate_cpu(scenario, paths, 4, 2);
  add_derived_outputs(scenario, results, 4, 2);
  const std::vector<ConvergenceTrace> traces = convergence_traces(scenario, results, 2);
  ASSERT_FALSE(traces.empty());
  for (const ConvergenceTrace& trace : traces) {
    int v = 0;
    while (scenario.variables[static_cast<std::size_t>(v)].name != trace.variable) ++v;
    const float* column = results.column(v, trace.year - scenario.model->start_year);
    for (const ConvergencePoint& point : trace.points) {
      const QuantileEstimates expected = column_quantiles(plan_quantiles(point.paths, {0.5}), column);
      EXPECT_EQ(point.median, expected.quantiles[0]) << trace.variable << " " << trace.year << " " << point.paths;
      EXPECT_EQ(point.median_low, expected.ci_low[0]);
      EXPECT_EQ(point.median_high, expected.ci_high[0]);
      YearStatistics moments;
      column_moments(column, point.paths, moments);
      EXPECT_EQ(point.mean, moments.mean);
      EXPECT_EQ(point.mean_se, moments.se);
    }
  }
}

TEST(DistributionHistogram, RoundTripsThroughSummaryJson) {
  const Scenario scenario = small_scenario();
  RunOptions options;
  options.paths = 600;
  options.seed = 2;
  options.backend = "cpu";
  const Summary summary = run(scenario, options);
  const std::filesystem::path directory = testing::fresh_test_directory("distribution_round_trip");
  write_summary(directory.string(), summary);
  const Summary read = read_summary(directory.string());
  EXPECT_EQ(distributions_text(read), distributions_text(summary));
  ASSERT_EQ(read.convergence.size(), summary.convergence.size());
  EXPECT_EQ(summary_json_text(read), summary_json_text(summary));
  std::filesystem::remove_all(directory);
}

TEST(DistributionHistogram, MalformedSectionsNameTheFileAndThePath) {
  const Scenario scenario = small_scenario();
  RunOptions options;
  options.paths = 300;
  options.seed = 2;
  options.backend = "cpu";
  const Summary summary = run(scenario, options);
  const std::filesystem::path directory = testing::fresh_test_directory("distribution_malformed");
  const std::string variable = summary.distributions.front().variable, year = std::to_string(summary.years.front());
  struct Case {
    std::function<void(nlohmann::json&)> spoil;
    std::string path;
  };
  const std::vector<Case> cases{
      {[&](nlohmann::json& j) { j["distributions"]["variables"][variable][year][0][0] = 5000; },
       "distributions.variables." + variable + "." + year + "[0][0]"},
      {[&](nlohmann::json& j) { j["distributions"]["variables"][variable][year][0][1] = "many"; },
       "distributions.variables." + variable + "." + year + "[0][1]"},
      {[&](nlohmann::json& j) { j["distributions"]["key_bits"] = 12; }, "distributions.key_bits"},
      {[&](nlohmann::json& j) { j["distributions"]["variables"]["no_such_variable"] = nlohmann::json::object(); },
       "distributions.variables.no_such_variable"},
      {[&](nlohmann::json& j) { j["convergence"]["produced_units"][year][0].erase("mean"); },
       "convergence.produced_units." + year + "[0].mean"},
  };
  for (const Case& item : cases) {
    nlohmann::json json = nlohmann::json::parse(summary_json_text(summary));
    item.spoil(json);
    testing::write_text(directory / "summary.json", json.dump());
    try {
      read_summary(directory.string());
      ADD_FAILURE() << "accepted a summary with a bad " << item.path;
    } catch (const InputError& error) {
      ASSERT_EQ(error.problems().size(), 1u);
      EXPECT_EQ(error.problems()[0].path, item.path);
      EXPECT_NE(error.problems()[0].file.find("summary.json"), std::string::npos);
    }
  }
  std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace chokepoint
