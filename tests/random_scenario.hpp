// Random VALID scenarios for the property tests: a seeded generator that draws factor, stage and
// event counts and every value inside the ranges docs/scenario-format.md allows, so that a law
// checked on them is checked on shapes nobody wrote by hand. Small on purpose (≤ 3 years, few
// stages) so that a few dozen of them run in seconds, also under ASan.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "scenario_builder.hpp"

namespace chokepoint::testing {

// splitmix64 with our own uniform mapping: std::uniform_real_distribution differs between
// standard libraries, and a scenario seed must name the same scenario everywhere.
class ScenarioRng {
 public:
  explicit ScenarioRng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double uniform(double low, double high) {
    return low + (high - low) * static_cast<double>(next() >> 11) * 0x1.0p-53;
  }
  double log_uniform(double low, double high) { return std::exp(uniform(std::log(low), std::log(high))); }
  int integer(int low, int high) {  // inclusive
    return low + static_cast<int>(next() % static_cast<std::uint64_t>(high - low + 1));
  }
  bool chance(double p) { return uniform(0.0, 1.0) < p; }

 private:
  std::uint64_t state_;
};

// What the property tests need to know about a generated scenario beyond its JSON.
struct RandomScenario {
  Json document;
  std::vector<std::string> flow_stages;
  std::vector<std::string> stock_stages;
  double write_off = 0.0;  // ω, always a constant so that a test can recompute W per step
};

struct RandomScenarioShape {
  bool stock_stages = true;   // false: flow stages only
  bool responses = true;      // false: every β = 0
  bool events = true;
};

// A value that is sometimes a distribution around `typical`, always inside (low, high).
inline Json random_value(ScenarioRng& rng, double low, double high) {
  const double a = rng.uniform(low, high), b = rng.uniform(low, high);
  const double lo = std::min(a, b), hi = std::max(a, b) + 1e-9 * (high - low);
  switch (rng.integer(0, 3)) {
    case 0: return Json{{"dist", "uniform"}, {"min", lo}, {"max", hi}};
    case 1: return Json{{"dist", "pert"}, {"min", lo}, {"mode", 0.5 * (lo + hi)}, {"max", hi}};
    default: return a;
  }
}

inline Json random_factor(ScenarioRng& rng) {
  Json factor = {{"growth", rng.uniform(-0.2, 1.0)}, {"sigma", rng.uniform(0.0, 0.5)}};
  if (rng.chance(0.3)) factor["growth"] = Json{{"2025", rng.uniform(-0.2, 1.0)}, {"2026", rng.uniform(-0.2, 1.0)}};
  if (rng.chance(0.3)) factor["trend_uncertainty"] = rng.uniform(0.0, 0.2);
  if (rng.chance(0.3)) factor["persistence"] = rng.uniform(0.0, 0.9);
  return factor;
}

inline RandomScenario random_scenario(std::uint64_t seed, const RandomScenarioShape& shape = {}) {
  ScenarioRng rng(seed);
  RandomScenario out;
  Json& s = out.document;
  static const int kSteps[] = {1, 2, 4, 12};
  s["name"] = "random_" + std::to_string(seed);
  const int years = rng.integer(1, 3);
  s["time"] = {{"start_year", 2025}, {"years", years}, {"steps_per_year", kSteps[rng.integer(0, 3)]}};
  s["factors"] = {{"token_demand", random_factor(rng)}, {"throughput", random_factor(rng)}};
  const int extra_factors = rng.integer(0, 2);
  for (int f = 0; f < extra_factors; ++f) s["factors"]["supply" + std::to_string(f)] = random_factor(rng);
  if (rng.chance(0.5)) s["correlations"] = {{"token_demand", {{"throughput", rng.uniform(-0.6, 0.6)}}}};

  s["demand"] = {{"tokens_per_year", rng.log_uniform(1e3, 1e6)}, {"factor", "token_demand"}};
  if (rng.chance(0.3)) s["demand"]["spend_usd_per_year"] = rng.log_uniform(1e-3, 10.0);
  s["throughput"] = {{"tokens_per_year_per_unit", rng.log_uniform(1.0, 100.0)}, {"factor", "throughput"}};
  s["useful_life_years"] = random_value(rng, 1.0, 8.0);
  s["price"] = {{"usd_per_million_tokens", random_value(rng, 0.5, 5.0)}};
  s["initial"] = {{"installed_base_units", rng.log_uniform(1.0, 1e4)}, {"inventory_units", rng.uniform(0.0, 500.0)}};
  if (rng.chance(0.7)) s["order_horizon_years"] = random_value(rng, 0.0, 2.0);
  out.write_off = rng.chance(0.5) ? rng.uniform(0.0, 3.0) : 0.0;
  s["inventory_write_off"] = out.write_off;

  const auto pick_factor = [&](Json& stage) {
    if (extra_factors > 0 && rng.chance(0.6)) stage["factor"] = "supply" + std::to_string(rng.integer(0, extra_factors - 1));
  };
  const int flows = rng.integer(1, 4);
  for (int k = 0; k < flows; ++k) {
    const std::string name = "flow" + std::to_string(k);
    Json stage = {{"type", "flow"}, {"capacity_per_year", rng.log_uniform(10.0, 1e5)}, {"per_unit", rng.log_uniform(0.1, 10.0)}};
    pick_factor(stage);
    if (rng.chance(0.5)) stage["yield"] = random_value(rng, 0.3, 1.0);
    if (shape.responses && rng.chance(0.4)) stage["response"] = rng.uniform(0.0, 0.5);
    if (rng.chance(0.3)) stage["ceiling"] = rng.log_uniform(10.0, 1e5);
    s["stages"][name] = stage;
    out.flow_stages.push_back(name);
  }
  const int stocks = shape.stock_stages ? rng.integer(0, 2) : 0;
  for (int j = 0; j < stocks; ++j) {
    const std::string name = "stock" + std::to_string(j);
    Json stage = {{"type", "stock"}, {"initial_capacity", rng.log_uniform(1.0, 1e4)},
                  {"additions_per_year", rng.log_uniform(1.0, 1e4)}, {"per_unit", rng.log_uniform(0.01, 2.0)}};
    pick_factor(stage);
    if (shape.responses && rng.chance(0.3)) stage["response"] = rng.uniform(0.0, 0.5);
    if (rng.chance(0.3)) stage["max_additions"] = rng.log_uniform(1.0, 1e4);
    if (rng.chance(0.3)) stage["ceiling"] = rng.log_uniform(1.0, 2e4);
    s["stages"][name] = stage;
    out.stock_stages.push_back(name);
  }

  const int events = shape.events ? rng.integer(0, 2) : 0;
  for (int e = 0; e < events; ++e) {
    Json event = {{"rate_per_year", rng.uniform(0.0, 2.0)}, {"severity", random_value(rng, 0.05, 0.95)},
                  {"half_life_years", rng.log_uniform(0.05, 3.0)}, {"targets", Json::object()}};
    for (const auto& [name, stage] : s["stages"].items()) {
      if (rng.chance(0.5)) event["targets"][name] = rng.uniform(0.0, 1.0);
    }
    if (event["targets"].empty()) event["targets"][out.flow_stages.front()] = 1.0;
    if (rng.chance(0.3)) event["forced"] = {{"year", 2025 + rng.integer(0, years - 1)}, {"severity", rng.uniform(0.05, 0.95)}};
    s["events"]["event" + std::to_string(e)] = event;
  }
  s["report"] = {{"thresholds", Json::array({Json{{"variable", "tokens_served"}, {"year", 2025},
                                                 {"at_least", rng.log_uniform(1e2, 1e6)}}})}};
  return out;
}

}  // namespace chokepoint::testing
