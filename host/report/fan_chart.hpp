// One fan chart: a variable's distribution over the years as nested quantile bands (1–99 %
// faint, 90 %, 50 %) around the median line, optionally drawn over another run's fan to compare.
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "chokepoint/summary.hpp"

namespace chokepoint {

// The numbers of one year that a fan chart draws. A quantile the run did not report is NaN and
// its band is left out.
struct FanYear {
  int year = 0;
  double mean = 0.0, se = 0.0;
  double q01 = 0.0, q05 = 0.0, q25 = 0.0, q50 = 0.0, q75 = 0.0, q95 = 0.0, q99 = 0.0;
  // 95 % intervals of the outer quantiles (NaN when the summary has none): how exact a p99 is.
  double q01_low = NAN, q01_high = NAN, q99_low = NAN, q99_high = NAN;
};

struct FanLayer {
  std::string scenario;
  std::vector<FanYear> years;
};

FanLayer fan_layer(const Summary& summary, const VariableSummary& variable);

// A log axis pays off when the 90 % band spans more than ~1.5 decades (10^1.5 ≈ 32×) over the
// years, and it must stay positive so that the median and the 90 % band have a place on it.
// Otherwise the axis is linear from zero, fitted to the 90 % band; the faint 1–99 % band may be
// clipped at the top, which the chart then says.
bool wants_log_axis(const std::vector<const FanLayer*>& layers);

// The chart as an <svg>: `front` alone, or drawn over `behind` (the comparison's baseline). Each
// year carries a hover <title> with its median, bands, the 95 % intervals of its p1 and p99, and
// mean ± Monte Carlo standard error.
std::string fan_chart_svg(const std::string& variable, const std::string& unit, const FanLayer& front,
                          const FanLayer* behind = nullptr);

}  // namespace chokepoint
