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
