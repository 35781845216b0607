// The library's errors become the package's exception types (python/chokepoint/errors.py):
// InputError keeps every problem with its file, JSON path, expected and found.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "chokepoint/errors.hpp"

namespace py = pybind11;

namespace chokepoint::python {

namespace {

// Raises chokepoint.errors.<type_name>(argument) as the pending Python exception.
void raise(const char* type_name, const py::object& argument) {
  const py::object type = py::module_::import("chokepoint.errors").attr(type_name);
  const py::object error = type(argument);
  PyErr_SetObject(type.ptr(), error.ptr());
}

}  // namespace

void bind_errors(py::module_&) {
  py::register_exception_translator([](std::exception_ptr thrown) {
    try {
      if (thrown) std::rethrow_exception(thrown);
    } catch (const InputError& error) {
      py::list problems;
      for (const InputProblem& problem : error.problems())
        problems.append(py::make_tuple(problem.file, problem.path, problem.expected, problem.found));
      raise("InputError", problems);
    } catch (const ResourceError& error) {
      raise("ResourceError", py::str(error.what()));
    }
  });
}

}  // namespace chokepoint::python
