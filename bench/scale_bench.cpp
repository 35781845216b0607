// The cost of bounded memory (docs/scale.md): CPU seconds of a streaming run (pass by pass)
// against the one-pass run that keeps every path, on the baseline scenario, one thread.
//
//   ./build/bench/scale_bench [PATHS...]      (default 100000 1000000)
//
// CPU seconds of this process (getrusage), not wall time, so that other work on a shared
// machine weighs less; each figure is the best of two runs. Prints a Markdown table.
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "chokepoint/engine.hpp"
#include "reduce/streaming_run.hpp"

namespace {

using namespace chokepoint;

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

struct Streamed {
  double seconds = 0;
  std::vector<double> pass_seconds;
};

Streamed streaming(const Scenario& scenario, std::uint64_t paths) {
  Streamed result;
  const double begin = cpu_seconds();
  SelectionPlan plan = first_run_plan(scenario, paths, 1);
  MomentCounts moments;
  for (;;) {
    const double pass_begin = cpu_seconds();
    PassProgress progress{0, empty_pass_accumulators(scenario, plan)};
    run_pass(scenario, 1, Precision::mixed, 1, PathRange{0, paths}, plan, progress, 0, 0, {}, {});
    if (plan.pass == 1) moments = std::move(progress.accumulators.moments);
    plan = advance(plan, progress.accumulators.selection);
    result.pass_seconds.push_back(cpu_seconds() - pass_begin);
    if (plan.finished()) break;
  }
  const Summary summary = summary_from_accumulators(scenario, 1, moments, plan);
  result.seconds = cpu_seconds() - begin;
  if (summary.paths != paths) std::abort();
  return result;
}

double one_pass(const Scenario& scenario, std::uint64_t paths) {
  const double begin = cpu_seconds();
  PathResults results = simulate_cpu(scenario, paths, 1, 1);
  const Summary summary = summarize(scenario, results, 1, 1);
  if (summary.paths != paths) std::abort();
  return cpu_seconds() - begin;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::uint64_t> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::strtoull(argv[i], nullptr, 10));
  if (sizes.empty()) sizes = {100000, 1000000};
  const Scenario scenario = load_scenario(std::string(CHOKEPOINT_SOURCE_DIR) + "/scenarios/baseline.json");
  std::printf("| paths | one pass, all paths kept (CPU s) | streaming (CPU s) | passes (CPU s each) | ratio |\n");
  std::printf("|---|---|---|---|---|\n");
  for (std::uint64_t paths : sizes) {
    double kept = 1e300;
    Streamed best;
    best.seconds = 1e300;
    for (int repeat = 0; repeat < 2; ++repeat) {
      kept = std::min(kept, one_pass(scenario, paths));
      const Streamed streamed = streaming(scenario, paths);
      if (streamed.seconds < best.seconds) best = streamed;
    }
    std::string passes;
    for (double seconds : best.pass_seconds) passes += (passes.empty() ? "" : " + ") + std::to_string(seconds).substr(0, 5);
    std::printf("| %llu | %.2f | %.2f | %zu (%s) | %.2f |\n", static_cast<unsigned long long>(paths), kept, best.seconds,
                best.pass_seconds.size(), passes.c_str(), best.seconds / kept);
    std::fflush(stdout);
  }
}
