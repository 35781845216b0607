// Charts of what drives an output (docs/report.md, "What drives it"): the tornado, the
// contribution to variance, and a stage's binding probability by decile of one input.
#pragma once

#include <string>
#include <vector>

#include "chokepoint/report.hpp"

namespace chokepoint::report {

// The bars in drawing order: largest |swing| first (ties by input name, so the page is stable).
std::vector<TornadoRow> sorted_tornado_bars(const TornadoPanel& chart);

// One bar per input (at most `max_bars`, largest swings), each from the baseline median to the
// median with the input at its low and at its high percentile.
std::string tornado_svg(const TornadoPanel& chart, std::size_t max_bars = 12);

// A row of the contribution-to-variance chart.
struct VarianceShare {
  std::string label;
  double share = 0.0;
  double se = 0.0;     // NaN: no whisker
  std::string css;     // "input", "other", "interactions"
};

// The rows drawn: the `max_inputs` largest first-order indices, the rest summed as "other listed
// inputs (n)", and 1 − Σ S_i as "factor shocks, interactions, unlisted inputs" (a factor's per-step
// shocks are not one of the binned inputs, so their share lands here).
std::vector<VarianceShare> variance_shares(const OutputIndices& output, std::size_t max_inputs = 10);

// Bars of the shares with ± 2 standard error whiskers.
std::string variance_svg(const OutputIndices& output, std::size_t max_inputs = 10);

// P(binds | decile 1…10) of one input, with the all-paths probability as a dashed line.
std::string decile_svg(const BindingCurve& curve);

}  // namespace chokepoint::report
