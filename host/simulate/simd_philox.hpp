// Philox4x32-10 on a pack of counters at once: the same rounds as include/chokepoint/philox.hpp,
// lane by lane in vector registers (one 32×32→64 multiply per word pair, vpmuludq on x86).
#pragma once

#include <cstdint>

#include "chokepoint/philox.hpp"
#include "simulate/simd_pack.hpp"

namespace chokepoint::simd {

typedef std::uint32_t WordVector __attribute__((vector_size(kPackWidth * sizeof(std::uint32_t))));
typedef std::uint64_t WideVector __attribute__((vector_size(kPackWidth * sizeof(std::uint64_t))));

struct CounterPack {
  WordVector word[4];
};

// 32×32→64 per lane. Written with the even-lane multiply intrinsic because GCC 12 turns the
// plain `uint64 * uint64` of zero-extended words into vpmullq (3 uops) rather than vpmuludq.
// (The AVX-512 intrinsics trip GCC 12's false -Wmaybe-uninitialized, PR 105593.)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
inline WideVector multiply_wide(WideVector x, std::uint64_t multiplier) {
#if defined(__AVX512F__)
  return WideVector(_mm512_mul_epu32(__m512i(x), _mm512_set1_epi64(static_cast<long long>(multiplier))));
#elif defined(__AVX2__)
  return WideVector(_mm256_mul_epu32(__m256i(x), _mm256_set1_epi64x(static_cast<long long>(multiplier))));
#else
  return WideVector(_mm_mul_epu32(__m128i(x), _mm_set1_epi64x(static_cast<long long>(multiplier))));
#endif
}
#pragma GCC diagnostic pop

inline void multiply_high_low(std::uint32_t multiplier, WordVector x, WordVector& high, WordVector& low) {
  const WideVector product = multiply_wide(__builtin_convertvector(x, WideVector), multiplier);
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
