// ExactSum: exact, order-independent sums of doubles (the property every mergeable accumulator
// of sensitivity analysis rests on).
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

#include "analyse/exact_sum.hpp"
#include "chokepoint/philox.hpp"
#include "chokepoint/random_streams.hpp"

namespace chokepoint {
namespace {

std::uint64_t random_bits(std::uint64_t i) {
  const PhiloxCounter w = philox4x32_10(stream_block(stream_id("exact.sum.test"), i, 0), seed_key(7));
  return (static_cast<std::uint64_t>(w.word[1]) << 32) | w.word[0];
}

// Doubles with wildly different magnitudes and both signs: the case where summing in double
// depends on order.
std::vector<double> wide_values(std::size_t count) {
  std::vector<double> values;
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint64_t bits = random_bits(i);
    const double mantissa = static_cast<double>(bits >> 11) * 0x1p-53;
    const int exponent = static_cast<int>(bits % 401) - 200;
    values.push_back(((bits >> 10) & 1 ? -1.0 : 1.0) * std::ldexp(mantissa, exponent));
  }
  return values;
}

double sum_of(const std::vector<double>& values) {
  ExactSum sum;
  for (double v : values) sum.add(v);
  return sum.value();
}

TEST(ExactSum, KeepsWhatDoubleAdditionLoses) {
  EXPECT_EQ(sum_of({1e100, 1.0, -1e100}), 1.0);
  EXPECT_EQ(sum_of({1e16, 1.0, 1.0, -1e16}), 2.0);
  // The doubles nearest 0.1, 0.2 and 0.3 are 3602879701896397·2⁻⁵⁵, 3602879701896397·2⁻⁵⁴ and
  // 5404319552844595·2⁻⁵⁴, so their exact sum is 2⁻⁵⁵; double addition gives 2⁻⁵⁴.
  EXPECT_EQ(sum_of({0.1, 0.2, -0.3}), 0x1p-55);
  // DBL_MAX + DBL_MAX − DBL_MAX overflows in double; exactly it is DBL_MAX.
  EXPECT_EQ(sum_of({DBL_MAX, DBL_MAX, -DBL_MAX}), DBL_MAX);
  const double tiny = std::numeric_limits<double>::denorm_min();
  EXPECT_EQ(sum_of({tiny, tiny, tiny}), 3 * tiny);
  EXPECT_EQ(sum_of({1.0, tiny, -1.0}), tiny);
  EXPECT_EQ(sum_of({}), 0.0);
}

TEST(ExactSum, ValueIsTheExactSumRoundedToNearest) {
  // Multiples of 2⁻³⁰ whose exact total fits an int64: the reference is one correctly rounded
  // int64 → double conversion.
  for (int trial = 0; trial < 20; ++trial) {
    ExactSum sum;
    std::int64_t exact = 0;
    for (int i = 0; i < 5000; ++i) {
      const std::uint64_t bits = random_bits(static_cast<std::uint64_t>(trial) * 100000 + i);
      const auto k = static_cast<std::int64_t>(bits >> 19) - (std::int64_t{1} << 44);
      exact += k;
      sum.add(std::ldexp(static_cast<double>(k), -30));
    }
    EXPECT_EQ(sum.value(), std::ldexp(static_cast<double>(exact), -30)) << "trial " << trial;
  }
  // A tie between two doubles rounds to even: 2⁵³ + 1 lies halfway between 2⁵³ and 2⁵³ + 2.
  EXPECT_EQ(sum_of({0x1p53, 1.0}), 0x1p53);
  EXPECT_EQ(sum_of({0x1p53, 1.0, 0x1p-60}), 0x1p53 + 2.0);  // just above the tie
  EXPECT_EQ(sum_of({-0x1p53, -1.0, -0x1p-60}), -(0x1p53 + 2.0));
}

TEST(ExactSum, SameValuesInAnyOrderAndAnySplitGiveTheSameBits) {
  const std::vector<double> values = wide_values(30000);
  ExactSum forward;
  for (double v : values) forward.add(v);
  ExactSum backward;
  for (auto it = values.rbegin(); it != values.rend(); ++it) backward.add(*it);
  std::vector<double> shuffled = values;
  std::sort(shuffled.begin(), shuffled.end(), [](double a, double b) { return std::fabs(a) < std::fabs(b); });
  ExactSum by_magnitude;
  for (double v : shuffled) by_magnitude.add(v);
  // Seven uneven shards, merged in two different orders.
  std::vector<ExactSum> shards(7);
  for (std::size_t i = 0; i < values.size(); ++i) shards[(i * i) % 7].add(values[i]);
  ExactSum merged_up, merged_down;
  for (int s = 0; s < 7; ++s) merged_up.merge(shards[s]);
  for (int s = 6; s >= 0; --s) merged_down.merge(shards[s]);

  EXPECT_TRUE(forward == backward);
  EXPECT_TRUE(forward == by_magnitude);
  EXPECT_TRUE(forward == merged_up);
  EXPECT_TRUE(forward == merged_down);
  const auto bits = [](double x) { return std::bit_cast<std::uint64_t>(x); };
  EXPECT_EQ(bits(forward.value()), bits(merged_down.value()));
  // The plain double sums of the same values in two orders do differ: the test has teeth.
  double plain_forward = 0.0, plain_backward = 0.0;
  for (double v : values) plain_forward += v;
  for (auto it = values.rbegin(); it != values.rend(); ++it) plain_backward += *it;
  EXPECT_NE(bits(plain_forward), bits(plain_backward));
}

TEST(ExactSum, AValueAndItsNegationCancelToZero) {
  const std::vector<double> values = wide_values(5000);
  ExactSum sum;
  for (double v : values) sum.add(v);
  for (double v : values) sum.add(-v);
  EXPECT_EQ(sum.value(), 0.0);
  EXPECT_TRUE(sum == ExactSum{});
}

TEST(ExactSum, InfinitiesAndNaNsFollowIeeeWhateverTheOrder) {
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(sum_of({1.0, inf, -5.0}), inf);
  EXPECT_EQ(sum_of({-inf, 3.0}), -inf);
  EXPECT_TRUE(std::isnan(sum_of({inf, 1.0, -inf})));
  EXPECT_TRUE(std::isnan(sum_of({1.0, std::numeric_limits<double>::quiet_NaN()})));
}

TEST(ExactSum, WordsRoundTripAndRejectMalformedInput) {
  ExactSum sum;
  for (double v : wide_values(2000)) sum.add(v);
  sum.add(std::numeric_limits<double>::infinity());
  const ExactSum copy = ExactSum::from_words(sum.words());
  EXPECT_TRUE(copy == sum);
  EXPECT_EQ(copy.value(), sum.value());
  std::vector<std::int64_t> words = sum.words();
  words.pop_back();
  EXPECT_THROW(ExactSum::from_words(words), std::invalid_argument);
  words = sum.words();
  words[3] = -1;  // a settled lower chunk is never negative
  EXPECT_THROW(ExactSum::from_words(words), std::invalid_argument);
}

}  // namespace
}  // namespace chokepoint
