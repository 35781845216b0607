// How close the CUDA backend must come to the CPU backend, as functions the GPU tests call and
// the CPU tests check (tests/test_gpu_checks.cpp). docs/gpu.md, "Tolerances", says why each is
// what it is. The bounds are tight enough to tell a double engine from a float one: a float
// slip moves a value by ~1e-7 relative, 10⁴ times the per-path bound.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "chokepoint/engine.hpp"
#include "chokepoint/precision.hpp"

namespace chokepoint::testing {

// Per path, double against double (the reference precision): two backends that run the same
// formulas differ by a few ulps per operation (exp/log from two math libraries, FMAs contracted in
// different places), ~1e-13 after a run's steps. The scale floor covers values that are a
// difference of two large numbers (unmet tokens, spare capacity), as a fraction of those numbers.
inline constexpr double kReferenceRelative = 1e-11;
inline constexpr double kReferenceScaleFloor = 1e-11;

inline bool reference_close(double device, double host, double scale) {
  return std::fabs(device - host) <= kReferenceRelative * std::fabs(host) + kReferenceScaleFloor * std::fabs(scale);
}

// The spacing of floats at |x|: one ulp.
inline double float_ulp(float x) {
  const float magnitude = std::fabs(x);
  return static_cast<double>(std::nextafter(magnitude, std::numeric_limits<float>::infinity())) - magnitude;
}

// Per path, a float column (a double year value rounded once to float) against the other
// backend's: two doubles within the reference bound round to the same float or a neighbour, so
// at most 2 ulps apart, plus the reference scale floor for values that cancel to ~0.
inline bool float_close(float device, float host, double scale) {
  return std::fabs(static_cast<double>(device) - static_cast<double>(host)) <=
         2.0 * float_ulp(host) + kReferenceScaleFloor * std::fabs(scale);
}

// ---- comparisons that involve the mixed precision ----------------------------------------------------
//
// In the mixed precision (precision.hpp) a path's factor normals and index exp are floats: each
// backend rounds them with its own float library (CUDA's logf/sinf/cosf/expf on the device,
// glibc or libmvec on the CPU), a few float ulps (≈1e-7) apart per step; mixed against reference
// is a float rounding per step. Both add up over a run's steps to ≈1e-6 of a value: the bound is
// 1e-5 per path, 10⁶ times the reference bound. Near a tie of two binding candidates a
// difference that size decides differently, so a comparison involving mixed treats candidates
// within 1e-4 of each other as a near tie (1e-6 when both sides are double), and counts the flips.

// What one per-path comparison allows, by the precisions of its two sides.
struct PathTolerance {
  double relative = kReferenceRelative;
  double scale_floor = kReferenceScaleFloor;
  double near_tie = 1e-6;           // binding candidates this close (relative) may decide either way
  double flipped_paths_share = 1e-3;  // the most paths (share of all) a binding flip may touch
};

inline PathTolerance path_tolerance(Precision device, Precision host) {
  if (device == Precision::reference && host == Precision::reference) return PathTolerance{};
  return PathTolerance{1e-5, 1e-5, 1e-4, 1e-2};
}

inline bool within(const PathTolerance& tolerance, double device, double host, double scale) {
  return std::fabs(device - host) <= tolerance.relative * std::fabs(host) + tolerance.scale_floor * std::fabs(scale);
}

// A float column of one backend against the other's: 2 float ulps when both ran in double (two
// doubles within the reference bound round to the same float or a neighbour), else the mixed
// bound, which is wider than 2 ulps.
inline bool column_close(const PathTolerance& tolerance, float device, float host, double scale) {
  if (tolerance.relative == kReferenceRelative) return float_close(device, host, scale);
  return within(tolerance, device, host, scale);
}

// Near-tie binding flips are tolerated one by one (each must sit at a near tie) and in number:
// at most this many among `paths` paths (at least one, so a small run may show one).
inline std::uint64_t flipped_paths_allowed(const PathTolerance& tolerance, std::uint64_t paths) {
  return std::max<std::uint64_t>(1, static_cast<std::uint64_t>(tolerance.flipped_paths_share * static_cast<double>(paths)));
}

// A summary statistic of one precision against the other's, both from the same paths: the
// mixed run's per-path differences (≈1e-6) must move a mean by far less than its Monte Carlo
// standard error: within a hundredth of it. A column whose se is 0 (a constant) must agree to
// the mixed per-path bound instead.
inline bool within_standard_errors(double mixed, double reference, double reference_se, double fraction = 0.01) {
  if (reference_se == 0.0) return std::fabs(mixed - reference) <= 1e-5 * std::fabs(reference);
  return std::fabs(mixed - reference) <= fraction * reference_se;
}

// Summary moments and quantiles of two backends that ran the same precision on the same paths:
// 1e-6 relative when both ran in double (float columns, tree-order sums), 1e-5 in mixed (the
// per-path bound carries into a mean).
inline double summary_relative(Precision precision) { return precision == Precision::reference ? 1e-6 : 1e-5; }

// Relative differences by decade, printed with every parity test: a shift of the whole histogram
// (not a single outlier) is what a change of precision or formula looks like.
class DifferenceHistogram {
 public:
  void add(double device, double host) {
    if (device == host) {
      ++bins_[0];
      return;
    }
    const double relative = host != 0.0 ? std::fabs(device - host) / std::fabs(host) : 1.0;
    int decade = static_cast<int>(std::floor(std::log10(relative)));  // [10^d, 10^(d+1))
    decade = std::min(std::max(decade, kLowest), -1);
    ++bins_[1 + (decade - kLowest)];
    worst_ = std::max(worst_, relative);
  }
  std::uint64_t count(int decade) const { return bins_[1 + (decade - kLowest)]; }
  std::uint64_t equal() const { return bins_[0]; }
  double worst() const { return worst_; }
  std::string text() const {
    std::string out = "equal " + std::to_string(bins_[0]);
    for (int d = kLowest; d <= -1; ++d)
      if (bins_[1 + (d - kLowest)] > 0)
        out += (d == kLowest ? ", <1e" + std::to_string(d + 1) : ", 1e" + std::to_string(d)) + " " +
               std::to_string(bins_[1 + (d - kLowest)]);
    return out;
  }

 private:
  static constexpr int kLowest = -17;  // everything below 1e-16 lands here
  std::uint64_t bins_[1 + 17] = {};
  double worst_ = 0.0;
};

// The host's per-path results with the paths marked in `take` replaced by the device's: what the
// host's summary would be had it decided those paths' near ties as the device did. With it a
// summary comparison counts near-tie flips instead of tolerating any count difference.
inline PathResults with_paths_from(const PathResults& host, const PathResults& device, const std::vector<char>& take) {
  PathResults mixed = host;
  for (int v = 0; v < host.variables; ++v)
    for (int y = 0; y < host.years; ++y)
      for (std::uint64_t p = 0; p < host.paths; ++p)
        if (take[p]) mixed.column(v, y)[p] = device.column(v, y)[p];
  for (int code = 0; code < host.binding_codes; ++code)
    for (int y = 0; y < host.years; ++y)
      for (std::uint64_t p = 0; p < host.paths; ++p)
        if (take[p]) mixed.binding_column(code, y)[p] = device.binding_column(code, y)[p];
  return mixed;
}

// Per threshold request, the paths (not in `skip`) whose two values lie on different sides of
// the threshold: only those can make the two backends' hit counts differ.
inline std::vector<std::uint64_t> threshold_straddles(const Scenario& scenario, const PathResults& device,
                                                      const PathResults& host, const std::vector<char>& skip) {
  std::vector<std::uint64_t> straddles;
  for (const ThresholdRequest& request : scenario.thresholds) {
    const int year = request.year - scenario.model->start_year;
    const float* d = device.column(request.variable, year);
    const float* h = host.column(request.variable, year);
    std::uint64_t count = 0;
    for (std::uint64_t p = 0; p < host.paths; ++p)
      count += !skip[p] && ((static_cast<double>(d[p]) >= request.at_least) != (static_cast<double>(h[p]) >= request.at_least));
    straddles.push_back(count);
  }
  return straddles;
}

}  // namespace chokepoint::testing
