// The CPU backend: OpenMP threads over fixed batches of paths, each path through the shared
// step of include/chokepoint/path_step.hpp. Every path writes only its own slots of the results,
// so the thread count cannot change a bit.
#include <omp.h>

#include <atomic>
#include <memory>

#include "chokepoint/engine.hpp"
#include "chokepoint/path_step.hpp"
#include "chokepoint/year_record.hpp"

namespace chokepoint {

std::uint64_t bytes_per_path(const Scenario& scenario) {
  const Model& model = *scenario.model;
  return static_cast<std::uint64_t>(model.years) *
         (sizeof(float) * variable_count(model) + sizeof(std::uint8_t) * (1 + model.stage_count));
}

static PathResults allocate_results(const Model& model, std::uint64_t paths) {
  PathResults results;
  results.paths = paths;
  results.years = model.years;
  results.variables = variable_count(model);
  results.binding_codes = 1 + model.stage_count;
  try {
    results.values.resize(static_cast<std::size_t>(results.variables) * results.years * paths);
    results.binding_steps.resize(static_cast<std::size_t>(results.binding_codes) * results.years * paths);
  } catch (const std::bad_alloc&) {
    throw ResourceError("not enough memory for " + std::to_string(paths) + " paths (" +
                        std::to_string(paths * (static_cast<std::uint64_t>(results.variables) * 4 + results.binding_codes) *
                                       results.years / (1u << 20)) +
                        " MiB of per-path results)");
  }
  return results;
}

// One path from start to end, writing its years into `results` at column position `slot`.
static void simulate_path(const Model& model, PhiloxKey key, std::uint64_t path, std::uint64_t slot,
                          PathState& state, PathResults& results) {
  FactorNormalCache cache;
  StepShocks shocks;
  StepOutcome outcome;
  YearRecord record;
  start_path(model, key, path, state);
  const int variables = variable_count(model);
  for (int year = 0; year < model.years; ++year) {
    begin_year(model, record);
    for (int s = 0; s < model.steps_per_year; ++s) {
      const int step = year * model.steps_per_year + s + 1;
      draw_step_shocks(model, key, path, step, cache, shocks);
      step_path(model, step, shocks, state, outcome);
      record_step(model, outcome, state, record);
    }
    for (int v = 0; v < variables; ++v) results.column(v, year)[slot] = static_cast<float>(record.value[v]);
    for (int code = 0; code <= model.stage_count; ++code)
      results.binding_column(code, year)[slot] = record.binding_steps[code];
  }
}

PathResults simulate_cpu(const Scenario& scenario, std::uint64_t paths, std::uint64_t seed, int threads,
                         const std::function<void(double)>& progress) {
  const Model& model = *scenario.model;
  PathResults results = allocate_results(model, paths);
  const PhiloxKey key = seed_key(seed);
  constexpr std::uint64_t kBatch = 256;
  const std::int64_t batches = static_cast<std::int64_t>((paths + kBatch - 1) / kBatch);
  std::atomic<std::int64_t> done{0};
  const int thread_count = threads > 0 ? threads : omp_get_max_threads();

#pragma omp parallel num_threads(thread_count)
  {
    auto state = std::make_unique<PathState>();
#pragma omp for schedule(dynamic, 4)
    for (std::int64_t batch = 0; batch < batches; ++batch) {
      const std::uint64_t first = static_cast<std::uint64_t>(batch) * kBatch;
      const std::uint64_t last = std::min(paths, first + kBatch);
      for (std::uint64_t path = first; path < last; ++path) simulate_path(model, key, path, path, *state, results);
      const std::int64_t finished = ++done;
      if (progress && omp_get_thread_num() == 0) progress(static_cast<double>(finished) / static_cast<double>(batches));
    }
  }
  if (progress) progress(1.0);
  return results;
}

std::vector<TrajectoryPoint> trace_path(const Scenario& scenario, std::uint64_t seed, std::uint64_t path) {
  const Model& model = *scenario.model;
  const PhiloxKey key = seed_key(seed);
  auto state = std::make_unique<PathState>();
  FactorNormalCache cache;
  StepShocks shocks;
  StepOutcome out;
  start_path(model, key, path, *state);
  std::vector<TrajectoryPoint> trajectory;
  for (int step = 1; step <= model.steps; ++step) {
    draw_step_shocks(model, key, path, step, cache, shocks);
    step_path(model, step, shocks, *state, out);
    trajectory.push_back(TrajectoryPoint{step, out.token_demand, out.throughput, out.wanted, out.produced, out.deployed,
                                         state->inventory, state->fleet, state->token_capacity, out.served, out.binding});
  }
  return trajectory;
}

}  // namespace chokepoint
