// Device-side checks for the tests (cuda_backend.hpp): our Philox and Box–Muller evaluated on
// the device, and cuRAND's own Philox4x32-10 for comparison. cuRAND's device API is header-only;
// it stays in this file, away from the engine's translation unit.
#include <curand_kernel.h>

#include <stdexcept>

#include "chokepoint/cuda_backend.hpp"
#include "device_support.cuh"

namespace chokepoint::cuda {

namespace {

__global__ void philox_kernel(const PhiloxCounter* __restrict__ counters, const PhiloxKey* __restrict__ keys, int count,
                              PhiloxCounter* __restrict__ out) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < count) out[i] = philox4x32_10(counters[i], keys[i]);
}

__global__ void curand_philox_kernel(const CurandStart* __restrict__ starts, int count, int calls,
                                     PhiloxCounter* __restrict__ out) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= count) return;
  curandStatePhilox4_32_10_t state;
  curand_init(starts[i].seed, starts[i].subsequence, starts[i].offset, &state);
  for (int call = 0; call < calls; ++call) {
    const uint4 words = curand4(&state);
    out[static_cast<std::size_t>(i) * calls + call] = PhiloxCounter{{words.x, words.y, words.z, words.w}};
  }
}

template <Precision kPrecision>
__global__ void four_normals_kernel(PhiloxKey key, std::uint32_t stream, const std::uint64_t* __restrict__ paths,
                                    int count, std::uint32_t block, FourNormals* __restrict__ out) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= count) return;
  if constexpr (kPrecision == Precision::mixed) out[i] = four_normals_float(key, stream, paths[i], block);
  else out[i] = four_normals(key, stream, paths[i], block);
}

constexpr int kThreads = 128;

int blocks_for(std::size_t count) { return static_cast<int>((count + kThreads - 1) / kThreads); }

}  // namespace

std::vector<PhiloxCounter> philox_on_device(const std::vector<PhiloxCounter>& counters,
                                            const std::vector<PhiloxKey>& keys) {
  detail::require_device();
  if (counters.size() != keys.size()) throw std::invalid_argument("philox_on_device: one key per counter");
  if (counters.empty()) return {};
  detail::DeviceBuffer<PhiloxCounter> device_counters, out(counters.size(), "Philox outputs");
  detail::DeviceBuffer<PhiloxKey> device_keys;
  detail::upload(counters, device_counters, "Philox counters");
  detail::upload(keys, device_keys, "Philox keys");
  philox_kernel<<<blocks_for(counters.size()), kThreads>>>(device_counters.data(), device_keys.data(),
                                                           static_cast<int>(counters.size()), out.data());
  detail::check_launch("the Philox kernel");
  detail::check(cudaDeviceSynchronize(), "run the Philox kernel");
  return detail::download(out, counters.size(), "copy Philox outputs");
}

std::vector<PhiloxCounter> curand_philox_on_device(const std::vector<CurandStart>& starts, int calls) {
  detail::require_device();
  if (starts.empty() || calls <= 0) return {};
  detail::DeviceBuffer<CurandStart> device_starts;
  detail::upload(starts, device_starts, "cuRAND starts");
  const std::size_t total = starts.size() * static_cast<std::size_t>(calls);
  detail::DeviceBuffer<PhiloxCounter> out(total, "cuRAND outputs");
  curand_philox_kernel<<<blocks_for(starts.size()), kThreads>>>(device_starts.data(), static_cast<int>(starts.size()),
                                                                calls, out.data());
  detail::check_launch("the cuRAND kernel");
  detail::check(cudaDeviceSynchronize(), "run the cuRAND kernel");
  return detail::download(out, total, "copy cuRAND outputs");
}

std::vector<FourNormals> four_normals_on_device(PhiloxKey key, std::uint32_t stream,
                                                const std::vector<std::uint64_t>& paths, std::uint32_t block,
                                                Precision precision) {
  detail::require_device();
  if (paths.empty()) return {};
  detail::DeviceBuffer<std::uint64_t> device_paths;
  detail::upload(paths, device_paths, "paths");
  detail::DeviceBuffer<FourNormals> out(paths.size(), "normals");
  const auto kernel = precision == Precision::mixed ? four_normals_kernel<Precision::mixed>
                                                    : four_normals_kernel<Precision::reference>;
  kernel<<<blocks_for(paths.size()), kThreads>>>(key, stream, device_paths.data(), static_cast<int>(paths.size()),
                                                 block, out.data());
  detail::check_launch("the normals kernel");
  detail::check(cudaDeviceSynchronize(), "run the normals kernel");
  return detail::download(out, paths.size(), "copy normals");
}

}  // namespace chokepoint::cuda
