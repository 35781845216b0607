// run(): pick a backend, simulate, reduce (in memory or streaming), time it.
#include <omp.h>

#include <chrono>

#include "chokepoint/cuda_backend.hpp"
#include "chokepoint/engine.hpp"
#include "chokepoint/scale.hpp"
#include "simulate/backend_choice.hpp"

namespace chokepoint {

Summary run(const Scenario& scenario, const RunOptions& options) {
  if (options.paths == 0) throw InputError({InputProblem{"(arguments)", "--paths", "at least 1 path", "0"}});
  const bool use_cuda = use_cuda_backend(options.backend);
  const auto begin = std::chrono::steady_clock::now();
  const int threads = options.threads > 0 ? options.threads : omp_get_max_threads();
  Summary summary;
  if (use_cuda) {
    // Simulated, derived outputs included, and reduced on the device (kernels/).
    cuda::LaunchOptions launch;
    launch.precision = options.precision;
    summary = cuda::run_cuda(scenario, options.paths, options.seed, threads, launch, options.progress);
  } else {
    if (options.paths <= options.keep_paths_up_to_bytes / bytes_per_path(scenario)) {
      PathResults results = simulate_cpu(scenario, options.paths, options.seed, threads, options.progress,
                                         options.precision);
      add_derived_outputs(scenario, results, options.seed, threads);
      std::vector<ConvergenceTrace> convergence = convergence_traces(scenario, results, threads);
      summary = summarize(scenario, results, options.seed, threads);
      summary.convergence = std::move(convergence);  // only here: it needs the paths in path order
    } else {
      // Too many paths to keep: the same numbers from bounded memory, in two or three passes.
      summary = run_streaming(scenario, options);
    }
  }
  summary.backend = use_cuda ? "cuda" : "cpu";
  summary.precision = precision_name(options.precision);
  summary.device = use_cuda ? cuda_device_name()
                            : "CPU, " + std::to_string(threads) + " thread" + (threads == 1 ? "" : "s");
  summary.threads = threads;
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  return summary;
}

}  // namespace chokepoint
