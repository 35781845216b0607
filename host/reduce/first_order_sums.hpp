// First-order sensitivity from every run (docs/sensitivity.md): one FirstOrderRows over the path's
// inputs and every year's outputs (the years as its output groups), fed path by path in the same pass
// that sums the moments, and merged with them, so the indices hold at any path count and have
// the same bits for any split into threads, batches, shards or ranks.
//
// Inputs: each uncertain parameter and each factor's trend (τ > 0) by its copula uniform in
// kFirstOrderBins equal-probability bins; each event by its random firings up to the year's end
// (bins 0, 1, 2+). Outputs per year: kFirstOrderVariables (those the scenario reports), each
// binding code's steps in the year and whether it bound at all, and the year's thresholds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chokepoint/engine.hpp"
#include "chokepoint/path_inputs.hpp"
#include "reduce/first_order_rows.hpp"

namespace chokepoint {

inline constexpr int kFirstOrderBins = 20;

// Which variables get indices. The cost grows with inputs × outputs (bench/sensitivity_bench.cpp),
// so the headline variables, not all of them; every stage's binding and every threshold always.
inline constexpr const char* kFirstOrderVariables[] = {"token_demand", "tokens_served", "produced_units", "deployed_units",
                                                       "installed_base", "power.capacity", "revenue"};

// What the indices are of, derived from the scenario alone (so every shard agrees).
struct FirstOrderLayout {
  std::vector<std::string> input_names;
  std::vector<std::string> input_kinds;  // "parameter", "trend", "event"
  std::vector<int> parameters;           // Model::uncertain index per parameter input
  std::vector<int> factors;              // factor index per trend input
  std::vector<int> events;
  std::vector<int> variables;            // Scenario::variables index per output variable
  int binding_codes = 0;
  std::vector<std::vector<int>> thresholds_of_year;  // Scenario::thresholds indices, per year
  std::vector<ThresholdRequest> thresholds;          // Scenario::thresholds

  int input_count() const { return static_cast<int>(input_names.size()); }
  int outputs_of_year(int year) const {
    return static_cast<int>(variables.size()) + 2 * binding_codes + static_cast<int>(thresholds_of_year[year].size());
  }
};

FirstOrderLayout first_order_layout(const Scenario& scenario);

// The fixed-point scale of every variable output, [year][variable of the layout], from the run's
// pilot (its first paths, the same in every shard; reduce/run_accumulators.hpp): each column's
// largest |value| there, with 2⁸ of headroom, maps to |q| ≤ 2²⁰. Counts use scale 1 (exact).
std::vector<std::int32_t> first_order_scales(const Scenario& scenario, const PathResults& pilot);

class FirstOrderSums {
 public:
  FirstOrderSums() = default;  // empty: adds and merges nothing
  FirstOrderSums(const Scenario& scenario, const std::vector<std::int32_t>& scales);

  bool empty() const { return rows_.empty(); }
  // Adds `inputs.paths` paths: path i of `inputs` is slot first_slot + i of `results`.
  void add(const PathInputs& inputs, const PathResults& results, std::uint64_t first_slot);
  void merge(const FirstOrderSums& other);
  bool operator==(const FirstOrderSums& other) const { return rows_ == other.rows_; }

  std::vector<std::uint64_t> words() const;  // FirstOrderRows::words
  void set_words(const std::vector<std::uint64_t>& words);

  // The summary's "sensitivity" section: indices with SE, and P(binds | input group).
  SensitivitySection section(const Scenario& scenario) const;

 private:
  FirstOrderLayout layout_;
  std::vector<int> group_ends_;       // the end of each year's outputs
  std::vector<double> bin_edges_;     // Φ⁻¹(b/B), b = 1 … B−1: a normal's equal-probability bins
  std::vector<FirstOrderRows> rows_;  // one, or none when nothing is drawn
};

// Recomputes the inputs of batch paths [first_path, first_path + batch.paths) and adds them.
void add_first_order_batch(const Scenario& scenario, std::uint64_t seed, std::uint64_t first_path,
                           const PathResults& batch, FirstOrderSums& sums);

}  // namespace chokepoint
