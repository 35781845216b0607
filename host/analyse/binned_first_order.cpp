#include "analyse/binned_first_order.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace chokepoint {

FirstOrderBins::FirstOrderBins(int inputs, int bins) : inputs_(inputs), bins_(bins) {
  if (inputs < 1) throw std::invalid_argument("first-order bins need at least one input, got " + std::to_string(inputs));
  if (bins < 2) throw std::invalid_argument("first-order bins need at least two bins, got " + std::to_string(bins));
  const std::size_t cells = static_cast<std::size_t>(inputs) * bins;
  count_.assign(cells, 0);
  sum_.resize(cells);
  sum_squares_.resize(cells);
}

int FirstOrderBins::bin_of(double uniform) const {
  if (!(uniform > 0.0)) return 0;  // also NaN
  if (uniform >= 1.0) return bins_ - 1;
  const int bin = static_cast<int>(uniform * bins_);
  return bin < bins_ ? bin : bins_ - 1;
}

void FirstOrderBins::add(const double* uniforms, double y) {
  add_to_cells([&](int i) { return bin_of(uniforms[i]); }, y);
}

void FirstOrderBins::add_binned(const int* bin_of_input, double y) {
  add_to_cells([&](int i) { return std::clamp(bin_of_input[i], 0, bins_ - 1); }, y);
}

template <class BinOf>
void FirstOrderBins::add_to_cells(BinOf bin_of_input, double y) {
  const double y_squared = y * y;
  for (int i = 0; i < inputs_; ++i) {
    const std::size_t c = cell(i, bin_of_input(i));
    ++count_[c];
    sum_[c].add(y);
    sum_squares_[c].add(y_squared);
  }
  power_sum_[0].add(y);
  power_sum_[1].add(y_squared);
  power_sum_[2].add(y_squared * y);
  power_sum_[3].add(y_squared * y_squared);
  ++paths_;
}

void FirstOrderBins::merge(const FirstOrderBins& other) {
  if (other.inputs_ != inputs_ || other.bins_ != bins_)
    throw std::invalid_argument("cannot merge first-order bins of " + std::to_string(other.inputs_) + " inputs × " +
                                std::to_string(other.bins_) + " bins into " + std::to_string(inputs_) + " × " +
                                std::to_string(bins_));
  for (std::size_t c = 0; c < count_.size(); ++c) {
    count_[c] += other.count_[c];
    sum_[c].merge(other.sum_[c]);
    sum_squares_[c].merge(other.sum_squares_[c]);
  }
  for (int k = 0; k < 4; ++k) power_sum_[k].merge(other.power_sum_[k]);
  paths_ += other.paths_;
}

FirstOrderEstimate FirstOrderBins::estimate(int input) const {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  const auto paths = static_cast<double>(paths_);
  const double mean = power_sum_[0].value() / paths;
  const double total_sum_squares = power_sum_[1].value() - power_sum_[0].value() * mean;
  if (!(total_sum_squares > 0.0) || paths_ <= static_cast<std::uint64_t>(bins_)) return {kNaN, kNaN};

  double between = 0.0;
  double within = 0.0;
  int occupied = 0;
  for (int b = 0; b < bins_; ++b) {
    const std::size_t c = cell(input, b);
    if (count_[c] == 0) continue;
    const auto n = static_cast<double>(count_[c]);
    const double bin_mean = sum_[c].value() / n;
    between += n * (bin_mean - mean) * (bin_mean - mean);
    within += std::max(0.0, sum_squares_[c].value() - sum_[c].value() * bin_mean);
    ++occupied;
  }
  const double within_variance = within / (paths - occupied);
  const double index = (between - (occupied - 1) * within_variance) / total_sum_squares;

  // Standard error (see the header): numerator N = (SS_between − (B−1)σ²_w)/P, denominator D = SS_total/P.
  double numerator_variance = 2.0 * (occupied - 1) * within_variance * within_variance / (paths * paths);
  for (int b = 0; b < bins_; ++b) {
    const std::size_t c = cell(input, b);
    if (count_[c] == 0) continue;
    const auto n = static_cast<double>(count_[c]);
    const double bin_mean = sum_[c].value() / n;
    const double bin_variance =
        n > 1 ? std::max(0.0, sum_squares_[c].value() - sum_[c].value() * bin_mean) / (n - 1) : within_variance;
    const double weight = n / paths;
    numerator_variance += 4.0 * weight * weight * (bin_mean - mean) * (bin_mean - mean) * bin_variance / n;
  }
  const double denominator = total_sum_squares / paths;
  const double raw[4] = {mean, power_sum_[1].value() / paths, power_sum_[2].value() / paths,
                         power_sum_[3].value() / paths};
  const double fourth_central =
      raw[3] - 4.0 * mean * raw[2] + 6.0 * mean * mean * raw[1] - 3.0 * mean * mean * mean * mean;
  const double denominator_variance = std::max(0.0, fourth_central - denominator * denominator) / paths;
  const double variance = (numerator_variance + index * index * denominator_variance) / (denominator * denominator);
  return {index, std::sqrt(variance)};
}

std::vector<double> FirstOrderBins::bin_means(int input) const { return grouped_means(input, bins_); }

std::vector<double> FirstOrderBins::grouped_means(int input, int groups) const {
  if (groups < 1 || bins_ % groups != 0)
    throw std::invalid_argument(std::to_string(bins_) + " bins do not split into " + std::to_string(groups) +
                                " equal groups");
  const int per_group = bins_ / groups;
  std::vector<double> means(groups);
  for (int g = 0; g < groups; ++g) {
    std::uint64_t n = 0;
    ExactSum sum;
    for (int b = g * per_group; b < (g + 1) * per_group; ++b) {
      n += count_[cell(input, b)];
      sum.merge(sum_[cell(input, b)]);
    }
    means[g] = n ? sum.value() / static_cast<double>(n) : std::numeric_limits<double>::quiet_NaN();
  }
  return means;
}

bool FirstOrderBins::operator==(const FirstOrderBins& other) const {
  if (inputs_ != other.inputs_ || bins_ != other.bins_ || paths_ != other.paths_ || count_ != other.count_) return false;
  for (std::size_t c = 0; c < count_.size(); ++c)
    if (!(sum_[c] == other.sum_[c]) || !(sum_squares_[c] == other.sum_squares_[c])) return false;
  for (int k = 0; k < 4; ++k)
    if (!(power_sum_[k] == other.power_sum_[k])) return false;
  return true;
}

}  // namespace chokepoint
