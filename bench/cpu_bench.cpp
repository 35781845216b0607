// CPU benchmark of the baseline (issue 3): path-steps and normals per second per core, beside
// anchors run in the same process:
//   rng_floor_scalar  a plain loop drawing the same normals one path at a time (Philox + libm
//                     Box–Muller): what a straightforward C++ port pays for randomness alone;
//   rng_floor_packed  the same normals through the SIMD pack code the engine uses.
// Usage: cpu_bench [paths=1000000] [scenario=scenarios/baseline.json] [threads=1] [only=mixed|reference]
//   only: run just that precision's engine three times (for perf record), nothing else.
#include <omp.h>

#include <malloc.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "chokepoint/engine.hpp"
#include "chokepoint/random_streams.hpp"
#include "simulate/simd_pack.hpp"

using namespace chokepoint;
// CPU time of the whole process: with one thread it is the time the work itself took, even on a
// machine busy with other work (wall time is printed too).
struct Clock {
  struct time_point {
    double cpu;
    std::chrono::steady_clock::time_point wall;
  };
  static time_point now() {
    timespec cpu{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
    return {static_cast<double>(cpu.tv_sec) + 1e-9 * static_cast<double>(cpu.tv_nsec), std::chrono::steady_clock::now()};
  }
};

static double last_wall = 0.0;
// CPU seconds per thread since `start` (the process's CPU time shared among `threads`).
static double seconds_since(Clock::time_point start, int threads = 1) {
  const Clock::time_point end = Clock::now();
  last_wall = std::chrono::duration<double>(end.wall - start.wall).count();
  return (end.cpu - start.cpu) / threads;
}

// Draws paths × steps × factors normals, four per Philox call, one path at a time.
static double rng_floor_scalar(const Model& model, std::uint64_t paths) {
  const PhiloxKey key = seed_key(1);
  double sink = 0.0;
  for (std::uint64_t p = 0; p < paths; ++p)
    for (int f = 0; f < model.factor_count; ++f)
      for (int step = 1; step <= model.steps; step += 4) {
        const FourNormals normals = four_normals(key, model.factors[f].stream, p, shock_block(step));
        sink += normals.value[0] + normals.value[1] + normals.value[2] + normals.value[3];
      }
  return sink;
}

// The same normals, Box–Muller on SIMD packs of paths as the engine does it.
static double rng_floor_packed(const Model& model, std::uint64_t paths) {
  using simd::kPackWidth;
  using simd::Pack;
  const PhiloxKey key = seed_key(1);
  Pack sink(0.0);
  for (std::uint64_t p = 0; p < paths; p += kPackWidth)
    for (int f = 0; f < model.factor_count; ++f)
      for (int step = 1; step <= model.steps; step += 4) {
        Pack uniform[4];
        for (int lane = 0; lane < kPackWidth; ++lane) {
          const PhiloxCounter words = philox4x32_10(stream_block(model.factors[f].stream, p + lane, shock_block(step)), key);
          for (int i = 0; i < 4; ++i) uniform[i].set(lane, open_uniform(words.word[i]));
        }
        const NormalPairOf<Pack> a = box_muller_uniforms(uniform[0], uniform[1]);
        const NormalPairOf<Pack> b = box_muller_uniforms(uniform[2], uniform[3]);
        sink += a.first + a.second + b.first + b.second;
      }
  return sink[0];
}

int main(int argc, char** argv) {
  const std::uint64_t paths = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  const std::string file = argc > 2 ? argv[2] : std::string(CHOKEPOINT_SOURCE_DIR) + "/scenarios/baseline.json";
  const int threads = argc > 3 ? std::atoi(argv[3]) : 1;
  const Scenario scenario = load_scenario(file);
  const Model& model = *scenario.model;
  const double path_steps = static_cast<double>(paths) * model.steps;
  const double normals = path_steps * model.factor_count;
  if (argc > 4) {
    const Precision only = std::string(argv[4]) == "reference" ? Precision::reference : Precision::mixed;
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    { const PathResults warm_up = simulate_cpu(scenario, paths, 1, threads, {}, only); }
    double best = 1e300;
    for (int round = 0; round < 3; ++round) {
      const auto start = Clock::now();
      const PathResults results = simulate_cpu(scenario, paths, 1, threads, {}, only);
      best = std::min(best, seconds_since(start, threads));
    }
    std::printf("%s only: %.3f s, %.3e path-steps/s/core\n", precision_name(only), best, path_steps / best);
    return 0;
  }

  auto start = Clock::now();
  const double scalar_sink = rng_floor_scalar(model, paths);
  const double scalar_seconds = seconds_since(start);
  start = Clock::now();
  const double packed_sink = rng_floor_packed(model, paths);
  const double packed_seconds = seconds_since(start);

  // An unmeasured run first, so that the process's first touch of new memory (0.3 s for 150 MB
  // in this VM, against 0.02 s for memory it has had before) is not counted. The mallopt calls
  // below do not keep buffers this large (glibc caps M_MMAP_THRESHOLD at 32 MiB), so each run
  // maps its buffer afresh; a run into one buffer touched beforehand measured the same engine
  // times (2026-12-02), so what remains is the step's own work. Reference and mixed then
  // alternate, twice each, and each keeps its faster run.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  { const PathResults warm_up = simulate_cpu(scenario, paths, 1, threads, {}, Precision::mixed); }
  double reference_seconds = 1e300, simulate_seconds = 1e300, simulate_wall = 0.0;
  PathResults results;
  float reference_sink = 0.0f;
  for (int round = 0; round < 2; ++round) {
    start = Clock::now();
    const PathResults reference = simulate_cpu(scenario, paths, 1, threads, {}, Precision::reference);
    reference_seconds = std::min(reference_seconds, seconds_since(start, threads));
    reference_sink += reference.values[0];
    results = PathResults{};
    start = Clock::now();
    results = simulate_cpu(scenario, paths, 1, threads, {}, Precision::mixed);
    const double seconds = seconds_since(start, threads);
    if (seconds < simulate_seconds) simulate_wall = last_wall;
    simulate_seconds = std::min(simulate_seconds, seconds);
  }
  start = Clock::now();
  const Summary summary = summarize(scenario, results, 1, threads);
  const double summarize_seconds = seconds_since(start, threads);

  const double per_core = 1.0;  // seconds are CPU seconds per thread
  std::printf("scenario %s: %llu paths x %d steps, %d factors, %d stages, %d events; %d thread(s); SIMD pack width %d\n",
              scenario.name.c_str(), static_cast<unsigned long long>(paths), model.steps, model.factor_count,
              model.stage_count, model.event_count, threads, cpu_pack_width());
  std::printf("seconds are CPU seconds per thread; the engine's wall time was %.3f s\n", simulate_wall);
  std::printf("%-34s %10s %16s %16s\n", "measure", "seconds", "path-steps/s/core", "normals/s/core");
  std::printf("%-34s %10.3f %16s %16.3e\n", "anchor rng_floor_scalar (1 thread)", scalar_seconds, "-", normals / scalar_seconds);
  std::printf("%-34s %10.3f %16s %16.3e\n", "anchor rng_floor_packed (1 thread)", packed_seconds, "-", normals / packed_seconds);
  std::printf("%-34s %10.3f %16.3e %16.3e\n", "engine simulate, reference precision", reference_seconds,
              path_steps / reference_seconds, normals / reference_seconds);
  std::printf("%-34s %10.3f %16.3e %16.3e\n", "engine simulate, mixed precision", simulate_seconds, path_steps / simulate_seconds * per_core,
              normals / simulate_seconds * per_core);
  std::printf("%-34s %10.3f\n", "engine summarize (reductions)", summarize_seconds);
  std::printf("mixed vs reference path-steps/s per core: %.2fx\n", reference_seconds / simulate_seconds);
  std::printf("mixed engine normals/s vs scalar RNG floor: %.2fx; vs packed RNG floor: %.2fx\n",
              (normals / simulate_seconds * per_core) / (normals / scalar_seconds),
              (normals / simulate_seconds * per_core) / (normals / packed_seconds));
  std::printf("per-path results: %llu bytes per path (%.0f MiB for these paths)\n",
              static_cast<unsigned long long>(bytes_per_path(scenario)),
              static_cast<double>(bytes_per_path(scenario) * paths) / (1 << 20));
  std::printf("(sinks %g %g %g %g)\n", scalar_sink, packed_sink, summary.variables[0].years[0].mean,
              static_cast<double>(reference_sink));
  return 0;
}
