// Scenarios: loading, merge-patching and the compiled scenario's read-only fields. Everything
// about the scenario's content is read from its resolved JSON on the Python side, so new
// sections of the format need no change here.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "chokepoint/engine.hpp"

namespace py = pybind11;

namespace chokepoint::python {

void bind_scenario(py::module_& module) {
  py::class_<Scenario>(module, "CompiledScenario")
      .def_readonly("name", &Scenario::name)
      .def_readonly("file", &Scenario::file)
      .def_readonly("resolved_json", &Scenario::resolved_json)
      .def_readonly("factor_names", &Scenario::factor_names)
      .def_readonly("stage_names", &Scenario::stage_names)
      .def_readonly("stage_units", &Scenario::stage_units)
      .def_readonly("event_names", &Scenario::event_names)
      .def_readonly("quantile_levels", &Scenario::quantile_levels)
      .def_readonly("notes", &Scenario::notes)
      .def_property_readonly("years", &Scenario::calendar_years)
      .def_property_readonly("variables",
                             [](const Scenario& scenario) {
                               std::vector<py::tuple> rows;
                               for (const VariableInfo& variable : scenario.variables)
                                 rows.push_back(py::make_tuple(variable.name, variable.unit,
                                                               variable.is_flow ? "flow" : "stock"));
                               return rows;
                             })
      .def_property_readonly("thresholds",
                             [](const Scenario& scenario) {
                               std::vector<py::tuple> rows;
                               for (const ThresholdRequest& request : scenario.thresholds)
                                 rows.push_back(py::make_tuple(scenario.variables[request.variable].name,
                                                               request.year, request.at_least));
                               return rows;
                             })
      .def_property_readonly("bytes_per_path", [](const Scenario& scenario) { return bytes_per_path(scenario); });

  // Parsing and compiling hold no Python objects: other Python threads may run meanwhile.
  module.def("load", &load_scenario, py::arg("path"), py::call_guard<py::gil_scoped_release>());
  module.def("loads", &load_scenario_text, py::arg("text"), py::arg("file"),
             py::call_guard<py::gil_scoped_release>());
  module.def("patch", &patch_scenario, py::arg("base"), py::arg("patch"), py::arg("file"),
             py::call_guard<py::gil_scoped_release>());
}

}  // namespace chokepoint::python
