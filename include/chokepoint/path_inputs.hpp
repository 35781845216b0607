// A path's drawn inputs, for sensitivity analysis and scenario discovery (docs/sensitivity.md):
// per uncertain parameter its value and the copula uniform u = Φ(z) of its correlated normal,
// per factor its trend δ_f and u = Φ(δ_f/τ_f), per event its random firings in each calendar year.
//
// They are recomputed from (seed, stream, path, block), not captured by the step: every draw of a
// path depends only on those (random_streams.hpp), so the step stays as small as it is and any
// backend's run gets the same inputs. The functions below use the step's own code (the copula of
// path_step.hpp, the same fire test), and a test checks them against a run's draws bit for bit.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "chokepoint/engine.hpp"
#include "chokepoint/path_step.hpp"

namespace chokepoint {

// The correlated standard normal z behind each uncertain parameter (what parameters_from_normals
// maps through the marginal): the copula's rows for correlated parameters, the path's own normal
// for the others. Same operations in the same order as the step, so the same bits.
CHOKEPOINT_HD inline void parameter_copula_normals(const Model& model, const double* normals, double* z) {
  double independent_normals[kMaxCorrelatedParameters];
  double correlated_normals[kMaxCorrelatedParameters];
  for (int i = 0; i < model.uncertain_count; ++i)
    if (model.uncertain[i].copula_index >= 0) independent_normals[model.uncertain[i].copula_index] = normals[i];
  for (int row = 0; row < model.correlated_count; ++row) {
    double sum = 0.0;
    for (int column = 0; column <= row; ++column)
      sum += model.parameter_cholesky[row][column] * independent_normals[column];
    correlated_normals[row] = sum;
  }
  for (int i = 0; i < model.uncertain_count; ++i) {
    const int row = model.uncertain[i].copula_index;
    z[i] = row >= 0 ? correlated_normals[row] : normals[i];
  }
}

// The probability that event e fires in one step of this path, as start_path computes it.
CHOKEPOINT_HD inline double event_fire_probability(const Model& model, int e, const double* draws) {
  return -expm1(-model.events[e].rate.value(draws) * model.step_years);
}

// Does event e fire at random at step t (1-based)? The step's test, fire uniform < probability;
// a forced firing is a separate draw and is not counted.
CHOKEPOINT_HD inline bool event_fires_at(const Model& model, PhiloxKey key, std::uint64_t path, int e, int step,
                                         double fire_probability) {
  const PhiloxCounter words =
      philox4x32_10(stream_block(model.events[e].stream, path, static_cast<std::uint32_t>(step)), key);
  return open_uniform(words.word[0]) < fire_probability;
}

// The inputs of paths [first_path, first_path + paths), column by column (one contiguous column
// of paths per input), so that a reduction reads them like the run's result columns.
struct PathInputs {
  std::uint64_t first_path = 0;
  std::uint64_t paths = 0;
  int parameters = 0;
  int factors = 0;
  int events = 0;
  int years = 0;
  std::vector<double> parameter_value;  // [parameter][path]; empty unless `full`
  std::vector<double> parameter_z;      // [parameter][path], the correlated standard normal
  std::vector<double> parameter_u;      // [parameter][path], Φ(z); empty unless asked for
  std::vector<double> trend;            // [factor][path], δ_f in log units per year; empty unless `full`
  std::vector<double> trend_z;          // [factor][path], the correlated standard normal, δ_f/τ_f
  std::vector<double> trend_u;          // [factor][path], Φ(z); empty unless asked for
  std::vector<std::uint8_t> fires;      // [event][year][path], random firings in that calendar year

  const double* value_of(int parameter) const { return parameter_value.data() + parameter * paths; }
  const double* z_of(int parameter) const { return parameter_z.data() + parameter * paths; }
  const double* u_of(int parameter) const { return parameter_u.data() + parameter * paths; }
  const double* trend_z_of(int factor) const { return trend_z.data() + factor * paths; }
  const double* trend_of(int factor) const { return trend.data() + factor * paths; }
  const double* trend_u_of(int factor) const { return trend_u.data() + factor * paths; }
  const std::uint8_t* fires_of(int event, int year) const {
    return fires.data() + (static_cast<std::size_t>(event) * years + year) * paths;
  }
};

// Fills `inputs` for paths [first_path, first_path + count) of a run with this seed, reusing its
// storage. One thread; the values are those the CPU backend's step draws, bit for bit. With
// `full` false only what the reductions use is filled (z, trend z and firings): the values and
// trends cost the path's whole start, the uniforms an erfc each, and the reductions bin z.
void compute_path_inputs(const Scenario& scenario, std::uint64_t seed, std::uint64_t first_path, std::uint64_t count,
                         PathInputs& inputs, bool full = true);

}  // namespace chokepoint
