// run(): pick a backend, simulate, reduce (in memory or streaming), time it.
#include <omp.h>

#include <algorithm>
#include <chrono>

#include "chokepoint/cuda_backend.hpp"
#include "chokepoint/engine.hpp"
#include "chokepoint/scale.hpp"
#include "reduce/streamed_convergence.hpp"
#include "simulate/backend_choice.hpp"

namespace chokepoint {

namespace {

// A run reduced on the device has no first-order sums yet, and its convergence traces come from
// the CPU (docs/gpu.md): say so in the summary rather than leave a section silently empty or
// its source unsaid.
void note_what_the_device_leaves_out(Summary& summary) {
  if (!summary.convergence.empty())
    summary.notes.push_back("the convergence traces' points up to " +
                            std::to_string(std::min(summary.paths, kTracedPrefixPaths)) +
                            " paths were simulated again on the CPU (the same draws; values within the CPU-GPU "
                            "tolerances of docs/gpu.md), the point at all paths is the device's summary");
  std::string missing;
  const auto add = [&missing](bool absent, const char* what) {
    if (absent) missing += (missing.empty() ? "" : ", ") + std::string(what);
  };
  add(summary.sensitivity.first_order.empty(), "first-order indices (\"sensitivity\")");
  add(summary.distributions.empty(), "value distributions");
  add(summary.convergence.empty(), "convergence traces");
  if (!missing.empty())
    summary.notes.push_back("this CUDA run reduced its paths on the device, which does not compute " + missing +
                            " yet; rerun with --backend cpu for them");
}

// The reduction of a run that keeps its paths: every prefix's convergence, then the summary.
Summary reduce_kept_paths(const Scenario& scenario, PathResults& results, std::uint64_t seed, int threads) {
  add_derived_outputs(scenario, results, seed, threads);
  std::vector<ConvergenceTrace> convergence = convergence_traces(scenario, results, threads);
  Summary summary = summarize(scenario, results, seed, threads);
  summary.convergence = std::move(convergence);  // every prefix; a streamed run traces only its first paths
  return summary;
}

// What ran, where, and for how long.
void describe_run(Summary& summary, const RunOptions& options, bool use_cuda, int threads,
                  std::chrono::steady_clock::time_point begin) {
  summary.backend = use_cuda ? "cuda" : "cpu";
  summary.precision = precision_name(options.precision);
  summary.device = use_cuda ? cuda_device_name()
                            : "CPU, " + std::to_string(threads) + " thread" + (threads == 1 ? "" : "s");
  summary.threads = threads;
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
}

int thread_count(const RunOptions& options) { return options.threads > 0 ? options.threads : omp_get_max_threads(); }

}  // namespace

Summary run_kept_paths(const Scenario& scenario, const RunOptions& options, PathResults& results) {
  const auto begin = std::chrono::steady_clock::now();
  const int threads = thread_count(options);
  Summary summary = reduce_kept_paths(scenario, results, options.seed, threads);
  describe_run(summary, options, false, threads, begin);
  return summary;
}

Summary run(const Scenario& scenario, const RunOptions& options) {
  if (options.paths == 0) throw InputError({InputProblem{"(arguments)", "--paths", "at least 1 path", "0"}});
  const bool use_cuda = use_cuda_backend(options.backend);
  const auto begin = std::chrono::steady_clock::now();
  const int threads = thread_count(options);
  Summary summary;
  if (use_cuda) {
    // Simulated, derived outputs included, and reduced on the device (kernels/).
    cuda::LaunchOptions launch;
    launch.precision = options.precision;
    summary = cuda::run_cuda(scenario, options.paths, options.seed, threads, launch, options.progress);
    add_streamed_convergence(scenario, options.seed, options.precision, threads, summary);
    note_what_the_device_leaves_out(summary);
  } else {
    if (options.paths <= options.keep_paths_up_to_bytes / bytes_per_path(scenario)) {
      PathResults results = simulate_cpu(scenario, options.paths, options.seed, threads, options.progress,
                                         options.precision);
      summary = reduce_kept_paths(scenario, results, options.seed, threads);
    } else {
      // Too many paths to keep: the same numbers from bounded memory, in two or three passes.
      summary = run_streaming(scenario, options);
      add_streamed_convergence(scenario, options.seed, options.precision, threads, summary);
    }
  }
  describe_run(summary, options, use_cuda, threads, begin);
  return summary;
}

}  // namespace chokepoint
