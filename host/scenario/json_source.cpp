#include "scenario/json_source.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

#include "scenario/bounded_json.hpp"
#include "scenario/input_limits.hpp"

namespace chokepoint {

namespace fs = std::filesystem;

namespace {

// A merge patch appends the keys it adds, so a stress that adds "2025" to a parent schedule
// {"2024": …, "2026": …} would leave the years out of order. After a merge, every object whose
// keys are all calendar years is put back in calendar order (a schedule); nothing else moves.
bool is_year_key(const std::string& key) {
  return key.size() == 4 && std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void sort_schedules(Json& value) {
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

[[noreturn]] void refuse(const std::string& file, const std::string& path, const std::string& expected,
                         const std::string& found) {
  throw InputError({InputProblem{file, path, expected, found}});
}

// The directory the file really lies in (symbolic links resolved): its parents must lie there too.
fs::path real_directory(const std::string& file) {
  std::error_code ignored;
  fs::path absolute = fs::absolute(fs::path(file), ignored);
  return fs::weakly_canonical(absolute, ignored).parent_path();
}

bool is_inside(const fs::path& candidate, const fs::path& directory) {
  auto c = candidate.begin();
  for (auto d = directory.begin(); d != directory.end(); ++d, ++c) {
    if (d->empty()) continue;  // a trailing separator
    if (c == candidate.end() || *c != *d) return false;
  }
  return true;
}

std::string chain_text(const std::vector<std::string>& files) {
  std::string text;
  for (const std::string& file : files) text += (text.empty() ? "" : " → ") + file;
  return text;
}

// " (through "extends": child.json → parent.json)", for a problem found in layer `index` > 0.
std::string chain_note(const std::vector<std::string>& files, std::size_t index) {
  return " (through \"extends\": " +
         chain_text(std::vector<std::string>(files.begin(), files.begin() + static_cast<long>(index) + 1)) + ")";
}

struct Parent {
  std::string shown;     // for messages: relative to the working directory, as the user wrote it
  std::string resolved;  // what is read: absolute, symbolic links resolved
};

// Checks the value of "extends" in `file` and finds the parent it names.
Parent find_parent(const Json& value, const std::string& file) {
  const char* expected = "the file name of a parent scenario in this file's directory (a relative path)";
  if (!value.is_string()) refuse(file, "extends", expected, describe(value));
  const std::string& name = value.get_ref<const std::string&>();
  if (name.empty() || name.size() > kMaxExtendsPathBytes || name.find('\0') != std::string::npos)
    refuse(file, "extends", "a relative path of 1 to " + std::to_string(kMaxExtendsPathBytes) + " bytes",
           describe(value));
  const fs::path relative(name);
  if (relative.is_absolute() || relative.has_root_name() || relative.has_root_directory())
    refuse(file, "extends", expected, "an absolute path, " + describe(value));
  for (const fs::path& part : relative)
    if (part == "..")
      refuse(file, "extends", "a parent inside this file's directory (no \"..\")", describe(value));

  const fs::path directory = real_directory(file);
  std::error_code ignored;
  const fs::path resolved = fs::weakly_canonical(directory / relative, ignored);
  const std::string shown = (fs::path(file).parent_path() / relative).string();
  if (!is_inside(resolved, directory))
    refuse(file, "extends", "a parent inside this file's directory",
           describe(value) + ", a symbolic link that leads outside it");
  if (!fs::exists(resolved, ignored)) refuse(file, "extends", "an existing parent scenario", "no such file \"" + shown + "\"");
  return Parent{shown, resolved.string()};
}

// The parent's JSON, every problem in it filed under the parent's name with the chain.
Json read_parent(const Parent& parent, const std::vector<std::string>& files) {
  try {
    Json document = parse_bounded_json(read_text_file(parent.resolved), parent.shown);
    if (!document.is_object())
      refuse(parent.shown, "", "a JSON object at the top level", describe(document));
    return document;
  } catch (const InputError& error) {
    std::vector<InputProblem> problems = error.problems();
    std::vector<std::string> chain = files;
    chain.push_back(parent.shown);
    for (InputProblem& problem : problems) {
      problem.file = parent.shown;
      problem.found += chain_note(chain, chain.size() - 1);
    }
    throw InputError(std::move(problems));
  }
}

// "stages.cowos.per_unit" → {"stages", "cowos", "per_unit"}; "report.quantiles[2]" → {…, "[2]"}.
std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> segments;
  std::string current;
  for (char c : path) {
    if (c == '.' || c == '[') {
      if (!current.empty()) segments.push_back(current);
      current = c == '[' ? "[" : "";
    } else {
      current += c;
    }
  }
  if (!current.empty()) segments.push_back(current);
  return segments;
}

// How many leading segments of `segments` the document contains.
std::size_t contained_prefix(const Json& document, const std::vector<std::string>& segments) {
  const Json* node = &document;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const std::string& segment = segments[i];
    if (segment.size() > 2 && segment.front() == '[' && segment.back() == ']') {
      const std::string digits = segment.substr(1, segment.size() - 2);
      if (!node->is_array() || digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 9)
        return i;
      const std::size_t index = std::stoul(digits);
      if (index >= node->size()) return i;
      node = &(*node)[index];
    } else {
      if (!node->is_object() || !node->contains(segment)) return i;
      node = &(*node)[segment];
    }
  }
  return segments.size();
}

}  // namespace

ScenarioSource read_scenario_source(const std::string& text, const std::string& file) {
  Json current = parse_bounded_json(text, file);
  if (!current.is_object()) refuse(file, "", "a JSON object at the top level", describe(current));

  ScenarioSource source;
  std::vector<std::string> files{file};
  std::error_code ignored;
  std::set<std::string> seen{fs::weakly_canonical(fs::absolute(fs::path(file), ignored), ignored).string()};
  while (current.contains("extends")) {
    const std::string& child = files.back();
    if (files.size() > static_cast<std::size_t>(kMaxExtendsDepth))
      refuse(child, "extends", "a chain of at most " + std::to_string(kMaxExtendsDepth) + " parents",
             "a longer chain: " + chain_text(files));
    const Parent parent = find_parent(current["extends"], child);
    if (!seen.insert(parent.resolved).second)
      refuse(child, "extends", "a chain of parents without a cycle",
             "\"" + parent.shown + "\", which is already in the chain");
    Json parent_document = read_parent(parent, files);
    current.erase("extends");
    source.layers.push_back({child, std::move(current)});
    current = std::move(parent_document);
    files.push_back(parent.shown);
  }
  source.layers.push_back({files.back(), std::move(current)});

  source.document = source.layers.back().patch;
  for (std::size_t i = source.layers.size() - 1; i-- > 0;)
    apply_merge_patch(source.document, source.layers[i].patch, source.layers[i].file);
  return source;
}

void apply_merge_patch(Json& document, Json patch, const std::string& file) {
  append_threshold_arrays(document, patch, file);
  document.merge_patch(patch);
  sort_schedules(document);
}

Json read_scenario_json(const std::string& text, const std::string& file) {
  return read_scenario_source(text, file).document;
}

InputError attribute_to_layers(const InputError& error, const ScenarioSource& source) {
  if (source.layers.size() < 2) return error;
  std::vector<std::string> files;
  for (const ScenarioSource::Layer& layer : source.layers) files.push_back(layer.file);
  std::vector<InputProblem> problems = error.problems();
  for (InputProblem& problem : problems) {
    if (problem.file != files.front() || problem.path.empty() || problem.path.front() == '(') continue;
    const std::vector<std::string> segments = split_path(problem.path);
    std::size_t best = 0, best_length = 0;
    for (std::size_t i = 0; i < source.layers.size(); ++i) {
      const std::size_t length = contained_prefix(source.layers[i].patch, segments);
      if (length > best_length) best = i, best_length = length;
      if (length == segments.size()) break;  // the nearest layer that wrote the whole path
    }
    if (best == 0) continue;
    problem.file = files[best];
    problem.found += chain_note(files, best);
  }
  return InputError(std::move(problems));
}

}  // namespace chokepoint
