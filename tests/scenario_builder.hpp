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

// Three random input groups for the Sobol tests: random demand, a drawn CoWoS capacity and a
// quake on CoWoS, over two years of quarters.
inline Json three_group_scenario(const std::string& name) {
  Json s = deterministic_scenario();
  s["name"] = name;
  s["time"] = Json::parse(R"({"start_year": 2025, "years": 2, "steps_per_year": 4})");
  s["factors"]["token_demand"]["sigma"] = 0.3;
  s["stages"]["cowos"]["capacity_per_year"] =
      Json::parse(R"({"dist": "uniform", "min": 50, "max": 150, "name": "cowos_capacity"})");
  s["events"] = Json::parse(R"({"quake": {"rate_per_year": 2.0, "half_life_years": 0.1,
      "severity": {"dist": "uniform", "min": 0.1, "max": 0.9}, "targets": {"cowos": 1.0}}})");
  return s;
}

inline Scenario compile(const Json& document) { return load_scenario_text(document.dump(), "test.json"); }

}  // namespace chokepoint::testing
