// A SIMD pack of paths for the CPU backend: the per-path step (include/chokepoint/path_step.hpp)
// is a template over its number type, and this type carries kPackWidth paths at once, one per
// vector lane. Every operation is lane by lane, so a path's numbers do not depend on which
// other paths share its pack. Transcendentals come from glibc's libmvec (the vector variants
// of exp, log, sin, cos, ≤ 4 ulp), which is what makes a pack faster than a loop.
#pragma once

#include <immintrin.h>

#include <cmath>

#include "chokepoint/distributions.hpp"
#include "chokepoint/lane_math.hpp"

namespace chokepoint::simd {
// Types too: a pack is a different type in a file compiled with other vector widths (macros.hpp).
CHOKEPOINT_CODE_BEGIN

#if defined(__AVX512F__)
inline constexpr int kPackWidth = 8;
#elif defined(__AVX2__)
inline constexpr int kPackWidth = 4;
#else
inline constexpr int kPackWidth = 2;
#endif

typedef double Vector __attribute__((vector_size(kPackWidth * sizeof(double))));
typedef long long VectorMask __attribute__((vector_size(kPackWidth * sizeof(double))));

// The result of comparing two packs: all ones in the lanes where it holds.
struct PackMask {
  VectorMask bits;
};

struct Pack {
  Vector v;

  Pack() = default;
  Pack(double x) : v(Vector{} + x) {}  // NOLINT: a scalar is broadcast, as the step expects
  explicit Pack(Vector x) : v(x) {}

  double operator[](int lane) const { return v[lane]; }
  void set(int lane, double x) { v[lane] = x; }

  Pack& operator+=(Pack other) { v += other.v; return *this; }
  Pack& operator-=(Pack other) { v -= other.v; return *this; }
  Pack& operator*=(Pack other) { v *= other.v; return *this; }
  Pack& operator/=(Pack other) { v /= other.v; return *this; }
};

inline Pack operator+(Pack a, Pack b) { return Pack(a.v + b.v); }
inline Pack operator-(Pack a, Pack b) { return Pack(a.v - b.v); }
inline Pack operator*(Pack a, Pack b) { return Pack(a.v * b.v); }
inline Pack operator/(Pack a, Pack b) { return Pack(a.v / b.v); }
inline Pack operator-(Pack a) { return Pack(-a.v); }
inline PackMask operator<(Pack a, Pack b) { return PackMask{a.v < b.v}; }
inline PackMask operator==(Pack a, Pack b) { return PackMask{a.v == b.v}; }

inline Pack select(PackMask condition, Pack if_true, Pack if_false) {
  return Pack(condition.bits ? if_true.v : if_false.v);
}
inline Pack select(bool condition, Pack if_true, Pack if_false) { return condition ? if_true : if_false; }
inline bool any(PackMask condition) {
  for (int lane = 0; lane < kPackWidth; ++lane)
    if (condition.bits[lane]) return true;
  return false;
}

// fmin/fmax as the scalar step uses them (no NaN reaches them).
inline Pack fmin(Pack a, Pack b) { return Pack(a.v < b.v ? a.v : b.v); }
inline Pack fmax(Pack a, Pack b) { return Pack(a.v > b.v ? a.v : b.v); }

#if defined(__AVX512F__)
extern "C" __m512d _ZGVeN8v_exp(__m512d);
extern "C" __m512d _ZGVeN8v_log(__m512d);
extern "C" __m512d _ZGVeN8v_sin(__m512d);
extern "C" __m512d _ZGVeN8v_cos(__m512d);
inline Pack exp(Pack a) { return Pack(Vector(_ZGVeN8v_exp(__m512d(a.v)))); }
inline Pack log(Pack a) { return Pack(Vector(_ZGVeN8v_log(__m512d(a.v)))); }
inline Pack sin(Pack a) { return Pack(Vector(_ZGVeN8v_sin(__m512d(a.v)))); }
inline Pack cos(Pack a) { return Pack(Vector(_ZGVeN8v_cos(__m512d(a.v)))); }
// GCC 12 reports the _mm512_undefined_pd inside _mm512_sqrt_pd as maybe-uninitialized (a false
// positive, GCC bug 105593); silenced for this one function only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
inline Pack sqrt(Pack a) { return Pack(Vector(_mm512_sqrt_pd(__m512d(a.v)))); }
#pragma GCC diagnostic pop
#elif defined(__AVX2__)
extern "C" __m256d _ZGVdN4v_exp(__m256d);
extern "C" __m256d _ZGVdN4v_log(__m256d);
extern "C" __m256d _ZGVdN4v_sin(__m256d);
extern "C" __m256d _ZGVdN4v_cos(__m256d);
inline Pack exp(Pack a) { return Pack(Vector(_ZGVdN4v_exp(__m256d(a.v)))); }
inline Pack log(Pack a) { return Pack(Vector(_ZGVdN4v_log(__m256d(a.v)))); }
inline Pack sin(Pack a) { return Pack(Vector(_ZGVdN4v_sin(__m256d(a.v)))); }
inline Pack cos(Pack a) { return Pack(Vector(_ZGVdN4v_cos(__m256d(a.v)))); }
inline Pack sqrt(Pack a) { return Pack(Vector(_mm256_sqrt_pd(__m256d(a.v)))); }
#else
extern "C" __m128d _ZGVbN2v_exp(__m128d);
extern "C" __m128d _ZGVbN2v_log(__m128d);
extern "C" __m128d _ZGVbN2v_sin(__m128d);
extern "C" __m128d _ZGVbN2v_cos(__m128d);
inline Pack exp(Pack a) { return Pack(Vector(_ZGVbN2v_exp(__m128d(a.v)))); }
inline Pack log(Pack a) { return Pack(Vector(_ZGVbN2v_log(__m128d(a.v)))); }
inline Pack sin(Pack a) { return Pack(Vector(_ZGVbN2v_sin(__m128d(a.v)))); }
inline Pack cos(Pack a) { return Pack(Vector(_ZGVbN2v_cos(__m128d(a.v)))); }
inline Pack sqrt(Pack a) { return Pack(Vector(_mm_sqrt_pd(__m128d(a.v)))); }
#endif

// The mixed precision's float arithmetic (simulate/../chokepoint/precision.hpp): float vectors of
// one and of two packs' lanes (16 floats fill an AVX-512 register).
typedef float FloatVector __attribute__((vector_size(kPackWidth * sizeof(float))));
typedef float WideFloatVector __attribute__((vector_size(2 * kPackWidth * sizeof(float))));

#if defined(__AVX512F__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC bug 105593, as above
extern "C" __m256 _ZGVdN8v_expf(__m256);
extern "C" __m512 _ZGVeN16v_logf(__m512);
extern "C" __m512 _ZGVeN16v_sinf(__m512);
extern "C" __m512 _ZGVeN16v_cosf(__m512);
inline FloatVector exp_floats(FloatVector x) { return FloatVector(_ZGVdN8v_expf(__m256(x))); }
inline WideFloatVector log_floats(WideFloatVector x) { return WideFloatVector(_ZGVeN16v_logf(__m512(x))); }
inline WideFloatVector sin_floats(WideFloatVector x) { return WideFloatVector(_ZGVeN16v_sinf(__m512(x))); }
inline WideFloatVector cos_floats(WideFloatVector x) { return WideFloatVector(_ZGVeN16v_cosf(__m512(x))); }
inline WideFloatVector sqrt_floats(WideFloatVector x) { return WideFloatVector(_mm512_sqrt_ps(__m512(x))); }
#pragma GCC diagnostic pop
#elif defined(__AVX2__)
extern "C" __m128 _ZGVbN4v_expf(__m128);
extern "C" __m256 _ZGVdN8v_logf(__m256);
extern "C" __m256 _ZGVdN8v_sinf(__m256);
extern "C" __m256 _ZGVdN8v_cosf(__m256);
inline FloatVector exp_floats(FloatVector x) { return FloatVector(_ZGVbN4v_expf(__m128(x))); }
inline WideFloatVector log_floats(WideFloatVector x) { return WideFloatVector(_ZGVdN8v_logf(__m256(x))); }
inline WideFloatVector sin_floats(WideFloatVector x) { return WideFloatVector(_ZGVdN8v_sinf(__m256(x))); }
inline WideFloatVector cos_floats(WideFloatVector x) { return WideFloatVector(_ZGVdN8v_cosf(__m256(x))); }
inline WideFloatVector sqrt_floats(WideFloatVector x) { return WideFloatVector(_mm256_sqrt_ps(__m256(x))); }
#else
// Two lanes: no libmvec variant that narrow, so lane by lane (a build for other machines).
template <class Vector, class Function>
inline Vector each_float(Vector x, Function function) {
  for (int lane = 0; lane < static_cast<int>(sizeof(Vector) / sizeof(float)); ++lane) x[lane] = function(x[lane]);
  return x;
}
inline FloatVector exp_floats(FloatVector x) { return each_float(x, [](float y) { return std::exp(y); }); }
inline WideFloatVector log_floats(WideFloatVector x) { return each_float(x, [](float y) { return std::log(y); }); }
inline WideFloatVector sin_floats(WideFloatVector x) { return each_float(x, [](float y) { return std::sin(y); }); }
inline WideFloatVector cos_floats(WideFloatVector x) { return each_float(x, [](float y) { return std::cos(y); }); }
inline WideFloatVector sqrt_floats(WideFloatVector x) { return each_float(x, [](float y) { return std::sqrt(y); }); }
#endif

inline Pack exp_in_float(Pack a) {
  return Pack(__builtin_convertvector(exp_floats(__builtin_convertvector(a.v, FloatVector)), Vector));
}
inline Pack log_one_plus(Pack a) { return log(1.0 + a); }

// Once a year per factor: lane by lane is cheap enough.
inline Pack log1p_each(Pack a) {
  Pack result;
  for (int lane = 0; lane < kPackWidth; ++lane) result.set(lane, std::log1p(a[lane]));
  return result;
}

// Once per path (an event's fire probability and recovery): lane by lane.
inline Pack expm1(Pack a) {
  Pack result;
  for (int lane = 0; lane < kPackWidth; ++lane) result.set(lane, std::expm1(a[lane]));
  return result;
}
inline Pack exp2(Pack a) {
  Pack result;
  for (int lane = 0; lane < kPackWidth; ++lane) result.set(lane, std::exp2(a[lane]));
  return result;
}

// quantile_of_normal (lane_math.hpp) for a pack: the table's cubic Hermite interpolation on the
// whole pack (the nodes gathered lane by lane), the same operations as the scalar one; lanes
// beyond the table's reach, and distributions without a table, lane by lane exactly.
inline Pack quantile_of_normal(const QuantileNode* table, const Distribution& distribution, Pack z) {
  if (distribution.kind == DistributionKind::normal) return distribution.p[0] + distribution.p[1] * z;
  Pack result;
  if (table == nullptr) {
    for (int lane = 0; lane < kPackWidth; ++lane) result.set(lane, from_standard_normal(distribution, z[lane]));
    return result;
  }
  constexpr double kSpacing = 2.0 * kQuantileTableReach / (kQuantileNodes - 1);
  const Pack position = (z - Pack(-kQuantileTableReach)) / Pack(kSpacing);
  Pack node_value, node_slope, next_value, next_slope, node_index;
  bool beyond_reach = false;
  for (int lane = 0; lane < kPackWidth; ++lane) {
    beyond_reach |= !(std::fabs(z[lane]) < kQuantileTableReach);
    int i = static_cast<int>(std::floor(position[lane]));
    i = i < 0 ? 0 : (i > kQuantileNodes - 2 ? kQuantileNodes - 2 : i);
    node_index.set(lane, i);
    node_value.set(lane, table[i].value);
    node_slope.set(lane, table[i].slope);
    next_value.set(lane, table[i + 1].value);
    next_slope.set(lane, table[i + 1].slope);
  }
  const Pack t = position - node_index;
  const Pack t2 = t * t, t3 = t2 * t;
  result = (2.0 * t3 - 3.0 * t2 + 1.0) * node_value + (t3 - 2.0 * t2 + t) * Pack(kSpacing) * node_slope +
           (-2.0 * t3 + 3.0 * t2) * next_value + (t3 - t2) * Pack(kSpacing) * next_slope;
  if (beyond_reach)
    for (int lane = 0; lane < kPackWidth; ++lane)
      if (!(std::fabs(z[lane]) < kQuantileTableReach)) result.set(lane, from_standard_normal(distribution, z[lane]));
  return result;
}

// Severities are drawn only in the lanes whose event fired: rare, so lane by lane.
inline Pack quantile_where(PackMask where, const Distribution& distribution, const QuantileNode* table, Pack u) {
  Pack result(0.0);
  if (!any(where)) return result;
  for (int lane = 0; lane < kPackWidth; ++lane)
    if (where.bits[lane]) result.set(lane, quantile_at(table, distribution, u[lane]));
  return result;
}
inline Pack quantile_where(bool where, const Distribution& distribution, const QuantileNode* table, Pack u) {
  Pack result(0.0);
  if (!where) return result;
  for (int lane = 0; lane < kPackWidth; ++lane) result.set(lane, quantile_at(table, distribution, u[lane]));
  return result;
}

CHOKEPOINT_CODE_END
}  // namespace chokepoint::simd
