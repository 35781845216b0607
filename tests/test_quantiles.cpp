// Exact quantiles with numpy's `linear` rule: order statistics, not sketches (docs/uncertainty.md).
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

#include "reduce/quantiles.hpp"

namespace chokepoint {
namespace {

TEST(ExactQuantiles, MatchNumpyLinearOnSmallArrays) {
  // numpy.quantile([4, 1, 3, 2], [0, 0.1, 0.5, 0.9, 1]) = [1, 1.3, 2.5, 3.7, 4]
  std::vector<float> values{4, 1, 3, 2};
  const std::vector<double> q = exact_quantiles(values.data(), values.size(), {0.0, 0.1, 0.5, 0.9, 1.0});
  EXPECT_DOUBLE_EQ(q[0], 1.0);
  EXPECT_DOUBLE_EQ(q[1], 1.3);
  EXPECT_DOUBLE_EQ(q[2], 2.5);
  EXPECT_DOUBLE_EQ(q[3], 3.7);
  EXPECT_DOUBLE_EQ(q[4], 4.0);
}

TEST(ExactQuantiles, SingleValueIsEveryQuantile) {
  std::vector<float> values{7};
  for (double q : exact_quantiles(values.data(), 1, {0.01, 0.5, 0.99})) EXPECT_EQ(q, 7.0);
}

TEST(ExactQuantiles, AgreeWithAFullSortOnRandomData) {
  std::mt19937 generator(5);
  std::normal_distribution<float> normal;
  std::uniform_int_distribution<int> small(-3, 3);
  for (std::size_t n : {2u, 3u, 10u, 1001u, 65536u, 200003u}) {
    std::vector<float> values(n);
    for (float& v : values) v = normal(generator) * 1e6f;
    // A third of the values tied at a few integers (and zeros): many equal keys in one bucket.
    for (std::size_t i = 0; i < n; i += 3) values[i] = static_cast<float>(small(generator));
    std::vector<float> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    const std::vector<double> levels{0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99};
    const std::vector<float> before = values;
    const std::vector<double> q = exact_quantiles(values.data(), n, levels);
    EXPECT_EQ(values, before) << "the input is left as it is";
    for (std::size_t i = 0; i < levels.size(); ++i) {
      const double h = static_cast<double>(n - 1) * levels[i];
      const std::size_t low = static_cast<std::size_t>(h);
      const std::size_t high = std::min(low + 1, n - 1);
      const double t = h - static_cast<double>(low);
      const double expected = t >= 0.5 ? sorted[high] - (sorted[high] - double(sorted[low])) * (1 - t)
                                       : sorted[low] + (sorted[high] - double(sorted[low])) * t;
      EXPECT_EQ(q[i], expected) << "n=" << n << " q=" << levels[i];
    }
  }
}

}  // namespace
}  // namespace chokepoint
