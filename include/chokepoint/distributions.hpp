// Distributions of uncertain parameters and event severities (docs/scenario-format.md, "Values").
//
// Everything is an inverse-CDF transform, so a draw is a pure function of one uniform (or one
// standard normal) and the Gaussian copula of `parameter_correlations` needs nothing more: correlate normals, map
// each through its own marginal.
#pragma once

#include <cmath>

#include "chokepoint/macros.hpp"

namespace chokepoint {
enum class DistributionKind : int {
  constant,          // p0 = value
  normal,            // p0 = mean, p1 = sd
  truncated_normal,  // p0 = mean, p1 = sd, p2 = Φ(lower z), p3 = Φ(upper z)
  lognormal,         // p0 = μ of ln x, p1 = σ of ln x
  uniform,           // p0 = min, p1 = max
  triangular,        // p0 = min, p1 = mode, p2 = max
  pert,              // p0 = min, p1 = max, p2 = α, p3 = β of the underlying beta
};
struct Distribution {
  DistributionKind kind = DistributionKind::constant;
  double p[4] = {0, 0, 0, 0};
};

CHOKEPOINT_CODE_BEGIN

CHOKEPOINT_HD inline double normal_cdf(double x) { return 0.5 * erfc(-x * 0.70710678118654752440); }

// Acklam's rational approximation (relative error 1.15e-9), polished by one Halley step on
// erfc, which brings it to double precision over (0, 1).
CHOKEPOINT_HD inline double normal_quantile(double p) {
  const double a[6] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                       1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  const double b[5] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                       6.680131188771972e+01,  -1.328068155288572e+01};
  const double c[6] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                       -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  const double d[4] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                       3.754408661907416e+00};
  const double p_low = 0.02425;
  double x;
  if (p < p_low) {
    const double q = sqrt(-2.0 * log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  } else if (p <= 1.0 - p_low) {
    const double q = p - 0.5;
    const double r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
  } else {
    const double q = sqrt(-2.0 * log1p(-p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  }
  const double error = normal_cdf(x) - p;
  const double step = error * 2.50662827463100050242 * exp(0.5 * x * x);
  return x - step / (1.0 + 0.5 * x * step);
}

// Continued fraction of the regularised incomplete beta function (modified Lentz).
CHOKEPOINT_HD inline double incomplete_beta_fraction(double x, double a, double b) {
  const double tiny = 1e-300;
  double c = 1.0;
  double d = 1.0 - (a + b) * x / (a + 1.0);
  d = fabs(d) < tiny ? tiny : d;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= 300; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
    d = 1.0 + aa * d;
    d = fabs(d) < tiny ? tiny : d;
    c = 1.0 + aa / c;
    c = fabs(c) < tiny ? tiny : c;
    d = 1.0 / d;
    h *= d * c;
    aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
    d = 1.0 + aa * d;
    d = fabs(d) < tiny ? tiny : d;
    c = 1.0 + aa / c;
    c = fabs(c) < tiny ? tiny : c;
    d = 1.0 / d;
    const double delta = d * c;
    h *= delta;
    if (fabs(delta - 1.0) < 1e-15) break;
  }
  return h;
}

CHOKEPOINT_HD inline double log_beta(double a, double b) { return lgamma(a) + lgamma(b) - lgamma(a + b); }

// I_x(a, b), the CDF of Beta(a, b) at x; `log_norm` = ln B(a, b).
CHOKEPOINT_HD inline double beta_cdf(double x, double a, double b, double log_norm) {
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  const double front = exp(a * log(x) + b * log1p(-x) - log_norm);
  if (x < (a + 1.0) / (a + b + 2.0)) return front * incomplete_beta_fraction(x, a, b) / a;
  return 1.0 - front * incomplete_beta_fraction(1.0 - x, b, a) / b;
}

// Newton's method on I_x(a, b) = p, kept inside a shrinking bracket so that it cannot escape
// (0, 1); converges in a handful of steps for the PERT shapes (a, b ≥ 1).
CHOKEPOINT_HD inline double beta_quantile(double p, double a, double b) {
  double low = 0.0, high = 1.0;
  double x = a / (a + b);
  const double log_norm = log_beta(a, b);
  for (int iteration = 0; iteration < 100; ++iteration) {
    const double error = beta_cdf(x, a, b, log_norm) - p;
    if (error == 0.0) return x;
    if (error > 0) high = x; else low = x;
    const double density = exp((a - 1.0) * log(x) + (b - 1.0) * log1p(-x) - log_norm);
    const double step = error / density;
    double next = x - step;
    if (!(next > low && next < high)) next = 0.5 * (low + high);
    // Newton doubles the correct digits each step: once a step is below 1e-9·x, the point it
    // lands on is exact to rounding. (Waiting for a zero step can cycle on rounding noise.)
    else if (fabs(step) <= 1e-9 * x) return next;
    x = next;
  }
  return x;
}

// The value of the distribution at cumulative probability u ∈ (0, 1).
CHOKEPOINT_HD inline double quantile(const Distribution& d, double u) {
  switch (d.kind) {
    case DistributionKind::constant:
      return d.p[0];
    case DistributionKind::normal:
      return d.p[0] + d.p[1] * normal_quantile(u);
    case DistributionKind::truncated_normal:
      return d.p[0] + d.p[1] * normal_quantile(d.p[2] + u * (d.p[3] - d.p[2]));
    case DistributionKind::lognormal:
      return exp(d.p[0] + d.p[1] * normal_quantile(u));
    case DistributionKind::uniform:
      return d.p[0] + u * (d.p[1] - d.p[0]);
    case DistributionKind::triangular: {
      const double low = d.p[0], mode = d.p[1], high = d.p[2];
      const double split = (mode - low) / (high - low);
      return u < split ? low + sqrt(u * (high - low) * (mode - low))
                       : high - sqrt((1.0 - u) * (high - low) * (high - mode));
    }
    case DistributionKind::pert:
      return d.p[0] + (d.p[1] - d.p[0]) * beta_quantile(u, d.p[2], d.p[3]);
  }
  return d.p[0];
}

// The value for a standard normal z (the Gaussian copula's input). Normal and lognormal use z
// directly, which keeps their tails exact; the others go through u = Φ(z).
CHOKEPOINT_HD inline double from_standard_normal(const Distribution& d, double z) {
  switch (d.kind) {
    case DistributionKind::normal:
      return d.p[0] + d.p[1] * z;
    case DistributionKind::lognormal:
      return exp(d.p[0] + d.p[1] * z);
    default:
      return quantile(d, normal_cdf(z));
  }
}

// Cubic Hermite interpolation of a tabulated z ↦ F⁻¹(Φ(z)) (see QuantileNode in model.hpp);
// `nodes` holds `count` nodes spaced `spacing` apart from `first_z`.
template <class Node>
CHOKEPOINT_HD inline double interpolate_quantile(const Node* nodes, int count, double first_z, double spacing,
                                                 double z) {
  const double position = (z - first_z) / spacing;
  int i = static_cast<int>(floor(position));
  i = i < 0 ? 0 : (i > count - 2 ? count - 2 : i);
  const double t = position - i;
  const double t2 = t * t, t3 = t2 * t;
  return (2 * t3 - 3 * t2 + 1) * nodes[i].value + (t3 - 2 * t2 + t) * spacing * nodes[i].slope +
         (-2 * t3 + 3 * t2) * nodes[i + 1].value + (t3 - t2) * spacing * nodes[i + 1].slope;
}

CHOKEPOINT_CODE_END

}  // namespace chokepoint
