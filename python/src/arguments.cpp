#include "arguments.hpp"

#include <cctype>

#include "simulate/backend_choice.hpp"

namespace chokepoint::python {

Precision precision_named(const std::string& name) {
  if (name == "mixed") return Precision::mixed;
  if (name == "reference") return Precision::reference;
  throw InputError({InputProblem{"(arguments)", "precision", "\"mixed\" or \"reference\"", "\"" + name + "\""}});
}

void check_backend(const std::string& backend) { use_cuda_backend(backend, "backend"); }

namespace {

// Whether `text` holds the option `option` at `at` as a whole word ("--for", not "--format").
bool option_at(const std::string& text, std::size_t at, const std::string& option) {
  if (text.compare(at, option.size(), option) != 0) return false;
  const std::size_t end = at + option.size();
  return end == text.size() || !(std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '-' ||
                                 text[end] == '_');
}

// `text` with every whole-word `option` replaced by `argument`.
std::string renamed(const std::string& text, const std::string& option, const std::string& argument) {
  std::string out;
  for (std::size_t at = 0; at < text.size();) {
    if (option_at(text, at, option)) {
      out += argument;
      at += option.size();
    } else {
      out += text[at++];
    }
  }
  return out;
}

}  // namespace

InputError with_python_names(const InputError& error, const ArgumentNames& names) {
  std::vector<InputProblem> problems = error.problems();
  for (InputProblem& problem : problems) {
    if (problem.file != "(arguments)") continue;
    for (const auto& [option, argument] : names) {
      if (option_at(problem.path, 0, option)) problem.path = argument + problem.path.substr(option.size());
      problem.expected = renamed(problem.expected, option, argument);
    }
  }
  return InputError(std::move(problems));
}

}  // namespace chokepoint::python
