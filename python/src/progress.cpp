#include "progress.hpp"

namespace py = pybind11;

namespace chokepoint::python {

std::function<void(double)> ProgressRelay::callback() {
  return [this](double fraction) { relay(fraction); };
}

void ProgressRelay::relay(double fraction) {
  // Taking the GIL for every batch would make the engine's thread wait on other Python threads.
  const auto now = std::chrono::steady_clock::now();
  if (fraction < 1.0 && now - last_ < std::chrono::milliseconds(50)) return;
  last_ = now;
  py::gil_scoped_acquire acquire;
  if (PyErr_CheckSignals() != 0) throw RunStopped{};
  if (report_.is_none()) return;
  try {
    report_(fraction);
  } catch (py::error_already_set& error) {
    error.restore();
    throw RunStopped{};
  }
}

}  // namespace chokepoint::python
