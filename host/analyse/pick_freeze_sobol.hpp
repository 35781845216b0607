// Sobol indices of input groups by pick-freeze (docs/sensitivity.md).
//
// For base sample j there are two independent draws of every input, A_j and B_j, and for each
// group i the mixed point AB_i,j: A_j with group i's inputs taken from B_j. From the outputs
// y_A = f(A_j), y_B = f(B_j), y_ABi = f(AB_i,j):
//   first order (Saltelli et al. 2010, eq. (b) of their table 2):  S_i  = mean(y_B·(y_ABi − y_A)) / V
//   total       (Jansen 1999):                                      ST_i = mean((y_A − y_ABi)²) / (2V)
// with V the variance of y_A and y_B pooled (as SALib does). Each sample costs groups + 2 model
// evaluations. In the engine (sobol_run.hpp), A_j is path j, B_j is path j of a model copy with
// every random stream re-keyed, AB_i,j path j of a copy with group i's streams re-keyed, so
// nothing is stored.
//
// Confidence intervals: the sums are kept per batch (sample j goes to batch j mod `batches`) as
// exact sums, so the accumulator streams and merges bit-identically in any order; the bootstrap
// resamples whole batches (a cluster bootstrap: batches are independent and identically
// distributed) with Philox draws keyed by the seed, so intervals are reproducible.
#pragma once

#include <cstdint>
#include <vector>

#include "analyse/exact_sum.hpp"

namespace chokepoint {

struct SobolIndex {
  double estimate = 0.0;
  double standard_error = 0.0;  // standard deviation of the bootstrap replicates
  double lower = 0.0;           // percentile bootstrap interval at SobolOptions::level
  double upper = 0.0;
};

struct SobolOptions {
  std::uint64_t seed = 1;  // keys the bootstrap's resampling (bootstrap_draws.hpp)
  int replicates = 1000;
  double level = 0.95;
};

struct SobolIndices {
  std::uint64_t samples = 0;  // base samples N; model evaluations are N·(groups + 2)
  double variance = 0.0;      // V
  std::vector<SobolIndex> first_order;
  std::vector<SobolIndex> total;
};

class PickFreezeSums {
 public:
  // Throws std::invalid_argument unless groups ≥ 1 and batches ≥ 2.
  explicit PickFreezeSums(int groups, int batches = 100);

  // Sample j (its index decides its batch): y_mixed[i] = f(AB_i,j) for i in [0, groups).
  void add(std::uint64_t sample, double y_a, double y_b, const double* y_mixed);
  void merge(const PickFreezeSums& other);  // throws std::invalid_argument on a shape mismatch
  bool operator==(const PickFreezeSums& other) const;

  // groups, batches, the batches' sample counts, then every exact sum's words()
  // (exact_sum.hpp) in [batch][term] order: what a rank sends and a shard file stores. The sums
  // merged from their words give the same bits as sums added in one process.
  std::vector<std::int64_t> words() const;
  static PickFreezeSums from_words(const std::vector<std::int64_t>& words);  // throws std::invalid_argument

  int groups() const { return groups_; }
  std::uint64_t samples() const;
  // Throws std::invalid_argument with fewer than two samples or two replicates, or a level
  // outside (0, 1). A constant output (V = 0) gives NaN indices and intervals.
  SobolIndices estimate(const SobolOptions& options = {}) const;

 private:
  // Per batch: sums of y_A, y_A², y_B, y_B², then per group Σ y_B(y_ABi − y_A) and Σ (y_A − y_ABi)².
  int terms() const { return 4 + 2 * groups_; }
  std::size_t slot(int batch, int term) const { return static_cast<std::size_t>(batch) * terms() + term; }

  int groups_;
  int batches_;
  std::vector<std::uint64_t> count_;  // per batch
  std::vector<ExactSum> sum_;         // [batch][term]
};

// Convenience over stored outputs: y_mixed[i] holds f(AB_i,j) for every j. Throws
// std::invalid_argument when the lengths differ.
SobolIndices pick_freeze_indices(const std::vector<double>& y_a, const std::vector<double>& y_b,
                                 const std::vector<std::vector<double>>& y_mixed, const SobolOptions& options = {});

}  // namespace chokepoint
