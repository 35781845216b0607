// Pick-freeze through re-keyed random streams (docs/sensitivity.md, "Sobol indices of a
// scenario"). Every draw of path p comes from the Philox counter {block, stream, p}, with
// `stream` a hash of the input's name (random_streams.hpp). A copy of the Model whose stream
// ids are replaced by those of other names therefore draws, for the same path p, independent
// numbers for exactly those inputs and the very same numbers for every other: sample B of base
// sample j is path j of the model with every stream re-keyed, and AB_i is path j of the model
// with group i's streams re-keyed. The step is not touched and nothing is stored.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "analyse/input_groups.hpp"
#include "chokepoint/engine.hpp"
#include "chokepoint/random_streams.hpp"

namespace chokepoint {

// The re-keyed stream of `stream`: FNV-1a continued over this suffix, which is exactly
// stream_id(name + "#resample") for the stream of `name`.
inline constexpr const char* kResampleSuffix = "#resample";
constexpr std::uint32_t resampled_stream(std::uint32_t stream) { return stream_id(kResampleSuffix, stream); }

// Every stream of the scenario's model with the input it belongs to ("param:…", "factor:…",
// "event:…"), deterministic inputs included.
std::vector<ScenarioInput> scenario_streams(const Scenario& scenario);

// Throws InputError (exit 2) naming the inputs when two re-keyed streams coincide, or a re-keyed
// stream equals an original one: pick-freeze would then share draws it means to be independent.
// (FNV-1a collisions are rare, 1 in 4·10⁹ per pair, but never silent.)
void check_resampled_streams(const Scenario& scenario);

// The scenario with its Model copied and the listed streams re-keyed (every other field shared).
Scenario with_resampled_streams(const Scenario& scenario, const std::vector<std::uint32_t>& streams);

// Sample B: every stream of the model re-keyed.
Scenario with_every_stream_resampled(const Scenario& scenario);

}  // namespace chokepoint
