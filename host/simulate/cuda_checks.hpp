// Host-side pieces of the CUDA backend's safety checks, plain C++ so the CPU tests cover them:
// how a staged batch is copied back (one copy per column, no pitch limits), the debug switches
// read from the environment, the message that names a failed launch, and the count of device
// outputs that a poisoned launch left unwritten.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chokepoint/engine.hpp"

namespace chokepoint::cuda {

// ---- copying a staged batch back -------------------------------------------------------------------

// One contiguous copy from the batch buffer on the device to the run's results on the host.
struct ColumnCopy {
  std::uint64_t device_offset = 0;  // bytes into the batch buffer
  std::uint64_t host_offset = 0;    // bytes into the host results
  std::uint64_t bytes = 0;
};

// The copies that move `count` paths of a batch (starting at path `first` of `paths`) from a
// device buffer of `columns` columns of `batch_stride` elements each to the host results of
// `columns` columns of `paths` elements each. One copy per column, merged when both sides are
// contiguous (a batch of all paths is one copy). cudaMemcpy2D would do this in one call, but its
// host pitch (paths · element bytes) must stay under cudaDeviceProp::memPitch (2³¹ − 1), which
// float columns pass at 5.4·10⁸ paths; a plain copy per column has no such limit.
std::vector<ColumnCopy> batch_column_copies(std::uint64_t columns, std::uint64_t paths, std::uint64_t batch_stride,
                                            std::uint64_t first, std::uint64_t count, std::uint64_t element_bytes);

// ---- debug switches --------------------------------------------------------------------------------

// Whether an environment value turns a switch on: 1, true, yes, on (any case). Unset, empty, 0,
// false, no, off: off. Anything else is an InputError naming the variable.
bool switch_on(const char* variable, const char* value);

// CHOKEPOINT_CUDA_SYNC_CHECK=1: synchronise and check after every kernel launch, so that an
// error inside a kernel is reported by that launch, not by whichever call next waits on the
// device. Slower; for finding a failing kernel.
bool sync_check_requested();

// CHOKEPOINT_CUDA_POISON=1: every run fills its device outputs with 0xFF bytes before each
// launch (LaunchOptions::poison_outputs does the same for one run), so a value a kernel failed to
// write reads as NaN, or 255 binding steps, instead of the zeros fresh device memory often holds.
bool poison_requested();

// The message of a failed CUDA call. `execution_error`: the error is one a kernel raises while it
// runs (an illegal address, say), which CUDA reports at the next call that waits on the device,
// so `what` may not be the culprit; without sync-check mode the message says how to find it.
std::string cuda_failure_message(const std::string& what, const std::string& error_name,
                                 const std::string& error_text, bool execution_error, bool sync_checked);

// ---- poisoned outputs -------------------------------------------------------------------------------

inline constexpr unsigned char kPoisonByte = 0xFF;

// Device outputs still holding the poison after a run: floats whose bits are all ones (a NaN no
// arithmetic produces: the device's canonical NaN is 0x7FFFFFFF) and binding counts of 255
// (more steps than a year has). `first` describes the first one found, for the failure message.
struct PoisonedOutputs {
  std::uint64_t values = 0;
  std::uint64_t binding_steps = 0;
  std::string first;
};
PoisonedOutputs find_poisoned(const PathResults& results);

}  // namespace chokepoint::cuda
