// gpu_bench: the CUDA engine against anchors on the same GPU, in one process (issue 4).
//
//   A0  memory roofline: a float4 store kernel, and a device-to-device copy
//   A1  cuRAND host API: curandGenerateNormal (CURAND_RNG_PSEUDO_PHILOX4_32_10), 2^30 floats
//   A2  the generator's speed of light: a kernel that draws exactly the engine's normals and
//       uniforms (the stream layout of random_streams.hpp) and keeps them in registers
//   A4  a two-pass baseline, as a port to a GPU array framework would run: cuRAND writes all
//       normals and uniforms to memory, then a kernel runs the same path steps reading them
//   engine  chokepoint's fused kernel and device reductions (cuda::run_cuda)
//
// Every measurement: 3 warm-ups, then the median of --repeats (≥ 10) runs timed with CUDA events
// (the engine's phases with the events inside run_cuda). Prints a Markdown report to stdout,
// ready for bench/results/<date>-<gpu>.md. See bench/README.md for the exact commands.
#include <cuda_runtime.h>
#include <curand.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "chokepoint/cuda_backend.hpp"
#include "chokepoint/engine.hpp"
#include "chokepoint/path_step.hpp"
#include "chokepoint/year_record.hpp"

namespace chokepoint::bench {
namespace {

void check(cudaError_t status, const char* what) {
  if (status != cudaSuccess) throw ResourceError(std::string("CUDA: ") + what + ": " + cudaGetErrorString(status));
}

void check_curand(curandStatus_t status, const char* what) {
  if (status != CURAND_STATUS_SUCCESS) throw ResourceError(std::string("cuRAND: ") + what + ": status " + std::to_string(status));
}

template <typename T>
struct Buffer {
  T* data = nullptr;
  explicit Buffer(std::size_t count) { check(cudaMalloc(&data, std::max<std::size_t>(1, count) * sizeof(T)), "cudaMalloc"); }
  ~Buffer() { cudaFree(data); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
};

struct Options {
  std::string scenario = std::string(CHOKEPOINT_SOURCE_DIR) + "/scenarios/baseline.json";
  std::uint64_t paths = 10'000'000;
  std::uint64_t a4_paths = 0;  // 0: as many as fit in a quarter of free memory, at most 2^21
  std::uint64_t seed = 1;
  int warmups = 3;
  int repeats = 10;
  bool sweep = true;  // try 64, 128 and 256 threads per block for the engine first
  Precision precision = Precision::mixed;  // the engine's step (the other one is timed after it)
};

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

// Times `work` (which enqueues device work) with CUDA events: warm-ups, then the median.
double time_ms(const Options& options, const std::function<void()>& work) {
  cudaEvent_t start, stop;
  check(cudaEventCreate(&start), "cudaEventCreate");
  check(cudaEventCreate(&stop), "cudaEventCreate");
  for (int i = 0; i < options.warmups; ++i) work();
  check(cudaDeviceSynchronize(), "warm-up");
  std::vector<double> samples;
  for (int i = 0; i < options.repeats; ++i) {
    check(cudaEventRecord(start), "cudaEventRecord");
    work();
    check(cudaEventRecord(stop), "cudaEventRecord");
    check(cudaEventSynchronize(stop), "cudaEventSynchronize");
    float ms = 0;
    check(cudaEventElapsedTime(&ms, start, stop), "cudaEventElapsedTime");
    samples.push_back(ms);
  }
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  return median(samples);
}

// ---- the SM clock, measured: cycles counted by clock64() over a kernel timed by events ----------------

__global__ void spin_kernel(long long cycles, long long* elapsed) {
  const long long begin = clock64();
  long long now = begin;
  while (now - begin < cycles) now = clock64();
  if (threadIdx.x == 0 && blockIdx.x == 0) *elapsed = now - begin;
}

double measured_clock_mhz(int multiprocessors) {
  Buffer<long long> elapsed(1);
  cudaEvent_t start, stop;
  check(cudaEventCreate(&start), "cudaEventCreate");
  check(cudaEventCreate(&stop), "cudaEventCreate");
  spin_kernel<<<multiprocessors, 32>>>(10'000'000, elapsed.data);  // warm the clocks up
  check(cudaEventRecord(start), "cudaEventRecord");
  spin_kernel<<<multiprocessors, 32>>>(200'000'000, elapsed.data);
  check(cudaEventRecord(stop), "cudaEventRecord");
  check(cudaEventSynchronize(stop), "spin");
  float ms = 0;
  check(cudaEventElapsedTime(&ms, start, stop), "cudaEventElapsedTime");
  long long cycles = 0;
  check(cudaMemcpy(&cycles, elapsed.data, sizeof cycles, cudaMemcpyDeviceToHost), "copy cycles");
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  return static_cast<double>(cycles) / (ms * 1e3);
}

// ---- A0: memory roofline ---------------------------------------------------------------------------------

__global__ void store_float4_kernel(float4* out, std::size_t count) {
  const float4 value = make_float4(1.0f, 2.0f, 3.0f, 4.0f);
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x)
    out[i] = value;
}

// ---- A2: the engine's draws, in registers only ----------------------------------------------------------

__global__ void draws_only_kernel(const Model* __restrict__ model_pointer, PhiloxKey key, std::uint64_t paths,
                                  double* __restrict__ out) {
  const Model& model = *model_pointer;
  for (std::uint64_t path = blockIdx.x * static_cast<std::uint64_t>(blockDim.x) + threadIdx.x; path < paths;
       path += static_cast<std::uint64_t>(gridDim.x) * blockDim.x) {
    double sum = 0.0;
    for (int step = 1; step <= model.steps; ++step) {
      if (shock_lane(step) == 0)
        for (int f = 0; f < model.factor_count; ++f) {
          const FourNormals block = four_normals(key, model.factors[f].stream, path, shock_block(step));
          sum += block.value[0] + block.value[1] + block.value[2] + block.value[3];
        }
      for (int e = 0; e < model.event_count; ++e) {
        const PhiloxCounter words =
            philox4x32_10(stream_block(model.events[e].stream, path, static_cast<std::uint32_t>(step)), key);
        sum += open_uniform(words.word[0]) + open_uniform(words.word[1]) + open_uniform(words.word[2]);
      }
    }
    out[path] = sum;
  }
}

// ---- A4: the same steps, reading pre-generated normals and uniforms --------------------------------------

// normals[(step−1)·F + f][path], uniforms[((step−1)·E + e)·3 + k][path]: coalesced reads.
__global__ void steps_from_memory_kernel(const Model* __restrict__ model_pointer, PhiloxKey key, std::uint64_t paths,
                                         const double* __restrict__ normals, const double* __restrict__ uniforms,
                                         float* __restrict__ values) {
  const Model& model = *model_pointer;
  const int variables = variable_count(model);
  for (std::uint64_t path = blockIdx.x * static_cast<std::uint64_t>(blockDim.x) + threadIdx.x; path < paths;
       path += static_cast<std::uint64_t>(gridDim.x) * blockDim.x) {
    PathState<double> state;
    StepShocks<double> shocks;
    StepOutcome<double> outcome;
    YearRecord<double> record;
    start_path(model, key, path, state);
    for (int year = 0; year < model.years; ++year) {
      begin_year(model, record);
      for (int s = 0; s < model.steps_per_year; ++s) {
        const int step = year * model.steps_per_year + s + 1;
        for (int f = 0; f < model.factor_count; ++f)
          shocks.normal[f] = normals[(static_cast<std::uint64_t>(step - 1) * model.factor_count + f) * paths + path];
        for (int e = 0; e < model.event_count; ++e) {
          const std::uint64_t row = (static_cast<std::uint64_t>(step - 1) * model.event_count + e) * 3;
          shocks.fire[e] = uniforms[row * paths + path];
          shocks.severity[e] = uniforms[(row + 1) * paths + path];
          shocks.forced_severity[e] = uniforms[(row + 2) * paths + path];
        }
        step_path(model, step, shocks, state, outcome);
        record_step(model, outcome, state, record);
      }
      for (int v = 0; v < variables; ++v)
        values[(static_cast<std::uint64_t>(v) * model.years + year) * paths + path] = static_cast<float>(record.value[v]);
    }
  }
}

int fill_blocks(const void* kernel, int threads) {
  int device = 0, multiprocessors = 0, per_sm = 0;
  check(cudaGetDevice(&device), "cudaGetDevice");
  check(cudaDeviceGetAttribute(&multiprocessors, cudaDevAttrMultiProcessorCount, device), "SM count");
  check(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, kernel, threads, 0), "occupancy");
  return multiprocessors * std::max(1, per_sm);
}

void usage() {
  std::fprintf(stderr,
               "usage: gpu_bench [--scenario FILE] [--paths N] [--a4-paths N] [--seed S] [--repeats R] [--warmups W]\n"
               "                 [--no-sweep] [--precision mixed|reference]\n");
}

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string argument = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        usage();
        std::exit(2);
      }
      return argv[++i];
    };
    if (argument == "--scenario") options.scenario = next();
    else if (argument == "--paths") options.paths = std::stoull(next());
    else if (argument == "--a4-paths") options.a4_paths = std::stoull(next());
    else if (argument == "--seed") options.seed = std::stoull(next());
    else if (argument == "--repeats") options.repeats = std::max(1, std::stoi(next()));
    else if (argument == "--warmups") options.warmups = std::max(0, std::stoi(next()));
    else if (argument == "--no-sweep") options.sweep = false;
    else if (argument == "--precision") {
      const std::string precision = next();
      if (precision != "mixed" && precision != "reference") {
        usage();
        std::exit(2);
      }
      options.precision = precision == "mixed" ? Precision::mixed : Precision::reference;
    } else {
      usage();
      std::exit(2);
    }
  }
  return options;
}

int run_bench(const Options& options) {
  const cuda::DeviceInfo device = cuda::device_info();
  const Scenario scenario = load_scenario(options.scenario);
  const Model& model = *scenario.model;
  const double clock_mhz = measured_clock_mhz(device.multiprocessors);
  const std::uint64_t steps = static_cast<std::uint64_t>(model.steps);
  const std::uint64_t factor_normals_per_path = steps * model.factor_count;
  const std::uint64_t event_uniforms_per_path = steps * model.event_count * 3;

  std::printf("# gpu_bench: %s\n\n", device.name.c_str());
  std::printf("- device: %s, compute capability %d.%d, %d SMs, L2 %.0f MiB, %.1f GiB (%.1f GiB free)\n",
              device.name.c_str(), device.compute_major, device.compute_minor, device.multiprocessors,
              device.l2_bytes / 1048576.0, device.total_bytes / 1073741824.0, device.free_bytes / 1073741824.0);
  std::printf("- SM clock: %.0f MHz reported peak (cudaDevAttrClockRate), %.0f MHz measured (clock64 over a timed kernel)\n",
              device.clock_khz / 1e3, clock_mhz);
  std::printf("- scenario: %s (%d factors, %d stages, %d events, %d years x %d steps = %llu steps)\n",
              scenario.name.c_str(), model.factor_count, model.stage_count, model.event_count, model.years,
              model.steps_per_year, static_cast<unsigned long long>(steps));
  std::printf("- timing: %d warm-ups, median of %d, CUDA events\n\n", options.warmups, options.repeats);
  std::printf("| measurement | time (ms) | rate |\n|---|---:|---|\n");

  // A0
  const std::size_t float4_count = std::size_t{1} << 26;  // 1 GiB
  double store_gbs = 0, copy_gbs = 0;
  {
    Buffer<float4> a(float4_count), b(float4_count);
    const int blocks = fill_blocks(reinterpret_cast<const void*>(store_float4_kernel), 256);
    const double store_ms = time_ms(options, [&] { store_float4_kernel<<<blocks, 256>>>(a.data, float4_count); });
    const double copy_ms = time_ms(options, [&] {
      check(cudaMemcpyAsync(b.data, a.data, float4_count * sizeof(float4), cudaMemcpyDeviceToDevice), "copy");
    });
    store_gbs = float4_count * sizeof(float4) / (store_ms * 1e6);
    copy_gbs = 2.0 * float4_count * sizeof(float4) / (copy_ms * 1e6);
    std::printf("| A0 float4 store, 1 GiB | %.3f | %.0f GB/s |\n", store_ms, store_gbs);
    std::printf("| A0 device-to-device copy, 1 GiB (read + write) | %.3f | %.0f GB/s |\n", copy_ms, copy_gbs);
  }

  // A1
  double a1_normals_per_s = 0;
  {
    const std::size_t count = std::size_t{1} << 30;
    Buffer<float> normals(count);
    curandGenerator_t generator;
    check_curand(curandCreateGenerator(&generator, CURAND_RNG_PSEUDO_PHILOX4_32_10), "create the generator");
    check_curand(curandSetPseudoRandomGeneratorSeed(generator, options.seed), "seed");
    const double ms = time_ms(options, [&] {
      check_curand(curandGenerateNormal(generator, normals.data, count, 0.0f, 1.0f), "curandGenerateNormal");
    });
    curandDestroyGenerator(generator);
    a1_normals_per_s = count / (ms * 1e-3);
    std::printf("| A1 curandGenerateNormal, Philox4_32_10, 2^30 floats | %.3f | %.2f G normals/s, %.0f GB/s |\n", ms,
                a1_normals_per_s / 1e9, count * sizeof(float) / (ms * 1e6));
  }

  // The model on the device for A2 and A4.
  Buffer<Model> device_model(1);
  check(cudaMemcpy(device_model.data, &model, sizeof(Model), cudaMemcpyHostToDevice), "copy the model");
  const PhiloxKey key = seed_key(options.seed);

  // A2
  double a2_normals_per_s = 0;
  {
    Buffer<double> sums(options.paths);
    const int blocks = fill_blocks(reinterpret_cast<const void*>(draws_only_kernel), 128);
    const double ms = time_ms(options, [&] {
      draws_only_kernel<<<blocks, 128>>>(device_model.data, key, options.paths, sums.data);
      check(cudaGetLastError(), "draws_only_kernel");
    });
    a2_normals_per_s = options.paths * static_cast<double>(factor_normals_per_path) / (ms * 1e-3);
    std::printf("| A2 engine draws in registers, %llu paths | %.3f | %.2f G normals/s (+ %.2f G event uniforms/s) |\n",
                static_cast<unsigned long long>(options.paths), ms, a2_normals_per_s / 1e9,
                options.paths * static_cast<double>(event_uniforms_per_path) / (ms * 1e-3) / 1e9);
  }

  // A4
  std::uint64_t a4_paths = options.a4_paths;
  const std::uint64_t a4_bytes_per_path = (factor_normals_per_path + event_uniforms_per_path) * sizeof(double) +
                                          static_cast<std::uint64_t>(variable_count(model)) * model.years * sizeof(float);
  if (a4_paths == 0) {
    std::size_t free_bytes = 0, total_bytes = 0;
    check(cudaMemGetInfo(&free_bytes, &total_bytes), "cudaMemGetInfo");
    a4_paths = std::min<std::uint64_t>(std::uint64_t{1} << 21, free_bytes / 4 / a4_bytes_per_path);
    a4_paths &= ~std::uint64_t{1};  // curandGenerate*Double wants an even count per call
  }
  double a4_path_steps_per_s = 0;
  {
    Buffer<double> normals(a4_paths * factor_normals_per_path);
    Buffer<double> uniforms(a4_paths * event_uniforms_per_path);
    Buffer<float> values(static_cast<std::size_t>(variable_count(model)) * model.years * a4_paths);
    curandGenerator_t generator;
    check_curand(curandCreateGenerator(&generator, CURAND_RNG_PSEUDO_PHILOX4_32_10), "create the generator");
    check_curand(curandSetPseudoRandomGeneratorSeed(generator, options.seed), "seed");
    const int blocks = fill_blocks(reinterpret_cast<const void*>(steps_from_memory_kernel), 128);
    double generate_ms = 0, step_ms = 0;
    generate_ms = time_ms(options, [&] {
      if (factor_normals_per_path > 0)
        check_curand(curandGenerateNormalDouble(generator, normals.data, a4_paths * factor_normals_per_path, 0.0, 1.0),
                     "curandGenerateNormalDouble");
      if (event_uniforms_per_path > 0)
        check_curand(curandGenerateUniformDouble(generator, uniforms.data, a4_paths * event_uniforms_per_path),
                     "curandGenerateUniformDouble");
    });
    step_ms = time_ms(options, [&] {
      steps_from_memory_kernel<<<blocks, 128>>>(device_model.data, key, a4_paths, normals.data, uniforms.data,
                                                values.data);
      check(cudaGetLastError(), "steps_from_memory_kernel");
    });
    curandDestroyGenerator(generator);
    const double total_ms = generate_ms + step_ms;
    a4_path_steps_per_s = a4_paths * static_cast<double>(steps) / (total_ms * 1e-3);
    std::printf("| A4 two-pass, %llu paths: cuRAND writes %.2f GB of doubles | %.3f | |\n",
                static_cast<unsigned long long>(a4_paths),
                a4_paths * (factor_normals_per_path + event_uniforms_per_path) * 8.0 / 1e9, generate_ms);
    std::printf("| A4 two-pass: steps reading them | %.3f | |\n", step_ms);
    std::printf("| A4 two-pass, total | %.3f | %.3f G path-steps/s |\n", total_ms, a4_path_steps_per_s / 1e9);
  }

  // The engine: sweep block size and grid size (resident blocks per SM: the per-path state lives
  // in local memory, so fewer resident paths can mean more L1/L2 hits) on up to 2^22 paths, then
  // the full run with the fastest shape. The sweep takes the median of up to 5 runs.
  int best_threads = cuda::kDefaultThreadsPerBlock, best_blocks = 0;
  if (options.sweep) {
    double best_ms = 1e300;
    const std::uint64_t sweep_paths = std::min<std::uint64_t>(options.paths, std::uint64_t{1} << 22);
    for (int threads : {64, 128, 256}) {
      for (int blocks_per_sm : {1, 2, 4, 8, 0}) {  // 0: as many as fit (the default)
        cuda::LaunchOptions launch;
        launch.precision = options.precision;
        launch.threads_per_block = threads;
        launch.blocks = blocks_per_sm * device.multiprocessors;
        std::vector<double> simulate;
        cuda::RunTimings timings;
        for (int i = 0; i < options.warmups + std::min(options.repeats, 5); ++i) {
          cuda::run_cuda(scenario, sweep_paths, options.seed, 0, launch, {}, &timings);
          if (i >= options.warmups) simulate.push_back(timings.simulate_ms);
        }
        const double ms = median(simulate);
        std::printf("| sweep: engine kernel, %d threads/block, %d blocks, %llu paths | %.3f | %.3f G path-steps/s |\n",
                    threads, timings.blocks, static_cast<unsigned long long>(sweep_paths), ms,
                    sweep_paths * static_cast<double>(steps) / (ms * 1e6));
        if (ms < best_ms) {
          best_ms = ms;
          best_threads = threads;
          best_blocks = launch.blocks;
        }
      }
    }
  }
  cuda::LaunchOptions launch;
  launch.precision = options.precision;
  launch.threads_per_block = best_threads;
  launch.blocks = best_blocks;
  std::vector<double> simulate, reduce, total, transfer;
  cuda::RunTimings last;
  for (int i = 0; i < options.warmups + options.repeats; ++i) {
    cuda::RunTimings timings;
    cuda::run_cuda(scenario, options.paths, options.seed, 0, launch, {}, &timings);
    if (i < options.warmups) continue;
    simulate.push_back(timings.simulate_ms);
    reduce.push_back(timings.reduce_ms);
    transfer.push_back(timings.transfer_ms);
    total.push_back(timings.total_ms);
    last = timings;
  }
  const double simulate_ms = median(simulate), reduce_ms = median(reduce), total_ms = median(total);
  const double path_steps_per_s = options.paths * static_cast<double>(steps) / (simulate_ms * 1e-3);
  const double normals_per_s = options.paths * static_cast<double>(factor_normals_per_path) / (simulate_ms * 1e-3);
  std::printf("| engine simulation kernel (%s precision), %llu paths, %d threads/block, %d blocks, %s | %.3f | %.3f G "
              "path-steps/s, %.2f G normals/s |\n",
              precision_name(options.precision), static_cast<unsigned long long>(options.paths), last.threads_per_block,
              last.blocks, last.resident ? "resident" : "staged", simulate_ms, path_steps_per_s / 1e9,
              normals_per_s / 1e9);
  // The other precision, same shape and paths: what the mixed step buys on this device.
  cuda::LaunchOptions other = launch;
  other.precision = options.precision == Precision::mixed ? Precision::reference : Precision::mixed;
  std::vector<double> other_simulate;
  for (int i = 0; i < options.warmups + options.repeats; ++i) {
    cuda::RunTimings timings;
    cuda::run_cuda(scenario, options.paths, options.seed, 0, other, {}, &timings);
    if (i >= options.warmups) other_simulate.push_back(timings.simulate_ms);
  }
  const double other_ms = median(other_simulate);
  std::printf("| engine simulation kernel (%s precision), same shape | %.3f | %.3f G path-steps/s |\n",
              precision_name(other.precision), other_ms, options.paths * static_cast<double>(steps) / (other_ms * 1e6));
  std::printf("| engine reductions (moments, counts, sorts, order statistics) | %.3f | |\n", reduce_ms);
  std::printf("| engine host-device transfers | %.3f | |\n", median(transfer));
  std::printf("| engine run, total (wall clock) | %.3f | %.3f M paths/s |\n\n", total_ms,
              options.paths / (total_ms * 1e-3) / 1e6);

  std::printf("## Ratios (targets from issue 4)\n\n");
  std::printf("- engine path-steps/s / A4 path-steps/s: %.2f (target >= 3)\n", path_steps_per_s / a4_path_steps_per_s);
  std::printf("- engine %s / %s simulation time: %.2f\n", precision_name(other.precision),
              precision_name(options.precision), other_ms / simulate_ms);
  std::printf("- engine normals/s / A2 normals/s: %.2f (target >= 0.5)\n", normals_per_s / a2_normals_per_s);
  std::printf("- share of the run in reductions: %.1f %% (target <= 10 %% at 1e7 paths)\n", 100.0 * reduce_ms / total_ms);
  std::printf("- engine normals/s / A1 normals/s: %.2f\n", normals_per_s / a1_normals_per_s);
  std::printf("- engine per-path output (%llu B/path) at the A0 store bandwidth would take %.3f ms\n",
              static_cast<unsigned long long>(bytes_per_path(scenario)),
              options.paths * static_cast<double>(bytes_per_path(scenario)) / (store_gbs * 1e6));
  return 0;
}

}  // namespace
}  // namespace chokepoint::bench

int main(int argc, char** argv) {
  try {
    return chokepoint::bench::run_bench(chokepoint::bench::parse(argc, argv));
  } catch (const chokepoint::ResourceError& error) {
    std::fprintf(stderr, "gpu_bench: %s\n", error.what());
    return 3;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "gpu_bench: %s\n", error.what());
    return 1;
  }
}
