// The CUDA backend: one thread per path runs the very same start_path / step_path / record_step
// as the CPU backend (include/chokepoint/), and writes each (variable, year) once into a
// column-major layout, so consecutive threads write consecutive addresses.
#include <cuda_runtime.h>

#include <string>

#include "chokepoint/engine.hpp"
#include "chokepoint/path_step.hpp"
#include "chokepoint/year_record.hpp"

namespace chokepoint {

namespace {

void check(cudaError_t status, const char* what) {
  if (status != cudaSuccess) throw ResourceError(std::string("CUDA: ") + what + ": " + cudaGetErrorString(status));
}

__global__ void simulate_kernel(const Model* __restrict__ model_pointer, PhiloxKey key, std::uint64_t first_path,
                                std::uint64_t batch_paths, float* __restrict__ values,
                                std::uint8_t* __restrict__ binding_steps) {
  const std::uint64_t slot = blockIdx.x * static_cast<std::uint64_t>(blockDim.x) + threadIdx.x;
  if (slot >= batch_paths) return;
  const Model& model = *model_pointer;
  const std::uint64_t path = first_path + slot;
  PathState state;
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
    for (int v = 0; v < variables; ++v)
      values[(static_cast<std::size_t>(v) * model.years + year) * batch_paths + slot] = static_cast<float>(record.value[v]);
    for (int code = 0; code <= model.stage_count; ++code)
      binding_steps[(static_cast<std::size_t>(code) * model.years + year) * batch_paths + slot] = record.binding_steps[code];
  }
}

// Device memory that frees itself, so an exception never leaks it.
template <typename T>
struct DeviceBuffer {
  T* data = nullptr;
  explicit DeviceBuffer(std::size_t count) { check(cudaMalloc(&data, count * sizeof(T)), "cudaMalloc"); }
  ~DeviceBuffer() { cudaFree(data); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
};

}  // namespace

bool cuda_available() {
  int count = 0;
  return cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
}

std::string cuda_device_name() {
  cudaDeviceProp properties{};
  if (cudaGetDeviceProperties(&properties, 0) != cudaSuccess) return "CUDA device";
  return properties.name;
}

PathResults simulate_cuda(const Scenario& scenario, std::uint64_t paths, std::uint64_t seed,
                          const std::function<void(double)>& progress) {
  if (!cuda_available()) throw ResourceError("no CUDA device is available");
  const Model& model = *scenario.model;
  PathResults results;
  results.paths = paths;
  results.years = model.years;
  results.variables = variable_count(model);
  results.binding_codes = 1 + model.stage_count;
  results.values.resize(static_cast<std::size_t>(results.variables) * results.years * paths);
  results.binding_steps.resize(static_cast<std::size_t>(results.binding_codes) * results.years * paths);

  DeviceBuffer<Model> device_model(1);
  check(cudaMemcpy(device_model.data, &model, sizeof(Model), cudaMemcpyHostToDevice), "copy the model");

  // Batches sized from free memory (half of it), so any path count runs.
  std::size_t free_bytes = 0, total_bytes = 0;
  check(cudaMemGetInfo(&free_bytes, &total_bytes), "cudaMemGetInfo");
  const std::uint64_t per_path = bytes_per_path(scenario);
  const std::uint64_t batch = std::max<std::uint64_t>(1, std::min<std::uint64_t>(paths, free_bytes / 2 / per_path));
  const std::size_t value_count = static_cast<std::size_t>(results.variables) * results.years * batch;
  const std::size_t binding_count = static_cast<std::size_t>(results.binding_codes) * results.years * batch;
  DeviceBuffer<float> values(value_count);
  DeviceBuffer<std::uint8_t> binding(binding_count);

  const PhiloxKey key = seed_key(seed);
  constexpr int kThreads = 128;
  for (std::uint64_t first = 0; first < paths; first += batch) {
    const std::uint64_t count = std::min(batch, paths - first);
    const unsigned blocks = static_cast<unsigned>((count + kThreads - 1) / kThreads);
    simulate_kernel<<<blocks, kThreads>>>(device_model.data, key, first, count, values.data, binding.data);
    check(cudaGetLastError(), "launch the simulation kernel");
    check(cudaDeviceSynchronize(), "run the simulation kernel");
    // Columns of this batch go to their place among all paths' columns.
    for (int column = 0; column < results.variables * results.years; ++column)
      check(cudaMemcpy(results.values.data() + static_cast<std::size_t>(column) * paths + first,
                       values.data + static_cast<std::size_t>(column) * count, count * sizeof(float),
                       cudaMemcpyDeviceToHost),
            "copy results");
    for (int column = 0; column < results.binding_codes * results.years; ++column)
      check(cudaMemcpy(results.binding_steps.data() + static_cast<std::size_t>(column) * paths + first,
                       binding.data + static_cast<std::size_t>(column) * count, count, cudaMemcpyDeviceToHost),
            "copy binding counts");
    if (progress) progress(static_cast<double>(first + count) / paths);
  }
  return results;
}

}  // namespace chokepoint
