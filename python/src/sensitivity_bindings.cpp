// Sensitivity: Sobol indices of input groups (`chokepoint sensitivity`) and the tornado
// (`--tornado`, `run --report`), by the same library calls as the command line
// (host/cli/command_sensitivity.cpp), returned as the texts it writes (sobol.json, tornado.json).
// The default input groups and outputs are exposed so that a notebook can see what it asks about.
#include <pybind11/stl.h>

#include <optional>

#include "analyse/sobol_files.hpp"
#include "analyse/sobol_run.hpp"
#include "analyse/tornado.hpp"
#include "arguments.hpp"
#include "bindings.hpp"
#include "progress.hpp"

namespace py = pybind11;

namespace chokepoint::python {

namespace {

// The command line's limits on these options (host/cli/argument_checks.hpp, command_sensitivity.cpp).
constexpr std::uint64_t kMaxPaths = 1'000'000'000;
constexpr std::int64_t kMaxBootstrap = 100000;

void check_count(const std::string& argument, std::uint64_t value, std::uint64_t low, std::uint64_t high,
                 const std::string& what) {
  if (value < low || value > high)
    throw InputError({InputProblem{"(arguments)", argument,
                                   what + " from " + std::to_string(low) + " to " + std::to_string(high),
                                   std::to_string(value)}});
}

const ArgumentNames kSobolNames{{"--for", "outputs"},   {"--group", "groups"},    {"--paths", "paths"},
                                {"--bootstrap", "bootstrap"}, {"--backend", "backend"},
                                {"--tornado-paths", "tornado_paths"}};

TornadoRequest tornado_request(std::uint64_t paths, std::uint64_t seed, const std::string& backend, int threads,
                               Precision precision) {
  TornadoRequest request;
  request.paths = paths;
  request.seed = seed;
  request.threads = threads;
  request.backend = backend;
  request.precision = precision;
  return request;
}

double tornado_paths_simulated(const Scenario& scenario, std::uint64_t paths) {
  return (1.0 + 2.0 * scenario.model->uncertain_count) * static_cast<double>(paths);
}

}  // namespace

void bind_sensitivity(py::module_& module) {
  module.def(
      "sobol",
      [](const Scenario& scenario, const std::vector<std::string>& output_specs,
         const std::vector<std::string>& group_overrides, std::uint64_t base_samples, std::uint64_t seed,
         const std::string& backend, int threads, const std::string& precision, std::int64_t bootstrap,
         std::uint64_t tornado_paths, py::object report) {
        // As `chokepoint sensitivity`: every argument is checked before a path is simulated.
        check_count("paths", base_samples, 2, kMaxPaths, "a number of base samples");
        if (bootstrap < 2 || bootstrap > kMaxBootstrap)
          throw InputError({InputProblem{"(arguments)", "bootstrap",
                                         "a number of replicates from 2 to " + std::to_string(kMaxBootstrap),
                                         std::to_string(bootstrap)}});
        if (tornado_paths > kMaxPaths) check_count("tornado_paths", tornado_paths, 0, kMaxPaths, "a number of paths");
        check_backend(backend);
        SobolRequest request;
        request.base_samples = base_samples;
        request.seed = seed;
        request.threads = threads;
        request.backend = backend;
        request.precision = precision_named(precision);
        request.bootstrap = static_cast<int>(bootstrap);
        std::vector<SensitivityOutput> outputs;
        std::vector<InputGroup> groups;
        naming_arguments(kSobolNames, [&] {
          for (const std::string& text : output_specs) outputs.push_back(parse_sensitivity_output(scenario, text));
          if (outputs.empty()) outputs = default_sensitivity_outputs(scenario);
          groups = apply_group_overrides(scenario, default_input_groups(scenario), group_overrides);
          return 0;
        });
        if (groups.empty())
          throw InputError({InputProblem{scenario.file, "(scenario)",
                                         "at least one random input (a drawn parameter, a factor with σ or τ above 0, "
                                         "or an event that can fire)",
                                         "none: every path is the same"}});
        // One bar for both parts, each its share of the paths simulated.
        const double sobol_share =
            tornado_paths == 0 ? 1.0
                               : static_cast<double>(sobol_paths(groups.size(), base_samples)) /
                                     (static_cast<double>(sobol_paths(groups.size(), base_samples)) +
                                      tornado_paths_simulated(scenario, tornado_paths));
        ProgressRelay relay(std::move(report));
        const auto texts = relay.run([&](const std::function<void(double)>& progress) {
          return naming_arguments(kSobolNames, [&] {
            request.progress = [&](double fraction) { progress(sobol_share * fraction); };
            const SobolAnalysis analysis = run_sobol(scenario, groups, outputs, request);
            std::optional<std::string> tornado;
            if (tornado_paths > 0) {
              TornadoRequest tornado_run =
                  tornado_request(tornado_paths, seed, backend, threads, request.precision);
              tornado_run.progress = [&](double fraction) { progress(sobol_share + (1.0 - sobol_share) * fraction); };
              tornado = tornado_json_text(compute_tornado(scenario, tornado_run));
            }
            return std::make_pair(sobol_json_text(analysis), tornado);
          });
        });
        return py::make_tuple(texts.first, texts.second);
      },
      py::arg("scenario"), py::arg("outputs"), py::arg("groups"), py::arg("paths"), py::arg("seed"),
      py::arg("backend"), py::arg("threads"), py::arg("precision"), py::arg("bootstrap"), py::arg("tornado_paths"),
      py::arg("report"));

  module.def(
      "tornado",
      [](const Scenario& scenario, std::uint64_t paths, std::uint64_t seed, const std::string& backend, int threads,
         const std::string& precision, py::object report) {
        check_count("paths", paths, 1, kMaxPaths, "a number of paths");
        check_backend(backend);
        TornadoRequest request = tornado_request(paths, seed, backend, threads, precision_named(precision));
        ProgressRelay relay(std::move(report));
        return relay.run([&](std::function<void(double)> progress) {
          request.progress = std::move(progress);
          return naming_arguments({{"--tornado-paths", "paths"}, {"--backend", "backend"}},
                                  [&] { return tornado_json_text(compute_tornado(scenario, request)); });
        });
      },
      py::arg("scenario"), py::arg("paths"), py::arg("seed"), py::arg("backend"), py::arg("threads"),
      py::arg("precision"), py::arg("report"));

  module.def(
      "input_groups",
      [](const Scenario& scenario) {
        std::vector<std::pair<std::string, std::vector<std::string>>> groups;
        for (const InputGroup& group : default_input_groups(scenario)) groups.emplace_back(group.name, group.inputs);
        return groups;
      },
      py::arg("scenario"));

  module.def(
      "sensitivity_outputs",
      [](const Scenario& scenario) {
        std::vector<std::string> labels;
        for (const SensitivityOutput& output : default_sensitivity_outputs(scenario)) labels.push_back(output.label);
        return labels;
      },
      py::arg("scenario"));
}

}  // namespace chokepoint::python
