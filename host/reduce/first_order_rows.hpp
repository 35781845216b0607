// First-order indices of many outputs at once in integer sums: the form the engine's reductions
// are to use (docs/sensitivity.md, "Joining the engine"); FirstOrderBins is its exact-sum reference.
//
// Layout [input][bin][output]: a path's bin of input i is the same for every output, so it adds
// its whole row of outputs into one contiguous row of int64 sums — one vectorisable loop per
// input. Output o is stored as q = round(y · 2^scale_exponent[o]); integer addition is exact and
// associative, so the same paths in any order and any split give the same sums, bit for bit.
// Choose the exponent from the column's largest |y| (scale_exponent_for) so that |q| ≤ 2^20:
// the rounding then adds noise of variance 2^(−2·exponent)/12 to Y, negligible for an index.
//
// Per bin only Σq is kept; the pooled within-bin variance comes from the per-output totals,
// SS_within = Σq² − Σ_b (Σ_b q)²/n_b, so the estimator is FirstOrderBins' one. Its standard error
// assumes equal variance within every bin (FirstOrderBins uses each bin's own); for a 0/1 output
// that is only the within-bin part, the between-bin part of the SE is the same.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "reduce/first_order_estimate.hpp"

namespace chokepoint {

class FirstOrderRows {
 public:
  // Throws std::invalid_argument unless inputs ≥ 1, 2 ≤ bins ≤ 256 and there is at least one output.
  FirstOrderRows(int inputs, int bins, std::vector<int> scale_exponents);
  // Outputs in groups (a run's years): output o belongs to the group g with
  // group_ends[g−1] ≤ o < group_ends[g], the last end being the output count. The last
  // `grouped_inputs` inputs take one bin per group (an event's firings up to each year's end), the
  // others one bin for every output. Throws std::invalid_argument on ends that do not partition
  // the outputs or more grouped inputs than inputs.
  FirstOrderRows(int inputs, int bins, std::vector<int> scale_exponents, std::vector<int> group_ends, int grouped_inputs);

  // The exponent that maps values up to `largest_magnitude` onto |q| ≤ 2^20 (0 → a scale of 1).
  static int scale_exponent_for(double largest_magnitude);

  int bin_of(double uniform) const;  // as FirstOrderBins::bin_of
  // Up to kBlockPaths paths at once, the form the engine's reductions use: the caller fills each
  // path's bin of every input slot (ungrouped inputs, then each grouped input's groups) and its
  // quantised outputs (quantise), then add_block adds them. Within a block, the paths of one bin
  // of one input are summed in registers and added to that bin's row once: the row sums are
  // touched once per bin and block rather than once per path.
  static constexpr int kBlockPaths = 256;
  class Block {
   public:
    // Room for `capacity` paths (at most kBlockPaths).
    explicit Block(const FirstOrderRows& rows, int capacity = kBlockPaths);
    int paths() const { return paths_; }
    // How many of the block's slots the caller has filled (paths 0 … count − 1, at most its
    // capacity: add_block throws std::logic_error beyond it).
    void set_paths(int count) { paths_ = count; }
    std::uint8_t* bins_of_slot(int slot) { return bins_.data() + static_cast<std::size_t>(slot) * capacity_; }
    std::int32_t* outputs_of_path(int path) { return quantised_.data() + static_cast<std::size_t>(path) * stride_; }
    // q = round(value · 2^scale_exponent[o]). A value that is not finite, or whose |q| would exceed
    // 2^21 (twice the range the scale was chosen for), is counted as out of range and becomes 0,
    // so a scale chosen wrongly is reported rather than silently wrapped.
    std::int32_t quantise(int output, double value) {
      const double scaled = value * scale_factor_[output];  // a power of two: exact
      if (!in_range(scaled)) {
        ++out_of_range_;
        return 0;
      }
      return nearest_integer(scaled);
    }

    // Output o of the block's paths from a column of the run's values, as quantise does, in a
    // form that vectorises.
    void quantise_column(int output, const float* column);

   private:
    friend class FirstOrderRows;
    int paths_ = 0;
    std::size_t capacity_;
    std::size_t stride_;  // outputs rounded up to whole SIMD vectors
    const double* scale_factor_;
    std::uint64_t out_of_range_ = 0;
    std::vector<std::uint8_t> bins_;         // [slot][path]
    std::vector<std::int32_t> quantised_;    // [path][stride], the padding 0
  };
  // Adds the block's paths and empties it for the next ones; within the range every sum is exact
  // for 2⁴⁰ paths, and the same paths in any blocks give the same sums.
  void add_block(Block& block);
  // One path: its bin of every input (clamped into [0, bins)) and its value of every output; a
  // grouped input has one bin per group, in group order, after the ungrouped inputs' bins. A block
  // of one path (tests and the exact-sum comparisons use it).
  void add(const int* bin_of_input, const double* outputs);
  int input_slots() const { return static_cast<int>(slots_.size()); }
  // Throws std::invalid_argument unless the shapes and scales are the same.
  void merge(const FirstOrderRows& other);
  bool operator==(const FirstOrderRows& other) const;
  // The sums as 64-bit words, for shard files and MPI messages: paths, out of range, the counts,
  // the row sums, and each 128-bit power sum as two words (low first). set_words reads them back
  // into an accumulator of the same shape; it throws std::invalid_argument on a wrong length.
  std::vector<std::uint64_t> words() const;
  void set_words(const std::vector<std::uint64_t>& words);

  int inputs() const { return inputs_; }
  int bins() const { return bins_; }
  int outputs() const { return static_cast<int>(scale_exponent_.size()); }
  std::uint64_t paths() const { return paths_; }
  std::uint64_t out_of_range() const { return out_of_range_; }

  FirstOrderEstimate estimate(int input, int output) const;
  std::vector<double> grouped_means(int input, int output, int groups) const;  // bins % groups == 0

 private:
  std::size_t row(int input, int bin) const { return (static_cast<std::size_t>(input) * bins_ + bin) * outputs(); }
  std::size_t stride() const;
  // count_ is [input][group][bin]; an ungrouped input uses group 0 for every output.
  std::size_t count_at(int input, int output, int bin) const;
  double scale(int output) const;

  int inputs_;
  int bins_;
  std::vector<int> group_ends_;   // one group of every output unless grouped
  std::vector<int> group_of_;     // per output
  int grouped_inputs_ = 0;
  std::vector<int> scale_exponent_;
  std::vector<double> scale_factor_;  // 2^scale_exponent
  std::uint64_t paths_ = 0;
  std::uint64_t out_of_range_ = 0;
  std::vector<std::uint64_t> count_;  // [input][group][bin]
  std::vector<std::int64_t> sum_;  // [input][bin][output] Σq
  // Per output Σq, Σq², Σq³, Σq⁴ as 128-bit integers that wrap as unsigned (defined behaviour)
  // and are read back as two's complement. GCC and Clang; -Wpedantic accepts it marked so.
  __extension__ using PowerSum = unsigned __int128;
  std::vector<PowerSum> power_sum_;  // [output][k]
  // The quantising rule of Block::quantise and quantise_column: |scaled| ≤ 2²¹ (false for NaN and
  // ±∞), and the nearest integer (ties to even) by adding and subtracting 1.5·2⁵², without libm.
  static bool in_range(double scaled) { return std::fabs(scaled) <= 2097152.0; }
  static std::int32_t nearest_integer(double scaled) { return static_cast<std::int32_t>((scaled + 0x1.8p52) - 0x1.8p52); }
  // Where each input slot's bins count and which outputs it adds: an ungrouped input all of them,
  // a grouped input's slot for group g only that group's (fixed by the shape, so built once).
  struct Slot {
    int input;
    std::size_t count_base;  // its bins in count_
    int first_output, end_output;
  };
  std::vector<Slot> slots_;
  static std::uint64_t quantise_values(const float* column, int count, double scale, std::int32_t* q);
  // A block's power sums, in int64 lanes that vectorise (add_block).
  std::vector<std::int64_t> block_power_;  // [part][stride]
  std::vector<std::uint16_t> order_;       // scratch: [slot][path], a block's paths sorted by bin
  std::vector<int> bin_end_;               // scratch: [slot][bin], where each bin's paths end in order_
};

}  // namespace chokepoint
