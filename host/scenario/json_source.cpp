#include "scenario/json_source.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <vector>

namespace chokepoint {

namespace fs = std::filesystem;

std::string read_text_file(const std::string& file) {
  // A directory opens as an empty stream on Linux and would be reported as a JSON syntax error.
  if (fs::is_directory(file))
    throw InputError({InputProblem{file, "", "a readable scenario file", "a directory"}});
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    const std::string found = fs::exists(file) ? "a file that cannot be read" : "no such file";
    throw InputError({InputProblem{file, "", "a readable scenario file", found}});
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

static std::string line_and_column(const std::string& text, std::size_t byte) {
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

namespace {

// The parser keeps one of two equal keys in an object and drops the other without a word; two
// stages written with one name would silently become one. This finds them, with their paths.
class DuplicateKeyFinder {
 public:
  explicit DuplicateKeyFinder(const std::string& file) : problems_(file) {}

  bool operator()(int /*depth*/, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
      case Json::parse_event_t::array_start:
        open_.push_back(Container{element_path(), event == Json::parse_event_t::array_start, {}, 0, ""});
        break;
      case Json::parse_event_t::key: {
        Container& object = open_.back();
        const std::string key = parsed.get<std::string>();
        object.key = key;
        if (!object.keys.insert(key).second)
          problems_.add(join_path(object.path, key), "each key once in an object",
                        "the key \"" + key + "\" a second time");
        break;
      }
      case Json::parse_event_t::object_end:
      case Json::parse_event_t::array_end:
        open_.pop_back();
        if (!open_.empty() && open_.back().is_array) ++open_.back().index;
        break;
      case Json::parse_event_t::value:
        if (!open_.empty() && open_.back().is_array) ++open_.back().index;
        break;
    }
    return true;
  }

  const ProblemList& problems() const { return problems_; }

 private:
  struct Container {
    std::string path;
    bool is_array = false;
    std::set<std::string> keys;
    std::size_t index = 0;  // arrays: the position of the next element
    std::string key;        // objects: the key of the member being read
  };

  // The path of the element about to be read in the innermost open container.
  std::string element_path() const {
    if (open_.empty()) return "";
    const Container& parent = open_.back();
    if (parent.is_array) return parent.path + "[" + std::to_string(parent.index) + "]";
    return join_path(parent.path, parent.key);
  }

  std::vector<Container> open_;
  ProblemList problems_;
};

}  // namespace

static Json parse_json(const std::string& text, const std::string& file) {
  DuplicateKeyFinder duplicates(file);
  Json document;
  try {
    document = Json::parse(text, std::ref(duplicates), /*allow_exceptions=*/true, /*ignore_comments=*/true);
  } catch (const Json::parse_error& error) {
    std::string what = error.what();
    const std::size_t detail = what.find("syntax error");
    if (detail != std::string::npos) what = what.substr(detail);
    throw InputError({InputProblem{file, "(" + line_and_column(text, error.byte) + ")",
                                   "valid JSON (comments allowed)", what}});
  } catch (const Json::out_of_range& error) {
    // A number too large for a double (1e400). The parser gives no position here, but the
    // message quotes the number, which is enough to find it.
    std::string what = error.what();
    const std::size_t detail = what.find("number overflow");
    if (detail != std::string::npos) what = what.substr(detail);
    throw InputError({InputProblem{file, "", "valid JSON with numbers within the range of a double", what}});
  }
  duplicates.problems().throw_if_any();
  return document;
}

// A merge patch appends the keys it adds, so a stress that adds "2025" to a parent schedule
// {"2024": …, "2026": …} would leave the years out of order. After a merge, every object whose
// keys are all calendar years is put back in calendar order (a schedule); nothing else moves.
static bool is_year_key(const std::string& key) {
  return key.size() == 4 && std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; });
}

static void sort_schedules(Json& value) {
  if (value.is_array()) {
    for (Json& element : value) sort_schedules(element);
    return;
  }
  if (!value.is_object()) return;
  for (auto& item : value.items()) sort_schedules(item.value());
  if (value.empty() || !std::all_of(value.items().begin(), value.items().end(),
                                    [](const auto& item) { return is_year_key(item.key()); }))
    return;
  std::vector<std::pair<std::string, Json>> entries;
  for (auto& item : value.items()) entries.emplace_back(item.key(), std::move(item.value()));
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  Json sorted = Json::object();
  for (auto& [key, entry] : entries) sorted[key] = std::move(entry);
  value = std::move(sorted);
}

// A merge patch replaces arrays whole, so a stress listing one threshold would silently drop
// every threshold of its parent. Named thresholds (an object) merge by name through the patch;
// an array is appended to the parent's array here. Mixing the two forms is an error.
static void append_threshold_arrays(const Json& parent, Json& child, const std::string& file) {
  if (!child.contains("report") || !child["report"].is_object() || !child["report"].contains("thresholds")) return;
  if (!parent.contains("report") || !parent["report"].is_object() || !parent["report"].contains("thresholds")) return;
  const Json& inherited = parent["report"]["thresholds"];
  Json& added = child["report"]["thresholds"];
  if (inherited.is_array() && added.is_array()) {
    Json both = inherited;
    for (const Json& threshold : added) both.push_back(threshold);
    added = std::move(both);
  } else if (inherited.is_array() != added.is_array() && (inherited.is_object() || added.is_object())) {
    throw InputError({InputProblem{file, "report.thresholds",
                                   std::string("the same form as the parent's thresholds (") +
                                       (inherited.is_array() ? "an array" : "an object of named thresholds") + ")",
                                   added.is_array() ? "an array" : "an object"}});
  }
}

static Json resolve_extends(Json document, const std::string& file, std::set<std::string>& chain) {
  if (!document.is_object() || !document.contains("extends")) return document;
  const Json& parent_name = document["extends"];
  if (!parent_name.is_string())
    throw InputError({InputProblem{file, "extends", "the file name of a parent scenario (a string)",
                                   describe(parent_name)}});
  const fs::path parent_path = fs::path(file).parent_path() / parent_name.get<std::string>();
  std::error_code ignored;
  const std::string canonical = fs::weakly_canonical(parent_path, ignored).string();
  if (chain.count(canonical))
    throw InputError({InputProblem{file, "extends", "a chain of parents without a cycle",
                                   "\"" + parent_path.string() + "\", which is already in the chain"}});
  if (!fs::exists(parent_path))
    throw InputError({InputProblem{file, "extends", "an existing parent scenario",
                                   "no such file \"" + parent_path.string() + "\""}});
  chain.insert(canonical);
  Json parent = resolve_extends(parse_json(read_text_file(parent_path.string()), parent_path.string()),
                                parent_path.string(), chain);
  document.erase("extends");
  apply_merge_patch(parent, std::move(document), file);
  return parent;
}

void apply_merge_patch(Json& document, Json patch, const std::string& file) {
  append_threshold_arrays(document, patch, file);
  document.merge_patch(patch);
  sort_schedules(document);
}

Json read_scenario_json(const std::string& text, const std::string& file) {
  std::set<std::string> chain;
  std::error_code ignored;
  chain.insert(fs::weakly_canonical(fs::path(file), ignored).string());
  Json document = parse_json(text, file);
  if (!document.is_object())
    throw InputError({InputProblem{file, "", "a JSON object at the top level", describe(document)}});
  return resolve_extends(std::move(document), file, chain);
}

}  // namespace chokepoint
