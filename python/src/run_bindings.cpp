// Runs: the summary as summary.json's text (the package turns it into pandas tables, so fields
// added to summary.json appear without a change here) and, when asked, the per-path results,
// handed to numpy without a copy: the arrays' base is the PathResults that owns the memory.
#include <omp.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <chrono>
#include <memory>

#include "bindings.hpp"
#include "chokepoint/cuda_backend.hpp"
#include "chokepoint/engine.hpp"
#include "chokepoint/summary_io.hpp"
#include "chokepoint/trajectory_csv.hpp"
#include "progress.hpp"

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
  if (options.paths == 0) throw InputError({InputProblem{"(arguments)", "paths", "at least 1 path", "0"}});
  if (options.backend != "auto" && options.backend != "cpu" && options.backend != "cuda")
    throw InputError({InputProblem{"(arguments)", "backend", "auto, cpu or cuda", "\"" + options.backend + "\""}});
  if (options.backend == "cuda" && !cuda_available())
    throw ResourceError("backend=\"cuda\": no CUDA device is available (this build: " +
                        std::string(CHOKEPOINT_HAVE_CUDA ? "with" : "without") + " CUDA support)");
  const bool use_cuda = options.backend == "cuda" || (options.backend == "auto" && cuda_available());
  const auto begin = std::chrono::steady_clock::now();
  const int threads = options.threads > 0 ? options.threads : omp_get_max_threads();
  KeptRun kept;
  cuda::LaunchOptions launch;
  launch.precision = options.precision;
  kept.paths = std::make_shared<PathResults>(
      use_cuda ? cuda::simulate_cuda(scenario, options.paths, options.seed, launch, options.progress)
               : simulate_cpu(scenario, options.paths, options.seed, threads, options.progress, options.precision));
  add_derived_outputs(scenario, *kept.paths, options.seed, threads);
  kept.summary = summarize(scenario, *kept.paths, options.seed, threads);
  kept.summary.backend = use_cuda ? "cuda" : "cpu";
  kept.summary.precision = precision_name(options.precision);
  kept.summary.device = use_cuda ? cuda_device_name()
                                 : "CPU, " + std::to_string(threads) + " thread" + (threads == 1 ? "" : "s");
  kept.summary.threads = threads;
  kept.summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  return kept;
}

Precision precision_named(const std::string& name) {
  if (name == "mixed") return Precision::mixed;
  if (name == "reference") return Precision::reference;
  throw InputError({InputProblem{"(arguments)", "precision", "\"mixed\" or \"reference\"", "\"" + name + "\""}});
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
         py::object report, bool keep_paths, const std::string& precision) {
        RunOptions options;
        options.precision = precision_named(precision);
        options.paths = paths;
        options.seed = seed;
        options.backend = backend;
        options.threads = threads;
        ProgressRelay relay(std::move(report));
        const KeptRun kept = relay.run([&](std::function<void(double)> progress) {
          options.progress = std::move(progress);
          if (keep_paths) return run_keeping_paths(scenario, options);
          return KeptRun{run(scenario, options), nullptr};
        });
        return py::make_tuple(summary_json_text(kept.summary), kept.paths);
      },
      py::arg("scenario"), py::arg("paths"), py::arg("seed"), py::arg("backend"), py::arg("threads"),
      py::arg("report"), py::arg("keep_paths"), py::arg("precision"));

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
