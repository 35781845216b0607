#include "scenario/input_problems.hpp"

#include <algorithm>

namespace chokepoint {

std::string InputProblem::message() const {
  std::string text = file;
  if (!path.empty()) text += ": " + path;
  text += ": expected " + expected + ", found " + found;
  return text;
}

static std::string join_messages(const std::vector<InputProblem>& problems) {
  std::string text;
  for (const InputProblem& problem : problems) {
    if (!text.empty()) text += '\n';
    text += problem.message();
  }
  return text;
}

InputError::InputError(std::vector<InputProblem> problems)
    : std::runtime_error(join_messages(problems)), problems_(std::move(problems)) {}

void ProblemList::add(const std::string& path, const std::string& expected, const std::string& found) {
  problems_.push_back(InputProblem{file_, path, expected, found});
}

void ProblemList::throw_if_any() const {
  if (!problems_.empty()) throw InputError(problems_);
}

std::string describe(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return std::string("the boolean ") + (value.get<bool>() ? "true" : "false");
    case Json::value_t::string: return "the string " + value.dump();
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: return "the number " + value.dump();
    case Json::value_t::array:
      return "an array of " + std::to_string(value.size()) + (value.size() == 1 ? " element" : " elements");
    case Json::value_t::object: return "an object";
    default: return "an unsupported value";
  }
}

static std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> previous(b.size() + 1), current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const std::string& candidate : candidates) {
    const std::size_t distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

void reject_unknown_keys(const Json& object, const std::string& path,
                         std::initializer_list<const char*> allowed, ProblemList& problems) {
  const std::vector<std::string> known(allowed.begin(), allowed.end());
  for (const auto& item : object.items()) {
    if (std::find(known.begin(), known.end(), item.key()) != known.end()) continue;
    std::string expected = "one of the keys";
    for (std::size_t i = 0; i < known.size(); ++i) expected += (i ? ", " : " ") + known[i];
    const std::string suggestion = closest_match(item.key(), known);
    std::string found = "unknown key \"" + item.key() + "\"";
    if (!suggestion.empty()) found += " (did you mean \"" + suggestion + "\"?)";
    problems.add(join_path(path, item.key()), expected, found);
  }
}

std::string join_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

}  // namespace chokepoint
