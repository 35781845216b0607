#include "analyse/resampled_streams.hpp"

#include <algorithm>
#include <map>

#include "chokepoint/errors.hpp"

namespace chokepoint {

namespace {

void resample(std::uint32_t& stream, const std::vector<std::uint32_t>& streams) {
  if (std::find(streams.begin(), streams.end(), stream) != streams.end()) stream = resampled_stream(stream);
}

}  // namespace

std::vector<ScenarioInput> scenario_streams(const Scenario& scenario) { return scenario_inputs(scenario, false); }

void check_resampled_streams(const Scenario& scenario) {
  const std::vector<ScenarioInput> inputs = scenario_streams(scenario);
  // Which input owns each stream id, original or re-keyed; a second owner is a collision.
  std::map<std::uint32_t, std::string> owner;
  for (const ScenarioInput& input : inputs) owner.emplace(input.stream, input.name);
  std::vector<InputProblem> problems;
  for (const ScenarioInput& input : inputs) {
    const std::string rekeyed = input.name + kResampleSuffix;
    const auto [at, inserted] = owner.emplace(resampled_stream(input.stream), rekeyed);
    if (!inserted)
      problems.push_back(InputProblem{scenario.file, input.name,
                                      "a name whose re-keyed random stream (" + rekeyed +
                                          ") differs from every other stream of the scenario (rename it)",
                                      "the same stream as " + at->second});
  }
  if (!problems.empty()) throw InputError(problems);
}

Scenario with_resampled_streams(const Scenario& scenario, const std::vector<std::uint32_t>& streams) {
  auto model = std::make_shared<Model>(*scenario.model);
  for (int i = 0; i < model->uncertain_count; ++i) resample(model->uncertain[i].stream, streams);
  for (int f = 0; f < model->factor_count; ++f) resample(model->factors[f].stream, streams);
  for (int e = 0; e < model->event_count; ++e) resample(model->events[e].stream, streams);
  Scenario copy = scenario;
  copy.model = std::move(model);
  return copy;
}

Scenario with_every_stream_resampled(const Scenario& scenario) {
  std::vector<std::uint32_t> streams;
  for (const ScenarioInput& input : scenario_streams(scenario)) streams.push_back(input.stream);
  return with_resampled_streams(scenario, streams);
}

}  // namespace chokepoint
