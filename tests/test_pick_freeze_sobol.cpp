// Sobol first-order (Saltelli 2010) and total (Jansen 1999) indices by pick-freeze on models whose
// indices are known; the second sample re-keys one input's stream to path p + N, as the engine will.
#include <gtest/gtest.h>

#include <bit>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

#include "analyse/pick_freeze_sobol.hpp"
#include "sensitivity_models.hpp"

namespace chokepoint {
namespace {

using testing::input_uniform;

// Base samples [first, first + count) of N: A_j is path j, B_j is path j + N, AB_i,j is path j
// with input i drawn from path j + N.
template <class Model>
PickFreezeSums pick_freeze(const Model& model, std::uint64_t samples, std::uint64_t seed, std::uint64_t first = 0,
                           std::uint64_t count = 0) {
  PickFreezeSums sums(Model::kInputs);
  if (count == 0) count = samples;
  double a[Model::kInputs], b[Model::kInputs], mixed_input[Model::kInputs], y_mixed[Model::kInputs];
  for (std::uint64_t j = first; j < first + count; ++j) {
    for (int i = 0; i < Model::kInputs; ++i) {
      a[i] = input_uniform(seed, i, j);
      b[i] = input_uniform(seed, i, j + samples);
    }
    for (int i = 0; i < Model::kInputs; ++i) {
      for (int k = 0; k < Model::kInputs; ++k) mixed_input[k] = k == i ? b[k] : a[k];
      y_mixed[i] = model(mixed_input);
    }
    sums.add(j, model(a), model(b), y_mixed);
  }
  return sums;
}

template <class Model>
void expect_known_indices(const Model& model, const SobolIndices& found, double tolerance, const char* name) {
  const std::vector<double> first = model.first_order(), total = model.total();
  for (int i = 0; i < Model::kInputs; ++i) {
    const SobolIndex& s = found.first_order[i];
    const SobolIndex& t = found.total[i];
    std::printf("%s S%d = %.4f [%.4f, %.4f] (truth %.4f)   ST%d = %.4f [%.4f, %.4f] (truth %.4f)\n", name, i + 1,
                s.estimate, s.lower, s.upper, first[i], i + 1, t.estimate, t.lower, t.upper, total[i]);
    EXPECT_NEAR(s.estimate, first[i], tolerance) << name << " S" << i + 1;
    EXPECT_NEAR(t.estimate, total[i], tolerance) << name << " ST" << i + 1;
    EXPECT_LE(s.lower, s.estimate);
    EXPECT_GE(s.upper, s.estimate);
  }
}

// 10⁶ model evaluations: N = 200 000 base samples × (3 groups + 2). Release ~0.2 s, ASan ~3 s.
TEST(PickFreezeSobol, IshigamiWithinOneHundredthAtAMillionEvaluations) {
  const testing::Ishigami model;
  const auto start = std::chrono::steady_clock::now();
  const SobolIndices found = pick_freeze(model, 200'000, 21).estimate({.seed = 21});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  expect_known_indices(model, found, 0.01, "Ishigami");
  for (int i = 0; i < 3; ++i) {
    EXPECT_LT(found.first_order[i].upper - found.first_order[i].lower, 0.03);
    EXPECT_LT(found.total[i].upper - found.total[i].lower, 0.03);
  }
  EXPECT_NEAR(found.variance, model.variance(), 0.05 * model.variance());
  std::printf("Ishigami pick-freeze: 10^6 evaluations + 1000 bootstrap replicates in %.3f s\n", seconds);
}

TEST(PickFreezeSobol, LinearGaussianIndicesAreTheVarianceShares) {
  const testing::LinearGaussian model;
  expect_known_indices(model, pick_freeze(model, 100'000, 22).estimate({.seed = 22}), 0.01, "linear Gaussian");
}

TEST(PickFreezeSobol, ThresholdIndicatorHasFirstOrderOneThirdAndTotalTwoThirds) {
  const testing::ThresholdIndicator model;
  expect_known_indices(model, pick_freeze(model, 200'000, 23).estimate({.seed = 23}), 0.01, "1{X1+X2>1}");
}

TEST(PickFreezeSobol, BootstrapIntervalsCoverTheTruthAtAboutTheirLevel) {
  // 40 independent small runs; a 90% interval should miss the truth about 4 times in 40 per index.
  const testing::ThresholdIndicator model;
  int covered = 0, total = 0;
  for (int run = 0; run < 40; ++run) {
    const SobolIndices found = pick_freeze(model, 4'000, 300 + run).estimate({.seed = 9, .replicates = 400, .level = 0.9});
    for (int i = 0; i < 2; ++i) {
      covered += found.first_order[i].lower <= 1.0 / 3.0 && 1.0 / 3.0 <= found.first_order[i].upper;
      covered += found.total[i].lower <= 2.0 / 3.0 && 2.0 / 3.0 <= found.total[i].upper;
      total += 2;
    }
  }
  std::printf("90%% bootstrap intervals covered the truth %d times in %d\n", covered, total);
  EXPECT_GE(covered, static_cast<int>(0.8 * total));
  EXPECT_LE(covered, static_cast<int>(0.98 * total));
}

TEST(PickFreezeSobol, ShardsMergedInAnyOrderGiveBitIdenticalIndicesAndIntervals) {
  const testing::Ishigami model;
  const std::uint64_t n = 20'000;
  const PickFreezeSums whole = pick_freeze(model, n, 24);
  PickFreezeSums left = pick_freeze(model, n, 24, 0, 6'543);
  const PickFreezeSums right = pick_freeze(model, n, 24, 6'543, n - 6'543);
  PickFreezeSums right_then_left = right;
  right_then_left.merge(left);
  left.merge(right);
  EXPECT_TRUE(left == whole);
  EXPECT_TRUE(right_then_left == whole);
  const SobolIndices w = whole.estimate({.seed = 5, .replicates = 200});
  const SobolIndices m = right_then_left.estimate({.seed = 5, .replicates = 200});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(std::bit_cast<std::uint64_t>(w.first_order[i].estimate), std::bit_cast<std::uint64_t>(m.first_order[i].estimate));
    EXPECT_EQ(std::bit_cast<std::uint64_t>(w.total[i].lower), std::bit_cast<std::uint64_t>(m.total[i].lower));
    EXPECT_EQ(std::bit_cast<std::uint64_t>(w.total[i].upper), std::bit_cast<std::uint64_t>(m.total[i].upper));
  }
  // A different bootstrap seed moves the interval, not the estimate.
  const SobolIndices other_seed = whole.estimate({.seed = 6, .replicates = 200});
  EXPECT_EQ(other_seed.first_order[0].estimate, w.first_order[0].estimate);
  EXPECT_NE(other_seed.first_order[0].lower, w.first_order[0].lower);
}

// What a rank sends and a shard file stores: the words read back are the same sums, and halves
// sent as words and merged equal the whole.
TEST(PickFreezeSobol, WordsRoundTripAndMergedHalvesFromWordsEqualTheWhole) {
  const testing::Ishigami model;
  const std::uint64_t n = 3'000;
  const PickFreezeSums whole = pick_freeze(model, n, 31);
  const PickFreezeSums copy = PickFreezeSums::from_words(whole.words());
  EXPECT_TRUE(copy == whole);
  EXPECT_EQ(copy.words(), whole.words());
  PickFreezeSums merged = PickFreezeSums::from_words(pick_freeze(model, n, 31, 1'234, n - 1'234).words());
  merged.merge(PickFreezeSums::from_words(pick_freeze(model, n, 31, 0, 1'234).words()));
  EXPECT_TRUE(merged == whole);
  const SobolIndices w = whole.estimate({.seed = 2, .replicates = 100});
  const SobolIndices m = merged.estimate({.seed = 2, .replicates = 100});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(std::bit_cast<std::uint64_t>(w.first_order[i].estimate), std::bit_cast<std::uint64_t>(m.first_order[i].estimate));
    EXPECT_EQ(std::bit_cast<std::uint64_t>(w.total[i].upper), std::bit_cast<std::uint64_t>(m.total[i].upper));
  }
  // Damaged words are refused, not read.
  std::vector<std::int64_t> words = whole.words();
  words.pop_back();
  EXPECT_THROW(PickFreezeSums::from_words(words), std::invalid_argument);
  EXPECT_THROW(PickFreezeSums::from_words({0, 100}), std::invalid_argument);
  EXPECT_THROW(PickFreezeSums::from_words({}), std::invalid_argument);
  words = whole.words();
  words[2] = -1;  // a batch's sample count
  EXPECT_THROW(PickFreezeSums::from_words(words), std::invalid_argument);
}

TEST(PickFreezeSobol, DegenerateInputsGiveNaNIntervalsOrAnErrorNotACrash) {
  PickFreezeSums sums(1);
  EXPECT_THROW(sums.estimate(), std::invalid_argument);
  // A constant output: V = 0, every index NaN, and the bootstrap sorts NaNs safely.
  const double constant[1] = {1.0};
  for (std::uint64_t j = 0; j < 300; ++j) sums.add(j, 1.0, 1.0, constant);
  const SobolIndices found = sums.estimate({.seed = 1, .replicates = 50});
  EXPECT_TRUE(std::isnan(found.first_order[0].estimate));
  EXPECT_TRUE(std::isnan(found.total[0].upper));
}

TEST(PickFreezeSobol, StoredOutputsGiveTheSameAsStreaming) {
  const testing::ThresholdIndicator model;
  const std::uint64_t n = 5'000;
  std::vector<double> y_a(n), y_b(n);
  std::vector<std::vector<double>> y_mixed(2, std::vector<double>(n));
  for (std::uint64_t j = 0; j < n; ++j) {
    const double a[2] = {input_uniform(25, 0, j), input_uniform(25, 1, j)};
    const double b[2] = {input_uniform(25, 0, j + n), input_uniform(25, 1, j + n)};
    const double ab0[2] = {b[0], a[1]}, ab1[2] = {a[0], b[1]};
    y_a[j] = model(a);
    y_b[j] = model(b);
    y_mixed[0][j] = model(ab0);
    y_mixed[1][j] = model(ab1);
  }
  const SobolIndices stored = pick_freeze_indices(y_a, y_b, y_mixed, {.seed = 3});
  const SobolIndices streamed = pick_freeze(model, n, 25).estimate({.seed = 3});
  EXPECT_EQ(stored.first_order[1].estimate, streamed.first_order[1].estimate);
  EXPECT_EQ(stored.total[0].upper, streamed.total[0].upper);
  y_b.pop_back();
  EXPECT_THROW(pick_freeze_indices(y_a, y_b, y_mixed), std::invalid_argument);
}

}  // namespace
}  // namespace chokepoint
