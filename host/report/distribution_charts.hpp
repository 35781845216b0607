// Charts of one variable-year's distribution and of the run's precision (docs/report.md): the
// histogram and CDF from the summary's exact bucket counts, the convergence of a mean and a
// median against paths, and the paired difference of two runs by year.
#pragma once

#include <string>
#include <vector>

#include "chokepoint/paired_difference.hpp"
#include "chokepoint/summary.hpp"

namespace chokepoint::report {

// A bar of the drawn histogram: adjacent buckets merged until it is wide enough to see.
struct HistogramBar {
  double low = 0.0, high = 0.0;  // value range [low, high]
  std::uint64_t paths = 0;
};

// The value axis both charts share: from the bucket holding the 0.5th percentile to the one
// holding the 99.5th, logarithmic when it stays positive and spans more than 20×.
struct DistributionAxis {
  double low = 0.0, high = 1.0;
  bool logarithmic = false;
  std::uint64_t below = 0, above = 0, not_drawn = 0;  // paths left of it, right of it, not finite
  std::uint64_t total = 0;
};
DistributionAxis distribution_axis(const ValueHistogram& histogram);
std::vector<HistogramBar> histogram_bars(const ValueHistogram& histogram, const DistributionAxis& axis);

// `quantiles`: (level, value) pairs of the summary, marked on both charts.
std::string histogram_svg(const ValueHistogram& histogram, const std::string& unit,
                          const std::vector<std::pair<double, double>>& quantiles);
std::string cdf_svg(const ValueHistogram& histogram, const std::string& unit,
                    const std::vector<std::pair<double, double>>& quantiles);

// Mean ± 1.96 standard errors and median with its 95 % interval, against paths (log axis).
std::string convergence_svg(const ConvergenceTrace& trace, const std::string& unit);

// Mean of the per-path differences by year with its 90 % interval (± 1.645 standard errors,
// paired when the differences are), and the zero line.
std::string difference_svg(const VariableDifference& difference, bool paired);

}  // namespace chokepoint::report
