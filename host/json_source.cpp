#include "json_source.hpp"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace chokepoint {

namespace fs = std::filesystem;

std::string read_text_file(const std::string& file) {
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

static Json parse_json(const std::string& text, const std::string& file) {
  try {
    return Json::parse(text, nullptr, /*allow_exceptions=*/true, /*ignore_comments=*/true);
  } catch (const Json::parse_error& error) {
    std::string what = error.what();
    const std::size_t detail = what.find("syntax error");
    if (detail != std::string::npos) what = what.substr(detail);
    throw InputError({InputProblem{file, "(" + line_and_column(text, error.byte) + ")",
                                   "valid JSON (comments allowed)", what}});
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
  parent.merge_patch(document);
  return parent;
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
