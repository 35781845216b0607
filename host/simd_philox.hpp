// Philox4x32-10 on a pack of counters at once: the same rounds as include/chokepoint/philox.hpp,
// lane by lane in vector registers (one 32×32→64 multiply per word pair, vpmuludq on x86).
#pragma once

#include <cstdint>

#include "chokepoint/philox.hpp"
#include "simd_pack.hpp"

namespace chokepoint::simd {

typedef std::uint32_t WordVector __attribute__((vector_size(kPackWidth * sizeof(std::uint32_t))));
typedef std::uint64_t WideVector __attribute__((vector_size(kPackWidth * sizeof(std::uint64_t))));

struct CounterPack {
  WordVector word[4];
};

inline void multiply_high_low(std::uint32_t multiplier, WordVector x, WordVector& high, WordVector& low) {
  const WideVector product = __builtin_convertvector(x, WideVector) * static_cast<std::uint64_t>(multiplier);
  high = __builtin_convertvector(product >> 32, WordVector);
  low = __builtin_convertvector(product, WordVector);
}

inline CounterPack philox4x32_10(CounterPack c, PhiloxKey key) {
  for (int round = 0; round < 10; ++round) {
    WordVector high0, low0, high1, low1;
    multiply_high_low(philox_detail::kMultiplier0, c.word[0], high0, low0);
    multiply_high_low(philox_detail::kMultiplier1, c.word[2], high1, low1);
    c = CounterPack{{high1 ^ c.word[1] ^ key.word[0], low1, high0 ^ c.word[3] ^ key.word[1], low0}};
    key.word[0] += philox_detail::kWeyl0;
    key.word[1] += philox_detail::kWeyl1;
  }
  return c;
}

// Open uniforms x·2⁻³² + 2⁻³³ of one word of every lane, as in open_uniform().
inline Pack open_uniforms(WordVector words) {
  return Pack(__builtin_convertvector(words, Vector) * 0x1p-32 + 0x1p-33);
}

}  // namespace chokepoint::simd
