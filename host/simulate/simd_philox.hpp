// Philox4x32-10 on a pack of counters at once: the same rounds as include/chokepoint/philox.hpp,
// lane by lane in vector registers (one 32×32→64 multiply per word pair, vpmuludq on x86).
#pragma once

#include <cstdint>
#include <cstring>

#include "chokepoint/philox.hpp"
#include "simulate/simd_pack.hpp"

namespace chokepoint::simd {
// Types too: a pack is a different type in a file compiled with other vector widths (macros.hpp).
CHOKEPOINT_CODE_BEGIN

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

// Two packs of counters through Philox at once (two streams of the same paths). With AVX-512 the
// two packs' words share one 16-lane register and each 32×32→64 multiply is done on the even
// and the odd lanes in place (two vpmuludq and two blends): no widening or narrowing shuffles,
// which is what the one-pack version above spends most of its time on. Bit for bit the same.
#if defined(__AVX512F__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
inline void multiply_high_low_16(__m512i multiplier, __m512i x, __m512i& high, __m512i& low) {
  const __m512i even = _mm512_mul_epu32(x, multiplier);
  const __m512i odd = _mm512_mul_epu32(_mm512_srli_epi64(x, 32), multiplier);
  low = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
  high = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 32), odd);
}

inline void philox4x32_10_pair(CounterPack& a, CounterPack& b, PhiloxKey key) {
  __m512i c[4];
  for (int w = 0; w < 4; ++w)
    c[w] = _mm512_inserti64x4(_mm512_castsi256_si512(__m256i(a.word[w])), __m256i(b.word[w]), 1);
  const __m512i multiplier0 = _mm512_set1_epi64(philox_detail::kMultiplier0);
  const __m512i multiplier1 = _mm512_set1_epi64(philox_detail::kMultiplier1);
  for (int round = 0; round < 10; ++round) {
    __m512i high0, low0, high1, low1;
    multiply_high_low_16(multiplier0, c[0], high0, low0);
    multiply_high_low_16(multiplier1, c[2], high1, low1);
    const __m512i key0 = _mm512_set1_epi32(static_cast<int>(key.word[0]));
    const __m512i key1 = _mm512_set1_epi32(static_cast<int>(key.word[1]));
    c[0] = _mm512_xor_si512(_mm512_xor_si512(high1, c[1]), key0);
    c[1] = low1;
    c[2] = _mm512_xor_si512(_mm512_xor_si512(high0, c[3]), key1);
    c[3] = low0;
    key.word[0] += philox_detail::kWeyl0;
    key.word[1] += philox_detail::kWeyl1;
  }
  for (int w = 0; w < 4; ++w) {
    a.word[w] = WordVector(_mm512_castsi512_si256(c[w]));
    b.word[w] = WordVector(_mm512_extracti64x4_epi64(c[w], 1));
  }
}
#pragma GCC diagnostic pop
#else
inline void philox4x32_10_pair(CounterPack& a, CounterPack& b, PhiloxKey key) {
  a = philox4x32_10(a, key);
  b = philox4x32_10(b, key);
}
#endif

// Open uniforms x·2⁻³² + 2⁻³³ of one word of every lane, as in open_uniform().
inline Pack open_uniforms(WordVector words) {
  return Pack(__builtin_convertvector(words, Vector) * 0x1p-32 + 0x1p-33);
}

// box_muller_float (random_streams.hpp) on the four words of a pack's block at once: words 0
// and 2 as u, 1 and 3 as v, in one vector of twice the pack's lanes. Gives the normals a.first,
// a.second, b.first, b.second of four_normals_float for every lane.
// Half `half` (0: lanes 0..kPackWidth−1) of a wide float vector, widened to a pack of doubles.
inline Pack widen_half(WideFloatVector x, int half) {
  FloatVector part;
  std::memcpy(&part, reinterpret_cast<const unsigned char*>(&x) + half * sizeof(FloatVector), sizeof(FloatVector));
  return Pack(__builtin_convertvector(part, Vector));
}

struct FourNormalPacks {
  Pack value[4];
};

inline FourNormalPacks four_normals_float(const CounterPack& words) {
  typedef std::uint32_t WideWordVector __attribute__((vector_size(2 * kPackWidth * sizeof(std::uint32_t))));
  constexpr float kTwoPi = 6.283185307179586476925286766559f;
#if defined(__AVX512F__)
  const WideWordVector u_words = __builtin_shufflevector(words.word[0], words.word[2], 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const WideWordVector v_words = __builtin_shufflevector(words.word[1], words.word[3], 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
#elif defined(__AVX2__)
  const WideWordVector u_words = __builtin_shufflevector(words.word[0], words.word[2], 0, 1, 2, 3, 4, 5, 6, 7);
  const WideWordVector v_words = __builtin_shufflevector(words.word[1], words.word[3], 0, 1, 2, 3, 4, 5, 6, 7);
#else
  const WideWordVector u_words = __builtin_shufflevector(words.word[0], words.word[2], 0, 1, 2, 3);
  const WideWordVector v_words = __builtin_shufflevector(words.word[1], words.word[3], 0, 1, 2, 3);
#endif
  const WideFloatVector u = __builtin_convertvector(u_words, WideFloatVector) * 0x1p-32f + 0x1p-33f;
  const WideFloatVector v = __builtin_convertvector(v_words, WideFloatVector) * 0x1p-32f + 0x1p-33f;
  const WideFloatVector radius = sqrt_floats(-2.0f * log_floats(u));
  const WideFloatVector angle = kTwoPi * v;
  const WideFloatVector first = radius * sin_floats(angle);
  const WideFloatVector second = radius * cos_floats(angle);
  return FourNormalPacks{{widen_half(first, 0), widen_half(second, 0), widen_half(first, 1), widen_half(second, 1)}};
}

CHOKEPOINT_CODE_END
}  // namespace chokepoint::simd
