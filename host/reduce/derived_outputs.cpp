// Derived outputs (docs/scenario-format.md, "derived"): reported quantities the engine does not
// simulate, such as WFE spend or the power drawn by inference, written as a linear function of
// simulated variables. They are computed here, after simulation and before the summary, so the
// per-path step (shared with the GPU) stays the model of docs/model.md and nothing more.
#include <omp.h>

#include <stdexcept>

#include "chokepoint/checked_size.hpp"
#include "chokepoint/engine.hpp"
#include "chokepoint/path_step.hpp"
#include "chokepoint/stored_value.hpp"

namespace chokepoint {

void add_derived_outputs(const Scenario& scenario, PathResults& results, std::uint64_t seed, int threads,
                         std::uint64_t first_path) {
  const int total = static_cast<int>(scenario.variables.size());
  if (results.variables == total) return;  // already there
  const int simulated = total - static_cast<int>(scenario.derived.size());
  if (results.variables != simulated)
    throw std::logic_error("add_derived_outputs: the results hold " + std::to_string(results.variables) +
                           " variables, the scenario simulates " + std::to_string(simulated));
  const std::optional<std::uint64_t> values =
      checked_product({static_cast<std::uint64_t>(total), static_cast<std::uint64_t>(results.years), results.paths});
  if (!values) throw ResourceError(std::to_string(results.paths) + " paths: too many per-path results to count");
  try {
    results.values.resize(*values);
  } catch (const std::bad_alloc&) {
    throw ResourceError("not enough memory for the derived outputs of " + std::to_string(results.paths) + " paths");
  }
  results.variables = total;
  if (scenario.derived.empty()) return;

  const Model& model = *scenario.model;
  const PhiloxKey key = seed_key(seed);
  const std::int64_t paths = static_cast<std::int64_t>(results.paths);
  const int thread_count = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel for schedule(static) num_threads(thread_count)
  for (std::int64_t slot = 0; slot < paths; ++slot) {
    // The same per-path parameter draws as the simulation made, so a coefficient correlated with
    // a model parameter (parameter_correlations) keeps that correlation.
    double draws[kMaxUncertain];
    draw_parameters(model, key, first_path + static_cast<std::uint64_t>(slot), draws);
    for (const DerivedOutput& output : scenario.derived) {
      for (int year = 0; year < results.years; ++year) {
        double value = model.scheduled(output.constant, year, draws);
        for (const DerivedTerm& term : output.terms)
          value += model.scheduled(term.coefficient, year, draws) * results.column(term.variable, year)[slot];
        results.column(output.variable, year)[slot] = stored_value(value);
      }
    }
  }
}

}  // namespace chokepoint
