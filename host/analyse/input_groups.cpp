#include "analyse/input_groups.hpp"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

#include "scenario/input_problems.hpp"

namespace chokepoint {

namespace {

bool factor_is_random(const Model& model, int f) {
  const FactorSpec& factor = model.factors[f];
  if (factor.trend_uncertainty != 0.0) return true;
  for (int year = 0; year < model.years; ++year) {
    const ParamRef& sigma = model.schedule_table[factor.sigma.offset + year];
    if (sigma.draw >= 0 || sigma.constant != 0.0) return true;
  }
  return false;
}

bool event_is_random(const EventSpec& event) {
  const bool may_fire = event.rate.draw >= 0 || event.rate.constant > 0.0;
  const bool forced_severity_drawn = event.forced_step >= 0 && event.forced_severity.kind != DistributionKind::constant;
  return may_fire || forced_severity_drawn;
}

// Connected components of "a and b are linked", as lists of member indices in index order.
std::vector<std::vector<int>> components(int count, const std::vector<std::pair<int, int>>& links) {
  std::vector<int> parent(static_cast<std::size_t>(count));
  std::iota(parent.begin(), parent.end(), 0);
  const auto root = [&parent](int x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (const auto& [a, b] : links) parent[root(a)] = root(b);
  std::map<int, std::vector<int>> by_root;
  for (int i = 0; i < count; ++i) by_root[root(i)].push_back(i);
  std::vector<std::vector<int>> out;
  for (auto& [key, members] : by_root) out.push_back(members);
  std::sort(out.begin(), out.end());
  return out;
}

struct Kind {
  const char* prefix;  // "param:"
  std::vector<std::string> names;
  std::vector<std::uint32_t> streams;
  std::vector<bool> random;
  std::vector<std::pair<int, int>> links;  // correlated pairs
};

std::string unqualified(const std::string& qualified) { return qualified.substr(qualified.find(':') + 1); }

}  // namespace

std::vector<ScenarioInput> scenario_inputs(const Scenario& scenario, bool random_only) {
  const Model& model = *scenario.model;
  std::vector<ScenarioInput> inputs;
  for (int i = 0; i < model.uncertain_count; ++i)
    inputs.push_back({"param:" + scenario.parameter_names[static_cast<std::size_t>(i)], model.uncertain[i].stream});
  for (int f = 0; f < model.factor_count; ++f)
    if (!random_only || factor_is_random(model, f))
      inputs.push_back({"factor:" + scenario.factor_names[static_cast<std::size_t>(f)], model.factors[f].stream});
  for (int e = 0; e < model.event_count; ++e)
    if (!random_only || event_is_random(model.events[e]))
      inputs.push_back({"event:" + scenario.event_names[static_cast<std::size_t>(e)], model.events[e].stream});
  return inputs;
}

std::vector<ScenarioInput> random_inputs(const Scenario& scenario) { return scenario_inputs(scenario, true); }

std::vector<InputGroup> default_input_groups(const Scenario& scenario) {
  const Model& model = *scenario.model;
  Kind parameters{"param:", scenario.parameter_names, {}, {}, {}};
  for (int i = 0; i < model.uncertain_count; ++i) {
    parameters.streams.push_back(model.uncertain[i].stream);
    parameters.random.push_back(true);
  }
  // Parameters in the copula are linked where the Cholesky factor mixes their normals.
  std::vector<int> parameter_of_copula(kMaxCorrelatedParameters, -1);
  for (int i = 0; i < model.uncertain_count; ++i)
    if (model.uncertain[i].copula_index >= 0) parameter_of_copula[model.uncertain[i].copula_index] = i;
  for (int a = 0; a < model.correlated_count; ++a)
    for (int b = 0; b < a; ++b)
      if (model.parameter_cholesky[a][b] != 0.0 && parameter_of_copula[a] >= 0 && parameter_of_copula[b] >= 0)
        parameters.links.emplace_back(parameter_of_copula[a], parameter_of_copula[b]);

  Kind factors{"factor:", scenario.factor_names, {}, {}, {}};
  for (int f = 0; f < model.factor_count; ++f) {
    factors.streams.push_back(model.factors[f].stream);
    factors.random.push_back(factor_is_random(model, f));
    for (int g = 0; g < f; ++g)
      if (model.shock_cholesky[f][g] != 0.0 || model.trend_cholesky[f][g] != 0.0) factors.links.emplace_back(f, g);
  }

  Kind events{"event:", scenario.event_names, {}, {}, {}};
  for (int e = 0; e < model.event_count; ++e) {
    events.streams.push_back(model.events[e].stream);
    events.random.push_back(event_is_random(model.events[e]));
  }

  std::vector<InputGroup> groups;
  for (const Kind* kind : {&parameters, &factors, &events}) {
    for (const std::vector<int>& members : components(static_cast<int>(kind->names.size()), kind->links)) {
      // A set of deterministic inputs (σ = τ = 0, an event that cannot fire) has nothing to re-key.
      if (std::none_of(members.begin(), members.end(), [&](int m) { return kind->random[static_cast<std::size_t>(m)]; }))
        continue;
      InputGroup group;
      for (int m : members) {
        const auto index = static_cast<std::size_t>(m);
        group.name += (group.name.empty() ? "" : "+") + kind->names[index];
        group.inputs.push_back(kind->prefix + kind->names[index]);
        group.streams.push_back(kind->streams[index]);
      }
      groups.push_back(group);
    }
  }
  // A parameter and a factor may share a name: then both groups carry their kind.
  std::map<std::string, int> uses;
  for (const InputGroup& group : groups) ++uses[group.name];
  for (InputGroup& group : groups)
    if (uses[group.name] > 1) group.name = group.inputs.front().substr(0, group.inputs.front().find(':') + 1) + group.name;
  return groups;
}

std::vector<InputGroup> apply_group_overrides(const Scenario& scenario, std::vector<InputGroup> groups,
                                              const std::vector<std::string>& overrides) {
  if (overrides.empty()) return groups;
  const std::vector<ScenarioInput> inputs = random_inputs(scenario);
  std::vector<std::string> qualified_names, bare_names;
  for (const ScenarioInput& input : inputs) {
    qualified_names.push_back(input.name);
    bare_names.push_back(unqualified(input.name));
  }
  std::vector<InputProblem> problems;
  const auto problem = [&problems](const std::string& argument, const std::string& expected, const std::string& found) {
    problems.push_back(InputProblem{"(arguments)", "--group " + printable(argument), expected, found});
  };

  std::vector<InputGroup> added;
  std::set<std::string> taken;
  for (const std::string& text : overrides) {
    const std::size_t equals = text.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == text.size()) {
      problem(text, "NAME=INPUT,INPUT,… (a group name, \"=\", and the inputs it holds)", "\"" + printable(text) + "\"");
      continue;
    }
    InputGroup group;
    group.name = text.substr(0, equals);
    std::string rest = text.substr(equals + 1);
    std::size_t start = 0;
    while (start <= rest.size()) {
      const std::size_t comma = std::min(rest.find(',', start), rest.size());
      const std::string member = rest.substr(start, comma - start);
      start = comma + 1;
      std::vector<std::size_t> matches;
      for (std::size_t i = 0; i < inputs.size(); ++i)
        if (qualified_names[i] == member || bare_names[i] == member) matches.push_back(i);
      if (member.empty()) {
        problem(text, "a comma-separated list of inputs with no empty entry", "an empty entry");
      } else if (matches.empty()) {
        const std::string near = closest_match(member, bare_names);
        problem(text,
                "a random input of the scenario (a drawn parameter, a factor with σ or τ above 0, or an event that "
                "can fire)" + (near.empty() ? std::string() : "; did you mean \"" + near + "\"?"),
                "\"" + printable(member) + "\"");
      } else if (matches.size() > 1) {
        std::string choices;
        for (std::size_t i : matches) choices += (choices.empty() ? "" : " or ") + qualified_names[i];
        problem(text, "one input: write " + choices, "\"" + printable(member) + "\", which names " +
                                                            std::to_string(matches.size()) + " inputs");
      } else if (!taken.insert(qualified_names[matches.front()]).second) {
        problem(text, "each input in at most one --group", qualified_names[matches.front()] + " a second time");
      } else {
        group.inputs.push_back(qualified_names[matches.front()]);
        group.streams.push_back(inputs[matches.front()].stream);
      }
    }
    added.push_back(group);
  }

  // The overridden inputs leave their default groups; a group left empty is gone. A default
  // group that loses a member keeps its name only if it lost nothing.
  std::vector<InputGroup> out;
  for (InputGroup& group : groups) {
    InputGroup kept;
    for (std::size_t m = 0; m < group.inputs.size(); ++m)
      if (taken.count(group.inputs[m]) == 0) {
        kept.name += (kept.name.empty() ? "" : "+") + unqualified(group.inputs[m]);
        kept.inputs.push_back(group.inputs[m]);
        kept.streams.push_back(group.streams[m]);
      }
    if (kept.inputs.size() == group.inputs.size()) kept.name = group.name;
    if (!kept.inputs.empty()) out.push_back(kept);
  }
  for (InputGroup& group : added) out.push_back(group);
  std::set<std::string> names;
  for (const InputGroup& group : out)
    if (!names.insert(group.name).second)
      problem(group.name + "=…", "a group name that no other group has (the default groups are named after their inputs)",
              "\"" + printable(group.name) + "\" twice");
  if (!problems.empty()) throw InputError(problems);
  return out;
}

}  // namespace chokepoint
