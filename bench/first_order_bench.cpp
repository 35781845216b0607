// What the first-order indices cost every run (docs/sensitivity.md): recomputing each path's
// inputs and adding the path to the first-order sums, against the rest of a plain run of the
// baseline, one thread, in the same process. Two plain runs:
//  * kept: a run that keeps its PATHS paths (simulate_cpu + summarize), the cheapest per path;
//  * streamed: `chokepoint run` of STREAMED paths as a user gets it by default (10⁶ baseline paths
//    do not fit the default memory for paths, so they stream in two or three passes; the first-order
//    parts run in the first pass only). Its first-order parts are timed on the same batches
//    simulated again, since run_streaming does them inside its batches.
//
//   ./build/bench/first_order_bench [PATHS [STREAMED]]      (defaults 100000 and 0: no streamed run)
//
// CPU seconds of the process (CLOCK_PROCESS_CPUTIME_ID), so that other work on a shared machine
// weighs less; each figure is the best of two repeats. summarize() itself includes both parts,
// so the plain run is the whole run less the two parts measured apart on the same paths.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "chokepoint/engine.hpp"
#include "chokepoint/path_inputs.hpp"
#include "chokepoint/scale.hpp"
#include "reduce/first_order_sums.hpp"
#include "reduce/run_accumulators.hpp"
#include "reduce/streaming_run.hpp"

namespace {

using namespace chokepoint;

double cpu_seconds() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

struct Parts {
  double inputs = 0.0;
  double add = 0.0;
};

// The two first-order parts of paths [0, paths) in chunks of `chunk`, timed apart:
// `results_of(first, count, slot)` gives the results that hold the chunk (untimed) and the slot
// of its first path there.
template <class ResultsOf>
Parts time_parts(const Scenario& scenario, std::uint64_t paths, std::uint64_t chunk, ResultsOf results_of,
                 std::uint64_t& checksum) {
  FirstOrderSums sums(scenario, first_order_scales(scenario, pilot_paths(scenario, paths, 1)));
  PathInputs inputs;
  Parts parts;
  for (std::uint64_t first = 0; first < paths; first += chunk) {
    const std::uint64_t count = std::min(chunk, paths - first);
    std::uint64_t slot = 0;
    const PathResults& results = results_of(first, count, slot);
    const double t0 = cpu_seconds();
    compute_path_inputs(scenario, 1, first, count, inputs, false);
    const double t1 = cpu_seconds();
    sums.add(inputs, results, slot);
    parts.add += cpu_seconds() - t1;
    parts.inputs += t1 - t0;
  }
  checksum += sums.words().size();
  return parts;
}

void print_row(const char* part, double seconds, double plain, std::uint64_t paths) {
  std::printf("| %s | %.2f | %.2f | %.1f%% |\n", part, seconds, seconds * 1e6 / static_cast<double>(paths),
              100.0 * seconds / plain);
}

// The table of one plain run (`whole` CPU seconds, first-order parts included) and its parts.
void print_table(const char* plain_run, double whole, const Parts& parts, std::uint64_t paths) {
  const double plain = whole - parts.inputs - parts.add;
  std::printf("| part | CPU s | µs per path | share of the plain run |\n|---|---|---|---|\n");
  print_row(plain_run, plain, plain, paths);
  print_row("input recomputation (compute_path_inputs)", parts.inputs, plain, paths);
  print_row("first-order accumulation (FirstOrderSums::add)", parts.add, plain, paths);
  print_row("both", parts.inputs + parts.add, plain, paths);
}

void streamed(const Scenario& scenario, std::uint64_t paths) {
  RunOptions options;
  options.paths = paths;
  options.seed = 1;
  options.threads = 1;
  options.backend = "cpu";
  const double begin = cpu_seconds();
  const Summary summary = run(scenario, options);
  const double whole = cpu_seconds() - begin;
  // run_streaming does the parts inside its batches: timed on the same batches simulated again.
  PathResults batch;
  std::uint64_t checksum = 0;
  const Parts parts = time_parts(
      scenario, paths, kDefaultBatchPaths,
      [&](std::uint64_t first, std::uint64_t count, std::uint64_t& slot) -> const PathResults& {
        simulate_cpu_batch(scenario, first, count, 1, batch);
        add_derived_outputs(scenario, batch, 1, 1, first);
        slot = 0;
        return batch;
      },
      checksum);
  std::printf("\nstreamed: `chokepoint run` of %llu paths, 1 thread, default memory for paths (%s; %zu first-order outputs)\n",
              static_cast<unsigned long long>(paths),
              paths * bytes_per_path(scenario) > options.keep_paths_up_to_bytes ? "streamed" : "kept in memory",
              summary.sensitivity.first_order.size());
  print_table("plain run (the whole run less the two parts below)", whole, parts, paths);
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t paths = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100000;
  const std::uint64_t streamed_paths = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 0;
  const Scenario scenario = load_scenario(std::string(CHOKEPOINT_SOURCE_DIR) + "/scenarios/baseline.json");
  double run = 1e300, inputs_time = 1e300, add_time = 1e300;
  std::uint64_t checksum = 0;
  for (int repeat = 0; repeat < 2; ++repeat) {
    double begin = cpu_seconds();
    PathResults results = simulate_cpu(scenario, paths, 1, 1);
    const Summary summary = summarize(scenario, results, 1, 1);
    run = std::min(run, cpu_seconds() - begin);
    checksum += summary.sensitivity.first_order.size();

    // The two parts alone, in the chunks summarize uses.
    const Parts parts = time_parts(
        scenario, paths, 4096,
        [&](std::uint64_t first, std::uint64_t, std::uint64_t& slot) -> const PathResults& {
          slot = first;
          return results;
        },
        checksum);
    inputs_time = std::min(inputs_time, parts.inputs);
    add_time = std::min(add_time, parts.add);
  }
  const FirstOrderLayout layout = first_order_layout(scenario);
  int outputs = 0;
  for (int y = 0; y < scenario.model->years; ++y) outputs += layout.outputs_of_year(y);
  std::printf("first_order_bench: baseline, %llu paths, 1 thread, %d inputs x %d output-years, %d bins (checksum %llu)\n",
              static_cast<unsigned long long>(paths), layout.input_count(), outputs, kFirstOrderBins,
              static_cast<unsigned long long>(checksum));
  print_table("plain run (simulate + summarize, less the two parts below)", run, Parts{inputs_time, add_time}, paths);
  if (streamed_paths > 0) streamed(scenario, streamed_paths);
  return 0;
}
