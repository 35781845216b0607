// A build without nvcc still has the CUDA entry points, so callers compile the same everywhere.
// Each throws ResourceError (exit 3); the host-side pieces of the backend (memory plan, summary
// assembly) are in cuda_support.cpp and work in every build.
#include "chokepoint/cuda_backend.hpp"
#include "chokepoint/engine.hpp"

namespace chokepoint {

namespace {

[[noreturn]] void no_cuda() {
  throw ResourceError("this build of chokepoint has no CUDA backend (nvcc was not found when it was built)");
}

}  // namespace

bool cuda_available() { return false; }

std::string cuda_device_name() { return "none"; }

PathResults simulate_cuda(const Scenario&, std::uint64_t, std::uint64_t, const std::function<void(double)>&) {
  no_cuda();
}

namespace cuda {

Summary run_cuda(const Scenario&, std::uint64_t, std::uint64_t, int, const LaunchOptions&,
                 const std::function<void(double)>&, RunTimings*) {
  no_cuda();
}

PathResults simulate_cuda(const Scenario&, std::uint64_t, std::uint64_t, const LaunchOptions&,
                          const std::function<void(double)>&, RunTimings*) {
  no_cuda();
}

DeviceInfo device_info() { no_cuda(); }

std::uint64_t sort_temp_bytes(std::uint64_t) { no_cuda(); }

std::vector<PhiloxCounter> philox_on_device(const std::vector<PhiloxCounter>&, const std::vector<PhiloxKey>&) {
  no_cuda();
}

std::vector<PhiloxCounter> curand_philox_on_device(const std::vector<CurandStart>&, int) { no_cuda(); }

std::vector<FourNormals> four_normals_on_device(PhiloxKey, std::uint32_t, const std::vector<std::uint64_t>&,
                                                std::uint32_t, Precision) {
  no_cuda();
}

std::vector<DeviceTrace> trace_paths(const Scenario&, std::uint64_t, const std::vector<std::uint64_t>&, Precision) {
  no_cuda();
}

}  // namespace cuda

}  // namespace chokepoint
