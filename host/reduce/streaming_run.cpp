#include "reduce/streaming_run.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <exception>

namespace chokepoint {

PathRange shard_range(std::uint64_t paths, ShardSpec shard) {
  // ⌊I·P/N⌋ without overflow: I·⌊P/N⌋ + ⌊I·(P mod N)/N⌋, and I·(P mod N) < N² fits for N < 2³².
  auto boundary = [&](std::uint64_t index) {
    return index * (paths / shard.count) + index * (paths % shard.count) / shard.count;
  };
  return PathRange{boundary(shard.index), boundary(shard.index + 1)};
}

double progress_after_pass(int pass) { return pass == 1 ? 0.5 : pass == 2 ? 0.9 : 1.0; }

void run_pass(const Scenario& scenario, std::uint64_t seed, Precision precision, int threads, PathRange range,
              const SelectionPlan& plan,
              PassProgress& progress, std::uint64_t batch_paths, std::uint64_t chunk_paths,
              const std::function<void(const PassProgress&)>& committed, const std::function<void(double)>& fraction) {
  const std::uint64_t batch = batch_paths > 0 ? batch_paths : kDefaultBatchPaths;
  const std::uint64_t chunk = chunk_paths > 0 ? chunk_paths : range.size();
  const int thread_count = threads > 0 ? threads : omp_get_max_threads();
  std::atomic<std::uint64_t> done{progress.next_path - range.begin};
  std::atomic<bool> stopping{false};
  std::exception_ptr stopped_by;  // written by thread 0 only

#pragma omp parallel num_threads(thread_count)
  {
    PathResults results;
    PassAccumulators local = empty_pass_accumulators(scenario, plan);
    while (progress.next_path < range.end) {
      const std::uint64_t chunk_begin = progress.next_path;
      const std::uint64_t chunk_end = std::min(range.end, chunk_begin + chunk);
      const std::int64_t batches = static_cast<std::int64_t>((chunk_end - chunk_begin + batch - 1) / batch);
#pragma omp for schedule(dynamic, 1)
      for (std::int64_t b = 0; b < batches; ++b) {
        if (stopping.load(std::memory_order_relaxed)) continue;
        const std::uint64_t first = chunk_begin + static_cast<std::uint64_t>(b) * batch;
        const std::uint64_t count = std::min(batch, chunk_end - first);
        simulate_cpu_batch(scenario, first, count, seed, results, precision);
        add_derived_outputs(scenario, results, seed, 1, first);
        add_batch(scenario, plan, results, local);
        if (plan.pass == 1) add_first_order_batch(scenario, seed, first, results, local.moments.first_order);
        const std::uint64_t finished = done += count;
        if (fraction && omp_get_thread_num() == 0) {
          try {
            fraction(static_cast<double>(finished) / static_cast<double>(range.size()));
          } catch (...) {
            stopped_by = std::current_exception();
            stopping.store(true, std::memory_order_relaxed);
          }
        }
      }
      // Integer sums: the order in which threads merge changes no bit.
#pragma omp critical(chokepoint_pass_merge)
      progress.accumulators.merge(local);
#pragma omp barrier
#pragma omp single
      {
        if (stopping.load(std::memory_order_relaxed)) {
          progress.next_path = range.end;  // every thread leaves the loop; a stopped chunk is never committed
        } else {
          progress.next_path = chunk_end;
          if (committed) committed(progress);
        }
      }
      if (progress.next_path < range.end) local = empty_pass_accumulators(scenario, plan);
    }
  }
  if (stopped_by) std::rethrow_exception(stopped_by);
}

Summary run_streaming(const Scenario& scenario, const RunOptions& options, std::uint64_t batch_paths) {
  const PathRange range{0, options.paths};
  SelectionPlan plan = first_run_plan(scenario, options.paths, options.seed);
  MomentCounts moments;
  for (;;) {
    PassProgress progress{0, empty_pass_accumulators(scenario, plan)};
    const double from = plan.pass == 1 ? 0.0 : progress_after_pass(plan.pass - 1);
    const double to = progress_after_pass(plan.pass);
    std::function<void(double)> fraction;
    if (options.progress) fraction = [&](double done) { options.progress(from + (to - from) * done); };
    run_pass(scenario, options.seed, options.precision, options.threads, range, plan, progress, batch_paths, 0, {},
             fraction);
    if (plan.pass == 1) moments = std::move(progress.accumulators.moments);
    plan = advance(plan, progress.accumulators.selection);
    if (plan.finished()) break;
  }
  if (options.progress) options.progress(1.0);
  return summary_from_accumulators(scenario, options.seed, moments, plan);
}

}  // namespace chokepoint
