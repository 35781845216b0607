// libchokepoint's public entry points: load a scenario, run it on a backend, read the summary.
// The CLI, the tests and (later) the Python and MPI front ends all go through these.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "chokepoint/errors.hpp"
#include "chokepoint/model.hpp"
#include "chokepoint/precision.hpp"
#include "chokepoint/result_buffer.hpp"
#include "chokepoint/summary.hpp"

namespace chokepoint {

struct VariableInfo {
  std::string name;
  std::string unit;
  bool is_flow = true;
};

// A derived output (docs/scenario-format.md, "derived"): a linear function of reported variables,
// value = constant + Σ coefficient · variable per year; the CPU backend computes it inside the
// simulation (simulate_cpu's and simulate_cuda's results already hold it).
// Coefficients are schedules whose entries may be distributions, drawn once per path from their
// own named random streams, so two scenarios that share a coefficient's name share its draws.
struct DerivedTerm {
  int variable = 0;          // index into Scenario::variables, an earlier variable
  ScheduleRef coefficient;   // per calendar year, in Model::schedule_table
};

struct DerivedOutput {
  int variable = 0;          // its own index into Scenario::variables
  ScheduleRef constant;
  std::vector<DerivedTerm> terms;
};

struct ThresholdRequest {
  int variable = 0;   // index into Scenario::variables
  int year = 0;       // calendar year
  double at_least = 0.0;
};

// A validated scenario, compiled into a Model. Cheap to copy (the Model is shared).
struct Scenario {
  std::string name;
  std::string file;
  std::shared_ptr<const Model> model;
  std::vector<std::string> factor_names;
  std::vector<std::string> stage_names;
  std::vector<std::string> stage_units;
  std::vector<std::string> event_names;
  std::vector<std::string> parameter_names;  // Model::uncertain's order: each drawn parameter's stream name
  std::vector<VariableInfo> variables;       // simulated variables first, then the derived outputs
  std::vector<DerivedOutput> derived;        // in the order the scenario lists them
  std::vector<double> quantile_levels;
  std::vector<ThresholdRequest> thresholds;
  std::vector<std::string> notes;
  std::string resolved_json;  // the scenario as compiled (extends applied), to re-run it exactly

  std::vector<int> calendar_years() const;
  int variable_index(const std::string& variable_name) const;  // −1 when unknown
};

// Reads, merges (`extends`), validates and compiles a scenario file.
// Throws InputError listing every problem found (file, JSON path, expected, found).
Scenario load_scenario(const std::string& path);

// The same from JSON text; `file` names it in error messages and resolves `extends`.
Scenario load_scenario_text(const std::string& text, const std::string& file);

// `base` as it was compiled (Scenario::resolved_json) with `patch`, JSON text, applied the way
// `extends` applies a stress to its parent (an RFC 7396 merge patch, schedules kept in calendar
// order), then validated and compiled. `file` names the patch in error messages. Throws InputError.
Scenario patch_scenario(const Scenario& base, const std::string& patch, const std::string& file);

struct RunOptions {
  std::uint64_t paths = 100000;
  std::uint64_t seed = 1;
  std::string backend = "auto";  // auto | cpu | cuda
  int threads = 0;               // 0: all cores
  Precision precision = Precision::mixed;  // precision.hpp; both backends run either
  // The CPU backend keeps every path in memory (one pass) when that takes at most this many
  // bytes, and streams batches through bounded accumulators (docs/scale.md) beyond it. Both
  // give the same summary bit for bit.
  std::uint64_t keep_paths_up_to_bytes = std::uint64_t{1} << 30;
  // Called with the fraction done, from one thread. It may throw to stop the run (Python's
  // Ctrl-C does): the backend starts no further batch and rethrows once its threads have joined.
  std::function<void(double)> progress;
};

// Per-path results of a run, column-major so that each (variable, year) is one contiguous column.
// Values are stored as float: exact order statistics of values rounded to 24 bits (relative
// 6e-8, far below any Monte Carlo error), at half the memory of double.
struct PathResults {
  std::uint64_t paths = 0;
  int years = 0;
  int variables = 0;
  int binding_codes = 0;
  ResultBuffer<float> values;                // [variable][year][path]
  ResultBuffer<std::uint8_t> binding_steps;  // [code][year][path]

  float* column(int variable, int year) {
    return values.data() + (static_cast<std::size_t>(variable) * years + year) * paths;
  }
  const float* column(int variable, int year) const {
    return values.data() + (static_cast<std::size_t>(variable) * years + year) * paths;
  }
  std::uint8_t* binding_column(int code, int year) {
    return binding_steps.data() + (static_cast<std::size_t>(code) * years + year) * paths;
  }
  const std::uint8_t* binding_column(int code, int year) const {
    return binding_steps.data() + (static_cast<std::size_t>(code) * years + year) * paths;
  }
};

// Paths the CPU backend runs per SIMD pack (8 with AVX-512, 4 with AVX2, 2 otherwise).
int cpu_pack_width();

// Bytes a run of `paths` paths keeps per path (values and binding counts).
std::uint64_t bytes_per_path(const Scenario& scenario);

// Runs the scenario and reduces it. Deterministic: the same scenario, paths and seed give the
// same Summary bit for bit, whatever the thread count. Throws ResourceError (exit 3) when the
// backend or memory is not available.
Summary run(const Scenario& scenario, const RunOptions& options);

// run()'s reduction of paths it keeps, for paths already simulated: `results` holds paths
// [0, results.paths) of options.seed in options.precision, as simulate_cpu gives them (derived
// outputs are added when missing). The same summary as run() with options.paths = results.paths
// on the CPU, without simulating again; `seconds` counts the reduction only.
Summary run_kept_paths(const Scenario& scenario, const RunOptions& options, PathResults& results);

// The pieces of run(), for tests and other front ends.
PathResults simulate_cpu(const Scenario& scenario, std::uint64_t paths, std::uint64_t seed,
                         int threads, const std::function<void(double)>& progress = {},
                         Precision precision = Precision::mixed);
Summary summarize(const Scenario& scenario, PathResults& results, std::uint64_t seed, int threads);
// How the headline variables' mean and median settle as paths are added (Summary::convergence),
// from results in path order; run() adds it when it keeps the paths in memory.
std::vector<ConvergenceTrace> convergence_traces(const Scenario& scenario, const PathResults& results, int threads);

// Paths [first_path, first_path + count) on this thread into `batch` (slot i is path
// first_path + i), reusing its storage: the same bits as simulate_cpu gives those paths, since
// every path's draws depend only on (seed, stream, path). Derived outputs included.
void simulate_cpu_batch(const Scenario& scenario, std::uint64_t first_path, std::uint64_t count, std::uint64_t seed,
                        PathResults& batch, Precision precision = Precision::mixed);

// Appends the scenario's derived outputs as columns after the simulated variables, so that
// `results` then holds one column per entry of Scenario::variables. Deterministic: each path's
// value depends only on its own columns and its own draws (seed, coefficient name, path index
// first_path + slot). Does nothing when the columns are already there. summarize() calls it for
// callers that did not.
void add_derived_outputs(const Scenario& scenario, PathResults& results, std::uint64_t seed, int threads,
                         std::uint64_t first_path = 0);

// One path, step by step, for tests and for users checking by hand; the same numbers as
// simulate_cpu gives that path in the same precision.
struct TrajectoryPoint {
  int step = 0;
  double token_demand = 0, throughput = 0, wanted = 0, produced = 0, deployed = 0;
  double inventory = 0, installed_base = 0, token_capacity = 0, served = 0;
  int binding = 0;
};
std::vector<TrajectoryPoint> trace_path(const Scenario& scenario, std::uint64_t seed, std::uint64_t path,
                                        Precision precision = Precision::mixed);

// The CUDA backend: the same per-path code on a GPU, in the mixed precision (cuda_backend.hpp
// takes others). Throws ResourceError (exit 3) when the build has no CUDA or no device is present.
bool cuda_available();
std::string cuda_device_name();
PathResults simulate_cuda(const Scenario& scenario, std::uint64_t paths, std::uint64_t seed,
                          const std::function<void(double)>& progress = {});

}  // namespace chokepoint
