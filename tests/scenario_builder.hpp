// Builds scenarios for tests as JSON objects, so each test states only what it varies.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "chokepoint/engine.hpp"

namespace chokepoint::testing {

using Json = nlohmann::ordered_json;

// Deterministic by default (σ = τ = 0): a doubling token demand, flat throughput, one
// uncapped flow stage, one year at one step.
inline Json deterministic_scenario() {
  return Json::parse(R"({
    "name": "hand",
    "time": {"start_year": 2025, "years": 1, "steps_per_year": 1},
    "factors": {"token_demand": {"growth": 1.0, "sigma": 0.0}, "throughput": {"growth": 0.0, "sigma": 0.0}},
    "demand": {"tokens_per_year": 1000, "factor": "token_demand"},
    "throughput": {"tokens_per_year_per_unit": 10, "factor": "throughput"},
    "useful_life_years": 4,
    "price": {"usd_per_million_tokens": 2.0},
    "initial": {"installed_base_units": 50, "inventory_units": 5},
    "stages": {"cowos": {"type": "flow", "capacity_per_year": 1e9, "per_unit": 1.0}}
  })");
}

inline Scenario compile(const Json& document) { return load_scenario_text(document.dump(), "test.json"); }

}  // namespace chokepoint::testing
