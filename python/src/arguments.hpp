// Checks of the arguments the bindings share, made before anything is simulated, as the command
// line's option checks are, with the problems naming the Python argument.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "chokepoint/engine.hpp"
#include "chokepoint/errors.hpp"

namespace chokepoint::python {

// "mixed" or "reference"; InputError naming `precision` otherwise.
Precision precision_named(const std::string& name);

// "auto", "cpu" or "cuda"; InputError naming `backend` otherwise, ResourceError for "cuda"
// without a device.
void check_backend(const std::string& backend);

// The command line's option → the Python argument, e.g. {"--for", "target_for"}.
using ArgumentNames = std::vector<std::pair<std::string, std::string>>;

// `error` with each "(arguments)" problem's option ("--for", "--group NAME=…") named as the
// Python argument is ("target_for", "groups NAME=…"): the library's parsers name the options.
InputError with_python_names(const InputError& error, const ArgumentNames& names);

// Runs `work`; an InputError from it comes out with_python_names.
template <class Work>
auto naming_arguments(const ArgumentNames& names, Work&& work) {
  try {
    return work();
  } catch (const InputError& error) {
    throw with_python_names(error, names);
  }
}

}  // namespace chokepoint::python
