// Runs: the summary as summary.json's text (the package turns it into pandas tables, so fields
// added to summary.json appear without a change here) and, when asked, the per-path results,
// handed to numpy without a copy: the arrays' base is the PathResults that owns the memory.
// A run to a target standard error (`run --target-se X --for SPEC`) is the CLI's search.
#include <omp.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <chrono>
#include <memory>
#include <optional>

#include "arguments.hpp"
#include "bindings.hpp"
#include "chokepoint/cuda_backend.hpp"
#include "simulate/backend_choice.hpp"
#include "chokepoint/engine.hpp"
#include "chokepoint/summary_io.hpp"
#include "chokepoint/trajectory_csv.hpp"
#include "progress.hpp"
#include "reduce/target_se_run.hpp"

namespace py = pybind11;

namespace chokepoint::python {

namespace {

struct KeptRun {
  Summary summary;
  std::shared_ptr<PathResults> paths;
};

// run() of engine.hpp, keeping the per-path results it would drop. On the GPU the values are
// simulated there and reduced on the host, by the same code as a CPU run.
KeptRun run_keeping_paths(const Scenario& scenario, const RunOptions& options) {
  const bool use_cuda = use_cuda_backend(options.backend);  // checked as run() checks it
  const auto begin = std::chrono::steady_clock::now();
  const int threads = options.threads > 0 ? options.threads : omp_get_max_threads();
  KeptRun kept;
  cuda::LaunchOptions launch;
  launch.precision = options.precision;
  kept.paths = std::make_shared<PathResults>(
      use_cuda ? cuda::simulate_cuda(scenario, options.paths, options.seed, launch, options.progress)
               : simulate_cpu(scenario, options.paths, options.seed, threads, options.progress, options.precision));
  kept.summary = run_kept_paths(scenario, options, *kept.paths);  // run()'s reduction of kept paths
  if (use_cuda) {
    kept.summary.backend = "cuda";
    kept.summary.device = cuda_device_name();
  }
  kept.summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  return kept;
}

// `target_se=X, target_for=SPEC`, checked as the command line checks --target-se and --for
// (host/cli/target_se_option.cpp): both or neither, X a finite number > 0, SPEC naming a
// variable or stage, a year of the run and a statistic. Nothing when neither is given.
struct TargetRequest {
  TargetSpec spec;
  double se = 0.0;
};

std::optional<TargetRequest> target_request(const Scenario& scenario, const std::string& target_se,
                                            const std::string& target_for) {
  if (target_se.empty() && target_for.empty()) return std::nullopt;
  if (target_for.empty())
    throw InputError({InputProblem{"(arguments)", "target_for", "target_for=\"VARIABLE:YEAR[:STATISTIC]\" with target_se",
                                   "no target_for"}});
  if (target_se.empty())
    throw InputError({InputProblem{"(arguments)", "target_se", "target_se=X with target_for", "no target_se"}});
  return naming_arguments({{"--target-se", "target_se"}, {"--for", "target_for"}}, [&] {
    return TargetRequest{parse_target_spec(scenario, target_for), parse_target_se(target_se)};
  });
}

// run_to_target_se (reduce/target_se_run.hpp), keeping the paths when asked: the same search
// (CPU, doubling batches from 2^14 paths, options.paths the cap), then the run of the paths it
// stopped at with the record in the summary. Progress: the search's batches fill the first half
// (its length is not known ahead; a search stopped early jumps to 0.5), the run the second (a
// search that kept its paths within the memory for them reduces those and jumps to 1).
KeptRun run_to_target(const Scenario& scenario, RunOptions options, const TargetRequest& target, bool keep_paths,
                      const std::function<void(double)>& progress) {
  const double cap = static_cast<double>(options.paths);
  const auto after_batch = [&](const TargetSeStep& step) {
    if (progress) progress(0.5 * static_cast<double>(step.paths) / cap);
  };
  if (progress) options.progress = [&](double fraction) { progress(0.5 + 0.5 * fraction); };
  if (!keep_paths) return KeptRun{run_to_target_se(scenario, options, target.spec, target.se, after_batch), nullptr};
  TargetSearchOptions search;  // as run_to_target_se sets it
  search.target = target.se;
  search.cap = options.paths;
  search.first_batch = kTargetFirstBatch;
  search.threads = options.threads;
  search.precision = options.precision;
  search.after_batch = after_batch;
  const TargetSeRecord record = search_target_se(scenario, options.seed, target.spec, search).record;
  options.paths = record.paths;
  KeptRun kept = run_keeping_paths(scenario, options);
  kept.summary.target_se = record;
  return kept;
}

// A read-only view of `count` columns of `paths` values each, kept alive by `owner`.
template <class T>
py::array column_view(const py::object& owner, const T* data, std::size_t count, int years, std::uint64_t paths) {
  const auto rows = static_cast<py::ssize_t>(count);
  const auto columns = static_cast<py::ssize_t>(years);
  const auto width = static_cast<py::ssize_t>(paths);
  const auto item = static_cast<py::ssize_t>(sizeof(T));
  py::array view(py::dtype::of<T>(), {rows, columns, width}, {columns * width * item, width * item, item}, data, owner);
  view.attr("flags").attr("writeable") = false;
  return view;
}

}  // namespace

void bind_run(py::module_& module) {
  py::class_<PathResults, std::shared_ptr<PathResults>>(module, "PathResults")
      .def_readonly("paths", &PathResults::paths)
      .def_readonly("years", &PathResults::years)
      .def_readonly("variables", &PathResults::variables)
      .def_readonly("binding_codes", &PathResults::binding_codes)
      .def_property_readonly("values",  // [variable][year][path], float32
                             [](const py::object& self) {
                               const auto& results = self.cast<const PathResults&>();
                               return column_view(self, results.values.data(), results.variables, results.years,
                                                  results.paths);
                             })
      .def_property_readonly("binding_steps",  // [code][year][path], uint8
                             [](const py::object& self) {
                               const auto& results = self.cast<const PathResults&>();
                               return column_view(self, results.binding_steps.data(), results.binding_codes,
                                                  results.years, results.paths);
                             });

  module.def(
      "run",
      [](const Scenario& scenario, std::uint64_t paths, std::uint64_t seed, const std::string& backend, int threads,
         py::object report, bool keep_paths, const std::string& precision, const std::string& target_se,
         const std::string& target_for) {
        // Every argument is checked before a path is simulated, as the command line does.
        if (paths == 0) throw InputError({InputProblem{"(arguments)", "paths", "at least 1 path", "0"}});
        check_backend(backend);
        RunOptions options;
        options.precision = precision_named(precision);
        options.paths = paths;
        options.seed = seed;
        options.backend = backend;
        options.threads = threads;
        const std::optional<TargetRequest> target = target_request(scenario, target_se, target_for);
        ProgressRelay relay(std::move(report));
        const KeptRun kept = relay.run([&](std::function<void(double)> progress) {
          if (target) return run_to_target(scenario, options, *target, keep_paths, progress);
          options.progress = std::move(progress);
          if (keep_paths) return run_keeping_paths(scenario, options);
          return KeptRun{run(scenario, options), nullptr};
        });
        return py::make_tuple(summary_json_text(kept.summary), kept.paths);
      },
      py::arg("scenario"), py::arg("paths"), py::arg("seed"), py::arg("backend"), py::arg("threads"),
      py::arg("report"), py::arg("keep_paths"), py::arg("precision"), py::arg("target_se"), py::arg("target_for"));

  module.def(
      "trajectories_csv",
      [](const Scenario& scenario, std::uint64_t seed, std::uint64_t paths, const std::string& precision) {
        const Precision chosen = precision_named(precision);
        py::gil_scoped_release release;
        return trajectory_csv_text(scenario, seed, paths, chosen);
      },
      py::arg("scenario"), py::arg("seed"), py::arg("paths"), py::arg("precision"));
  module.def("cuda_available", &cuda_available);
  module.def("cpu_pack_width", &cpu_pack_width);
}

}  // namespace chokepoint::python
