#include "arguments.hpp"

namespace chokepoint::python {

Precision precision_named(const std::string& name) {
  if (name == "mixed") return Precision::mixed;
  if (name == "reference") return Precision::reference;
  throw InputError({InputProblem{"(arguments)", "precision", "\"mixed\" or \"reference\"", "\"" + name + "\""}});
}

void check_backend(const std::string& backend) {
  if (backend != "auto" && backend != "cpu" && backend != "cuda")
    throw InputError({InputProblem{"(arguments)", "backend", "auto, cpu or cuda", "\"" + backend + "\""}});
  if (backend == "cuda" && !cuda_available())
    throw ResourceError("backend=\"cuda\": no CUDA device is available (this build: " +
                        std::string(CHOKEPOINT_HAVE_CUDA ? "with" : "without") + " CUDA support)");
}

InputError with_python_names(const InputError& error, const ArgumentNames& names) {
  std::vector<InputProblem> problems = error.problems();
  for (InputProblem& problem : problems) {
    if (problem.file != "(arguments)") continue;
    for (const auto& [option, argument] : names) {
      const bool named = problem.path.compare(0, option.size(), option) == 0 &&
                         (problem.path.size() == option.size() || problem.path[option.size()] == ' ');
      if (!named) continue;
      problem.path = argument + problem.path.substr(option.size());
      break;
    }
  }
  return InputError(std::move(problems));
}

}  // namespace chokepoint::python
