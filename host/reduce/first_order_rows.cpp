#include "reduce/first_order_rows.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace chokepoint {

namespace {

__extension__ using Int128 = __int128;

constexpr double kLargestQuantised = 2097152.0;  // 2^21

}  // namespace

FirstOrderRows::FirstOrderRows(int inputs, int bins, std::vector<int> scale_exponents)
    : FirstOrderRows(inputs, bins, scale_exponents, {static_cast<int>(scale_exponents.size())}, 0) {}

FirstOrderRows::FirstOrderRows(int inputs, int bins, std::vector<int> scale_exponents, std::vector<int> group_ends,
                               int grouped_inputs)
    : inputs_(inputs), bins_(bins), group_ends_(std::move(group_ends)), grouped_inputs_(grouped_inputs),
      scale_exponent_(std::move(scale_exponents)) {
  if (inputs < 1) throw std::invalid_argument("first-order rows need at least one input, got " + std::to_string(inputs));
  if (bins < 2) throw std::invalid_argument("first-order rows need at least two bins, got " + std::to_string(bins));
  if (scale_exponent_.empty()) throw std::invalid_argument("first-order rows need at least one output");
  if (grouped_inputs < 0 || grouped_inputs > inputs)
    throw std::invalid_argument("first-order rows: " + std::to_string(grouped_inputs) + " grouped inputs of " +
                                std::to_string(inputs));
  int begin = 0;
  for (std::size_t g = 0; g < group_ends_.size(); ++g) {
    if (group_ends_[g] <= begin) throw std::invalid_argument("first-order rows: empty or decreasing output groups");
    group_of_.insert(group_of_.end(), static_cast<std::size_t>(group_ends_[g] - begin), static_cast<int>(g));
    begin = group_ends_[g];
  }
  if (group_ends_.empty() || begin != static_cast<int>(scale_exponent_.size()))
    throw std::invalid_argument("first-order rows: the output groups do not cover the outputs");
  count_.assign(static_cast<std::size_t>(inputs) * group_ends_.size() * bins, 0);
  sum_.assign(static_cast<std::size_t>(inputs) * bins * scale_exponent_.size(), 0);
  recent_.assign(sum_.size(), 0);
  power_sum_.assign(scale_exponent_.size() * 4, 0);
  quantised_.assign(scale_exponent_.size(), 0);
  for (int exponent : scale_exponent_) scale_factor_.push_back(std::ldexp(1.0, exponent));
}

int FirstOrderRows::scale_exponent_for(double largest_magnitude) {
  if (!(largest_magnitude > 0.0) || !std::isfinite(largest_magnitude)) return 0;
  int exponent = 0;
  std::frexp(largest_magnitude, &exponent);  // largest < 2^exponent
  return 20 - exponent;
}

std::size_t FirstOrderRows::count_at(int input, int output, int bin) const {
  const std::size_t group = input >= inputs_ - grouped_inputs_ ? static_cast<std::size_t>(group_of_[output]) : 0;
  return (static_cast<std::size_t>(input) * group_ends_.size() + group) * bins_ + bin;
}

double FirstOrderRows::scale(int output) const { return std::ldexp(1.0, scale_exponent_[output]); }

int FirstOrderRows::bin_of(double uniform) const {
  if (!(uniform > 0.0)) return 0;
  if (uniform >= 1.0) return bins_ - 1;
  const int bin = static_cast<int>(uniform * bins_);
  return bin < bins_ ? bin : bins_ - 1;
}

void FirstOrderRows::add(const int* bin_of_input, const double* outputs_of_path) {
  const int output_count = outputs();
  for (int o = 0; o < output_count; ++o) {
    // Multiplying by a power of two is exact here; adding and subtracting 1.5·2⁵² rounds to the
    // nearest integer (ties to even) without a libm call.
    const double scaled = outputs_of_path[o] * scale_factor_[o];
    if (!(std::fabs(scaled) <= kLargestQuantised)) {
      ++out_of_range_;
      quantised_[o] = 0;
    } else {
      quantised_[o] = static_cast<std::int32_t>((scaled + 0x1.8p52) - 0x1.8p52);
    }
    // |q| ≤ 2²¹, so q² fits 64 bits and only q³, q⁴ need 128.
    const std::int64_t q = quantised_[o];
    const std::int64_t q2 = q * q;
    PowerSum* sums = &power_sum_[static_cast<std::size_t>(o) * 4];
    sums[0] += static_cast<PowerSum>(static_cast<Int128>(q));
    sums[1] += static_cast<PowerSum>(q2);
    sums[2] += static_cast<PowerSum>(static_cast<Int128>(q2) * q);
    sums[3] += static_cast<PowerSum>(static_cast<Int128>(q2) * q2);
  }
  const int ungrouped = inputs_ - grouped_inputs_;
  const std::size_t groups = group_ends_.size();
  for (int i = 0; i < ungrouped; ++i) {
    const int bin = std::clamp(bin_of_input[i], 0, bins_ - 1);
    ++count_[static_cast<std::size_t>(i) * groups * bins_ + bin];
    std::int32_t* sums = &recent_[row(i, bin)];
    for (int o = 0; o < output_count; ++o) sums[o] += quantised_[o];
  }
  const int* grouped_bins = bin_of_input + ungrouped;
  for (int i = ungrouped; i < inputs_; ++i)
    for (std::size_t g = 0; g < groups; ++g) {
      const int bin = std::clamp(*grouped_bins++, 0, bins_ - 1);
      ++count_[(static_cast<std::size_t>(i) * groups + g) * bins_ + bin];
      std::int32_t* sums = &recent_[row(i, bin)];
      for (int o = g == 0 ? 0 : group_ends_[g - 1]; o < group_ends_[g]; ++o)
        sums[o] += quantised_[o];
    }
  ++paths_;
  if (++recent_paths_ == kFlushPaths) flush();
}

void FirstOrderRows::flush() const {
  if (recent_paths_ == 0) return;
  for (std::size_t s = 0; s < sum_.size(); ++s) sum_[s] += recent_[s];
  std::fill(recent_.begin(), recent_.end(), 0);
  recent_paths_ = 0;
}

void FirstOrderRows::merge(const FirstOrderRows& other) {
  if (other.inputs_ != inputs_ || other.bins_ != bins_ || other.scale_exponent_ != scale_exponent_ ||
      other.group_ends_ != group_ends_ || other.grouped_inputs_ != grouped_inputs_)
    throw std::invalid_argument("cannot merge first-order rows of different inputs, bins, outputs or scales");
  flush();
  other.flush();
  for (std::size_t c = 0; c < count_.size(); ++c) count_[c] += other.count_[c];
  for (std::size_t s = 0; s < sum_.size(); ++s) sum_[s] += other.sum_[s];
  for (std::size_t at = 0; at < power_sum_.size(); ++at) power_sum_[at] += other.power_sum_[at];
  paths_ += other.paths_;
  out_of_range_ += other.out_of_range_;
}

bool FirstOrderRows::operator==(const FirstOrderRows& other) const {
  flush();
  other.flush();
  return inputs_ == other.inputs_ && bins_ == other.bins_ && scale_exponent_ == other.scale_exponent_ &&
         group_ends_ == other.group_ends_ && grouped_inputs_ == other.grouped_inputs_ &&
         paths_ == other.paths_ && out_of_range_ == other.out_of_range_ && count_ == other.count_ &&
         sum_ == other.sum_ && power_sum_ == other.power_sum_;
}

std::vector<std::uint64_t> FirstOrderRows::words() const {
  flush();
  std::vector<std::uint64_t> out;
  out.reserve(2 + count_.size() + sum_.size() + 2 * power_sum_.size());
  out.push_back(paths_);
  out.push_back(out_of_range_);
  out.insert(out.end(), count_.begin(), count_.end());
  for (std::int64_t sum : sum_) out.push_back(static_cast<std::uint64_t>(sum));
  for (PowerSum sum : power_sum_) {
    out.push_back(static_cast<std::uint64_t>(sum));
    out.push_back(static_cast<std::uint64_t>(sum >> 64));
  }
  return out;
}

void FirstOrderRows::set_words(const std::vector<std::uint64_t>& words) {
  const std::size_t expected = 2 + count_.size() + sum_.size() + 2 * power_sum_.size();
  if (words.size() != expected)
    throw std::invalid_argument("first-order rows: " + std::to_string(words.size()) + " words where " +
                                std::to_string(expected) + " were expected");
  std::fill(recent_.begin(), recent_.end(), 0);
  recent_paths_ = 0;
  std::size_t at = 0;
  paths_ = words[at++];
  out_of_range_ = words[at++];
  for (std::uint64_t& count : count_) count = words[at++];
  for (std::int64_t& sum : sum_) sum = static_cast<std::int64_t>(words[at++]);
  for (PowerSum& sum : power_sum_) {
    sum = static_cast<PowerSum>(words[at]) | (static_cast<PowerSum>(words[at + 1]) << 64);
    at += 2;
  }
}

FirstOrderEstimate FirstOrderRows::estimate(int input, int output) const {
  flush();
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  const auto paths = static_cast<double>(paths_);
  // Everything in units of q: an index is a ratio of variances, so the scale cancels.
  double raw[4];
  for (int k = 0; k < 4; ++k) {
    const std::size_t at = static_cast<std::size_t>(output) * 4 + k;
    raw[k] = static_cast<double>(static_cast<Int128>(power_sum_[at]));
  }
  const double mean = raw[0] / paths;
  const double total_sum_squares = raw[1] - raw[0] * mean;
  if (!(total_sum_squares > 0.0) || paths_ <= static_cast<std::uint64_t>(bins_)) return {kNaN, kNaN};

  double between = 0.0, explained = 0.0;
  int occupied = 0;
  for (int b = 0; b < bins_; ++b) {
    const std::uint64_t count = count_[count_at(input, output, b)];
    if (count == 0) continue;
    const auto n = static_cast<double>(count);
    const auto sum = static_cast<double>(sum_[row(input, b) + output]);
    between += n * (sum / n - mean) * (sum / n - mean);
    explained += sum * sum / n;
    ++occupied;
  }
  const double within_variance = std::max(0.0, raw[1] - explained) / (paths - occupied);
  const double index = (between - (occupied - 1) * within_variance) / total_sum_squares;

  double numerator_variance = 2.0 * (occupied - 1) * within_variance * within_variance / (paths * paths);
  for (int b = 0; b < bins_; ++b) {
    const std::uint64_t count = count_[count_at(input, output, b)];
    if (count == 0) continue;
    const auto n = static_cast<double>(count);
    const double bin_mean = static_cast<double>(sum_[row(input, b) + output]) / n;
    const double weight = n / paths;
    numerator_variance += 4.0 * weight * weight * (bin_mean - mean) * (bin_mean - mean) * within_variance / n;
  }
  const double denominator = total_sum_squares / paths;
  const double m2 = raw[1] / paths, m3 = raw[2] / paths, m4 = raw[3] / paths;
  const double fourth_central = m4 - 4.0 * mean * m3 + 6.0 * mean * mean * m2 - 3.0 * mean * mean * mean * mean;
  const double denominator_variance = std::max(0.0, fourth_central - denominator * denominator) / paths;
  const double variance = (numerator_variance + index * index * denominator_variance) / (denominator * denominator);
  return {index, std::sqrt(variance)};
}

std::vector<double> FirstOrderRows::grouped_means(int input, int output, int groups) const {
  if (groups < 1 || bins_ % groups != 0)
    throw std::invalid_argument(std::to_string(bins_) + " bins do not split into " + std::to_string(groups) +
                                " equal groups");
  flush();
  const int per_group = bins_ / groups;
  std::vector<double> means(groups);
  for (int g = 0; g < groups; ++g) {
    std::uint64_t n = 0;
    std::int64_t sum = 0;
    for (int b = g * per_group; b < (g + 1) * per_group; ++b) {
      n += count_[count_at(input, output, b)];
      sum += sum_[row(input, b) + output];
    }
    means[g] = n ? static_cast<double>(sum) / static_cast<double>(n) / scale(output) : std::numeric_limits<double>::quiet_NaN();
  }
  return means;
}

}  // namespace chokepoint
