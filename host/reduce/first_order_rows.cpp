#include "reduce/first_order_rows.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

namespace chokepoint {

namespace {

__extension__ using Int128 = __int128;

// A block's power sums of q (|q| ≤ 2²¹) in int64 parts: q, q², and q³, q⁴ from q² split as
// h·2²¹ + l (0 ≤ l < 2²¹, 0 ≤ h ≤ 2²¹): q³ = hq·2²¹ + lq, q⁴ = h²·2⁴² + hl·2²² + l². Every product
// is of two 32-bit integers and at most 2⁴², so 256 paths sum to at most 2⁵⁰, exactly.
enum PowerPart { kSum, kSquares, kCubeHigh, kCubeLow, kFourthHigh, kFourthMixed, kFourthLow, kPowerParts };

// Outputs of a block are summed 32 at a time in two 16-lane vectors that stay in registers
// (GCC's vector extension: the widest the target has, or pairs of narrower ones).
constexpr int kChunk = 32;
typedef std::int32_t Lanes16 __attribute__((vector_size(64)));

Lanes16 load_lanes(const std::int32_t* from) {
  Lanes16 lanes;
  std::memcpy(&lanes, from, sizeof lanes);
  return lanes;
}

// One path's q into the block's power parts. The parts are disjoint rows, and GCC honours
// restrict on parameters: so the loop vectorises across outputs.
void add_powers(const std::int32_t* __restrict q, std::size_t outputs, std::int64_t* __restrict sum,
                std::int64_t* __restrict squares, std::int64_t* __restrict cube_high, std::int64_t* __restrict cube_low,
                std::int64_t* __restrict fourth_high, std::int64_t* __restrict fourth_mixed,
                std::int64_t* __restrict fourth_low) {
  for (std::size_t o = 0; o < outputs; ++o) {
    const std::int64_t square = static_cast<std::int64_t>(q[o]) * q[o];
    const auto high = static_cast<std::int32_t>(square >> 21);
    const auto low = static_cast<std::int32_t>(square & 0x1FFFFF);
    sum[o] += q[o];
    squares[o] += square;
    cube_high[o] += static_cast<std::int64_t>(high) * q[o];
    cube_low[o] += static_cast<std::int64_t>(low) * q[o];
    fourth_high[o] += static_cast<std::int64_t>(high) * high;
    fourth_mixed[o] += static_cast<std::int64_t>(high) * low;
    fourth_low[o] += static_cast<std::int64_t>(low) * low;
  }
}

}  // namespace

FirstOrderRows::FirstOrderRows(int inputs, int bins, std::vector<int> scale_exponents)
    : FirstOrderRows(inputs, bins, scale_exponents, {static_cast<int>(scale_exponents.size())}, 0) {}

FirstOrderRows::FirstOrderRows(int inputs, int bins, std::vector<int> scale_exponents, std::vector<int> group_ends,
                               int grouped_inputs)
    : inputs_(inputs), bins_(bins), group_ends_(std::move(group_ends)), grouped_inputs_(grouped_inputs),
      scale_exponent_(std::move(scale_exponents)) {
  if (inputs < 1) throw std::invalid_argument("first-order rows need at least one input, got " + std::to_string(inputs));
  if (bins < 2 || bins > 256)  // a block keeps each path's bin in a byte
    throw std::invalid_argument("first-order rows need 2 to 256 bins, got " + std::to_string(bins));
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
  power_sum_.assign(scale_exponent_.size() * 4, 0);
  block_power_.assign(kPowerParts * stride(), 0);
  const int ungrouped = inputs_ - grouped_inputs_;
  const std::size_t groups = group_ends_.size();
  for (int i = 0; i < ungrouped; ++i)
    slots_.push_back({i, static_cast<std::size_t>(i) * groups * bins_, 0, static_cast<int>(scale_exponent_.size())});
  for (int i = ungrouped; i < inputs_; ++i)
    for (std::size_t g = 0; g < groups; ++g)
      slots_.push_back({i, (static_cast<std::size_t>(i) * groups + g) * bins_, g == 0 ? 0 : group_ends_[g - 1],
                        group_ends_[g]});
  order_.assign(static_cast<std::size_t>(input_slots()) * kBlockPaths, 0);
  bin_end_.assign(static_cast<std::size_t>(input_slots()) * bins_, 0);
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

std::size_t FirstOrderRows::stride() const {
  // Whole 16-lane vectors, and a chunk's worth more so that a chunk may read past the last output.
  return (scale_exponent_.size() + 15) / 16 * 16;
}

FirstOrderRows::Block::Block(const FirstOrderRows& rows, int capacity)
    : capacity_(static_cast<std::size_t>(std::clamp(capacity, 1, kBlockPaths))),
      stride_(rows.stride()),
      scale_factor_(rows.scale_factor_.data()),
      bins_(static_cast<std::size_t>(rows.input_slots()) * capacity_, 0),
      quantised_(stride_ * capacity_ + kChunk, 0) {}

// q of a column of values under `scale`, 0 where out of range; returns how many were. Restrict
// parameters, so that it vectorises.
std::uint64_t FirstOrderRows::quantise_values(const float* __restrict column, int count, double scale,
                                              std::int32_t* __restrict q) {
  std::uint64_t out_of_range = 0;
  for (int k = 0; k < count; ++k) {
    const double scaled = static_cast<double>(column[k]) * scale;
    const bool inside = in_range(scaled);
    out_of_range += !inside;
    q[k] = inside ? nearest_integer(scaled) : 0;
  }
  return out_of_range;
}

void FirstOrderRows::Block::quantise_column(int output, const float* column) {
  alignas(64) std::int32_t q[kBlockPaths];
  out_of_range_ += quantise_values(column, paths_, scale_factor_[output], q);
  for (int k = 0; k < paths_; ++k) quantised_[static_cast<std::size_t>(k) * stride_ + static_cast<std::size_t>(output)] = q[k];
}

void FirstOrderRows::add_block(Block& block) {
  const int paths = block.paths_;
  if (paths == 0) return;
  if (paths < 0 || static_cast<std::size_t>(paths) > block.capacity_ || block.stride_ != stride())
    throw std::logic_error("first-order rows: a block of " + std::to_string(paths) + " paths (room for " +
                           std::to_string(block.capacity_) + ") or of other rows");
  const std::size_t stride = block.stride_;
  const int output_count = outputs();

  // Σq … Σq⁴: int64 lanes over the block, then into the 128-bit totals once per block.
  std::int64_t* part[kPowerParts];
  for (int k = 0; k < kPowerParts; ++k) {
    part[k] = block_power_.data() + static_cast<std::size_t>(k) * stride;
    std::fill(part[k], part[k] + stride, 0);
  }
  for (int path = 0; path < paths; ++path)
    add_powers(block.outputs_of_path(path), stride, part[kSum], part[kSquares], part[kCubeHigh], part[kCubeLow],
               part[kFourthHigh], part[kFourthMixed], part[kFourthLow]);
  for (int o = 0; o < output_count; ++o) {
    PowerSum* sums = &power_sum_[static_cast<std::size_t>(o) * 4];
    const auto at = [&](int k) { return static_cast<Int128>(part[k][o]); };
    sums[0] += static_cast<PowerSum>(at(kSum));
    sums[1] += static_cast<PowerSum>(at(kSquares));
    sums[2] += static_cast<PowerSum>(at(kCubeHigh) * (Int128{1} << 21) + at(kCubeLow));
    sums[3] += static_cast<PowerSum>(at(kFourthHigh) * (Int128{1} << 42) + at(kFourthMixed) * (Int128{1} << 22) +
                                     at(kFourthLow));
  }

  // Each input slot's paths in bin order (a counting sort); bin_end_[slot][b] ends bin b.
  const int slots = static_cast<int>(slots_.size());
  for (int s = 0; s < slots; ++s) {
    const std::uint8_t* bin_of_path = block.bins_of_slot(s);
    int* end = &bin_end_[static_cast<std::size_t>(s) * bins_];
    std::uint16_t* order = &order_[static_cast<std::size_t>(s) * kBlockPaths];
    std::fill(end, end + bins_, 0);
    for (int path = 0; path < paths; ++path) ++end[std::min<int>(bin_of_path[path], bins_ - 1)];
    int before = 0;
    for (int b = 0; b < bins_; ++b) {
      count_[slots_[static_cast<std::size_t>(s)].count_base + static_cast<std::size_t>(b)] += static_cast<std::uint64_t>(end[b]);
      const int in_bin = end[b];
      end[b] = before;  // for now the start of bin b, where its next path goes
      before += in_bin;
    }
    for (int path = 0; path < paths; ++path)
      order[end[std::min<int>(bin_of_path[path], bins_ - 1)]++] = static_cast<std::uint16_t>(path);
  }
  // Then chunk by chunk of outputs (so that the block's columns of one chunk stay in L1 while
  // every slot reads them): per slot and bin the sum of its paths' outputs in registers, added
  // once to the bin's row.
  for (int o = 0; o < output_count; o += kChunk) {
    for (int s = 0; s < slots; ++s) {
      const Slot& slot = slots_[static_cast<std::size_t>(s)];
      const int first = std::max(o, slot.first_output), last = std::min(o + kChunk, slot.end_output);
      if (first >= last) continue;
      const std::uint16_t* order = &order_[static_cast<std::size_t>(s) * kBlockPaths];
      const int* end = &bin_end_[static_cast<std::size_t>(s) * bins_];
      for (int b = 0, begin = 0; b < bins_; begin = end[b++]) {
        if (begin == end[b]) continue;
        Lanes16 low = {}, high = {};
        for (int at = begin; at < end[b]; ++at) {
          const std::int32_t* q = block.quantised_.data() + order[at] * stride + o;
          low += load_lanes(q);
          high += load_lanes(q + 16);
        }
        alignas(64) std::int32_t sums[kChunk];
        std::memcpy(sums, &low, sizeof low);
        std::memcpy(sums + 16, &high, sizeof high);
        std::int64_t* row_sums = &sum_[row(slot.input, b)];
        for (int j = first; j < last; ++j) row_sums[j] += sums[j - o];
      }
    }
  }

  paths_ += static_cast<std::uint64_t>(paths);
  out_of_range_ += block.out_of_range_;
  block.out_of_range_ = 0;
  block.paths_ = 0;
}

void FirstOrderRows::add(const int* bin_of_input, const double* outputs_of_path) {
  Block block(*this, 1);
  block.set_paths(1);
  const int slots = input_slots();
  for (int slot = 0; slot < slots; ++slot)
    block.bins_of_slot(slot)[0] = static_cast<std::uint8_t>(std::clamp(bin_of_input[slot], 0, bins_ - 1));
  std::int32_t* q = block.outputs_of_path(0);
  for (int o = 0; o < outputs(); ++o) q[o] = block.quantise(o, outputs_of_path[o]);
  add_block(block);
}

void FirstOrderRows::merge(const FirstOrderRows& other) {
  if (other.inputs_ != inputs_ || other.bins_ != bins_ || other.scale_exponent_ != scale_exponent_ ||
      other.group_ends_ != group_ends_ || other.grouped_inputs_ != grouped_inputs_)
    throw std::invalid_argument("cannot merge first-order rows of different inputs, bins, outputs or scales");
  for (std::size_t c = 0; c < count_.size(); ++c) count_[c] += other.count_[c];
  for (std::size_t s = 0; s < sum_.size(); ++s) sum_[s] += other.sum_[s];
  for (std::size_t at = 0; at < power_sum_.size(); ++at) power_sum_[at] += other.power_sum_[at];
  paths_ += other.paths_;
  out_of_range_ += other.out_of_range_;
}

bool FirstOrderRows::operator==(const FirstOrderRows& other) const {
  return inputs_ == other.inputs_ && bins_ == other.bins_ && scale_exponent_ == other.scale_exponent_ &&
         group_ends_ == other.group_ends_ && grouped_inputs_ == other.grouped_inputs_ &&
         paths_ == other.paths_ && out_of_range_ == other.out_of_range_ && count_ == other.count_ &&
         sum_ == other.sum_ && power_sum_ == other.power_sum_;
}

std::vector<std::uint64_t> FirstOrderRows::words() const {
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
