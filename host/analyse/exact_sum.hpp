// An exact, order-independent sum of doubles: a fixed-point superaccumulator (R. M. Neal, "Fast
// exact summation using small and large superaccumulators", 2015, the "small" kind).
//
// Every finite double is an integer multiple of 2⁻¹⁰⁷⁴ below 2¹⁰²⁴, so a sum of doubles is an
// integer of about 2100 bits. It is held as 67 signed 64-bit chunks, chunk i weighing
// 2^(32·i − 1074); a double lands in two neighbouring chunks with a plain integer add, and the
// carries are settled every kAddsBetweenCarries adds. Integer addition is associative, so the
// sum of the same values in any order, split in any way and merged in any order has the same
// state after `settle()` and therefore the same bits from `value()` — what sums across threads,
// batches, shards and ranks need to be bit-identical.
//
// Guarantees: add/merge are exact for every finite double; value() is the exact sum rounded to
// the nearest double (ties to even) unless the sum is subnormal (then within one unit of the last
// place). Infinities and NaNs are counted apart: a sum with a NaN, or with both +inf and −inf,
// is NaN; else any infinity wins. Size: 568 bytes, which is why the integration keeps few of them
// per output (docs/sensitivity.md).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace chokepoint {

class ExactSum {
 public:
  static constexpr int kChunks = 67;
  static constexpr int kChunkBits = 32;
  // A double's 53-bit mantissa adds < 2⁵³ to a chunk; 2⁶³ / 2⁵³ = 1024 such adds fit before a
  // settled chunk (< 2³²) could overflow.
  static constexpr int kAddsBetweenCarries = 1000;

  void add(double x);
  void merge(const ExactSum& other);
  double value() const;

  // Propagates carries so that chunks 0..65 lie in [0, 2³²) and the top chunk holds the sign:
  // the one canonical form of the exact value, which equality and serialisation compare.
  void settle();
  bool operator==(const ExactSum& other) const;

  // The settled chunks followed by the +inf, −inf and NaN counts: what a shard file stores.
  std::vector<std::int64_t> words() const;
  static ExactSum from_words(const std::vector<std::int64_t>& words);  // throws std::invalid_argument

 private:
  std::array<std::int64_t, kChunks> chunk_{};
  std::int32_t adds_since_settle_ = 0;
  std::uint64_t positive_infinities_ = 0;
  std::uint64_t negative_infinities_ = 0;
  std::uint64_t nans_ = 0;
};

}  // namespace chokepoint
