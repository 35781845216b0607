#include "simulate/backend_choice.hpp"

#include "chokepoint/engine.hpp"
#include "chokepoint/errors.hpp"

namespace chokepoint {

bool use_cuda_backend(const std::string& backend, const std::string& argument) {
  if (backend != "auto" && backend != "cpu" && backend != "cuda")
    throw InputError({InputProblem{"(arguments)", argument, "auto, cpu or cuda", "\"" + backend + "\""}});
  if (backend == "cuda" && !cuda_available())
    throw ResourceError(argument + (argument.rfind("--", 0) == 0 ? " cuda" : "=\"cuda\"") +
                        ": no CUDA device is available (this build: " +
                        std::string(CHOKEPOINT_HAVE_CUDA ? "with" : "without") + " CUDA support)");
  return backend == "cuda" || (backend == "auto" && cuda_available());
}

}  // namespace chokepoint
