// chokepoint._engine: the compiled half of the Python package (python/chokepoint/ is the other;
// docs/python.md). Functions here take and return plain values; the package wraps them in
// Scenario and Result objects and pandas tables.
#include "bindings.hpp"

PYBIND11_MODULE(_engine, module) {
  module.doc() = "libchokepoint bindings; use the `chokepoint` package, not this module";
  chokepoint::python::bind_errors(module);
  chokepoint::python::bind_scenario(module);
  chokepoint::python::bind_run(module);
  chokepoint::python::bind_analyses(module);
  chokepoint::python::bind_sensitivity(module);
}
