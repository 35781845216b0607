// --backend auto|cpu|cuda, the same for run(), the Sobol analysis and the tornado: which backend
// the name picks on this machine, and the same errors for a name or a device that is not there.
#pragma once

#include <string>

namespace chokepoint {

// True for CUDA: "cuda", or "auto" where a device is present. Throws InputError (exit 2) for
// another name than auto, cpu or cuda, ResourceError (exit 3) for "cuda" without a device; both
// name the choice as the caller's user wrote it (`--backend` on the command line, `backend` in
// Python).
bool use_cuda_backend(const std::string& backend, const std::string& argument = "--backend");

}  // namespace chokepoint
