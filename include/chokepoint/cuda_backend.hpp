// The CUDA backend beyond engine.hpp's cuda_available()/simulate_cuda(): a run simulated *and*
// reduced on the device, how it plans its memory, and small device-facing helpers that the
// tests and the benchmark call (Philox against cuRAND, per-path traces in double).
//
// Every function here exists in every build. Without CUDA (host/simulate/no_cuda_backend.cpp) the
// device entry points throw ResourceError (exit 3), as they do when a CUDA build finds no
// device; the host-side pieces (memory plan, order-statistic ranks, summary assembly, the
// host reference reduction) are plain C++ in host/simulate/cuda_support.cpp and tested on the CPU.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "chokepoint/engine.hpp"
#include "chokepoint/exact_sum.hpp"
#include "chokepoint/philox.hpp"
#include "chokepoint/precision.hpp"
#include "chokepoint/random_streams.hpp"
#include "chokepoint/summary.hpp"

namespace chokepoint::cuda {

// ---- running on the device ---------------------------------------------------------------------

// How a run is cut into kernel launches. None of these changes a bit of the result: every path
// is computed by one thread from (seed, path) alone, and every reduction is defined by the path
// count alone (fixed chunks of kReductionChunk paths, reduced in a fixed order).
struct LaunchOptions {
  std::uint64_t batch_paths = 0;          // paths per kernel launch; 0: chosen from memory
  int threads_per_block = 0;              // 0: kDefaultThreadsPerBlock
  int blocks = 0;                         // grid size of the grid-stride loop; 0: fill the device
  std::uint64_t device_memory_limit = 0;  // bytes the run may allocate; 0: 90% of the free memory
  bool stage_on_host = false;             // copy results back and reduce column groups, as when
                                          // they do not all fit on the device
  Precision precision = Precision::mixed;  // the step's arithmetic (precision.hpp), as RunOptions
  bool poison_outputs = false;            // fill the outputs with 0xFF bytes before each launch, so
                                          // a value no kernel wrote reads as NaN (tests; also
                                          // CHOKEPOINT_CUDA_POISON=1, host/simulate/cuda_checks.hpp)
};

inline constexpr int kDefaultThreadsPerBlock = 128;
inline constexpr int kMaxThreadsPerBlock = 256;     // the simulation kernel's __launch_bounds__
inline constexpr int kReductionThreads = 256;       // threads of every reduction block
inline constexpr int kReductionChunk = 4096;        // paths per reduction block (16 per thread)
inline constexpr std::uint64_t kDefaultLaunchPaths = std::uint64_t{1} << 22;  // progress granularity

// Where the time of a run went (milliseconds; kernels timed with CUDA events).
struct RunTimings {
  double simulate_ms = 0.0;   // simulation kernels (and derived outputs)
  double reduce_ms = 0.0;     // moments, counts, sorts and order statistics on the device
  double transfer_ms = 0.0;   // copies between host and device (staged runs)
  double host_ms = 0.0;       // host work: summary assembly (and a host reduction, if needed)
  double total_ms = 0.0;      // the whole call, wall clock
  std::uint64_t launches = 0; // simulation kernel launches
  bool resident = false;      // all per-path results stayed on the device
  bool reduced_on_device = false;
  int threads_per_block = 0;
  int blocks = 0;
};

// Simulates `paths` paths and reduces them on the device into the Summary (summary.hpp).
// Guarantees: bit-identical from run to run and for any LaunchOptions; binding statistics and
// threshold probabilities equal the CPU backend's exactly (integer counts; a binding stage can
// differ only where the CPU's candidate values lie within rounding of a tie); means, standard
// deviations and quantiles agree with the CPU's to ~1e-6 relative (docs/gpu.md says why).
// Derived outputs are computed in the simulation kernel (the host's formula, products and sums
// rounded one by one). The step runs in options.precision; the summary records it. Throws ResourceError (exit 3) when there is no device or not enough device or
// host memory. `host_threads` serves the host reduction, used only when not even one column fits
// on the device.
Summary run_cuda(const Scenario& scenario, std::uint64_t paths, std::uint64_t seed, int host_threads,
                 const LaunchOptions& options = {}, const std::function<void(double)>& progress = {},
                 RunTimings* timings = nullptr);

// Per-path results copied back to the host (what simulate_cuda of engine.hpp returns), with
// explicit launch options: every reported variable, the derived outputs computed in the
// simulation kernel from the draws each path started with, as simulate_cpu does.
PathResults simulate_cuda(const Scenario& scenario, std::uint64_t paths, std::uint64_t seed,
                          const LaunchOptions& options, const std::function<void(double)>& progress = {},
                          RunTimings* timings = nullptr);

struct DeviceInfo {
  std::string name;
  int multiprocessors = 0;
  int clock_khz = 0;            // the SM clock the driver reports (cudaDevAttrClockRate)
  int compute_major = 0, compute_minor = 0;
  std::uint64_t free_bytes = 0, total_bytes = 0;
  std::uint64_t l2_bytes = 0;
};
DeviceInfo device_info();  // throws ResourceError without a device

// CUB's temporary storage to sort one column of `paths` floats on this device.
std::uint64_t sort_temp_bytes(std::uint64_t paths);

// ---- device-facing helpers for tests -------------------------------------------------------------

// Our philox4x32_10 (philox.hpp) evaluated on the device for counters[i] with keys[i].
std::vector<PhiloxCounter> philox_on_device(const std::vector<PhiloxCounter>& counters,
                                            const std::vector<PhiloxKey>& keys);

// cuRAND's own generator: curand_init(seed, subsequence, offset, &state) with a
// curandStatePhilox4_32_10_t, then `calls` consecutive curand4(&state), raw words.
struct CurandStart {
  std::uint64_t seed = 0;
  std::uint64_t subsequence = 0;
  std::uint64_t offset = 0;  // a multiple of 4, so that curand4 returns whole Philox blocks
};
std::vector<PhiloxCounter> curand_philox_on_device(const std::vector<CurandStart>& starts, int calls);

// The counter cuRAND's Philox state holds after curand_init(seed, subsequence, offset) and
// `call` calls of curand4 (offset a multiple of 4): {offset/4 + call as 64 bits, subsequence}.
inline PhiloxCounter curand_equivalent_counter(const CurandStart& start, std::uint64_t call) {
  const std::uint64_t block = start.offset / 4 + call;
  return PhiloxCounter{{static_cast<std::uint32_t>(block), static_cast<std::uint32_t>(block >> 32),
                        static_cast<std::uint32_t>(start.subsequence),
                        static_cast<std::uint32_t>(start.subsequence >> 32)}};
}

// four_normals(key, stream, paths[i], block) of random_streams.hpp on the device, or in the mixed
// precision four_normals_float (cuRAND's uniform rule and Box–Muller in float).
std::vector<FourNormals> four_normals_on_device(PhiloxKey key, std::uint32_t stream,
                                                const std::vector<std::uint64_t>& paths, std::uint32_t block,
                                                Precision precision = Precision::reference);

// One path traced on the device in the given precision (its state is double either way): every
// step (as trace_path() gives on the host) and every calendar year's simulated values before they
// are rounded to float. The trace kernel runs the production kernel's run_path.
struct DeviceTrace {
  std::uint64_t path = 0;
  std::vector<TrajectoryPoint> steps;     // one per step
  std::vector<double> year_values;        // [year][simulated variable]
  std::vector<int> year_binding_steps;    // [year][binding code]
};
std::vector<DeviceTrace> trace_paths(const Scenario& scenario, std::uint64_t seed,
                                     const std::vector<std::uint64_t>& paths,
                                     Precision precision = Precision::reference);

// ---- host-side pieces (plain C++, every build) -------------------------------------------------------

// What a run needs to keep per path and at once, and what it may use.
struct MemoryNeeds {
  std::uint64_t paths = 0;
  std::uint64_t value_columns = 0;            // (variable, year) columns reported, derived included
  std::uint64_t simulated_value_columns = 0;  // those the kernels write per batch
  std::uint64_t binding_columns = 0;          // (binding code, year) columns
  std::uint64_t sort_temp_bytes = 0;          // CUB's temporary storage to sort one column of `paths`
  std::uint64_t budget_bytes = 0;             // device bytes the run may allocate
  std::uint64_t requested_batch = 0;          // LaunchOptions::batch_paths
  bool must_stage = false;                    // LaunchOptions::stage_on_host, or > 2³² − 1 paths
};

struct MemoryPlan {
  bool resident = false;          // all results stay on the device, reduced in place
  bool reduce_on_device = true;   // false: not even one column fits; the host reduces
  std::uint64_t batch_paths = 0;  // paths per simulation launch
  std::uint64_t value_columns_per_group = 0;    // staged reduction: columns uploaded at once
  std::uint64_t binding_columns_per_group = 0;
  std::uint64_t device_bytes = 0;  // the most the plan allocates at once
};

// Device bytes the reductions need besides the columns themselves: the sort's second buffer and
// temporary storage, the per-chunk partial sums of `columns` columns, and the outputs.
std::uint64_t reduction_scratch_bytes(std::uint64_t paths, std::uint64_t columns, std::uint64_t sort_temp_bytes,
                                      std::uint64_t ranks, std::uint64_t thresholds);

// Resident when everything fits in the budget, else staged through the host. Throws
// ResourceError when not even one path fits.
MemoryPlan plan_memory(const MemoryNeeds& needs);

// The order statistics (0-based ranks, sorted, unique) that the quantiles at `levels` and their
// 95 % intervals need among `paths` values: per level ⌊(P−1)q⌋ and the one above it (numpy's
// `linear`) and the interval's two ends. The host reduction's own list (plan_quantiles in
// host/reduce/quantiles.hpp), so both backends ask for the same order statistics.
std::vector<std::uint64_t> quantile_ranks(std::uint64_t paths, const std::vector<double>& levels);

// Everything the Summary needs from the per-path columns, and nothing more.
struct ColumnReduction {
  double sum = 0.0;                 // Σ x
  double squared_deviations = 0.0;  // Σ (x − Σx/P)²
  // The exact sums of the CPU reductions (exact_sum.hpp), when the reduction made them: the
  // summary's mean and sd then come from these, as summarize()'s do. The device sums doubles
  // in a fixed tree order instead, equal to them to rounding (docs/gpu.md).
  bool has_exact = false;
  ExactMoments exact;
  std::vector<float> order_statistics;  // the values at quantile_ranks(), in that order
  // The column's value distribution: how many values have each top kDistributionKeyBits bits of
  // their order key (order_key.hpp), as the CPU's count_distribution counts them; empty when
  // the reduction did not count them.
  std::vector<std::uint64_t> distribution;
};
struct BindingReduction {
  std::uint64_t steps = 0;    // Σ binding steps over paths
  std::uint64_t squares = 0;  // Σ steps²
  std::uint64_t any = 0;      // paths with at least one binding step
};
struct RunReduction {
  std::uint64_t paths = 0;
  std::vector<ColumnReduction> columns;    // [variable][year], Scenario::variables order
  std::vector<BindingReduction> binding;   // [code][year], code 0 = demand
  std::vector<std::uint64_t> threshold_hits;  // per Scenario::thresholds entry
};

// The Summary from reduced columns, with summarize()'s formulas. Given reduce_on_host() of the
// same results it equals summarize() bit for bit (tested on the CPU).
Summary assemble_summary(const Scenario& scenario, const RunReduction& reduction, std::uint64_t seed);

// The reference reduction on the host, in path order (the device sums in a fixed tree order).
RunReduction reduce_on_host(const Scenario& scenario, const PathResults& results);

}  // namespace chokepoint::cuda
