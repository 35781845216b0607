#include "chokepoint/exact_sum.hpp"

#include <cmath>
#include <limits>
#include <vector>

namespace chokepoint {

namespace {

// A signed big integer, little-endian 32-bit limbs of the magnitude: just enough arithmetic to
// form P·Σx² − (Σx)² exactly once per column. Not a hot path.
struct BigInteger {
  bool negative = false;
  std::vector<std::uint32_t> limbs;

  void trim() {
    while (!limbs.empty() && limbs.back() == 0) limbs.pop_back();
    if (limbs.empty()) negative = false;
  }
};

int compare_magnitude(const BigInteger& a, const BigInteger& b) {
  if (a.limbs.size() != b.limbs.size()) return a.limbs.size() < b.limbs.size() ? -1 : 1;
  for (std::size_t i = a.limbs.size(); i-- > 0;)
    if (a.limbs[i] != b.limbs[i]) return a.limbs[i] < b.limbs[i] ? -1 : 1;
  return 0;
}

void add_magnitude(std::vector<std::uint32_t>& to, const std::vector<std::uint32_t>& from) {
  if (to.size() < from.size()) to.resize(from.size(), 0);
  std::uint64_t carry = 0;
  for (std::size_t i = 0; i < to.size(); ++i) {
    const std::uint64_t total = std::uint64_t{to[i]} + (i < from.size() ? from[i] : 0) + carry;
    to[i] = static_cast<std::uint32_t>(total);
    carry = total >> 32;
  }
  if (carry) to.push_back(static_cast<std::uint32_t>(carry));
}

// to −= from, where |to| ≥ |from|.
void subtract_magnitude(std::vector<std::uint32_t>& to, const std::vector<std::uint32_t>& from) {
  std::int64_t borrow = 0;
  for (std::size_t i = 0; i < to.size(); ++i) {
    std::int64_t difference = std::int64_t{to[i]} - (i < from.size() ? from[i] : 0) - borrow;
    borrow = difference < 0;
    if (borrow) difference += std::int64_t{1} << 32;
    to[i] = static_cast<std::uint32_t>(difference);
  }
}

void add_to(BigInteger& to, const BigInteger& from) {
  if (from.limbs.empty()) return;
  if (to.limbs.empty() || to.negative == from.negative) {
    if (to.limbs.empty()) to.negative = from.negative;
    add_magnitude(to.limbs, from.limbs);
  } else if (compare_magnitude(to, from) >= 0) {
    subtract_magnitude(to.limbs, from.limbs);
  } else {
    std::vector<std::uint32_t> result = from.limbs;
    subtract_magnitude(result, to.limbs);
    to.limbs = result;
    to.negative = from.negative;
  }
  to.trim();
}

// magnitude · 2^shift as a BigInteger (magnitude given as up to 128 bits: low, high).
BigInteger shifted(bool negative, std::uint64_t low, std::uint64_t high, int shift) {
  BigInteger result;
  result.negative = negative;
  result.limbs.assign(static_cast<std::size_t>(shift / 32) + 6, 0);
  const std::uint32_t words[4] = {static_cast<std::uint32_t>(low), static_cast<std::uint32_t>(low >> 32),
                                  static_cast<std::uint32_t>(high), static_cast<std::uint32_t>(high >> 32)};
  const int bit = shift % 32;
  for (int i = 0; i < 4; ++i) {
    const std::uint64_t part = std::uint64_t{words[i]} << bit;
    const std::size_t at = static_cast<std::size_t>(shift / 32 + i);
    result.limbs[at] |= static_cast<std::uint32_t>(part);
    result.limbs[at + 1] |= static_cast<std::uint32_t>(part >> 32);
  }
  result.trim();
  return result;
}

BigInteger multiply(const BigInteger& a, const BigInteger& b) {
  BigInteger result;
  result.limbs.assign(a.limbs.size() + b.limbs.size() + 1, 0);
  for (std::size_t i = 0; i < a.limbs.size(); ++i) {
    std::uint64_t carry = 0;
    for (std::size_t j = 0; j < b.limbs.size(); ++j) {
      const std::uint64_t total = std::uint64_t{a.limbs[i]} * b.limbs[j] + result.limbs[i + j] + carry;
      result.limbs[i + j] = static_cast<std::uint32_t>(total);
      carry = total >> 32;
    }
    result.limbs[i + b.limbs.size()] = static_cast<std::uint32_t>(carry);
  }
  result.negative = a.negative != b.negative;
  result.trim();
  return result;
}

// The value · 2^scale as a double: the top 64 bits, converted once (deterministic, ≤ 1 ulp off).
double to_double(const BigInteger& value, int scale) {
  if (value.limbs.empty()) return 0.0;
  const int top_limb = static_cast<int>(value.limbs.size()) - 1;
  const int top_bit = 31 - __builtin_clz(value.limbs.back()) + 32 * top_limb;
  const int low_bit = std::max(0, top_bit - 63);
  std::uint64_t top = 0;
  for (int bit = top_bit; bit >= low_bit; --bit)
    top = (top << 1) | ((value.limbs[static_cast<std::size_t>(bit / 32)] >> (bit % 32)) & 1u);
  const double magnitude = std::ldexp(static_cast<double>(top), low_bit + scale);
  return value.negative ? -magnitude : magnitude;
}

}  // namespace

void ExactMoments::merge(const ExactMoments& other) {
  count_ += other.count_;
  not_a_number_ += other.not_a_number_;
  positive_infinite_ += other.positive_infinite_;
  negative_infinite_ += other.negative_infinite_;
  saturated_ += other.saturated_;
  for (int bin = 0; bin < kExponents; ++bin) {
    sum_[bin] += other.sum_[bin];
    squares_low_[bin] += other.squares_low_[bin];
    squares_high_[bin] += other.squares_high_[bin] + (squares_low_[bin] < other.squares_low_[bin]);
  }
}

namespace {

// Σx · 2¹⁵⁰ and Σx² · 2³⁰⁰ as exact integers.
BigInteger exact_sum(const std::array<std::int64_t, ExactMoments::kExponents>& sum) {
  BigInteger total;
  for (int bin = 0; bin < ExactMoments::kExponents; ++bin) {
    if (sum[bin] == 0) continue;
    const bool negative = sum[bin] < 0;
    const std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(sum[bin]) : static_cast<std::uint64_t>(sum[bin]);
    add_to(total, shifted(negative, magnitude, 0, bin));
  }
  return total;
}

}  // namespace

double ExactMoments::mean() const {
  if (count_ == 0) return std::numeric_limits<double>::quiet_NaN();
  if (not_a_number_ || (positive_infinite_ && negative_infinite_)) return std::numeric_limits<double>::quiet_NaN();
  if (positive_infinite_) return std::numeric_limits<double>::infinity();
  if (negative_infinite_) return -std::numeric_limits<double>::infinity();
  return to_double(exact_sum(sum_), -150) / static_cast<double>(count_);
}

double ExactMoments::sd() const {
  if (count_ < 2) return 0.0;
  if (not_a_number_ || positive_infinite_ || negative_infinite_) return std::numeric_limits<double>::quiet_NaN();
  BigInteger squares;
  for (int bin = 0; bin < kExponents; ++bin)
    if (squares_low_[bin] || squares_high_[bin]) add_to(squares, shifted(false, squares_low_[bin], squares_high_[bin], 2 * bin));
  const BigInteger sum = exact_sum(sum_);
  BigInteger paths;
  paths.limbs = {static_cast<std::uint32_t>(count_), static_cast<std::uint32_t>(count_ >> 32)};
  paths.trim();
  BigInteger numerator = multiply(paths, squares);  // P·Σx² − (Σx)² ≥ 0, exactly
  BigInteger square_of_sum = multiply(sum, sum);
  square_of_sum.negative = true;
  add_to(numerator, square_of_sum);
  const double n = static_cast<double>(count_);
  return std::sqrt(to_double(numerator, -300) / n / (n - 1.0));
}

}  // namespace chokepoint
