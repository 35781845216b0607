// Models with known sensitivity indices, and their inputs drawn the way the engine will draw a
// path's inputs: input i of "path" p is a uniform from Philox keyed by (seed, stream i, p). A
// pick-freeze second sample is path p + N, and the mixed point AB_i takes only stream i from
// path p + N: the re-keying of docs/sensitivity.md, in miniature.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "chokepoint/distributions.hpp"
#include "chokepoint/random_streams.hpp"

namespace chokepoint::testing {

inline double input_uniform(std::uint64_t seed, int input, std::uint64_t path) {
  const PhiloxCounter words =
      philox4x32_10(stream_block(stream_id("sensitivity.test.input") + static_cast<std::uint32_t>(input), path, 0),
                    seed_key(seed));
  return open_uniform(words.word[0]);
}

// Ishigami & Homma (1990): Y = sin X1 + a sin² X2 + b X3⁴ sin X1, X_i ~ U(−π, π).
// With a = 7, b = 0.1: V = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2,
// S1 = (1/2)(1 + bπ⁴/5)²/V, S2 = (a²/8)/V, S3 = 0, ST1 = S1 + (8b²π⁸/225)/V, ST2 = S2, ST3 = (8b²π⁸/225)/V.
struct Ishigami {
  static constexpr int kInputs = 3;
  double a = 7.0;
  double b = 0.1;
  double operator()(const double* u) const {
    constexpr double kPi = 3.14159265358979323846;
    const double x1 = kPi * (2.0 * u[0] - 1.0), x2 = kPi * (2.0 * u[1] - 1.0), x3 = kPi * (2.0 * u[2] - 1.0);
    const double s2 = std::sin(x2);
    return std::sin(x1) + a * s2 * s2 + b * x3 * x3 * x3 * x3 * std::sin(x1);
  }
  double variance() const {
    constexpr double kPi = 3.14159265358979323846;
    return a * a / 8.0 + b * std::pow(kPi, 4) / 5.0 + b * b * std::pow(kPi, 8) / 18.0 + 0.5;
  }
  std::vector<double> first_order() const {
    constexpr double kPi = 3.14159265358979323846;
    const double v = variance();
    return {0.5 * std::pow(1.0 + b * std::pow(kPi, 4) / 5.0, 2) / v, a * a / 8.0 / v, 0.0};
  }
  std::vector<double> total() const {
    constexpr double kPi = 3.14159265358979323846;
    const double v = variance(), v13 = 8.0 * b * b * std::pow(kPi, 8) / 225.0;
    const std::vector<double> s = first_order();
    return {s[0] + v13 / v, s[1], v13 / v};
  }
};

// Y = Σ a_i X_i with X_i ~ N(0, σ_i²) drawn as σ_i Φ⁻¹(u_i): S_i = ST_i = a_i²σ_i² / Σ a_j²σ_j².
struct LinearGaussian {
  static constexpr int kInputs = 3;
  double a[3] = {1.0, 2.0, 3.0};
  double sigma[3] = {1.0, 0.5, 0.2};
  double operator()(const double* u) const {
    double y = 0.0;
    for (int i = 0; i < kInputs; ++i) y += a[i] * sigma[i] * normal_quantile(u[i]);
    return y;
  }
  std::vector<double> first_order() const {
    double total = 0.0;
    for (int i = 0; i < kInputs; ++i) total += a[i] * a[i] * sigma[i] * sigma[i];
    std::vector<double> s;
    for (int i = 0; i < kInputs; ++i) s.push_back(a[i] * a[i] * sigma[i] * sigma[i] / total);
    return s;
  }
  std::vector<double> total() const { return first_order(); }
};

// 1{X1 + X2 > 1}, X_i ~ U(0, 1): E[Y | X1] = X1, so S_i = (1/12)/(1/4) = 1/3, and
// ST_i = E[X(1 − X)]/(1/4) = 2/3.
struct ThresholdIndicator {
  static constexpr int kInputs = 2;
  double operator()(const double* u) const { return u[0] + u[1] > 1.0 ? 1.0 : 0.0; }
  std::vector<double> first_order() const { return {1.0 / 3.0, 1.0 / 3.0}; }
  std::vector<double> total() const { return {2.0 / 3.0, 2.0 / 3.0}; }
};

}  // namespace chokepoint::testing
