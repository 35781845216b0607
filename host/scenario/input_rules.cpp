#include "scenario/input_rules.hpp"

#include <unordered_set>
#include <vector>

#include "scenario/input_limits.hpp"

namespace chokepoint {

namespace {

const std::string kNameRule = "a name of 1 to " + std::to_string(kMaxNameBytes) +
                              " ASCII letters, digits, '_' or '-', starting with a letter or digit";

bool is_name_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// Text a person reads beside the numbers (units, descriptions): any UTF-8 without control
// characters, and not starting like a spreadsheet formula.
bool is_plain_text(const std::string& text) {
  if (printable(text, text.size() + 1) != text) return false;
  return text.empty() || (text.front() != '=' && text.front() != '+' && text.front() != '-' && text.front() != '@');
}

class RuleChecker {
 public:
  explicit RuleChecker(const std::string& file) : problems_(file) {}

  void check(const Json& document) {
    if (document.contains("name") && document["name"].is_string()) name(document["name"], "name");
    if (document.contains("description") && document["description"].is_string()) description(document["description"]);
    for (const char* section : {"factors", "stages", "events", "derived"}) {
      if (!document.contains(section) || !document[section].is_object()) continue;
      for (const auto& item : document[section].items()) {
        const std::string path = join_path(section, item.key());
        if (!is_valid_name(item.key())) problems_.add(path, kNameRule, "the name \"" + item.key() + "\"");
        if (item.value().is_object() && item.value().contains("unit") && item.value()["unit"].is_string())
          unit(item.value()["unit"], join_path(path, "unit"));
      }
    }
    count(document, "derived", "", kMaxDerivedOutputs, "derived outputs");
    if (document.contains("report") && document["report"].is_object()) {
      count(document["report"], "quantiles", "report", kMaxQuantileLevels, "quantile levels");
      count(document["report"], "thresholds", "report", kMaxThresholds, "thresholds");
    }
    parameter_names(document, "");
    problems_.throw_if_any();
  }

 private:
  void name(const Json& value, const std::string& path) {
    if (!is_valid_name(value.get_ref<const std::string&>())) problems_.add(path, kNameRule, describe(value));
  }

  void unit(const Json& value, const std::string& path) {
    const std::string& text = value.get_ref<const std::string&>();
    if (text.size() > kMaxUnitBytes || !is_plain_text(text))
      problems_.add(path,
                    "a unit of at most " + std::to_string(kMaxUnitBytes) +
                        " bytes without control characters, not starting with = + - @",
                    describe(value));
  }

  void description(const Json& value) {
    std::string text = value.get<std::string>();
    for (char& c : text)
      if (c == '\n' || c == '\t') c = ' ';  // line breaks are fine in a description
    if (text.size() > kMaxDescriptionBytes || printable(text, text.size() + 1) != text)
      problems_.add("description",
                    "a text of at most " + std::to_string(kMaxDescriptionBytes) +
                        " bytes without control characters other than line breaks and tabs",
                    describe(value));
  }

  void count(const Json& parent, const char* key, const std::string& path, std::size_t limit, const char* what) {
    if (!parent.contains(key) || !parent[key].is_structured() || parent[key].size() <= limit) return;
    problems_.add(join_path(path, key), "at most " + std::to_string(limit) + " " + what,
                  std::to_string(parent[key].size()));
  }

  // Every distribution may carry a "name" (its random stream and its name in
  // parameter_correlations), wherever it appears.
  void parameter_names(const Json& value, const std::string& path) {
    if (value.is_array()) {
      for (std::size_t i = 0; i < value.size(); ++i) parameter_names(value[i], path + "[" + std::to_string(i) + "]");
      return;
    }
    if (!value.is_object()) return;
    if (value.contains("dist") && value.contains("name") && value["name"].is_string())
      name(value["name"], join_path(path, "name"));
    for (const auto& item : value.items())
      if (item.value().is_structured()) parameter_names(item.value(), join_path(path, item.key()));
  }

  ProblemList problems_;
};

}  // namespace

bool is_valid_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxNameBytes || name.front() == '_' || name.front() == '-') return false;
  for (char c : name)
    if (!is_name_character(c)) return false;
  return true;
}

void check_names_and_limits(const Json& document, const std::string& file) { RuleChecker(file).check(document); }

void check_reported_names(const Scenario& scenario) {
  // What reports a variable, for the message: its stages and derived outputs (none: the model).
  const auto origins = [&](const std::string& variable) {
    std::vector<std::string> found;
    for (const std::string& stage : scenario.stage_names)
      if (variable == "capacity_units." + stage || variable.rfind(stage + ".", 0) == 0) found.push_back("stages." + stage);
    for (const DerivedOutput& output : scenario.derived)
      if (scenario.variables[output.variable].name == variable) found.push_back("derived." + variable);
    return found;
  };
  ProblemList problems(scenario.file);
  std::unordered_set<std::string> seen;
  for (const VariableInfo& variable : scenario.variables) {
    if (seen.insert(variable.name).second) continue;
    const std::vector<std::string> sources = origins(variable.name);
    std::string by;
    for (const std::string& source : sources) by += (by.empty() ? " by " : " and by ") + source;
    problems.add(sources.empty() ? "stages" : sources.back(), "names that give every reported variable a name of its own",
                 "\"" + variable.name + "\" reported twice" + (by.empty() ? " (once by the model itself)" : by));
  }
  problems.throw_if_any();
}

}  // namespace chokepoint
