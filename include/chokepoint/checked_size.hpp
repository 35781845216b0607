// Sizes of per-path storage, computed so that they cannot wrap around. A path count near 2⁶⁴
// times a few hundred bytes per path wraps a plain 64-bit product to a small number; a buffer of
// that small size then receives every path's results. Every allocation sized by the path count
// (ResultBuffer, PathResults, the CUDA memory plan) goes through these instead.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>

namespace chokepoint {

// The product of `factors`, or nothing when it does not fit in 64 bits.
constexpr std::optional<std::uint64_t> checked_product(std::initializer_list<std::uint64_t> factors) {
  std::uint64_t product = 1;
  for (const std::uint64_t factor : factors) {
    if (factor != 0 && product > std::numeric_limits<std::uint64_t>::max() / factor) return std::nullopt;
    product *= factor;
  }
  for (const std::uint64_t factor : factors)
    if (factor == 0) return 0;
  return product;
}

// The sum of `terms`, or nothing when it does not fit in 64 bits.
constexpr std::optional<std::uint64_t> checked_sum(std::initializer_list<std::uint64_t> terms) {
  std::uint64_t sum = 0;
  for (const std::uint64_t term : terms) {
    if (term > std::numeric_limits<std::uint64_t>::max() - sum) return std::nullopt;
    sum += term;
  }
  return sum;
}

// For memory plans that compare a need against what a device has: a size too large to count
// is as good as "more than any device has".
constexpr std::uint64_t saturating_product(std::initializer_list<std::uint64_t> factors) {
  return checked_product(factors).value_or(std::numeric_limits<std::uint64_t>::max());
}
constexpr std::uint64_t saturating_sum(std::initializer_list<std::uint64_t> terms) {
  return checked_sum(terms).value_or(std::numeric_limits<std::uint64_t>::max());
}

}  // namespace chokepoint
