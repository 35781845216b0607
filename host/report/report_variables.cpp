// Which variables the report shows where, and what each measures in words.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "reduce/headline_variables.hpp"
#include "report/html_report.hpp"
#include "report/svg_writer.hpp"

namespace chokepoint::report {

std::string html(const std::string& text) { return svg::escape(text); }

namespace {

// The chain (token demand → accelerators wanted → produced → deployed → installed base → tokens
// served → revenue; docs/model.md), in the order a reader follows it.
const std::vector<std::string> kDemandVariables{"token_demand", "tokens_served", "unmet_tokens", "token_capacity",
                                                "revenue"};
const std::vector<std::string> kAcceleratorVariables{"wanted_units", "produced_units", "deployed_units",
                                                     "inventory_units", "written_off_units", "installed_base"};

const std::map<std::string, std::string> kDescriptions{
    {"token_demand", "tokens asked for in the year"},
    {"tokens_served", "tokens served in the year"},
    {"unmet_tokens", "tokens asked for but not served in the year"},
    {"token_capacity", "tokens per year the installed base can serve, at year end"},
    {"revenue", "revenue from the tokens served in the year"},
    {"wanted_units", "accelerators the year-end token gap calls for (deployment gap at year end)"},
    {"produced_units", "accelerators produced in the year"},
    {"deployed_units", "accelerators deployed in the year"},
    {"inventory_units", "built, undeployed accelerators at year end"},
    {"written_off_units", "undeployed accelerators written off as obsolete in the year"},
    {"installed_base", "accelerators in service at year end"},
};

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

// The stage a per-stage variable belongs to: "capacity_units.cowos" and "cowos.used" → "cowos".
std::string stage_of(const std::string& name, const std::set<std::string>& stages) {
  if (starts_with(name, "capacity_units.")) return name.substr(15);
  const std::size_t dot = name.find('.');
  if (dot != std::string::npos && stages.count(name.substr(0, dot))) return name.substr(0, dot);
  return "";
}

}  // namespace

std::string describe_variable(const std::string& name, const std::string& kind) {
  const auto known = kDescriptions.find(name);
  if (known != kDescriptions.end()) return known->second;
  const std::string when = kind == "stock" ? ", at year end" : " in the year";
  if (starts_with(name, "capacity_units."))
    return "accelerators " + name.substr(15) + (kind == "stock" ? " can host" : " can supply") + when;
  const std::size_t dot = name.find('.');
  if (dot == std::string::npos) return "";
  const std::string stage = name.substr(0, dot), what = name.substr(dot + 1);
  if (what == "used") return stage + " used" + when;
  if (what == "capacity") return stage + " capacity" + when;
  if (what == "spare") return stage + " capacity left unused" + when;
  if (what == "added") return stage + " capacity added" + when;
  return "";
}

std::vector<VariableGroup> group_variables(const Summary& summary) {
  std::set<std::string> stage_names;
  for (const StageSummary& stage : summary.stages)
    if (stage.name != "demand") stage_names.insert(stage.name);

  std::vector<VariableGroup> groups{{"Demand, tokens and revenue", "group-demand", {}},
                                    {"Accelerators", "group-accelerators", {}}};
  std::set<std::string> placed;
  const auto place = [&](VariableGroup& group, const std::vector<std::string>& names) {
    for (const std::string& name : names)
      if (const VariableSummary* variable = summary.find_variable(name); variable && placed.insert(name).second)
        group.variables.push_back(variable);
  };
  place(groups[0], kDemandVariables);
  place(groups[1], kAcceleratorVariables);

  for (const StageSummary& stage : summary.stages) {
    if (stage.name == "demand") continue;
    VariableGroup group{"Stage: " + stage.name, "group-stage-" + stage.name, {}};
    for (const VariableSummary& variable : summary.variables)
      if (stage_of(variable.name, stage_names) == stage.name && placed.insert(variable.name).second)
        group.variables.push_back(&variable);
    // The stage's own unit names what it counts: "Stage: cowos (CoWoS wafers)".
    for (const VariableSummary* variable : group.variables)
      if (variable->name == stage.name + ".used" && !variable->unit.empty()) {
        group.title += " (" + variable->unit + ")";
        break;
      }
    groups.push_back(group);
  }

  VariableGroup others{"Other outputs", "group-other", {}};
  for (const VariableSummary& variable : summary.variables)
    if (placed.insert(variable.name).second) others.variables.push_back(&variable);
  groups.push_back(others);

  groups.erase(std::remove_if(groups.begin(), groups.end(), [](const VariableGroup& g) { return g.variables.empty(); }),
               groups.end());
  return groups;
}

std::vector<const VariableSummary*> headline_variables(const Summary& summary) {
  std::vector<const VariableSummary*> headline;
  for (const char* name : kHeadlineVariables)
    if (const VariableSummary* variable = summary.find_variable(name)) headline.push_back(variable);
  return headline;
}

double quantile_of(const Summary& summary, const YearStatistics& stats, double level) {
  for (std::size_t i = 0; i < summary.quantile_levels.size() && i < stats.quantiles.size(); ++i)
    if (std::fabs(summary.quantile_levels[i] - level) < 1e-9) return stats.quantiles[i];
  return std::nan("");
}

std::string grouped_digits(std::uint64_t value) {
  const std::string digits = std::to_string(value);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace chokepoint::report
