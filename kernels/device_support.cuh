// What the kernels/ files share: error checks that throw ResourceError (exit 3), device memory
// that frees itself, an event timer, and the device reductions (device_reduction.cu).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <string>
#include <vector>

#include "chokepoint/cuda_backend.hpp"
#include "chokepoint/errors.hpp"
#include "simulate/cuda_checks.hpp"

namespace chokepoint::cuda::detail {

// Errors a kernel raises while it runs. CUDA reports them at the next call that waits on the
// device, whatever that call is, and every later call of the process fails with them too.
inline bool is_execution_error(cudaError_t status) {
  switch (status) {
    case cudaErrorIllegalAddress:
    case cudaErrorMisalignedAddress:
    case cudaErrorIllegalInstruction:
    case cudaErrorInvalidPc:
    case cudaErrorHardwareStackError:
    case cudaErrorInvalidAddressSpace:
    case cudaErrorLaunchFailure:
    case cudaErrorLaunchTimeout:
    case cudaErrorAssert:
      return true;
    default:
      return false;
  }
}

// Every CUDA failure (no device, out of memory, a launch that cannot run) is a ResourceError.
inline void check(cudaError_t status, const char* what) {
  if (status != cudaSuccess)
    throw ResourceError(cuda_failure_message(what, cudaGetErrorName(status), cudaGetErrorString(status),
                                             is_execution_error(status), sync_check_requested()));
}

// After every kernel launch: whether it could be launched, and in sync-check mode
// (CHOKEPOINT_CUDA_SYNC_CHECK=1) whether it ran, so that the failing launch names itself.
inline void check_launch(const char* kernel) {
  check(cudaGetLastError(), (std::string("launch ") + kernel).c_str());
  if (sync_check_requested())
    check(cudaDeviceSynchronize(), (std::string("run ") + kernel + " (synchronised after its launch)").c_str());
}

// Throws ResourceError unless a device can be used; every entry point calls it first, so that
// a machine without a GPU (or without a driver) fails fast and clearly.
void require_device();

// Device memory that frees itself, so an exception never leaks it.
template <typename T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t count, const char* what = "cudaMalloc") { allocate(count, what); }
  ~DeviceBuffer() { release(); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  void allocate(std::size_t count, const char* what = "cudaMalloc") {
    release();
    if (count == 0) return;
    const cudaError_t status = cudaMalloc(reinterpret_cast<void**>(&data_), count * sizeof(T));
    if (status != cudaSuccess) {
      cudaGetLastError();  // clear the error so that later calls do not see it
      data_ = nullptr;
      throw ResourceError(std::string("CUDA: out of device memory: ") + what + " needs " +
                          std::to_string((count * sizeof(T) + (1u << 20) - 1) >> 20) + " MiB (" +
                          cudaGetErrorString(status) + ")");
    }
    count_ = count;
  }
  void release() {
    if (data_) cudaFree(data_);
    data_ = nullptr;
    count_ = 0;
  }
  T* data() const { return data_; }
  std::size_t size() const { return count_; }

 private:
  T* data_ = nullptr;
  std::size_t count_ = 0;
};

// Copies a host vector to a new device buffer.
template <typename T>
void upload(const std::vector<T>& host, DeviceBuffer<T>& device, const char* what) {
  device.allocate(host.size(), what);
  if (!host.empty())
    check(cudaMemcpy(device.data(), host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice), what);
}

template <typename T>
std::vector<T> download(const DeviceBuffer<T>& device, std::size_t count, const char* what) {
  std::vector<T> host(count);
  if (count > 0) check(cudaMemcpy(host.data(), device.data(), count * sizeof(T), cudaMemcpyDeviceToHost), what);
  return host;
}

// Milliseconds between two points on the default stream.
class EventTimer {
 public:
  EventTimer() {
    check(cudaEventCreate(&start_), "cudaEventCreate");
    check(cudaEventCreate(&stop_), "cudaEventCreate");
  }
  ~EventTimer() {
    cudaEventDestroy(start_);
    cudaEventDestroy(stop_);
  }
  EventTimer(const EventTimer&) = delete;
  EventTimer& operator=(const EventTimer&) = delete;
  void start() { check(cudaEventRecord(start_), "cudaEventRecord"); }
  // Waits for the work recorded since start() and returns its duration.
  double stop() {
    check(cudaEventRecord(stop_), "cudaEventRecord");
    check(cudaEventSynchronize(stop_), "wait for the device");
    float milliseconds = 0.0f;
    check(cudaEventElapsedTime(&milliseconds, start_, stop_), "cudaEventElapsedTime");
    return milliseconds;
  }

 private:
  cudaEvent_t start_{};
  cudaEvent_t stop_{};
};

// A threshold request (the scenario's report.thresholds) on one column of a group: count paths with x ≥ at_least.
struct ThresholdOnColumn {
  int column = 0;       // within the group passed to reduce_values
  double at_least = 0.0;
  int output = 0;       // index into the hits array
};

// The device reductions of a run with `paths` paths, for groups of up to `value_columns` value
// columns and `binding_columns` binding columns. Every result depends only on the column's
// values and `paths` (fixed chunks of kReductionChunk, each reduced by one block in a fixed
// order, the chunks' partial sums then reduced by one block in a fixed order): bit-identical
// from run to run, for any batch or grid of the simulation. Counts are integer atomics: exact.
class DeviceReducer {
 public:
  DeviceReducer(std::uint64_t paths, std::uint64_t value_columns, std::uint64_t binding_columns,
                const std::vector<std::uint64_t>& ranks, std::size_t threshold_count);

  // CUB's temporary storage to sort one column of `paths` floats (asks the device).
  static std::uint64_t sort_temp_bytes(std::uint64_t paths);

  // Reduces `count` columns stored one after the other (column c at values + c·paths): sums,
  // squared deviations, threshold hits, value distributions, then the order statistics at `ranks`. The columns are
  // sorted in place (their order is destroyed). Hits are added to threshold_hits[output].
  void reduce_values(float* values, int count, const std::vector<ThresholdOnColumn>& thresholds,
                     ColumnReduction* out);
  void reduce_binding(const std::uint8_t* binding, int count, BindingReduction* out);

  // Threshold hits accumulated over all reduce_values calls.
  std::vector<std::uint64_t> threshold_hits() const;

 private:
  std::uint64_t paths_;
  std::uint64_t chunks_;
  std::vector<std::uint64_t> ranks_;
  DeviceBuffer<float> alternate_;
  DeviceBuffer<unsigned char> sort_temp_;
  std::size_t sort_temp_bytes_ = 0;
  DeviceBuffer<double> partials_;   // [column][chunk]
  DeviceBuffer<double> sums_;       // [column]
  DeviceBuffer<double> means_;      // [column]
  DeviceBuffer<double> squares_;    // [column]
  DeviceBuffer<std::uint64_t> device_ranks_;
  DeviceBuffer<float> order_;       // [column][rank]
  DeviceBuffer<unsigned long long> distribution_;  // [column][bucket]
  DeviceBuffer<unsigned long long> binding_counts_;  // [column][steps, squares, any]
  DeviceBuffer<int> threshold_columns_;
  DeviceBuffer<double> threshold_levels_;
  DeviceBuffer<int> threshold_outputs_;
  DeviceBuffer<unsigned long long> threshold_hits_;
  std::size_t threshold_count_;
};

}  // namespace chokepoint::cuda::detail
