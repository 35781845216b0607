// The streaming driver: one pass over a range of paths, simulated in batches on every thread,
// each batch reduced into the thread's accumulators and dropped.
#pragma once

#include <cstdint>
#include <functional>

#include "chokepoint/scale.hpp"
#include "reduce/run_accumulators.hpp"

namespace chokepoint {

// How far a pass over a range has come: paths before next_path are in the accumulators.
struct PassProgress {
  std::uint64_t next_path = 0;
  PassAccumulators accumulators;
};

inline constexpr std::uint64_t kDefaultBatchPaths = 8192;

// Runs paths [progress.next_path, range.end) of the pass `plan` asks for. After each chunk of
// `chunk_paths` paths (0: the whole range) calls `committed` with the progress so far.
// `fraction` reports the share of the range done, from one thread; it may throw to stop the pass
// (Python's Ctrl-C): no further batch starts, nothing more is committed, and the exception is
// rethrown once the threads have joined.
void run_pass(const Scenario& scenario, std::uint64_t seed, Precision precision, int threads, PathRange range,
              const SelectionPlan& plan,
              PassProgress& progress, std::uint64_t batch_paths, std::uint64_t chunk_paths,
              const std::function<void(const PassProgress&)>& committed, const std::function<void(double)>& fraction);

// The share of a run's progress bar that pass `pass` ends at (the passes after the first
// re-simulate, so each is about as long as the first; most runs need two).
double progress_after_pass(int pass);

}  // namespace chokepoint
