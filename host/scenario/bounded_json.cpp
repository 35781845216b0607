#include "scenario/bounded_json.hpp"

#include <memory>
#include <optional>
#include <unordered_set>
#include <vector>

#include "scenario/input_limits.hpp"

namespace chokepoint {

namespace {

std::string line_and_column(const std::string& text, std::size_t byte) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i + 1 < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// The parser's message without the token it quotes ("; last read: '…'"): what kind of error and
// what was expected instead, never the file's own bytes.
std::string kind_of_error(const nlohmann::detail::exception& error, const std::string& last_token) {
  if (error.id == 406) return "a number too large for a double";
  std::string what = error.what();
  const std::size_t start = what.find("syntax error");
  if (start != std::string::npos) what = what.substr(start);
  const std::string echo = "; last read: '" + last_token + "'";
  const std::size_t quoted = what.find(echo);
  if (quoted != std::string::npos) {
    what.erase(quoted, echo.size());
  } else {
    const std::size_t any = what.find("; last read");
    if (any != std::string::npos) what.erase(any);
  }
  return what;
}

// Builds the document from the parser's events, as nlohmann's own DOM builder does, with what
// that builder lacks: duplicate keys are found (one hash set per open object, freed when it
// closes), depth and width are bounded, and the JSON path of an element is put together only
// when a problem needs it. Memory and time are proportional to the text.
class BoundedBuilder final : public nlohmann::json_sax<Json> {
 public:
  BoundedBuilder(const std::string& text, const std::string& file) : text_(text), problems_(file) {}

  bool null() override { return put(Json(nullptr)); }
  bool boolean(bool value) override { return put(Json(value)); }
  bool number_integer(number_integer_t value) override { return put(Json(value)); }
  bool number_unsigned(number_unsigned_t value) override { return put(Json(value)); }
  bool number_float(number_float_t value, const string_t&) override { return put(Json(value)); }
  bool string(string_t& value) override { return put(Json(std::move(value))); }
  bool binary(binary_t&) override { return put(Json(nullptr)); }  // JSON text has no binary values

  bool start_object(std::size_t) override { return open(Json::object()); }
  bool start_array(std::size_t) override { return open(Json::array()); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }

  bool key(string_t& key) override {
    Frame& object = open_.back();
    object.key = key;
    object.discard_next = !object.keys.insert(key).second;
    if (object.discard_next)
      problems_.add(current_path(), "each key once in an object", "the key \"" + key + "\" a second time");
    return true;
  }

  bool parse_error(std::size_t position, const std::string& last_token,
                   const nlohmann::detail::exception& error) override {
    // Problems found before the syntax error (a duplicate key) are dropped: the syntax error is
    // the one to fix first, and its position is exact.
    syntax_error_ = InputProblem{problems_.file(), "(" + line_and_column(text_, position) + ")",
                                 "valid JSON (comments allowed)", kind_of_error(error, last_token)};
    return false;
  }

  // The document, or InputError with every problem found.
  Json take() {
    if (syntax_error_) throw InputError({*syntax_error_});
    problems_.throw_if_any();
    return std::move(root_);
  }

 private:
  struct Frame {
    Json* value = nullptr;
    std::unique_ptr<Json> scratch;  // the container under a duplicate key, built and then dropped
    std::unordered_set<std::string> keys;
    std::string key;                // objects: the key of the member being read
    std::size_t elements = 0;
    bool discard_next = false;      // objects: the member being read repeats a key
  };

  // The JSON path of the element being read, "stages.cowos.per_unit" or "report.quantiles[3]".
  std::string current_path() const {
    std::string path;
    for (const Frame& frame : open_) {
      // Arrays count an element when it starts, so the one being read is the last counted.
      if (frame.value->is_array()) path += "[" + std::to_string(frame.elements > 0 ? frame.elements - 1 : 0) + "]";
      else path = join_path(path, frame.key);
    }
    return path;
  }

  // Where the next value goes: the root, a new array element, the member under the current key,
  // or nowhere (nullptr) when that key repeats.
  bool slot_for_next(Json*& slot) {
    slot = nullptr;
    if (open_.empty()) {
      slot = &root_;
      return true;
    }
    Frame& parent = open_.back();
    if (++parent.elements > kMaxContainerElements) {
      limit_exceeded("at most " + std::to_string(kMaxContainerElements) + " elements in one array or object",
                     "more");
      return false;
    }
    if (parent.value->is_array()) {
      parent.value->get_ref<Json::array_t&>().emplace_back();
      slot = &parent.value->get_ref<Json::array_t&>().back();
    } else if (!parent.discard_next) {
      // The key is known to be new, so the ordered map's linear search for it is skipped.
      Json::object_t& members = parent.value->get_ref<Json::object_t&>();
      members.emplace_back(parent.key, Json());
      slot = &members.back().second;
    }
    return true;
  }

  bool put(Json&& value) {
    Json* slot = nullptr;
    if (!slot_for_next(slot)) return false;
    if (slot) *slot = std::move(value);
    return true;
  }

  bool open(Json&& container) {
    Json* slot = nullptr;
    if (!slot_for_next(slot)) return false;
    if (open_.size() >= static_cast<std::size_t>(kMaxNestingDepth)) {
      limit_exceeded("arrays and objects nested at most " + std::to_string(kMaxNestingDepth) + " deep",
                     "deeper nesting");
      return false;
    }
    Frame frame;
    if (!slot) {
      frame.scratch = std::make_unique<Json>();
      slot = frame.scratch.get();
    }
    *slot = std::move(container);
    frame.value = slot;
    open_.push_back(std::move(frame));
    return true;
  }

  bool close() {
    open_.pop_back();
    return true;
  }

  void limit_exceeded(const std::string& expected, const std::string& found) {
    // Reported alone: what was parsed before the limit is incomplete, so other problems in it
    // would mislead.
    ProblemList alone(problems_.file());
    alone.add(current_path(), expected, found);
    problems_ = alone;
  }

  const std::string& text_;
  ProblemList problems_;
  std::vector<Frame> open_;
  Json root_;
  std::optional<InputProblem> syntax_error_;
};

}  // namespace

Json parse_bounded_json(const std::string& text, const std::string& file) {
  if (text.size() > kMaxScenarioBytes)
    throw InputError({InputProblem{file, "", "at most " + std::to_string(kMaxScenarioBytes) + " bytes of JSON",
                                   std::to_string(text.size()) + " bytes"}});
  BoundedBuilder builder(text, file);
  Json::sax_parse(text, &builder, nlohmann::detail::input_format_t::json, /*strict=*/true,
                  /*ignore_comments=*/true);
  return builder.take();
}

}  // namespace chokepoint
