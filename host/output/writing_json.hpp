// Building chokepoint's own result files (summary.json, diff.json) as JSON: the rules every
// writer shares.
#pragma once

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "chokepoint/summary_io.hpp"

namespace chokepoint {

// NaN and infinities have no JSON spelling; they become null rather than invalid JSON.
inline nlohmann::ordered_json json_number(double value) {
  return std::isfinite(value) ? nlohmann::ordered_json(value) : nlohmann::ordered_json(nullptr);
}

// Appends a key known to be new. ordered_json's operator[] searches the object's keys first, so
// filling an object of n keys that way costs n²/2 comparisons: with thousands of quantile levels
// per variable-year the writer took minutes. Callers pass keys distinct by construction.
inline void append_new_key(nlohmann::ordered_json& object, std::string key, nlohmann::ordered_json value) {
  if (!object.is_object()) object = nlohmann::ordered_json::object();
  nlohmann::ordered_json::object_t& members = object.get_ref<nlohmann::ordered_json::object_t&>();
  static_cast<nlohmann::ordered_json::object_t::Container&>(members).emplace_back(std::move(key), std::move(value));
}

// {"0.05": value, …}: one value per quantile level, keyed by the level's shortest_decimal().
inline nlohmann::ordered_json values_by_level(const std::vector<double>& levels, const std::vector<double>& values) {
  nlohmann::ordered_json object = nlohmann::ordered_json::object();
  for (std::size_t i = 0; i < levels.size(); ++i) append_new_key(object, shortest_decimal(levels[i]), json_number(values[i]));
  return object;
}

}  // namespace chokepoint
