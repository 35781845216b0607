#include "analyse/sobol_run.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>

#include "analyse/resampled_streams.hpp"
#include "chokepoint/cuda_backend.hpp"
#include "chokepoint/errors.hpp"
#include "simulate/backend_choice.hpp"

namespace chokepoint {

namespace {

// Base samples per unit of work: each thread simulates this many paths of every variant, then
// adds them to the shared sums under a lock (about 1% of the simulation's time).
constexpr std::uint64_t kChunk = 256;
// Samples go to batch j mod 100; the bootstrap resamples batches (pick_freeze_sobol.hpp).
constexpr std::uint64_t kBatches = 100;

void require(bool ok, const std::string& argument, const std::string& expected, const std::string& found) {
  if (!ok) throw InputError({InputProblem{"(arguments)", argument, expected, found}});
}

// A, B, then AB_i for each group.
std::vector<Scenario> pick_freeze_variants(const Scenario& scenario, const std::vector<InputGroup>& groups) {
  check_resampled_streams(scenario);
  std::vector<Scenario> variants{scenario, with_every_stream_resampled(scenario)};
  for (const InputGroup& group : groups) variants.push_back(with_resampled_streams(scenario, group.streams));
  return variants;
}

// The analysis's header once the request passes its checks; `backend` names the route.
SobolAnalysis prepare(const Scenario& scenario, const std::vector<InputGroup>& groups,
                      const std::vector<SensitivityOutput>& outputs, const SobolRequest& request,
                      const std::string& backend) {
  require(!groups.empty(), "(scenario)", "at least one random input (a drawn parameter, a factor with σ or τ above 0, "
                                         "or an event that can fire)", "none");
  require(!outputs.empty(), "--for", "at least one output", "none");
  require(request.base_samples >= 2, "--paths", "at least 2 base samples", std::to_string(request.base_samples));
  require(request.bootstrap >= 2, "--bootstrap", "at least 2 replicates", std::to_string(request.bootstrap));
  SobolAnalysis analysis;
  analysis.scenario = scenario.name;
  analysis.seed = request.seed;
  analysis.base_samples = request.base_samples;
  analysis.paths_simulated = sobol_paths(groups.size(), request.base_samples);
  analysis.bootstrap = request.bootstrap;
  analysis.level = request.level;
  analysis.groups = groups;
  analysis.threads = request.threads > 0 ? request.threads : omp_get_max_threads();
  analysis.backend = backend;
  analysis.precision = precision_name(request.precision);
  return analysis;
}

std::vector<PickFreezeSums> empty_sums(std::size_t outputs, std::size_t groups, std::uint64_t base_samples) {
  const auto batches = static_cast<int>(std::clamp<std::uint64_t>(base_samples, 2, kBatches));
  return std::vector<PickFreezeSums>(outputs, PickFreezeSums(static_cast<int>(groups), batches));
}

// Saltelli's first-order estimator mean(y_B·(y_ABi − y_A)) is not invariant to a shift of y:
// a constant c adds c·(y_ABi − y_A), whose mean is 0 but whose variance is c²·Var(y_ABi − y_A).
// For an output whose mean is 8 standard deviations from 0 (production in a year) that noise
// swamps the index. So every output is centred by the mean of sample A over the first
// kCentringSamples base samples, computed in path order before the run: a constant fixed by the
// seed alone, as SALib centres by the sample mean. The indices' true values do not change.
constexpr std::uint64_t kCentringSamples = 256;

std::vector<double> output_centres(const Scenario& scenario, const std::vector<SensitivityOutput>& outputs,
                                   const PathResults& sample_a, std::uint64_t count) {
  std::vector<double> centres;
  for (const SensitivityOutput& output : outputs) {
    double sum = 0.0;
    for (std::uint64_t slot = 0; slot < count; ++slot)
      sum += output_value(sample_a, output, slot, scenario.model->steps_per_year);
    const double mean = sum / static_cast<double>(count);
    centres.push_back(std::isfinite(mean) ? mean : 0.0);
  }
  return centres;
}

// values[(variant · outputs + o) · count + slot] for samples [first, first + count).
void add_samples(const std::vector<float>& values, std::size_t variants, std::uint64_t first, std::uint64_t count,
                 std::size_t output, std::size_t outputs, double centre, PickFreezeSums& sums) {
  std::vector<double> mixed(variants - 2);
  const auto at = [&](std::size_t variant, std::uint64_t slot) {
    return static_cast<double>(values[(variant * outputs + output) * count + slot]) - centre;
  };
  for (std::uint64_t slot = 0; slot < count; ++slot) {
    for (std::size_t i = 0; i + 2 < variants; ++i) mixed[i] = at(2 + i, slot);
    sums.add(first + slot, at(0, slot), at(1, slot), mixed.data());
  }
}

void finish(SobolAnalysis& analysis, const std::vector<SensitivityOutput>& outputs,
            const std::vector<PickFreezeSums>& sums, const SobolRequest& request,
            std::chrono::steady_clock::time_point begin) {
  SobolOptions options;
  options.seed = request.seed;
  options.replicates = request.bootstrap;
  options.level = request.level;
  for (std::size_t o = 0; o < outputs.size(); ++o)
    analysis.outputs.push_back(SobolOutputIndices{outputs[o], sums[o].estimate(options)});
  analysis.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
}

SobolAnalysis run_on_cpu(const Scenario& scenario, const std::vector<InputGroup>& groups,
                         const std::vector<SensitivityOutput>& outputs, const SobolRequest& request) {
  const auto begin = std::chrono::steady_clock::now();
  const std::vector<PickFreezeSums> sums =
      sobol_sums_on_cpu(scenario, groups, outputs, request, 0, request.base_samples);
  SobolAnalysis analysis = sobol_analysis_from_sums(scenario, groups, outputs, request, sums);
  analysis.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  return analysis;
}

}  // namespace

std::vector<PickFreezeSums> sobol_sums_on_cpu(const Scenario& scenario, const std::vector<InputGroup>& groups,
                                              const std::vector<SensitivityOutput>& outputs,
                                              const SobolRequest& request, std::uint64_t first_sample,
                                              std::uint64_t end_sample) {
  const SobolAnalysis analysis = prepare(scenario, groups, outputs, request, "cpu");  // checks the request
  const std::uint64_t n = request.base_samples;
  if (first_sample > end_sample || end_sample > n)
    throw std::invalid_argument("base samples [" + std::to_string(first_sample) + ", " + std::to_string(end_sample) +
                                ") do not lie in [0, " + std::to_string(n) + ")");
  const std::vector<Scenario> variants = pick_freeze_variants(scenario, groups);
  std::vector<PickFreezeSums> sums = empty_sums(outputs.size(), groups.size(), n);
  if (first_sample == end_sample) return sums;  // a rank or shard with no samples (more ranks than samples)
  std::vector<double> centres;
  {
    // Base samples 0.. whatever the range: every rank and shard centres by the same constants.
    PathResults pilot;
    const std::uint64_t count = std::min(n, kCentringSamples);
    simulate_cpu_batch(scenario, 0, count, request.seed, pilot, request.precision);
    centres = output_centres(scenario, outputs, pilot, count);
  }
  const auto chunks = static_cast<std::int64_t>((end_sample - first_sample + kChunk - 1) / kChunk);
  const int steps_per_year = scenario.model->steps_per_year;
  std::atomic<std::int64_t> done{0};
  std::atomic<bool> stopping{false};
  std::exception_ptr failure;
  std::mutex mutex;
#pragma omp parallel num_threads(analysis.threads)
  {
    std::vector<PathResults> results(variants.size());
    std::vector<float> values;
#pragma omp for schedule(dynamic)
    for (std::int64_t chunk = 0; chunk < chunks; ++chunk) {
      if (stopping.load(std::memory_order_relaxed)) continue;
      // An exception may not leave an OpenMP region: kept, and rethrown once the threads join.
      try {
        const std::uint64_t first = first_sample + static_cast<std::uint64_t>(chunk) * kChunk;
        const std::uint64_t count = std::min(end_sample, first + kChunk) - first;
        values.resize(variants.size() * outputs.size() * count);
        for (std::size_t v = 0; v < variants.size(); ++v) {
          simulate_cpu_batch(variants[v], first, count, request.seed, results[v], request.precision);
          for (std::size_t o = 0; o < outputs.size(); ++o)
            for (std::uint64_t slot = 0; slot < count; ++slot)
              values[(v * outputs.size() + o) * count + slot] =
                  static_cast<float>(output_value(results[v], outputs[o], slot, steps_per_year));
        }
        {
          // Exact sums: the order in which threads add does not change a bit.
          const std::lock_guard<std::mutex> lock(mutex);
          for (std::size_t o = 0; o < outputs.size(); ++o)
            add_samples(values, variants.size(), first, count, o, outputs.size(), centres[o], sums[o]);
        }
        const std::int64_t finished = ++done;
        if (request.progress && omp_get_thread_num() == 0)
          request.progress(static_cast<double>(finished) / static_cast<double>(chunks));
      } catch (...) {
        const std::lock_guard<std::mutex> lock(mutex);
        if (!failure) failure = std::current_exception();
        stopping.store(true, std::memory_order_relaxed);
      }
    }
  }
  if (failure) std::rethrow_exception(failure);
  if (request.progress) request.progress(1.0);
  return sums;
}

SobolAnalysis sobol_analysis_from_sums(const Scenario& scenario, const std::vector<InputGroup>& groups,
                                       const std::vector<SensitivityOutput>& outputs, const SobolRequest& request,
                                       const std::vector<PickFreezeSums>& sums) {
  SobolAnalysis analysis = prepare(scenario, groups, outputs, request, "cpu");
  if (sums.size() != outputs.size())
    throw std::invalid_argument("Sobol sums for " + std::to_string(sums.size()) + " outputs, expected " +
                                std::to_string(outputs.size()));
  for (const PickFreezeSums& output_sums : sums)
    if (output_sums.groups() != static_cast<int>(groups.size()) || output_sums.samples() != request.base_samples)
      throw std::invalid_argument("Sobol sums of " + std::to_string(output_sums.samples()) + " samples and " +
                                  std::to_string(output_sums.groups()) + " groups, expected " +
                                  std::to_string(request.base_samples) + " and " + std::to_string(groups.size()));
  finish(analysis, outputs, sums, request, std::chrono::steady_clock::now());
  analysis.seconds = 0.0;
  return analysis;
}

SobolAnalysis run_sobol_whole_runs(const Scenario& scenario, const std::vector<InputGroup>& groups,
                                   const std::vector<SensitivityOutput>& outputs, const SobolRequest& request,
                                   const WholeRunSimulator& simulate) {
  const auto begin = std::chrono::steady_clock::now();
  SobolAnalysis analysis = prepare(scenario, groups, outputs, request, "whole runs");
  const std::vector<Scenario> variants = pick_freeze_variants(scenario, groups);
  const std::uint64_t n = request.base_samples;
  const int steps_per_year = scenario.model->steps_per_year;
  std::vector<float> values(variants.size() * outputs.size() * n);
  std::vector<double> centres;
  for (std::size_t v = 0; v < variants.size(); ++v) {
    PathResults results = simulate(variants[v], n, request.seed);
    add_derived_outputs(variants[v], results, request.seed, analysis.threads);
    if (results.paths != n) throw std::logic_error("a whole-run simulator returned the wrong number of paths");
    if (v == 0) centres = output_centres(scenario, outputs, results, std::min(n, kCentringSamples));
    for (std::size_t o = 0; o < outputs.size(); ++o)
      for (std::uint64_t j = 0; j < n; ++j)
        values[(v * outputs.size() + o) * n + j] = static_cast<float>(output_value(results, outputs[o], j, steps_per_year));
    if (request.progress) request.progress(static_cast<double>(v + 1) / static_cast<double>(variants.size()));
  }
  std::vector<PickFreezeSums> sums = empty_sums(outputs.size(), groups.size(), n);
  const auto output_count = static_cast<std::int64_t>(outputs.size());
#pragma omp parallel for schedule(dynamic) num_threads(analysis.threads)
  for (std::int64_t o = 0; o < output_count; ++o)
    add_samples(values, variants.size(), 0, n, static_cast<std::size_t>(o), outputs.size(),
                centres[static_cast<std::size_t>(o)], sums[static_cast<std::size_t>(o)]);
  finish(analysis, outputs, sums, request, begin);
  return analysis;
}

SobolAnalysis run_sobol(const Scenario& scenario, const std::vector<InputGroup>& groups,
                        const std::vector<SensitivityOutput>& outputs, const SobolRequest& request) {
  const bool use_cuda = use_cuda_backend(request.backend);
  if (!use_cuda) return run_on_cpu(scenario, groups, outputs, request);
  cuda::LaunchOptions launch;
  launch.precision = request.precision;
  SobolAnalysis analysis = run_sobol_whole_runs(
      scenario, groups, outputs, request, [&launch](const Scenario& variant, std::uint64_t paths, std::uint64_t seed) {
        return cuda::simulate_cuda(variant, paths, seed, launch);
      });
  analysis.backend = "cuda";
  return analysis;
}

}  // namespace chokepoint
