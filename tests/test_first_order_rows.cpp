// FirstOrderRows: first-order indices of many outputs at once in integer sums (the engine's
// form), checked against the exact-sum reference FirstOrderBins and against known answers.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <limits>
#include <vector>

#include "analyse/binned_first_order.hpp"
#include "reduce/first_order_rows.hpp"
#include "sensitivity_models.hpp"

namespace chokepoint {
namespace {

using testing::input_uniform;

// Three outputs of the same three inputs: Ishigami, the linear Gaussian model, and 1{u0 + u1 > 1}.
struct ThreeModels {
  testing::Ishigami ishigami;
  testing::LinearGaussian linear;
  testing::ThresholdIndicator indicator;
  void operator()(const double* u, double* y) const {
    y[0] = ishigami(u);
    y[1] = linear(u);
    y[2] = indicator(u);
  }
  std::vector<int> scales() const {
    // Ishigami: |Y| ≤ 1 + 7 + 0.1π⁴ < 18.1; linear: |Y| ≤ 6.77 (2 + 1 + 0.6); indicator ≤ 1.
    return {FirstOrderRows::scale_exponent_for(18.1), FirstOrderRows::scale_exponent_for(6.77 * 3.6),
            FirstOrderRows::scale_exponent_for(1.0)};
  }
};

FirstOrderRows accumulate_rows(const ThreeModels& models, int bins, std::uint64_t first, std::uint64_t count,
                               std::uint64_t seed) {
  FirstOrderRows rows(3, bins, models.scales());
  double u[3], y[3];
  int bin_of_input[3];
  for (std::uint64_t p = first; p < first + count; ++p) {
    for (int i = 0; i < 3; ++i) {
      u[i] = input_uniform(seed, i, p);
      bin_of_input[i] = rows.bin_of(u[i]);
    }
    models(u, y);
    rows.add(bin_of_input, y);
  }
  return rows;
}

TEST(FirstOrderRows, ScaleExponentMapsTheLargestValueUnderTwoToTheTwenty) {
  EXPECT_EQ(FirstOrderRows::scale_exponent_for(1.0), 19);  // 1 < 2¹: q ≤ 2¹⁹
  EXPECT_EQ(FirstOrderRows::scale_exponent_for(18.1), 15);
  EXPECT_EQ(FirstOrderRows::scale_exponent_for(3e9), 20 - 32);
  EXPECT_EQ(FirstOrderRows::scale_exponent_for(0.0), 0);
  for (double largest : {0.3, 1.0, 18.1, 1e6, 3e9, 7e-5})
    EXPECT_LE(std::ldexp(largest, FirstOrderRows::scale_exponent_for(largest)), 1048576.0) << largest;
}

TEST(FirstOrderRows, AgreeWithTheExactSumReferenceAndTheKnownAnswers) {
  const ThreeModels models;
  const int bins = 20;
  const std::uint64_t paths = 200'000;
  const FirstOrderRows rows = accumulate_rows(models, bins, 0, paths, 51);
  EXPECT_EQ(rows.out_of_range(), 0u);
  // The reference: one FirstOrderBins per output over the same paths.
  std::vector<FirstOrderBins> reference(3, FirstOrderBins(3, bins));
  double u[3], y[3];
  for (std::uint64_t p = 0; p < paths; ++p) {
    for (int i = 0; i < 3; ++i) u[i] = input_uniform(51, i, p);
    models(u, y);
    for (int o = 0; o < 3; ++o) reference[o].add(u, y[o]);
  }
  const std::vector<double> truth[3] = {models.ishigami.first_order(), models.linear.first_order(),
                                        {1.0 / 3.0, 1.0 / 3.0, 0.0}};
  for (int o = 0; o < 3; ++o)
    for (int i = 0; i < 3; ++i) {
      const FirstOrderEstimate fast = rows.estimate(i, o), exact = reference[o].estimate(i);
      EXPECT_NEAR(fast.index, exact.index, 1e-5) << "output " << o << " input " << i;
      // Equal-variance SE against per-bin SE: the same size where the effect is not tiny.
      if (exact.index > 0.05) {
        EXPECT_GT(fast.standard_error, 0.5 * exact.standard_error) << "output " << o << " input " << i;
        EXPECT_LT(fast.standard_error, 2.0 * exact.standard_error) << "output " << o << " input " << i;
      }
      // Binning at B = 20 keeps ≥ 0.983 of these smooth effects; Ishigami's 7 sin² X2 keeps
      // (sin h / h)² = 0.9675 with h = 2π/20.
      const double kept = o == 0 && i == 1 ? 0.9675 : 0.983;
      EXPECT_GT(fast.index, truth[o][i] * kept - 4 * fast.standard_error - 0.002) << "output " << o << " input " << i;
      EXPECT_LT(fast.index, truth[o][i] + 4 * fast.standard_error + 0.002) << "output " << o << " input " << i;
    }
  // P(indicator | decile of u0) = (d + ½)/10, in the output's own units.
  const std::vector<double> deciles = rows.grouped_means(0, 2, 10);
  for (int d = 0; d < 10; ++d) EXPECT_NEAR(deciles[d], (d + 0.5) / 10.0, 0.01) << d;
}

TEST(FirstOrderRows, ShardsMergedInAnyOrderGiveBitIdenticalIndices) {
  const ThreeModels models;
  const FirstOrderRows whole = accumulate_rows(models, 10, 0, 30'000, 52);
  const FirstOrderRows a = accumulate_rows(models, 10, 0, 9'999, 52);
  const FirstOrderRows b = accumulate_rows(models, 10, 9'999, 20'001, 52);
  FirstOrderRows ab = a, ba = b;
  ab.merge(b);
  ba.merge(a);
  EXPECT_TRUE(ab == whole);
  EXPECT_TRUE(ba == whole);
  for (int o = 0; o < 3; ++o)
    EXPECT_EQ(std::bit_cast<std::uint64_t>(ba.estimate(0, o).index), std::bit_cast<std::uint64_t>(whole.estimate(0, o).index));
  const FirstOrderRows other_scale(3, 10, {1, 2, 3});
  EXPECT_THROW(ab.merge(other_scale), std::invalid_argument);
}

TEST(FirstOrderRows, ValuesBeyondTheScaleAreCountedNotWrapped) {
  FirstOrderRows rows(1, 4, {FirstOrderRows::scale_exponent_for(1.0)});
  const int bin[1] = {2};
  const double fine[1] = {0.75}, huge[1] = {5.0}, not_a_number[1] = {std::numeric_limits<double>::quiet_NaN()};
  rows.add(bin, fine);
  rows.add(bin, huge);  // 5 · 2¹⁹ > 2²¹
  rows.add(bin, not_a_number);
  EXPECT_EQ(rows.out_of_range(), 2u);
  EXPECT_EQ(rows.paths(), 3u);
  EXPECT_DOUBLE_EQ(rows.grouped_means(0, 0, 4)[2], 0.75 / 3.0);
  EXPECT_THROW(FirstOrderRows(1, 4, {}), std::invalid_argument);
}

// The engine adds blocks of up to 256 paths (grouped inputs included): the sums must be the
// same integers as adding the same paths one by one, for full and partial blocks alike.
TEST(FirstOrderRows, BlocksOfPathsGiveTheSameSumsAsPathByPath) {
  const ThreeModels models;
  // Two ungrouped inputs and one grouped input over two groups of outputs (3 outputs: {0, 1}, {2}).
  std::vector<int> scales = models.scales();
  FirstOrderRows by_path(3, 8, scales, {2, 3}, 1), by_block(3, 8, scales, {2, 3}, 1);
  FirstOrderRows::Block block(by_block);
  const std::uint64_t paths = 3 * FirstOrderRows::kBlockPaths + 77;
  double u[3], y[3];
  for (std::uint64_t p = 0; p < paths; ++p) {
    for (int i = 0; i < 3; ++i) u[i] = input_uniform(61, i, p);
    models(u, y);
    // Slots: inputs 0 and 1, then input 2's bin for group 0 and for group 1.
    const int bins[4] = {by_path.bin_of(u[0]), by_path.bin_of(u[1]), by_path.bin_of(u[2]), by_path.bin_of(1.0 - u[2])};
    by_path.add(bins, y);
    const int k = block.paths();
    block.set_paths(k + 1);
    for (int slot = 0; slot < 4; ++slot) block.bins_of_slot(slot)[k] = static_cast<std::uint8_t>(bins[slot]);
    for (int o = 0; o < 3; ++o) block.outputs_of_path(k)[o] = block.quantise(o, y[o]);
    // Blocks of every size: full ones, and a 77-path one at the end.
    if (block.paths() == FirstOrderRows::kBlockPaths || p + 1 == paths) by_block.add_block(block);
  }
  EXPECT_EQ(by_block.paths(), paths);
  EXPECT_TRUE(by_block == by_path);
  EXPECT_EQ(by_block.words(), by_path.words());
}

// Σq³ and Σq⁴ come from int64 parts of q² (add_block); at the largest |q| they must still be exact.
TEST(FirstOrderRows, PowerSumsAreExactAtTheEdgeOfTheRange) {
  FirstOrderRows rows(1, 2, {0});
  const int bin[1] = {1};
  const double largest[1] = {2097152.0}, negative[1] = {-2097151.0};  // ±2²¹ (−(2²¹ − 1))
  for (int repeat = 0; repeat < 300; ++repeat) rows.add(bin, repeat % 2 ? largest : negative);
  const std::vector<std::uint64_t> words = rows.words();
  // Layout: paths, out of range, counts (1 input × 1 group × 2 bins), row sums (2 bins × 1 output),
  // then Σq, Σq², Σq³, Σq⁴ as 128-bit pairs (low word first).
  ASSERT_EQ(words.size(), 2u + 2u + 2u + 8u);
  __extension__ using Int128 = __int128;
  __extension__ using Unsigned128 = unsigned __int128;
  const auto power = [&](int k) {
    const std::size_t at = 6 + 2 * static_cast<std::size_t>(k);
    return static_cast<Int128>((static_cast<Unsigned128>(words[at + 1]) << 64) | words[at]);
  };
  const Int128 a = 2097152, b = -2097151;
  for (int k = 1; k <= 4; ++k) {
    Int128 ak = 1, bk = 1;
    for (int e = 0; e < k; ++e) ak *= a, bk *= b;
    EXPECT_TRUE(power(k - 1) == 150 * ak + 150 * bk) << "k = " << k;
  }
  EXPECT_EQ(rows.out_of_range(), 0u);
}

}  // namespace
}  // namespace chokepoint
