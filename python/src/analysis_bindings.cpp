// Paired differences and the calibration check, returned as the JSON texts the CLI writes
// (diff.json, calibration.json), which the package turns into pandas tables.
#include <omp.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "chokepoint/calibration.hpp"
#include "chokepoint/paired_difference.hpp"
#include "chokepoint/summary_io.hpp"
#include "progress.hpp"

namespace py = pybind11;

namespace chokepoint::python {

void bind_analyses(py::module_& module) {
  module.def(
      "diff",
      [](const Scenario& stress, const Scenario& base, std::uint64_t paths, std::uint64_t seed, int threads,
         py::object report) {
        if (paths == 0) throw InputError({InputProblem{"(arguments)", "paths", "at least 1 path", "0"}});
        ProgressRelay relay(std::move(report));
        return relay.run([&](const std::function<void(double)>& progress) {
          const int thread_count = threads > 0 ? threads : omp_get_max_threads();
          // The same as paired_difference(stress, base, …), with progress: half for each side.
          PathResults stress_results = simulate_cpu(stress, paths, seed, thread_count, [&](double done) {
            if (progress) progress(done / 2);
          });
          PathResults base_results = simulate_cpu(base, paths, seed, thread_count, [&](double done) {
            if (progress) progress(0.5 + done / 2);
          });
          return difference_json_text(
              paired_difference(stress, stress_results, base, base_results, seed, thread_count));
        });
      },
      py::arg("stress"), py::arg("base"), py::arg("paths"), py::arg("seed"), py::arg("threads"), py::arg("report"));

  module.def(
      "diff_results",
      [](const Scenario& stress, PathResults& stress_results, const Scenario& base, PathResults& base_results,
         std::uint64_t seed, int threads) {
        return difference_json_text(paired_difference(stress, stress_results, base, base_results, seed, threads));
      },
      py::arg("stress"), py::arg("stress_results"), py::arg("base"), py::arg("base_results"), py::arg("seed"),
      py::arg("threads"), py::call_guard<py::gil_scoped_release>());

  module.def(
      "calibrate",
      [](const Scenario& scenario, const std::string& targets_file, std::uint64_t paths, std::uint64_t seed,
         const std::string& backend, int threads, py::object report) {
        // As `chokepoint calibrate`: the targets are checked first, then the run holds the
        // quantiles and threshold counts the median targets and tail checks read.
        Scenario with_levels = scenario;
        CalibrationTargets targets;
        {
          py::gil_scoped_release release;
          targets = read_calibration_targets(targets_file, scenario);
        }
        prepare_calibration_run(with_levels, targets);
        RunOptions options;
        options.paths = paths;
        options.seed = seed;
        options.backend = backend;
        options.threads = threads;
        ProgressRelay relay(std::move(report));
        const Summary summary = relay.run([&](std::function<void(double)> progress) {
          options.progress = std::move(progress);
          return run(with_levels, options);
        });
        return py::make_tuple(calibration_json_text(check_calibration(summary, targets)),
                              summary_json_text(summary));
      },
      py::arg("scenario"), py::arg("targets_file"), py::arg("paths"), py::arg("seed"), py::arg("backend"),
      py::arg("threads"), py::arg("report"));
}

}  // namespace chokepoint::python
