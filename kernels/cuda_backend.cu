// The CUDA backend. One thread carries one path through all its steps with the very same
// start_path / draw_step_shocks / step_path / record_step as the CPU backend
// (include/chokepoint/), in the run's precision (one kernel instantiation per Precision),
// drawing every random number from the shared Philox counter layout (no curandState arrays, no
// normals in memory), and writes each (variable, year) once into a column-major layout, so
// consecutive threads store consecutive addresses, derived outputs included.
//
// A run (run_cuda) keeps all per-path results on the device when they fit and reduces them
// there (device_reduction.cu); otherwise it simulates batches, copies them back, and uploads
// column groups to reduce. Either way the summary is a function of (scenario, paths, seed) only.
//
// Where the state lives: the model is read from global memory through L1 (every thread reads
// the same entry at the same time); it would go to constant memory only if it fit, which with
// its quantile tables it does not (kModelInConstantMemory). The per-path state, step
// outcome and year record are arrays indexed by run-time counts (factors, stages, events of
// the scenario), so they live in local memory, cached in L1; the kernel asks for the largest
// L1 share (no shared memory). Registers only would need the counts at compile time.
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <chrono>
#include <limits>
#include <mutex>
#include <string>

#include "chokepoint/cuda_backend.hpp"
#include "chokepoint/engine.hpp"
#include "chokepoint/stored_value.hpp"
#include "chokepoint/checked_size.hpp"
#include "chokepoint/path_step.hpp"
#include "chokepoint/year_record.hpp"
#include "device_support.cuh"
#include "simulate/cuda_checks.hpp"

namespace chokepoint {

namespace cuda::detail {

void require_device() {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    cudaGetLastError();
    throw ResourceError(std::string("no CUDA device is available (") + cudaGetErrorString(status) + ")");
  }
  if (count == 0) throw ResourceError("no CUDA device is available (the driver reports none)");
}

}  // namespace cuda::detail

namespace {

using cuda::detail::check;
using cuda::detail::check_launch;
using cuda::detail::DeviceBuffer;
using cuda::detail::EventTimer;

// ---- the model where the kernels read it ---------------------------------------------------------

// 64 KiB of constant memory; the model must leave room for the kernels' own constants.
constexpr bool kModelInConstantMemory = sizeof(Model) <= 60 * 1024;
__constant__ __align__(16) unsigned char constant_model[kModelInConstantMemory ? sizeof(Model) : 16];

template <bool kConstant>
__device__ __forceinline__ const Model& device_model(const Model* global_model) {
  if constexpr (kConstant) {
    return *reinterpret_cast<const Model*>(constant_model);
  } else {
    return *global_model;
  }
}

// The constant symbol is one per process: runs that use it take turns.
std::mutex& device_model_mutex() {
  static std::mutex mutex;
  return mutex;
}

class DeviceModel {
 public:
  explicit DeviceModel(const Model& model) {
    if constexpr (kModelInConstantMemory) {
      check(cudaMemcpyToSymbol(constant_model, &model, sizeof(Model)), "copy the model to constant memory");
    } else {
      global_.allocate(1, "the model");
      check(cudaMemcpy(global_.data(), &model, sizeof(Model), cudaMemcpyHostToDevice), "copy the model");
    }
  }
  const Model* global() const { return global_.data(); }

 private:
  DeviceBuffer<Model> global_;
};

// ---- one path ---------------------------------------------------------------------------------------

// Runs one path from start to end in the precision kPrecision (precision.hpp); on_step(step,
// outcome, state) after every step and on_year(year, record, state) after every calendar year.
// The simulation and the trace share it, so the trace checks the production kernel's formulas.
template <Precision kPrecision, class OnStep, class OnYear>
__device__ __forceinline__ void run_path(const Model& model, PhiloxKey key, std::uint64_t path, OnStep on_step,
                                         OnYear on_year) {
  PathState<double> state;
  FactorNormalCache cache;
  StepShocks<double> shocks;
  StepOutcome<double> outcome;
  YearRecord<double> record;
  start_path(model, key, path, state);
  for (int year = 0; year < model.years; ++year) {
    begin_year(model, record);
    for (int s = 0; s < model.steps_per_year; ++s) {
      const int step = year * model.steps_per_year + s + 1;
      draw_step_shocks(model, key, path, step, cache, shocks, kPrecision);
      step_path<double, kPrecision>(model, step, shocks, state, outcome);
      record_step<kPrecision>(model, outcome, state, record);
      on_step(step, outcome, state);
    }
    on_year(year, record, state);
  }
}

// Where a launch writes: column c of `values` is values[c·stride + slot], slot = first_slot + i
// for the launch's i-th path.
struct ColumnOutput {
  float* values = nullptr;
  std::uint8_t* binding = nullptr;
  std::uint64_t stride = 0;
  std::uint64_t first_slot = 0;
};

// The scenario's derived outputs (engine.hpp, DerivedOutput) as flat tables the device reads.
struct DerivedOutputSpec {
  int variable = 0;
  ScheduleRef constant;
  int first_term = 0;
  int term_count = 0;
};
struct DerivedTables {
  const DerivedOutputSpec* outputs = nullptr;
  const DerivedTerm* terms = nullptr;
  int output_count = 0;
};

// Writes one path's calendar year: every simulated (variable, year) value as a float, the
// binding step counts as bytes, then the scenario's derived outputs of that year, computed here
// from the draws the path started with (state.draws) and the year's float values, as the CPU
// backend's write_derived_outputs does: value = constant, then value += coefficient · column in
// the order of the terms, each product and sum rounded on its own (__dmul_rn, __dadd_rn: never
// fused into an FMA, as on the host). A term may name an earlier derived output, which this
// thread has just stored; it reads that back rather than keeping another per-variable array.
__device__ __forceinline__ void write_year(const Model& model, int variables, const ColumnOutput& out,
                                           std::uint64_t slot, int year, const YearRecord<double>& record,
                                           const double* draws, const DerivedTables& derived) {
  auto at = [&](int variable) {
    return (static_cast<std::uint64_t>(variable) * model.years + year) * out.stride + slot;
  };
  for (int v = 0; v < variables; ++v) out.values[at(v)] = stored_value(record.value[v]);
  for (int code = 0; code <= model.stage_count; ++code)
    out.binding[(static_cast<std::uint64_t>(code) * model.years + year) * out.stride + slot] =
        static_cast<std::uint8_t>(record.binding_steps[code]);
  for (int o = 0; o < derived.output_count; ++o) {
    const DerivedOutputSpec output = derived.outputs[o];
    double value = model.scheduled(output.constant, year, draws);
    for (int t = output.first_term; t < output.first_term + output.term_count; ++t) {
      const DerivedTerm term = derived.terms[t];
      const float column = term.variable < variables ? stored_value(record.value[term.variable]) : out.values[at(term.variable)];
      value = __dadd_rn(value, __dmul_rn(model.scheduled(term.coefficient, year, draws), static_cast<double>(column)));
    }
    out.values[at(output.variable)] = stored_value(value);
  }
}

// The production kernel: simulates paths [first_path, first_path + count) and writes their
// columns, derived outputs included (one kernel, one parameter draw per path). A grid-stride
// loop: the grid size changes which thread runs a path, never what it computes.
//
// Launch bounds, chosen by ptxas's report (bench/results/2026-12-02-ptxas-cuda2.md), not yet on a
// GPU: with a maximum of 256 threads alone ptxas settles on 80 registers and spills 64/108 bytes;
// asking for 2 resident blocks of 256 (a cap of 128 registers) it takes 108 and spills nothing.
// The per-path state is in local memory either way (PathState's run-time indexed arrays).
constexpr int kMinBlocksPerMultiprocessor = 2;

template <bool kConstantModel, Precision kPrecision>
__global__ void __launch_bounds__(cuda::kMaxThreadsPerBlock, kMinBlocksPerMultiprocessor)
    simulate_paths_kernel(const Model* __restrict__ global_model, PhiloxKey key, std::uint64_t first_path,
                          std::uint64_t count, ColumnOutput out, DerivedTables derived) {
  const Model& model = device_model<kConstantModel>(global_model);
  const int variables = variable_count(model);
  const std::uint64_t stride = static_cast<std::uint64_t>(gridDim.x) * blockDim.x;
  for (std::uint64_t i = static_cast<std::uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += stride) {
    const std::uint64_t slot = out.first_slot + i;
    run_path<kPrecision>(
        model, key, first_path + i, [](int, const StepOutcome<double>&, const PathState<double>&) {},
        [&](int year, const YearRecord<double>& record, const PathState<double>& state) {
          write_year(model, variables, out, slot, year, record, state.draws, derived);
        });
  }
}

class DeviceDerived {
 public:
  explicit DeviceDerived(const Scenario& scenario) {
    std::vector<DerivedOutputSpec> outputs;
    std::vector<DerivedTerm> terms;
    for (const DerivedOutput& output : scenario.derived) {
      outputs.push_back(DerivedOutputSpec{output.variable, output.constant, static_cast<int>(terms.size()),
                                          static_cast<int>(output.terms.size())});
      terms.insert(terms.end(), output.terms.begin(), output.terms.end());
    }
    cuda::detail::upload(outputs, outputs_, "the derived outputs");
    cuda::detail::upload(terms, terms_, "the derived outputs' terms");
    count_ = static_cast<int>(outputs.size());
  }
  DerivedTables tables() const { return DerivedTables{outputs_.data(), terms_.data(), count_}; }

 private:
  DeviceBuffer<DerivedOutputSpec> outputs_;
  DeviceBuffer<DerivedTerm> terms_;
  int count_ = 0;
};

// The fields of TrajectoryPoint (engine.hpp), in double, per step of a traced path.
constexpr int kTraceFields = 10;

template <bool kConstantModel, Precision kPrecision>
__global__ void trace_paths_kernel(const Model* __restrict__ global_model, PhiloxKey key,
                                   const std::uint64_t* __restrict__ paths, int count, double* __restrict__ steps_out,
                                   double* __restrict__ years_out, int* __restrict__ binding_out) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= count) return;
  const Model& model = device_model<kConstantModel>(global_model);
  const int variables = variable_count(model);
  run_path<kPrecision>(
      model, key, paths[i],
      [&](int step, const StepOutcome<double>& out, const PathState<double>& state) {
        double* fields = steps_out + (static_cast<std::size_t>(i) * model.steps + (step - 1)) * kTraceFields;
        fields[0] = out.token_demand;
        fields[1] = out.throughput;
        fields[2] = out.wanted;
        fields[3] = out.produced;
        fields[4] = out.deployed;
        fields[5] = state.inventory;
        fields[6] = state.fleet;
        fields[7] = state.token_capacity;
        fields[8] = out.served;
        fields[9] = out.binding;
      },
      [&](int year, const YearRecord<double>& record, const PathState<double>&) {
        // rows as long as the scenario's counts: every element the host copies back is written
        const std::size_t row = static_cast<std::size_t>(i) * model.years + year;
        for (int v = 0; v < variables; ++v) years_out[row * variables + v] = record.value[v];
        const int codes = model.stage_count + 1;
        for (int code = 0; code < codes; ++code)
          binding_out[row * codes + code] = static_cast<int>(record.binding_steps[code]);
      });
}

// ---- launches ----------------------------------------------------------------------------------------

struct LaunchShape {
  int threads = cuda::kDefaultThreadsPerBlock;
  int blocks = 0;  // resident blocks that fill the device (the grid-stride loop's grid)
};

// The production kernel's instantiation for a precision: the one every launch, occupancy query
// and attribute read of a run uses.
using SimulationKernel = void (*)(const Model*, PhiloxKey, std::uint64_t, std::uint64_t, ColumnOutput, DerivedTables);

SimulationKernel simulation_kernel(Precision precision) {
  return precision == Precision::mixed ? simulate_paths_kernel<kModelInConstantMemory, Precision::mixed>
                                       : simulate_paths_kernel<kModelInConstantMemory, Precision::reference>;
}

void prefer_l1(SimulationKernel kernel) {
  // The kernel uses no shared memory: give the SM's whole L1/shared array to L1, where the
  // paths' local state is cached. A hint; failure is harmless.
  if (cudaFuncSetAttribute(kernel, cudaFuncAttributePreferredSharedMemoryCarveout, cudaSharedmemCarveoutMaxL1) !=
      cudaSuccess)
    cudaGetLastError();
}

LaunchShape launch_shape(const cuda::LaunchOptions& options) {
  LaunchShape shape;
  if (options.threads_per_block != 0) {
    if (options.threads_per_block < 32 || options.threads_per_block > cuda::kMaxThreadsPerBlock ||
        options.threads_per_block % 32 != 0)
      throw InputError({InputProblem{"(launch options)", "threads_per_block",
                                     "a multiple of 32 from 32 to " + std::to_string(cuda::kMaxThreadsPerBlock),
                                     std::to_string(options.threads_per_block)}});
    shape.threads = options.threads_per_block;
  }
  const SimulationKernel kernel = simulation_kernel(options.precision);
  prefer_l1(kernel);
  if (options.blocks > 0) {
    shape.blocks = options.blocks;
    return shape;
  }
  int device = 0, multiprocessors = 0, per_multiprocessor = 0;
  check(cudaGetDevice(&device), "cudaGetDevice");
  check(cudaDeviceGetAttribute(&multiprocessors, cudaDevAttrMultiProcessorCount, device), "read the SM count");
  check(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_multiprocessor, kernel, shape.threads, 0),
        "read the simulation kernel's occupancy");
  shape.blocks = std::max(1, multiprocessors * std::max(1, per_multiprocessor));
  return shape;
}

// Local memory the driver reserves for the simulation kernel at full occupancy: the per-thread
// frame times every thread the device can hold. It comes out of the same free memory.
std::uint64_t local_memory_reserve(Precision precision) {
  cudaFuncAttributes attributes{};
  check(cudaFuncGetAttributes(&attributes, simulation_kernel(precision)),
        "read the simulation kernel's attributes");
  int device = 0, multiprocessors = 0, threads_per_multiprocessor = 0;
  check(cudaGetDevice(&device), "cudaGetDevice");
  check(cudaDeviceGetAttribute(&multiprocessors, cudaDevAttrMultiProcessorCount, device), "read the SM count");
  check(cudaDeviceGetAttribute(&threads_per_multiprocessor, cudaDevAttrMaxThreadsPerMultiProcessor, device),
        "read the threads per SM");
  return static_cast<std::uint64_t>(attributes.localSizeBytes) * multiprocessors * threads_per_multiprocessor;
}

// Simulates paths [first_path, first_path + count) in the run's precision, derived outputs
// included.
void launch_simulation(const DeviceModel& model, const DeviceDerived& derived, Precision precision, PhiloxKey key,
                       std::uint64_t first_path, std::uint64_t count, const ColumnOutput& out,
                       const LaunchShape& shape) {
  const std::uint64_t needed = (count + shape.threads - 1) / shape.threads;
  const unsigned blocks = static_cast<unsigned>(std::max<std::uint64_t>(1, std::min<std::uint64_t>(shape.blocks, needed)));
  simulation_kernel(precision)<<<blocks, shape.threads>>>(model.global(), key, first_path, count, out, derived.tables());
  check_launch(precision == Precision::mixed ? "the simulation kernel (mixed precision)"
                                             : "the simulation kernel (reference precision)");
}

// The device memory a run may use: the limit asked for, or 90% of what is free after the
// simulation kernel's local memory.
std::uint64_t memory_budget(const cuda::LaunchOptions& options) {
  std::size_t free_bytes = 0, total_bytes = 0;
  check(cudaMemGetInfo(&free_bytes, &total_bytes), "cudaMemGetInfo");
  const std::uint64_t reserve = local_memory_reserve(options.precision);
  const std::uint64_t usable = free_bytes > reserve ? (free_bytes - reserve) / 10 * 9 : 0;
  return options.device_memory_limit > 0 ? std::min<std::uint64_t>(options.device_memory_limit, usable) : usable;
}

double milliseconds_since(std::chrono::steady_clock::time_point begin) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count();
}

// Host memory for the per-path results: every reported variable, derived outputs included (the
// kernel computes them), as simulate_cpu returns them.
PathResults allocate_host_results(const Scenario& scenario, std::uint64_t paths) {
  const Model& model = *scenario.model;
  PathResults results;
  results.paths = paths;
  results.years = model.years;
  results.variables = static_cast<int>(scenario.variables.size());
  results.binding_codes = 1 + model.stage_count;
  // Checked products (checked_size.hpp): a wrapped size would allocate a tiny buffer for all paths.
  const std::optional<std::uint64_t> values =
      checked_product({static_cast<std::uint64_t>(results.variables), static_cast<std::uint64_t>(results.years), paths});
  const std::optional<std::uint64_t> binding_counts =
      checked_product({static_cast<std::uint64_t>(results.binding_codes), static_cast<std::uint64_t>(results.years), paths});
  if (!values || !binding_counts)
    throw ResourceError(std::to_string(paths) + " paths need more per-path results than 64 bits can count; run fewer paths");
  try {
    results.values.resize(*values);
    results.binding_steps.resize(*binding_counts);
  } catch (const std::bad_alloc&) {
    throw ResourceError("not enough host memory for the per-path results of " + std::to_string(paths) + " paths (" +
                        std::to_string(paths * bytes_per_path(scenario) >> 20) + " MiB)");
  }
  return results;
}

// Fills device outputs with 0xFF bytes (NaN floats, 255 binding steps) before a launch, when
// asked to, so that an output no kernel wrote cannot pass for a zero (cuda_checks.hpp).
template <typename T>
void poison(const DeviceBuffer<T>& buffer, bool asked) {
  if (asked && buffer.size() > 0)
    check(cudaMemset(buffer.data(), cuda::kPoisonByte, buffer.size() * sizeof(T)), "poison the outputs");
}

bool poison_asked(const cuda::LaunchOptions& options) { return options.poison_outputs || cuda::poison_requested(); }

// Copies `count` paths of a batch (column c at device + c·batch_stride) to their place in the
// host columns (column c at host + c·paths + first): one copy per column, no pitch limit.
template <typename T>
void copy_batch_back(const DeviceBuffer<T>& device, T* host, std::uint64_t columns, std::uint64_t paths,
                     std::uint64_t batch_stride, std::uint64_t first, std::uint64_t count, const char* what) {
  for (const cuda::ColumnCopy& copy : cuda::batch_column_copies(columns, paths, batch_stride, first, count, sizeof(T)))
    check(cudaMemcpyAsync(reinterpret_cast<unsigned char*>(host) + copy.host_offset,
                          reinterpret_cast<const unsigned char*>(device.data()) + copy.device_offset, copy.bytes,
                          cudaMemcpyDeviceToHost),
          what);
  check(cudaStreamSynchronize(0), what);
}

// Simulates in batches of plan.batch_paths and copies each batch's columns to their place in
// `results`.
void simulate_staged(const DeviceModel& device_model, const DeviceDerived& derived, Precision precision, PhiloxKey key,
                     std::uint64_t batch_paths, const LaunchShape& shape, PathResults& results,
                     const std::function<void(double)>& progress, cuda::RunTimings& timings, bool poison_outputs) {
  const std::uint64_t paths = results.paths;
  const std::size_t value_columns = static_cast<std::size_t>(results.variables) * results.years;
  const std::size_t binding_columns = static_cast<std::size_t>(results.binding_codes) * results.years;
  DeviceBuffer<float> values(value_columns * batch_paths, "a batch's values");
  DeviceBuffer<std::uint8_t> binding(binding_columns * batch_paths, "a batch's binding counts");
  EventTimer timer;
  for (std::uint64_t first = 0; first < paths; first += batch_paths) {
    const std::uint64_t count = std::min(batch_paths, paths - first);
    poison(values, poison_outputs);
    poison(binding, poison_outputs);
    timer.start();
    launch_simulation(device_model, derived, precision, key, first, count,
                      ColumnOutput{values.data(), binding.data(), batch_paths, 0}, shape);
    timings.simulate_ms += timer.stop();
    ++timings.launches;
    const auto copy_begin = std::chrono::steady_clock::now();
    copy_batch_back(values, results.values.data(), value_columns, paths, batch_paths, first, count,
                    "copy a batch's values");
    copy_batch_back(binding, results.binding_steps.data(), binding_columns, paths, batch_paths, first, count,
                    "copy a batch's binding counts");
    timings.transfer_ms += milliseconds_since(copy_begin);
    if (progress) progress(static_cast<double>(first + count) / static_cast<double>(paths));
  }
}

std::vector<cuda::detail::ThresholdOnColumn> thresholds_in(const Scenario& scenario, std::uint64_t first_column,
                                                           std::uint64_t column_count) {
  std::vector<cuda::detail::ThresholdOnColumn> found;
  const Model& model = *scenario.model;
  for (std::size_t i = 0; i < scenario.thresholds.size(); ++i) {
    const ThresholdRequest& request = scenario.thresholds[i];
    const std::uint64_t column =
        static_cast<std::uint64_t>(request.variable) * model.years + (request.year - model.start_year);
    if (column >= first_column && column < first_column + column_count)
      found.push_back({static_cast<int>(column - first_column), request.at_least, static_cast<int>(i)});
  }
  return found;
}

}  // namespace

// ---- engine.hpp's entry points ------------------------------------------------------------------------

bool cuda_available() {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) cudaGetLastError();
  return status == cudaSuccess && count > 0;
}

std::string cuda_device_name() {
  cudaDeviceProp properties{};
  if (cudaGetDeviceProperties(&properties, 0) != cudaSuccess) {
    cudaGetLastError();
    return "CUDA device";
  }
  return properties.name;
}

PathResults simulate_cuda(const Scenario& scenario, std::uint64_t paths, std::uint64_t seed,
                          const std::function<void(double)>& progress) {
  return cuda::simulate_cuda(scenario, paths, seed, cuda::LaunchOptions{}, progress);
}

namespace cuda {

DeviceInfo device_info() {
  detail::require_device();
  int device = 0;
  check(cudaGetDevice(&device), "cudaGetDevice");
  cudaDeviceProp properties{};
  check(cudaGetDeviceProperties(&properties, device), "cudaGetDeviceProperties");
  DeviceInfo info;
  info.name = properties.name;
  info.multiprocessors = properties.multiProcessorCount;
  check(cudaDeviceGetAttribute(&info.clock_khz, cudaDevAttrClockRate, device), "read the SM clock");
  info.compute_major = properties.major;
  info.compute_minor = properties.minor;
  info.l2_bytes = static_cast<std::uint64_t>(properties.l2CacheSize);
  std::size_t free_bytes = 0, total_bytes = 0;
  check(cudaMemGetInfo(&free_bytes, &total_bytes), "cudaMemGetInfo");
  info.free_bytes = free_bytes;
  info.total_bytes = total_bytes;
  return info;
}

std::uint64_t sort_temp_bytes(std::uint64_t paths) {
  detail::require_device();
  return detail::DeviceReducer::sort_temp_bytes(paths);
}

PathResults simulate_cuda(const Scenario& scenario, std::uint64_t paths, std::uint64_t seed,
                          const LaunchOptions& options, const std::function<void(double)>& progress,
                          RunTimings* timings) {
  detail::require_device();
  std::lock_guard<std::mutex> lock(device_model_mutex());
  const auto begin = std::chrono::steady_clock::now();
  const Model& model = *scenario.model;
  RunTimings local;
  const LaunchShape shape = launch_shape(options);
  MemoryNeeds needs;
  needs.paths = paths;
  const std::uint64_t variables = scenario.variables.size();  // derived outputs included
  needs.value_columns = needs.simulated_value_columns = variables * model.years;
  needs.binding_columns = static_cast<std::uint64_t>(1 + model.stage_count) * model.years;
  needs.budget_bytes = memory_budget(options);
  needs.requested_batch = options.batch_paths;
  needs.must_stage = true;
  const MemoryPlan plan = plan_memory(needs);
  PathResults results = allocate_host_results(scenario, paths);
  const DeviceModel device_model(model);
  const DeviceDerived derived(scenario);
  simulate_staged(device_model, derived, options.precision, seed_key(seed), plan.batch_paths, shape, results, progress, local,
                  poison_asked(options));
  local.threads_per_block = shape.threads;
  local.blocks = shape.blocks;
  local.total_ms = milliseconds_since(begin);
  if (timings) *timings = local;
  return results;
}

Summary run_cuda(const Scenario& scenario, std::uint64_t paths, std::uint64_t seed, int host_threads,
                 const LaunchOptions& options, const std::function<void(double)>& progress, RunTimings* timings) {
  if (paths == 0) throw InputError({InputProblem{"(arguments)", "--paths", "at least 1 path", "0"}});
  detail::require_device();
  std::lock_guard<std::mutex> lock(device_model_mutex());
  const auto begin = std::chrono::steady_clock::now();
  const Model& model = *scenario.model;
  const PhiloxKey key = seed_key(seed);
  const std::uint64_t years = static_cast<std::uint64_t>(model.years);
  const std::uint64_t value_columns = scenario.variables.size() * years;  // derived outputs included
  const std::uint64_t binding_columns = static_cast<std::uint64_t>(1 + model.stage_count) * years;
  const bool columns_sortable = paths <= std::numeric_limits<std::uint32_t>::max();

  RunTimings local;
  const LaunchShape shape = launch_shape(options);
  local.threads_per_block = shape.threads;
  local.blocks = shape.blocks;
  const std::vector<std::uint64_t> ranks = quantile_ranks(paths, scenario.quantile_levels);
  MemoryNeeds needs;
  needs.paths = paths;
  needs.value_columns = value_columns;
  needs.simulated_value_columns = value_columns;  // the device computes the derived outputs too
  needs.binding_columns = binding_columns;
  needs.sort_temp_bytes = columns_sortable ? detail::DeviceReducer::sort_temp_bytes(paths) : 0;
  needs.budget_bytes = memory_budget(options);
  needs.requested_batch = options.batch_paths;
  needs.must_stage = options.stage_on_host || !columns_sortable;
  MemoryPlan plan = plan_memory(needs);
  if (!columns_sortable) plan.reduce_on_device = false;
  plan.value_columns_per_group = std::min<std::uint64_t>(plan.value_columns_per_group, 65535);    // grid.y
  plan.binding_columns_per_group = std::min<std::uint64_t>(plan.binding_columns_per_group, 65535);
  local.resident = plan.resident;
  local.reduced_on_device = plan.reduce_on_device;

  RunReduction reduction;
  reduction.paths = paths;
  reduction.columns.resize(value_columns);
  reduction.binding.resize(binding_columns);
  const DeviceModel device_model(model);
  const DeviceDerived derived(scenario);
  EventTimer timer;

  if (plan.resident) {
    DeviceBuffer<float> values(value_columns * paths, "the per-path values");
    DeviceBuffer<std::uint8_t> binding(binding_columns * paths, "the per-path binding counts");
    poison(values, poison_asked(options));  // each launch writes its own paths' slots
    poison(binding, poison_asked(options));
    for (std::uint64_t first = 0; first < paths; first += plan.batch_paths) {
      const std::uint64_t count = std::min(plan.batch_paths, paths - first);
      timer.start();
      launch_simulation(device_model, derived, options.precision, key, first, count,
                        ColumnOutput{values.data(), binding.data(), paths, first}, shape);
      local.simulate_ms += timer.stop();
      ++local.launches;
      if (progress) progress(static_cast<double>(first + count) / static_cast<double>(paths));
    }
    timer.start();
    detail::DeviceReducer reducer(paths, value_columns, binding_columns, ranks, scenario.thresholds.size());
    reducer.reduce_values(values.data(), static_cast<int>(value_columns), thresholds_in(scenario, 0, value_columns),
                          reduction.columns.data());
    reducer.reduce_binding(binding.data(), static_cast<int>(binding_columns), reduction.binding.data());
    reduction.threshold_hits = reducer.threshold_hits();
    local.reduce_ms += timer.stop();
  } else {
    PathResults results = allocate_host_results(scenario, paths);
    simulate_staged(device_model, derived, options.precision, key, plan.batch_paths, shape, results, progress, local,
                    poison_asked(options));
    if (!plan.reduce_on_device) {
      const auto reduce_begin = std::chrono::steady_clock::now();
      Summary summary = summarize(scenario, results, seed, host_threads);
      summary.precision = precision_name(options.precision);
      local.host_ms += milliseconds_since(reduce_begin);
      local.total_ms = milliseconds_since(begin);
      if (timings) *timings = local;
      return summary;
    }
    detail::DeviceReducer reducer(paths, plan.value_columns_per_group, plan.binding_columns_per_group, ranks,
                                  scenario.thresholds.size());
    {
      DeviceBuffer<float> group(plan.value_columns_per_group * paths, "a group of value columns");
      for (std::uint64_t first = 0; first < value_columns; first += plan.value_columns_per_group) {
        const std::uint64_t count = std::min(plan.value_columns_per_group, value_columns - first);
        const auto copy_begin = std::chrono::steady_clock::now();
        check(cudaMemcpy(group.data(), results.column(static_cast<int>(first / years), static_cast<int>(first % years)),
                         count * paths * sizeof(float), cudaMemcpyHostToDevice),
              "upload value columns");
        local.transfer_ms += milliseconds_since(copy_begin);
        timer.start();
        reducer.reduce_values(group.data(), static_cast<int>(count), thresholds_in(scenario, first, count),
                              reduction.columns.data() + first);
        local.reduce_ms += timer.stop();
      }
    }
    DeviceBuffer<std::uint8_t> group(plan.binding_columns_per_group * paths, "a group of binding columns");
    for (std::uint64_t first = 0; first < binding_columns; first += plan.binding_columns_per_group) {
      const std::uint64_t count = std::min(plan.binding_columns_per_group, binding_columns - first);
      const auto copy_begin = std::chrono::steady_clock::now();
      check(cudaMemcpy(group.data(), results.binding_steps.data() + first * paths, count * paths,
                       cudaMemcpyHostToDevice),
            "upload binding columns");
      local.transfer_ms += milliseconds_since(copy_begin);
      timer.start();
      reducer.reduce_binding(group.data(), static_cast<int>(count), reduction.binding.data() + first);
      local.reduce_ms += timer.stop();
    }
    reduction.threshold_hits = reducer.threshold_hits();
  }

  const auto host_begin = std::chrono::steady_clock::now();
  Summary summary = assemble_summary(scenario, reduction, seed);
  summary.precision = precision_name(options.precision);  // what ran, as run() records it for the CPU
  local.host_ms += milliseconds_since(host_begin);
  local.total_ms = milliseconds_since(begin);
  if (progress) progress(1.0);
  if (timings) *timings = local;
  return summary;
}

std::vector<DeviceTrace> trace_paths(const Scenario& scenario, std::uint64_t seed,
                                     const std::vector<std::uint64_t>& paths, Precision precision) {
  detail::require_device();
  std::lock_guard<std::mutex> lock(device_model_mutex());
  const Model& model = *scenario.model;
  const int count = static_cast<int>(paths.size());
  std::vector<DeviceTrace> traces(paths.size());
  if (count == 0) return traces;
  const DeviceModel device_model(model);
  DeviceBuffer<std::uint64_t> device_paths;
  detail::upload(paths, device_paths, "the traced paths");
  const int variables = variable_count(model);
  const int codes = model.stage_count + 1;
  const std::size_t step_fields = static_cast<std::size_t>(count) * model.steps * kTraceFields;
  const std::size_t year_rows = static_cast<std::size_t>(count) * model.years;
  DeviceBuffer<double> steps(step_fields, "the traced steps");
  DeviceBuffer<double> years(year_rows * variables, "the traced years");
  DeviceBuffer<int> binding(year_rows * codes, "the traced binding counts");
  // Poisoned (NaN, −1) always: a trace is small, and the tests check that nothing survives.
  poison(steps, true);
  poison(years, true);
  poison(binding, true);
  constexpr int kThreads = 64;
  const auto kernel = precision == Precision::mixed ? trace_paths_kernel<kModelInConstantMemory, Precision::mixed>
                                                    : trace_paths_kernel<kModelInConstantMemory, Precision::reference>;
  kernel<<<(count + kThreads - 1) / kThreads, kThreads>>>(device_model.global(), seed_key(seed), device_paths.data(),
                                                         count, steps.data(), years.data(), binding.data());
  check_launch("the trace kernel");
  check(cudaDeviceSynchronize(), "run the trace kernel");
  const std::vector<double> step_values = detail::download(steps, step_fields, "copy the traced steps");
  const std::vector<double> year_values = detail::download(years, year_rows * variables, "copy the traced years");
  const std::vector<int> binding_values = detail::download(binding, year_rows * codes, "copy the traced binding counts");
  for (int i = 0; i < count; ++i) {
    DeviceTrace& trace = traces[i];
    trace.path = paths[i];
    for (int step = 1; step <= model.steps; ++step) {
      const double* f = step_values.data() + (static_cast<std::size_t>(i) * model.steps + (step - 1)) * kTraceFields;
      trace.steps.push_back(TrajectoryPoint{step, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8],
                                            std::isnan(f[9]) ? -1 : static_cast<int>(f[9])});  // NaN: unwritten
    }
    for (int year = 0; year < model.years; ++year) {
      const std::size_t row = static_cast<std::size_t>(i) * model.years + year;
      for (int v = 0; v < variables; ++v) trace.year_values.push_back(year_values[row * variables + v]);
      for (int code = 0; code < codes; ++code) trace.year_binding_steps.push_back(binding_values[row * codes + code]);
    }
  }
  return traces;
}

}  // namespace cuda

}  // namespace chokepoint
