// Progress reports from a run with the GIL released, and Ctrl-C: at most every 50 ms the engine's
// progress callback takes the GIL, runs Python's signal handlers and the user's callback, and
// throws RunStopped when either raised, which the backend carries out of its threads.
#pragma once

#include <pybind11/pybind11.h>

#include <chrono>
#include <functional>

namespace chokepoint::python {

// Thrown through the engine; the Python exception stays pending in this thread until the
// binding rethrows it as pybind11::error_already_set.
struct RunStopped {};

class ProgressRelay {
 public:
  // `report`: None, or a callable taking the fraction done (0..1).
  explicit ProgressRelay(pybind11::object report) : report_(std::move(report)) {}

  // The engine's callback; called with the GIL released.
  std::function<void(double)> callback();

  // Runs `work` with the GIL released; a Ctrl-C or an exception from the report comes back as
  // the Python exception it was.
  template <class Work>
  auto run(Work&& work) {
    try {
      pybind11::gil_scoped_release release;
      return work(callback());
    } catch (const RunStopped&) {
      throw pybind11::error_already_set();
    }
  }

 private:
  void relay(double fraction);

  pybind11::object report_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace chokepoint::python
