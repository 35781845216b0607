#include "scenario/input_problems.hpp"

#include <algorithm>
#include <cstdio>

#include "scenario/input_limits.hpp"

namespace chokepoint {

namespace {

// The length of the UTF-8 sequence starting at text[i] and its code point, or 0 when the bytes
// there are not well-formed UTF-8 (overlong, surrogate, truncated or beyond U+10FFFF).
std::size_t utf8_sequence(const std::string& text, std::size_t i, char32_t& code_point) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  std::size_t length = 0;
  char32_t minimum = 0;
  if (lead < 0x80) {
    code_point = lead;
    return 1;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2, code_point = lead & 0x1F, minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, code_point = lead & 0x0F, minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, code_point = lead & 0x07, minimum = 0x10000;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(i + k) & 0x3F);
  }
  if (code_point < minimum || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) return 0;
  return length;
}

// Code points a terminal acts on instead of printing, or that reorder the text around them.
bool is_control(char32_t c) {
  return c < 0x20 || (c >= 0x7F && c <= 0x9F) || (c >= 0x200E && c <= 0x200F) || (c >= 0x2028 && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069);
}

std::string escape(char32_t c) {
  switch (c) {
    case '\n': return "\\n";
    case '\t': return "\\t";
    case '\r': return "\\r";
    default: break;
  }
  char buffer[16];
  if (c < 0x80) std::snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<unsigned>(c));
  else std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned>(c));
  return buffer;
}

}  // namespace

std::string printable(const std::string& text, std::size_t max_bytes) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size() && out.size() < max_bytes) {
    char32_t c = 0;
    const std::size_t length = utf8_sequence(text, i, c);
    if (length == 0) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<unsigned>(static_cast<unsigned char>(text[i])));
      out += buffer;
      ++i;
      continue;
    }
    if (is_control(c)) out += escape(c);
    else out.append(text, i, length);
    i += length;
  }
  if (i < text.size()) out += "… (" + std::to_string(text.size()) + " bytes in all)";
  return out;
}

std::string InputProblem::message() const {
  // Paths and found values may carry the file's own keys and strings; the file name may be
  // anything the shell passed. Only `expected` is ours alone.
  std::string text = printable(file, 1000);
  if (!path.empty()) text += ": " + printable(path, 300);
  text += ": expected " + expected + ", found " + printable(found, 600);
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
  if (problems_.size() < kMaxReportedProblems) problems_.push_back(InputProblem{file_, path, expected, found});
  else ++not_listed_;
}

void ProblemList::throw_if_any() const {
  if (problems_.empty()) return;
  std::vector<InputProblem> listed = problems_;
  if (not_listed_ > 0)
    listed.push_back(InputProblem{file_, "", "at most " + std::to_string(kMaxReportedProblems) + " problems listed",
                                  std::to_string(not_listed_) + " more, not listed (fix these first)"});
  throw InputError(std::move(listed));
}

std::string describe(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return std::string("the boolean ") + (value.get<bool>() ? "true" : "false");
    case Json::value_t::string: {
      const std::string& text = value.get_ref<const std::string&>();
      if (text.size() <= 80) return "the string " + value.dump();
      return "the string " + Json(text.substr(0, 60)).dump(-1, ' ', false, Json::error_handler_t::replace) + "… (" + std::to_string(text.size()) + " bytes)";
    }
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
