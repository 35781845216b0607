// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11).
//
// A counter-based generator is a pure function (counter, key) -> 4 words: no state is carried,
// so any path, step and stream can be drawn in any order, on any thread or device. This is the
// same generator as Random123's philox4x32_10 and cuRAND's curand_Philox4x32_10; the tests
// check both bit for bit.
#pragma once

#include <cstdint>

#include "chokepoint/macros.hpp"

namespace chokepoint {

struct PhiloxCounter {
  std::uint32_t word[4];
};

struct PhiloxKey {
  std::uint32_t word[2];
};

namespace philox_detail {

constexpr std::uint32_t kMultiplier0 = 0xD2511F53u;
constexpr std::uint32_t kMultiplier1 = 0xCD9E8D57u;
constexpr std::uint32_t kWeyl0 = 0x9E3779B9u;  // golden ratio
constexpr std::uint32_t kWeyl1 = 0xBB67AE85u;  // sqrt(3) - 1

// A 32x32 -> 64 bit multiply split into halves; one mul instruction on every target we build.
CHOKEPOINT_HD CHOKEPOINT_FORCEINLINE void multiply_high_low(std::uint32_t a, std::uint32_t b,
                                                            std::uint32_t& high,
                                                            std::uint32_t& low) {
  const std::uint64_t product = static_cast<std::uint64_t>(a) * b;
  high = static_cast<std::uint32_t>(product >> 32);
  low = static_cast<std::uint32_t>(product);
}

CHOKEPOINT_HD CHOKEPOINT_FORCEINLINE PhiloxCounter round(PhiloxCounter c, PhiloxKey k) {
  std::uint32_t high0, low0, high1, low1;
  multiply_high_low(kMultiplier0, c.word[0], high0, low0);
  multiply_high_low(kMultiplier1, c.word[2], high1, low1);
  return PhiloxCounter{{high1 ^ c.word[1] ^ k.word[0], low1, high0 ^ c.word[3] ^ k.word[1], low0}};
}

}  // namespace philox_detail

// Ten rounds of Philox4x32 with the key bumped by the Weyl constants between rounds.
CHOKEPOINT_HD CHOKEPOINT_FORCEINLINE PhiloxCounter philox4x32_10(PhiloxCounter counter,
                                                                 PhiloxKey key) {
  for (int r = 0; r < 9; ++r) {
    counter = philox_detail::round(counter, key);
    key.word[0] += philox_detail::kWeyl0;
    key.word[1] += philox_detail::kWeyl1;
  }
  return philox_detail::round(counter, key);
}

}  // namespace chokepoint
