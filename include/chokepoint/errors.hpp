// The errors the library reports, each mapped to one exit code of the command line (README.md):
// bad input 2, resources or device 3.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace chokepoint {

// One thing wrong with an input: where (file and JSON path, or a command-line argument), what
// was expected and what was found.
struct InputProblem {
  std::string file;
  std::string path;
  std::string expected;
  std::string found;

  std::string message() const;  // "FILE: PATH: expected …, found …"
};

// Bad input (scenario or arguments): exit code 2. Carries every problem found, not only the first.
class InputError : public std::runtime_error {
 public:
  explicit InputError(std::vector<InputProblem> problems);
  const std::vector<InputProblem>& problems() const { return problems_; }

 private:
  std::vector<InputProblem> problems_;
};

// Resources or device (memory, no GPU, a file that cannot be written): exit code 3.
class ResourceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace chokepoint
