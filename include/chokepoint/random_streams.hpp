// Where every random number of a path comes from (docs/model.md §8).
//
// Key  = the run's 64-bit seed.
// Counter = {block, stream, path low, path high}, where `stream` is a 32-bit hash of the
// *name* of the factor, event or parameter, and `block` counts Philox calls along that stream:
//   block 0            draws made once per path (a factor's e(0) and trend δ, a parameter);
//   block 1 + (t-1)/4  for a factor's shocks: one call gives four normals, for steps t..t+3;
//   block t            for an event at step t (fire test, severity, forced severity).
// So the numbers of path p, stream x, step t depend only on (seed, name of x, p, t): never on
// the backend, thread count, batch, shard or on which other names the scenario has.
#pragma once

#include <cmath>
#include <cstdint>

#include "chokepoint/macros.hpp"
#include "chokepoint/philox.hpp"

namespace chokepoint {
CHOKEPOINT_CODE_BEGIN

// 32-bit FNV-1a of a name. constexpr so that the host computes stream ids once per scenario.
constexpr std::uint32_t stream_id(const char* text, std::uint32_t hash = 2166136261u) {
  return *text == '\0' ? hash
                       : stream_id(text + 1, (hash ^ static_cast<std::uint8_t>(*text)) * 16777619u);
}

CHOKEPOINT_HD CHOKEPOINT_FORCEINLINE PhiloxKey seed_key(std::uint64_t seed) {
  return PhiloxKey{{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
}

CHOKEPOINT_HD CHOKEPOINT_FORCEINLINE PhiloxCounter stream_block(std::uint32_t stream,
                                                                std::uint64_t path,
                                                                std::uint32_t block) {
  return PhiloxCounter{{block, stream, static_cast<std::uint32_t>(path),
                        static_cast<std::uint32_t>(path >> 32)}};
}

// A 32-bit word to a uniform in the open interval (0, 1): x·2⁻³² + 2⁻³³, cuRAND's rule,
// evaluated in double so that it is exact.
CHOKEPOINT_HD CHOKEPOINT_FORCEINLINE double open_uniform(std::uint32_t word) {
  return static_cast<double>(word) * 0x1p-32 + 0x1p-33;
}

CHOKEPOINT_CODE_END

// Box–Muller on a pair of open uniforms: (s·sin v, s·cos v), s = √(−2 ln u1), v = 2π·u2. A
// template so that the CPU backend runs it on SIMD packs of paths with the very same formula.
template <class Real>
struct NormalPairOf {
  Real first;
  Real second;
};
using NormalPair = NormalPairOf<double>;

CHOKEPOINT_CODE_BEGIN

template <class Real>
CHOKEPOINT_HD CHOKEPOINT_FORCEINLINE NormalPairOf<Real> box_muller_uniforms(Real u, Real v) {
  constexpr double kTwoPi = 6.283185307179586476925286766559;
  const Real radius = sqrt(-2.0 * log(u));
  const Real angle = kTwoPi * v;
  return NormalPairOf<Real>{radius * sin(angle), radius * cos(angle)};
}

// Both uniforms are open, so the log never sees 0; the largest |normal| is √(−2 ln 2⁻³³) ≈ 6.77.
CHOKEPOINT_HD CHOKEPOINT_FORCEINLINE NormalPair box_muller(std::uint32_t word_u, std::uint32_t word_v) {
  return box_muller_uniforms(open_uniform(word_u), open_uniform(word_v));
}

CHOKEPOINT_CODE_END

// Four standard normals from one Philox call.
struct FourNormals {
  double value[4];
};

CHOKEPOINT_CODE_BEGIN

CHOKEPOINT_HD CHOKEPOINT_FORCEINLINE FourNormals four_normals(PhiloxKey key, std::uint32_t stream,
                                                              std::uint64_t path,
                                                              std::uint32_t block) {
  const PhiloxCounter words = philox4x32_10(stream_block(stream, path, block), key);
  const NormalPair a = box_muller(words.word[0], words.word[1]);
  const NormalPair b = box_muller(words.word[2], words.word[3]);
  return FourNormals{{a.first, a.second, b.first, b.second}};
}

// The same four normals in float, as the mixed precision draws them (precision.hpp): cuRAND's
// uniform rule x·2⁻³² + 2⁻³³ evaluated in float (so a word near 2³² rounds to u = 1, a normal of
// 0, as in curand_uniform), and Box–Muller in float. Returned widened to double.
CHOKEPOINT_HD CHOKEPOINT_FORCEINLINE float open_uniform_float(std::uint32_t word) {
  return static_cast<float>(word) * 0x1p-32f + 0x1p-33f;
}

CHOKEPOINT_HD CHOKEPOINT_FORCEINLINE NormalPair box_muller_float(std::uint32_t word_u, std::uint32_t word_v) {
  constexpr float kTwoPi = 6.283185307179586476925286766559f;
  const float radius = sqrtf(-2.0f * logf(open_uniform_float(word_u)));
  const float angle = kTwoPi * open_uniform_float(word_v);
  return NormalPair{static_cast<double>(radius * sinf(angle)), static_cast<double>(radius * cosf(angle))};
}

CHOKEPOINT_HD CHOKEPOINT_FORCEINLINE FourNormals four_normals_float(PhiloxKey key, std::uint32_t stream,
                                                                    std::uint64_t path, std::uint32_t block) {
  const PhiloxCounter words = philox4x32_10(stream_block(stream, path, block), key);
  const NormalPair a = box_muller_float(words.word[0], words.word[1]);
  const NormalPair b = box_muller_float(words.word[2], words.word[3]);
  return FourNormals{{a.first, a.second, b.first, b.second}};
}

// The Philox block that holds the shock of step t (1-based) of a factor, and its lane.
CHOKEPOINT_HD CHOKEPOINT_FORCEINLINE std::uint32_t shock_block(int step) {
  return 1u + static_cast<std::uint32_t>(step - 1) / 4u;
}
CHOKEPOINT_HD CHOKEPOINT_FORCEINLINE int shock_lane(int step) { return (step - 1) % 4; }

CHOKEPOINT_CODE_END

}  // namespace chokepoint
