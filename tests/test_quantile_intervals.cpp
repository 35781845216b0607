// The quantiles' 95 % confidence intervals (docs/uncertainty.md): the binomial interval of ranks,
// its coverage of a known distribution's true quantile, its edges at small P, and how it reaches
// summary.json and summary.csv.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <vector>

#include "chokepoint/summary_io.hpp"
#include "reduce/quantiles.hpp"
#include "test_support.hpp"

namespace chokepoint {
namespace {

// Binomial(n, q) CDF summed term by term from lgamma: a slow, independent reference for small n.
double binomial_cdf(std::uint64_t n, double q, std::int64_t k) {
  if (k < 0) return 0.0;
  double sum = 0.0;
  for (std::int64_t i = 0; i <= std::min<std::int64_t>(k, static_cast<std::int64_t>(n)); ++i) {
    const double x = static_cast<double>(i), nd = static_cast<double>(n);
    sum += std::exp(std::lgamma(nd + 1) - std::lgamma(x + 1) - std::lgamma(nd - x + 1) + x * std::log(q) +
                    (nd - x) * std::log1p(-q));
  }
  return sum;
}

TEST(QuantileIntervals, MedianOfTenIsTheTextbookInterval) {
  // Binomial(10, ½): F(1) = 11/1024 ≤ 2.5 % < F(2) = 56/1024; F(7) = 968/1024 < 97.5 % ≤ F(8) = 1013/1024.
  const QuantileInterval interval = quantile_interval(10, 0.5);
  EXPECT_EQ(interval.lower, 1u);
  EXPECT_EQ(interval.upper, 8u);
  EXPECT_NEAR(interval.coverage, (1013.0 - 11.0) / 1024.0, 1e-12);
  EXPECT_FALSE(interval.clipped);
}

TEST(QuantileIntervals, RanksMeetTheirDefinitionAgainstAnIndependentBinomial) {
  for (std::uint64_t n : {6u, 20u, 100u, 368u, 1000u, 2500u})
    for (double q : {0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99}) {
      const QuantileInterval interval = quantile_interval(n, q);
      const auto lower = static_cast<std::int64_t>(interval.lower);
      const auto upper = static_cast<std::int64_t>(interval.upper);
      SCOPED_TRACE("n=" + std::to_string(n) + " q=" + std::to_string(q));
      if (!interval.clipped) {
        EXPECT_LE(binomial_cdf(n, q, lower), 0.025 + 1e-12);      // the lower end misses at most 2.5 %
        EXPECT_GT(binomial_cdf(n, q, lower + 1), 0.025 - 1e-12);  // and is the highest that does
        EXPECT_GE(binomial_cdf(n, q, upper), 0.975 - 1e-12);
        EXPECT_LT(binomial_cdf(n, q, upper - 1), 0.975 + 1e-12);
        EXPECT_GE(interval.coverage, 0.95);
      }
      EXPECT_NEAR(interval.coverage, binomial_cdf(n, q, upper) - binomial_cdf(n, q, lower), 1e-9);
      EXPECT_LE(interval.lower, interval.upper);
      EXPECT_LT(interval.upper, n);
    }
}

TEST(QuantileIntervals, SmallSamplesAreClippedToTheirRangeAndSaySo) {
  // One value: the interval is that value, and it covers a continuous quantile with probability 0.
  const QuantileInterval one = quantile_interval(1, 0.5);
  EXPECT_EQ(one.lower, 0u);
  EXPECT_EQ(one.upper, 0u);
  EXPECT_TRUE(one.clipped);
  EXPECT_EQ(one.coverage, 0.0);
  // A p99 needs 0.99^P ≤ 2.5 %, P ≥ 368, before the sample's maximum is above it often enough.
  const QuantileInterval short_of = quantile_interval(367, 0.99);
  EXPECT_TRUE(short_of.clipped);
  EXPECT_EQ(short_of.upper, 366u);
  EXPECT_NEAR(short_of.coverage, binomial_cdf(367, 0.99, 366) - binomial_cdf(367, 0.99, short_of.lower), 1e-9);
  EXPECT_FALSE(quantile_interval(368, 0.99).clipped);
  EXPECT_GE(quantile_interval(368, 0.99).coverage, 0.95);
  // Far too few paths: a p99 of 50 values is worth a 38 % interval, and says so.
  EXPECT_LT(quantile_interval(50, 0.99).coverage, 0.5);
  // A p1 of 2 values: the rule gives [X(0), X(0)], widened to hold the quantile between X(0) and X(1).
  EXPECT_EQ(quantile_interval(2, 0.01).lower, 0u);
  EXPECT_EQ(quantile_interval(2, 0.01).upper, 1u);
  // The same on the low side, and the median's threshold: 6 values (½⁶ ≤ 2.5 % < ½⁵).
  EXPECT_TRUE(quantile_interval(367, 0.01).clipped);
  EXPECT_FALSE(quantile_interval(368, 0.01).clipped);
  EXPECT_TRUE(quantile_interval(5, 0.5).clipped);
  EXPECT_FALSE(quantile_interval(6, 0.5).clipped);
}

TEST(QuantileIntervals, LargeSamplesAgreeWithTheNormalApproximation) {
  // At 10⁹ paths the exact ranks lie within a couple of ranks of nq ± 1.96·√(nq(1−q)) (+½ for
  // continuity), and computing them stays quick: the terms are summed only near the mode.
  const std::uint64_t n = 1'000'000'000;
  for (double q : {0.01, 0.5, 0.99}) {
    const QuantileInterval interval = quantile_interval(n, q);
    const double nd = static_cast<double>(n);
    const double half_width = 1.959963984540054 * std::sqrt(nd * q * (1 - q));
    EXPECT_NEAR(static_cast<double>(interval.lower), nd * q - half_width, 3.0) << q;
    EXPECT_NEAR(static_cast<double>(interval.upper), nd * q + half_width, 3.0) << q;
    EXPECT_NEAR(interval.coverage, 0.95, 1e-3) << q;
  }
}

TEST(QuantileIntervals, EndsAreTheSampleValuesAtTheirRanks) {
  std::mt19937 generator(11);
  std::lognormal_distribution<float> lognormal(0.0f, 1.0f);
  for (std::size_t n : {1u, 2u, 7u, 400u, 20000u}) {
    std::vector<float> values(n);
    for (float& v : values) v = lognormal(generator);
    std::vector<float> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    const std::vector<double> levels{0.01, 0.05, 0.5, 0.95, 0.99};
    const QuantilePlan plan = plan_quantiles(n, levels);
    const QuantileEstimates estimates = column_quantiles(plan, values.data());
    EXPECT_EQ(estimates.quantiles, exact_quantiles(values.data(), n, levels)) << "the intervals change no quantile";
    for (std::size_t i = 0; i < levels.size(); ++i) {
      EXPECT_EQ(estimates.ci_low[i], sorted[plan.intervals[i].lower]);
      EXPECT_EQ(estimates.ci_high[i], sorted[plan.intervals[i].upper]);
      EXPECT_GE(estimates.ci_low[i], sorted.front());  // within the sample's range, however small it is
      EXPECT_LE(estimates.ci_high[i], sorted.back());
      EXPECT_LE(estimates.ci_low[i], estimates.quantiles[i]);
      EXPECT_GE(estimates.ci_high[i], estimates.quantiles[i]);
    }
  }
}

TEST(QuantileIntervals, CoverTheTrueQuantileOfALognormalAtTheStatedRate) {
  // 1 000 samples (seeds) of 1 000 lognormal values each: the share of intervals that contain
  // the true quantile exp(μ + σ·z_q) must match the coverage the rule states — between 95 % and
  // 98 % (whole ranks make it conservative, most at the outer levels) — to within 3 % at every
  // level, and to within 1 % pooled over the levels. (At 1 000 samples a share's standard error
  // is 0.7 %; 200 samples, at 1.5 %, would leave ±3 % a two-sigma test.)
  const double mu = 1.0, sigma = 0.8;
  const std::vector<double> levels{0.01, 0.05, 0.1, 0.5, 0.9, 0.95, 0.99};
  const std::vector<double> z{-2.3263478740408408, -1.6448536269514729, -1.2815515655446004, 0.0,
                              1.2815515655446004,  1.6448536269514729,  2.3263478740408408};
  constexpr std::size_t kPaths = 1000;
  constexpr int kSeeds = 1000;
  const QuantilePlan plan = plan_quantiles(kPaths, levels);
  std::vector<int> covered(levels.size(), 0);
  std::vector<float> values(kPaths);
  for (int seed = 0; seed < kSeeds; ++seed) {
    std::mt19937_64 generator(static_cast<std::uint64_t>(seed) + 1000);
    std::normal_distribution<double> normal;
    for (float& v : values) v = static_cast<float>(std::exp(mu + sigma * normal(generator)));
    const QuantileEstimates estimates = column_quantiles(plan, values.data());
    for (std::size_t i = 0; i < levels.size(); ++i) {
      const double truth = std::exp(mu + sigma * z[i]);
      covered[i] += estimates.ci_low[i] <= truth && truth <= estimates.ci_high[i];
    }
  }
  double pooled = 0.0, stated = 0.0;
  for (std::size_t i = 0; i < levels.size(); ++i) {
    const double rate = covered[i] / static_cast<double>(kSeeds);
    EXPECT_GE(plan.intervals[i].coverage, 0.95) << "level " << levels[i];
    EXPECT_LE(plan.intervals[i].coverage, 0.98) << "level " << levels[i];
    EXPECT_NEAR(rate, plan.intervals[i].coverage, 0.03) << "level " << levels[i];
    pooled += rate / static_cast<double>(levels.size());
    stated += plan.intervals[i].coverage / static_cast<double>(levels.size());
  }
  EXPECT_NEAR(pooled, stated, 0.01);
}

TEST(QuantileIntervals, ReachSummaryJsonAndCsvAndReadBack) {
  const std::string directory = testing::unique_test_directory("chokepoint_quantile_ci");
  std::filesystem::remove_all(directory);
  Scenario scenario = load_scenario(testing::source_path("tests/scenarios/small.json"));
  RunOptions options;
  options.paths = 500;
  options.backend = "cpu";
  const Summary summary = run(scenario, options);
  write_summary(directory, summary);

  std::ifstream json_file(directory + "/summary.json");
  const nlohmann::json root = nlohmann::json::parse(json_file);
  ASSERT_TRUE(root.contains("quantile_ci_coverage"));
  EXPECT_GE(root["quantile_ci_coverage"]["0.99"].get<double>(), 0.95);  // 500 ≥ 368 paths
  const nlohmann::json& year = root["variables"]["produced_units"]["years"][0];
  for (const auto& [level, interval] : year["quantile_ci"].items()) {
    ASSERT_EQ(interval.size(), 2u) << level;
    EXPECT_LE(interval[0].get<double>(), year["quantiles"][level].get<double>()) << level;
    EXPECT_GE(interval[1].get<double>(), year["quantiles"][level].get<double>()) << level;
  }
  std::ifstream csv_file(directory + "/summary.csv");
  std::stringstream csv;
  csv << csv_file.rdbuf();
  EXPECT_NE(csv.str().find(",q0.99_ci_low,"), std::string::npos);
  EXPECT_NE(csv.str().find(",q0.99_ci_high,"), std::string::npos);

  const Summary back = read_summary(directory);
  EXPECT_EQ(back.quantile_ci_coverage, summary.quantile_ci_coverage);
  EXPECT_EQ(back.variables.front().years.front().quantile_ci_low, summary.variables.front().years.front().quantile_ci_low);
  EXPECT_EQ(back.variables.back().years.back().quantile_ci_high, summary.variables.back().years.back().quantile_ci_high);
  std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace chokepoint
