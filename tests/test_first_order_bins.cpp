// First-order indices from the paths of one run (equal-probability bins of each input's copula
// uniform), on models whose indices are known in closed form.
#include <gtest/gtest.h>

#include <bit>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

#include "analyse/binned_first_order.hpp"
#include "chokepoint/distributions.hpp"
#include "sensitivity_models.hpp"

namespace chokepoint {
namespace {

using testing::input_uniform;

template <class Model>
FirstOrderBins accumulate(const Model& model, int bins, std::uint64_t paths, std::uint64_t seed,
                          std::uint64_t first_path = 0) {
  FirstOrderBins accumulator(Model::kInputs, bins);
  double u[Model::kInputs];
  for (std::uint64_t p = first_path; p < first_path + paths; ++p) {
    for (int i = 0; i < Model::kInputs; ++i) u[i] = input_uniform(seed, i, p);
    accumulator.add(u, model(u));
  }
  return accumulator;
}

// Var of the bin means of a standard normal cut into B equal-probability bins: what binning
// leaves of a linear effect of a normal input (the discretisation bias, exactly).
double normal_binned_variance(int bins) {
  double sum = 0.0;
  for (int b = 0; b < bins; ++b) {
    const double pdf_low = b == 0 ? 0.0 : std::exp(-0.5 * std::pow(normal_quantile(double(b) / bins), 2));
    const double pdf_high = b == bins - 1 ? 0.0 : std::exp(-0.5 * std::pow(normal_quantile(double(b + 1) / bins), 2));
    const double mean = (pdf_low - pdf_high) / std::sqrt(2.0 * 3.14159265358979323846) * bins;
    sum += mean * mean / bins;
  }
  return sum;
}

// 10⁶ paths, 100 bins: Release ~0.1 s; the same in the ASan build takes ~2 s.
TEST(FirstOrderBins, IshigamiIndicesWithinOneHundredthAtAMillionPaths) {
  const testing::Ishigami model;
  const auto start = std::chrono::steady_clock::now();
  const FirstOrderBins bins = accumulate(model, 100, 1'000'000, 11);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::vector<double> truth = model.first_order();
  for (int i = 0; i < 3; ++i) {
    const FirstOrderEstimate e = bins.estimate(i);
    std::printf("Ishigami binned S%d = %.4f ± %.4f (truth %.4f)\n", i + 1, e.index, e.standard_error, truth[i]);
    EXPECT_NEAR(e.index, truth[i], 0.01) << "input " << i;
    EXPECT_LT(e.standard_error, 0.003) << "input " << i;
  }
  std::printf("Ishigami binned: 10^6 paths, 3 inputs, 100 bins in %.3f s\n", seconds);
}

TEST(FirstOrderBins, LinearGaussianIndicesMatchTheClosedFormLessTheBinningBias) {
  const testing::LinearGaussian model;
  const int bin_count = 20;
  const FirstOrderBins bins = accumulate(model, bin_count, 400'000, 12);
  const std::vector<double> truth = model.first_order();
  const double kept = normal_binned_variance(bin_count);  // 0.983 at 20 bins
  EXPECT_NEAR(kept, 0.9833, 1e-3);
  for (int i = 0; i < 3; ++i) {
    const FirstOrderEstimate e = bins.estimate(i);
    std::printf("linear Gaussian binned S%d = %.4f ± %.4f (truth %.4f, binned truth %.4f)\n", i + 1, e.index,
                e.standard_error, truth[i], truth[i] * kept);
    EXPECT_NEAR(e.index, truth[i] * kept, 4 * e.standard_error + 1e-4) << "input " << i;
    EXPECT_NEAR(e.index, truth[i], 0.01) << "input " << i;
  }
}

TEST(FirstOrderBins, ThresholdIndicatorHasFirstOrderOneThirdAndDecileProbabilities) {
  const testing::ThresholdIndicator model;
  const FirstOrderBins bins = accumulate(model, 100, 400'000, 13);
  for (int i = 0; i < 2; ++i) {
    const FirstOrderEstimate e = bins.estimate(i);
    // E[Y | X1] = X1 is linear in u, so 100 bins keep 1 − 1/100² of its variance.
    EXPECT_NEAR(e.index, (1.0 / 3.0) * (1.0 - 1e-4), 4 * e.standard_error) << "input " << i;
    EXPECT_NEAR(e.index, 1.0 / 3.0, 0.01);
  }
  // P(Y | X1 in decile d) = mean of X1 over the decile = (d + 0.5)/10.
  const std::vector<double> deciles = bins.grouped_means(0, 10);
  ASSERT_EQ(deciles.size(), 10u);
  for (int d = 0; d < 10; ++d) {
    const double truth = (d + 0.5) / 10.0;
    const double se = std::sqrt(truth * (1.0 - truth) / 40'000.0) + 0.0005;  // +: bins hold ≈, not exactly, P/10
    EXPECT_NEAR(deciles[d], truth, 4 * se) << "decile " << d;
  }
  EXPECT_THROW(bins.grouped_means(0, 7), std::invalid_argument);
}

TEST(FirstOrderBins, StandardErrorMatchesTheSpreadAcrossSeeds) {
  // 40 independent runs of 20 000 paths with 10 bins: the z-scores against the binned truth
  // (1/3)(1 − 1/B²) should have spread about 1 (the SE is meant to be slightly conservative).
  const testing::ThresholdIndicator model;
  const double truth = (1.0 / 3.0) * (1.0 - 1.0 / 100.0);
  double sum_z = 0.0, sum_z2 = 0.0, sum_se = 0.0, sum_error2 = 0.0;
  const int runs = 40;
  for (int run = 0; run < runs; ++run) {
    const FirstOrderEstimate e = accumulate(model, 10, 20'000, 100 + run).estimate(0);
    const double z = (e.index - truth) / e.standard_error;
    sum_z += z;
    sum_z2 += z * z;
    sum_se += e.standard_error;
    sum_error2 += (e.index - truth) * (e.index - truth);
  }
  const double rms_z = std::sqrt(sum_z2 / runs);
  std::printf("binned SE check: mean SE %.4f, RMS error %.4f, RMS z %.2f, mean z %.2f\n", sum_se / runs,
              std::sqrt(sum_error2 / runs), rms_z, sum_z / runs);
  EXPECT_GT(rms_z, 0.6);
  EXPECT_LT(rms_z, 1.3);
  EXPECT_LT(std::fabs(sum_z / runs), 0.5);
}

TEST(FirstOrderBins, AnInputThatDoesNotMatterScoresNearZero) {
  // Y depends on input 0 only; input 1's index is within noise of 0 (bias-corrected, unclamped).
  FirstOrderBins bins(2, 50);
  double u[2];
  for (std::uint64_t p = 0; p < 200'000; ++p) {
    u[0] = input_uniform(14, 0, p);
    u[1] = input_uniform(14, 1, p);
    bins.add(u, std::exp(u[0]));
  }
  EXPECT_NEAR(bins.estimate(0).index, 1.0, 0.01);
  EXPECT_NEAR(bins.estimate(1).index, 0.0, 4 * bins.estimate(1).standard_error);
  EXPECT_LT(bins.estimate(1).standard_error, 0.001);
}

TEST(FirstOrderBins, DiscreteInputsUseTheirValuesAsBins) {
  // Y = N + ε with N ~ Binomial(3, 0.3) (an event's firings) and ε ~ U(0, 1): E[Y | N] = N + ½, so
  // S_N = Var(N) / (Var(N) + 1/12) = 0.63 / 0.71333, with no binning bias (one bin per value),
  // and the uniform noise input scores 0.
  FirstOrderBins bins(2, 4);
  for (std::uint64_t p = 0; p < 200'000; ++p) {
    int firings = 0;
    for (int trial = 0; trial < 3; ++trial) firings += input_uniform(16, 2 + trial, p) < 0.3;
    const double noise = input_uniform(16, 0, p);
    const int bin_of_input[2] = {firings, bins.bin_of(noise)};
    bins.add_binned(bin_of_input, firings + noise);
  }
  const FirstOrderEstimate firings = bins.estimate(0), noise = bins.estimate(1);
  EXPECT_NEAR(firings.index, 0.63 / (0.63 + 1.0 / 12.0), 4 * firings.standard_error);
  EXPECT_NEAR(noise.index, (1.0 / 12.0) * (1.0 - 1.0 / 16.0) / (0.63 + 1.0 / 12.0), 4 * noise.standard_error);
  const std::vector<double> means = bins.bin_means(0);
  for (int n = 0; n < 4; ++n) EXPECT_NEAR(means[n], n + 0.5, 0.01) << n << " firings";
  // A bin index outside [0, bins) lands in the nearer end bin.
  FirstOrderBins clamped(1, 4);
  const int too_high[1] = {7}, too_low[1] = {-2};
  clamped.add_binned(too_high, 1.0);
  clamped.add_binned(too_low, 0.0);
  EXPECT_EQ(clamped.bin_means(0)[3], 1.0);
  EXPECT_EQ(clamped.bin_means(0)[0], 0.0);
}

TEST(FirstOrderBins, ShardsMergedInAnyOrderGiveBitIdenticalIndices) {
  const testing::Ishigami model;
  const FirstOrderBins whole = accumulate(model, 16, 30'000, 15);
  // Three uneven shards, like --shard I/N over path ranges, merged in two orders.
  const FirstOrderBins a = accumulate(model, 16, 7'001, 15, 0);
  const FirstOrderBins b = accumulate(model, 16, 12'999, 15, 7'001);
  const FirstOrderBins c = accumulate(model, 16, 10'000, 15, 20'000);
  FirstOrderBins abc = a;
  abc.merge(b);
  abc.merge(c);
  FirstOrderBins cba = c;
  cba.merge(b);
  cba.merge(a);
  EXPECT_TRUE(abc == whole);
  EXPECT_TRUE(cba == whole);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(std::bit_cast<std::uint64_t>(abc.estimate(i).index), std::bit_cast<std::uint64_t>(whole.estimate(i).index));
    EXPECT_EQ(std::bit_cast<std::uint64_t>(cba.estimate(i).standard_error),
              std::bit_cast<std::uint64_t>(whole.estimate(i).standard_error));
  }
  FirstOrderBins other_shape(3, 10);
  EXPECT_THROW(abc.merge(other_shape), std::invalid_argument);
}

TEST(FirstOrderBins, UniformsAtOrBeyondTheEndsFallInTheEndBins) {
  const FirstOrderBins bins(1, 10);
  EXPECT_EQ(bins.bin_of(0.0), 0);
  EXPECT_EQ(bins.bin_of(-3.0), 0);
  EXPECT_EQ(bins.bin_of(std::nan("")), 0);
  EXPECT_EQ(bins.bin_of(0.0999999), 0);
  EXPECT_EQ(bins.bin_of(0.1), 1);
  EXPECT_EQ(bins.bin_of(std::nextafter(1.0, 0.0)), 9);
  EXPECT_EQ(bins.bin_of(1.0), 9);
  EXPECT_THROW(FirstOrderBins(0, 10), std::invalid_argument);
  EXPECT_THROW(FirstOrderBins(1, 1), std::invalid_argument);
}

}  // namespace
}  // namespace chokepoint
