// `chokepoint sensitivity`: Sobol first-order and total indices of a scenario's input groups by
// pick-freeze through re-keyed streams (resampled_streams.hpp; estimators in pick_freeze_sobol.hpp;
// docs/sensitivity.md, "Sobol indices of a scenario"). For N base samples it simulates paths
// [0, N) of groups + 2 variants of the model: A (the scenario), B (every stream re-keyed) and one
// AB_i per group, so it costs (groups + 2)·N paths.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "analyse/input_groups.hpp"
#include "analyse/pick_freeze_sobol.hpp"
#include "analyse/sensitivity_outputs.hpp"
#include "chokepoint/engine.hpp"

namespace chokepoint {

struct SobolRequest {
  std::uint64_t base_samples = 1000;  // N
  std::uint64_t seed = 1;             // the paths' seed; also keys the bootstrap
  int threads = 0;                    // 0: all cores
  std::string backend = "auto";       // auto | cpu | cuda
  Precision precision = Precision::mixed;  // the step's arithmetic on either backend
  int bootstrap = 1000;               // replicates
  double level = 0.95;
  std::function<void(double)> progress;  // fraction done, from one thread
};

struct SobolOutputIndices {
  SensitivityOutput output;
  SobolIndices indices;  // first_order[i], total[i] for groups[i]
};

struct SobolAnalysis {
  std::string scenario;
  std::uint64_t seed = 0;
  std::uint64_t base_samples = 0;
  std::uint64_t paths_simulated = 0;  // (groups + 2)·N
  std::string backend;                // "cpu" or "cuda"
  std::string precision;
  int threads = 0;
  int bootstrap = 0;
  double level = 0.0;
  double seconds = 0.0;
  std::vector<InputGroup> groups;
  std::vector<SobolOutputIndices> outputs;
};

inline std::uint64_t sobol_paths(std::size_t groups, std::uint64_t base_samples) {
  return (static_cast<std::uint64_t>(groups) + 2) * base_samples;
}

// Deterministic: the same scenario, groups, outputs, N and seed give the same indices and
// intervals bit for bit, whatever the thread count (the sums are exact; pick_freeze_sobol.hpp).
// Throws InputError (exit 2) for no groups or outputs, fewer than 2 base samples, or colliding
// re-keyed streams; ResourceError (exit 3) for --backend cuda without a device.
SobolAnalysis run_sobol(const Scenario& scenario, const std::vector<InputGroup>& groups,
                        const std::vector<SensitivityOutput>& outputs, const SobolRequest& request);

// run_sobol's CPU route in two halves, so that base samples can be spread over MPI ranks or
// shards (docs/scale.md) and the results be one process's bit for bit.
//
// The sums of base samples [first, end) of the N = request.base_samples, one PickFreezeSums per
// output, simulated on the CPU. Ranges merged with PickFreezeSums::merge, in any order, give the
// sums of [0, N) whatever the split: the sums are exact, a sample's batch is its index mod a batch
// count fixed by N, and every range centres the outputs by the same pilot (sample A's first base
// samples 0, 1, …, whatever the range). Throws as run_sobol, and std::invalid_argument unless
// first ≤ end ≤ N.
std::vector<PickFreezeSums> sobol_sums_on_cpu(const Scenario& scenario, const std::vector<InputGroup>& groups,
                                              const std::vector<SensitivityOutput>& outputs,
                                              const SobolRequest& request, std::uint64_t first, std::uint64_t end);

// The indices and intervals from the merged sums of every base sample [0, N): run_sobol's
// analysis with backend "cpu" and seconds 0 (the caller times its own route). Throws
// std::invalid_argument when the sums do not hold one entry per output of N samples each.
SobolAnalysis sobol_analysis_from_sums(const Scenario& scenario, const std::vector<InputGroup>& groups,
                                       const std::vector<SensitivityOutput>& outputs, const SobolRequest& request,
                                       const std::vector<PickFreezeSums>& sums);

// The route of a backend that simulates whole runs, paths [0, N) at once (the CUDA backend):
// each variant is run by `simulate`, the outputs' columns kept ((groups + 2) × outputs × N floats),
// then the sums are formed on the host. Gives the same bits as run_sobol's CPU route when
// `simulate` gives the CPU's path values. Exposed so that the host side is tested without a GPU.
using WholeRunSimulator = std::function<PathResults(const Scenario&, std::uint64_t paths, std::uint64_t seed)>;
SobolAnalysis run_sobol_whole_runs(const Scenario& scenario, const std::vector<InputGroup>& groups,
                                   const std::vector<SensitivityOutput>& outputs, const SobolRequest& request,
                                   const WholeRunSimulator& simulate);

}  // namespace chokepoint
