// Collects what is wrong with a scenario so that validation reports everything in one run.
#pragma once

#include <nlohmann/json.hpp>
#include <initializer_list>
#include <string>
#include <vector>

#include "chokepoint/errors.hpp"

namespace chokepoint {

using Json = nlohmann::ordered_json;

class ProblemList {
 public:
  explicit ProblemList(std::string file) : file_(std::move(file)) {}

  void add(const std::string& path, const std::string& expected, const std::string& found);
  bool empty() const { return problems_.empty(); }
  std::size_t size() const { return problems_.size(); }
  const std::string& file() const { return file_; }
  // Throws InputError with every problem collected so far, if there is any.
  void throw_if_any() const;

 private:
  std::string file_;
  std::vector<InputProblem> problems_;
};

// "the string \"abc\"", "the number -3", "an array of 2 elements", … for messages.
std::string describe(const Json& value);

// The closest of `candidates` to `word` when it is a plausible typo, else "".
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

// Reports every key of `object` that is not in `allowed`, with a "did you mean" when close.
void reject_unknown_keys(const Json& object, const std::string& path,
                         std::initializer_list<const char*> allowed, ProblemList& problems);

// "a.b" joined, or "b" when the parent path is empty.
std::string join_path(const std::string& parent, const std::string& key);

}  // namespace chokepoint
