// run(): pick a backend, simulate, reduce (in memory or streaming), time it.
#include <omp.h>

#include <chrono>

#include "chokepoint/cuda_backend.hpp"
#include "chokepoint/engine.hpp"
#include "chokepoint/scale.hpp"

namespace chokepoint {

Summary run(const Scenario& scenario, const RunOptions& options) {
  if (options.paths == 0) throw InputError({InputProblem{"(arguments)", "--paths", "at least 1 path", "0"}});
  if (options.backend != "auto" && options.backend != "cpu" && options.backend != "cuda")
    throw InputError({InputProblem{"(arguments)", "--backend", "auto, cpu or cuda", "\"" + options.backend + "\""}});
  if (options.backend == "cuda" && !cuda_available())
    throw ResourceError("--backend cuda: no CUDA device is available (this build: " +
                        std::string(CHOKEPOINT_HAVE_CUDA ? "with" : "without") + " CUDA support)");
  const bool use_cuda = options.backend == "cuda" || (options.backend == "auto" && cuda_available());
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
      summary = summarize(scenario, results, options.seed, threads);
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
