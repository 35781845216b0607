// Exact, order-independent sums of float values and of their squares (a small superaccumulator).
//
// Every float is m·2^(e−150) with an integer m < 2²⁴ and a biased exponent e in 1..254, so its
// square is m²·2^(2e−300) with m² < 2⁴⁸. Integer bins per exponent add m (and m²) exactly; a
// bin of m overflows only after 2³⁹ ≈ 5·10¹¹ values and a bin of m² (128 bits) after 2⁷⁹, so
// the sums are exact over the whole float range for any run this engine can do. Merging adds
// bins, so any split of the paths into threads, batches, shards or ranks, merged in any order,
// gives the same bits. Mean and sd are computed once, at the end, from the exact integers.
#pragma once

#include <array>
#include <cstdint>

namespace chokepoint {

class ExactMoments {
 public:
  static constexpr int kExponents = 256;

  void add(float value) {
    std::uint32_t bits;
    __builtin_memcpy(&bits, &value, sizeof bits);
    const std::uint32_t exponent = (bits >> 23) & 0xffu;
    ++count_;
    if (exponent == 0xffu) {  // ±inf or NaN: kept apart, reported as today's sums would
      if (bits & 0x7fffffu) ++not_a_number_;
      else if (bits >> 31) ++negative_infinite_;
      else ++positive_infinite_;
      return;
    }
    // ±FLT_MAX: a value stored saturated (stored_value.hpp); counted for the non-finite report.
    saturated_ += (bits & 0x7fffffffu) == 0x7f7fffffu;
    const std::uint64_t mantissa = exponent ? ((bits & 0x7fffffu) | 0x800000u) : (bits & 0x7fffffu);
    const int bin = exponent ? static_cast<int>(exponent) : 1;  // subnormals share bin 1's scale
    sum_[bin] += (bits >> 31) ? -static_cast<std::int64_t>(mantissa) : static_cast<std::int64_t>(mantissa);
    const std::uint64_t square = mantissa * mantissa;
    squares_low_[bin] += square;
    squares_high_[bin] += squares_low_[bin] < square;
  }

  void merge(const ExactMoments& other);

  std::uint64_t count() const { return count_; }
  std::uint64_t nonfinite() const { return not_a_number_ + positive_infinite_ + negative_infinite_; }
  std::uint64_t saturated() const { return saturated_; }
  // Σx/P (the exact sum rounded to double once, then divided), and the sample sd from the exact
  // P·Σx² − (Σx)² (divisor P − 1; 0 for one path). NaN when a value was NaN or both infinities.
  double mean() const;
  double sd() const;

  // For partial-result files: the raw integers, in a fixed order.
  // (`self` const to read them, non-const to fill them).
  template <class Self, class Visit>
  static void visit_words(Self& self, Visit&& visit) {
    visit(self.count_);
    visit(self.not_a_number_);
    visit(self.positive_infinite_);
    visit(self.negative_infinite_);
    visit(self.saturated_);
    for (auto& word : self.sum_) visit(word);
    for (auto& word : self.squares_low_) visit(word);
    for (auto& word : self.squares_high_) visit(word);
  }

 private:
  std::uint64_t count_ = 0;
  std::uint64_t not_a_number_ = 0;
  std::uint64_t positive_infinite_ = 0;
  std::uint64_t negative_infinite_ = 0;
  std::uint64_t saturated_ = 0;
  std::array<std::int64_t, kExponents> sum_{};
  std::array<std::uint64_t, kExponents> squares_low_{};
  std::array<std::uint64_t, kExponents> squares_high_{};
};

}  // namespace chokepoint
