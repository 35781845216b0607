// A build without nvcc still has the CUDA entry points, so callers compile the same everywhere.
#include "chokepoint/engine.hpp"

namespace chokepoint {

bool cuda_available() { return false; }

std::string cuda_device_name() { return "none"; }

PathResults simulate_cuda(const Scenario&, std::uint64_t, std::uint64_t, const std::function<void(double)>&) {
  throw ResourceError("this build of chokepoint has no CUDA backend (nvcc was not found when it was built)");
}

}  // namespace chokepoint
