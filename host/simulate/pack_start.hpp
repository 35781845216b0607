// The start of a pack of paths (path_step.hpp's start_path on SIMD packs), compiled once, in
// cpu_backend.cpp. compute_path_inputs calls this same copy, so the parameter values, trends and
// fire probabilities it reports are the backend's bit for bit: an inlined copy of its own could
// contract the arithmetic into FMAs differently.
#pragma once

#include "chokepoint/path_step.hpp"
#include "simulate/simd_pack.hpp"

namespace chokepoint {
CHOKEPOINT_CODE_BEGIN

void start_path_pack(const Model& model, const StartNormals<simd::Pack>& normals, PathState<simd::Pack>& state);

CHOKEPOINT_CODE_END
}  // namespace chokepoint
