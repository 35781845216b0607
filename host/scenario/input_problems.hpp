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
  std::size_t not_listed_ = 0;  // problems beyond kMaxReportedProblems, counted only
};

// `text` safe to print on a terminal or in a log: control characters (C0, DEL, C1), bidirectional
// overrides and bytes that are not UTF-8 become visible escapes (\n, \x1b, \u202e), and text
// longer than `max_bytes` is cut with a note of its length. Every message goes through this, so
// a scenario cannot move the cursor, recolour the terminal or forge lines through its errors.
std::string printable(const std::string& text, std::size_t max_bytes = 200);

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
