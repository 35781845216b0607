// First-order sensitivity indices from the paths of an ordinary run, with no extra paths:
// S_i = Var(E[Y | X_i]) / Var(Y), estimated by cutting input i's copula uniform u_i ∈ (0, 1) into
// B equal-probability bins and taking the variance of the bin means of Y (docs/sensitivity.md).
//
// What is kept is a mergeable accumulator: per input and bin, an integer count and exact sums of
// Y and Y² (ExactSum); per output, exact sums of Y, Y², Y³ and Y⁴. Adding the same paths in any
// order, split into any parts merged in any order, gives bit-identical estimates. Nothing per path
// is stored, so it holds at any path count.
//
// Estimator (one-way analysis of variance, bins as groups):
//   SS_between = Σ_b n_b (m_b − Ȳ)²,  σ²_within = Σ_b Σ_{p∈b} (Y_p − m_b)² / (P − B)
//   S_i = (SS_between − (B − 1)·σ²_within) / SS_total
// The subtracted term removes the noise of the bin means, E[SS_between] = P·Var_b + (B−1)·σ²_within;
// using σ²_within rather than Var(Y) avoids over-correcting by (B − 1)·S_i/P. The estimate is left
// unclamped (it can be slightly negative when S_i ≈ 0), since clamping would bias it upward.
// Bins also smooth E[Y | X_i] over each bin: for a smooth effect the index is low by a factor of
// about 1 − O(1/B²) (measured in docs/sensitivity.md), so B is a choice between this bias and the
// (B − 1)/P noise.
#pragma once

#include <cstdint>
#include <vector>

#include "analyse/exact_sum.hpp"
#include "reduce/first_order_estimate.hpp"

namespace chokepoint {

class FirstOrderBins {
 public:
  FirstOrderBins(int inputs, int bins);  // throws std::invalid_argument unless inputs ≥ 1, bins ≥ 2

  // One path: its inputs' copula uniforms uniforms[0..inputs) and its output y. A uniform at or
  // outside the ends of (0, 1) falls in the end bin; a NaN uniform in bin 0.
  void add(const double* uniforms, double y);
  // The same with each input's bin given, for discrete inputs such as an event's firing count
  // (bin = min(count, bins − 1)); the estimator is unchanged, the bins simply hold unequal shares.
  // A bin outside [0, bins) is clamped to the nearer end.
  void add_binned(const int* bin_of_input, double y);
  // Throws std::invalid_argument unless both have the same inputs and bins.
  void merge(const FirstOrderBins& other);

  int inputs() const { return inputs_; }
  int bins() const { return bins_; }
  std::uint64_t paths() const { return paths_; }
  int bin_of(double uniform) const;

  FirstOrderEstimate estimate(int input) const;
  // Mean of Y among the paths whose input lies in each bin (NaN for an empty bin). With Y a 0/1
  // indicator, such as "the stage binds", this is P(Y | input bin).
  std::vector<double> bin_means(int input) const;
  // The same over `groups` equal groups of adjacent bins (10 gives deciles); bins % groups == 0.
  std::vector<double> grouped_means(int input, int groups) const;

  // Same paths in any order, in any split, give equal accumulators.
  bool operator==(const FirstOrderBins& other) const;

 private:
  template <class BinOf>
  void add_to_cells(BinOf bin_of_input, double y);
  std::size_t cell(int input, int bin) const { return static_cast<std::size_t>(input) * bins_ + bin; }

  int inputs_;
  int bins_;
  std::uint64_t paths_ = 0;
  std::vector<std::uint64_t> count_;  // [input][bin]
  std::vector<ExactSum> sum_;         // Σ Y per [input][bin]
  std::vector<ExactSum> sum_squares_; // Σ Y² per [input][bin]
  ExactSum power_sum_[4];             // Σ Y, Σ Y², Σ Y³, Σ Y⁴ over all paths
};

}  // namespace chokepoint
