// A first-order sensitivity index and its standard error (docs/sensitivity.md), as the engine's
// reductions (FirstOrderRows) and the analysis library (FirstOrderBins) both report it.
#pragma once

namespace chokepoint {

struct FirstOrderEstimate {
  double index = 0.0;
  // Delta-method standard error: bin means treated as independent with variance s_b²/n_b, plus
  // the χ²_{B−1} noise of SS_between, plus the noise of Var(Y) from the fourth central moment; the
  // (positive) covariance of numerator and denominator is left out, which makes it conservative.
  double standard_error = 0.0;
};

}  // namespace chokepoint
