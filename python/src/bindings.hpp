// The pieces of the `chokepoint._engine` extension; each file binds one part of libchokepoint.
#pragma once

#include <pybind11/pybind11.h>

namespace chokepoint::python {

void bind_errors(pybind11::module_& module);     // InputError, ResourceError -> Python types
void bind_scenario(pybind11::module_& module);   // load, loads, patch, Scenario's fields
void bind_run(pybind11::module_& module);        // run, per-path buffers, trajectories
void bind_analyses(pybind11::module_& module);   // diff, calibrate
void bind_sensitivity(pybind11::module_& module);  // Sobol indices, tornado, default groups and outputs

}  // namespace chokepoint::python
