// Tornado charts (docs/sensitivity.md, "Tornado"): for each uncertain parameter, the swing of the
// median of each headline variable in each year when that parameter sits at its 10th and then
// its 90th percentile, every other draw unchanged (common random numbers: the same seed and
// paths, and the pinned parameter's stream still drawn, so every other input of every path keeps
// its numbers bit for bit).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "chokepoint/engine.hpp"

namespace chokepoint {

struct TornadoRequest {
  std::uint64_t paths = 4000;  // P' per run; the tornado runs 1 + 2·(parameters) of them
  std::uint64_t seed = 1;
  int threads = 0;
  std::string backend = "auto";  // auto | cpu | cuda
  Precision precision = Precision::mixed;
  double low = 0.10;   // the percentiles the parameter is pinned at
  double high = 0.90;
  std::function<void(double)> progress;
};

struct TornadoEnd {
  double percentile = 0.0;  // 10 or 90
  double value = 0.0;       // the parameter's value there
  double median = 0.0;      // the output's median with the parameter pinned there
};

struct TornadoBar {
  std::string input;  // the parameter's name
  TornadoEnd low;
  TornadoEnd high;
  double swing = 0.0;  // high.median − low.median
};

struct TornadoChart {
  std::string variable;
  std::string unit;
  int year = 0;
  double baseline_median = 0.0;
  std::vector<TornadoBar> bars;  // by |swing|, largest first; NaN last
};

struct Tornado {
  std::uint64_t paths = 0;
  std::uint64_t seed = 0;
  std::vector<TornadoChart> charts;  // each headline variable, each year of the run
};

// The scenario with parameter `index` (Model::uncertain order) drawn as the constant `value`.
// Its stream and its place in the parameters' copula are kept, so every other parameter,
// correlated ones included, draws exactly what it draws in `scenario`.
Scenario with_parameter_pinned(const Scenario& scenario, int index, double value);

// The parameter's value at cumulative probability `level` of its own distribution.
double parameter_percentile(const Model& model, int index, double level);

// Runs 1 + 2·(uncertain parameters) × P' paths. Deterministic for a seed and P' (the medians are
// exact order statistics). Throws InputError for P' = 0 or percentiles outside (0, 1) or not
// low < high, ResourceError for --backend cuda without a device.
Tornado compute_tornado(const Scenario& scenario, const TornadoRequest& request);

// {"paths", "seed", "charts": [{"variable", "unit", "year", "baseline_median", "bars": [{"input",
// "low": {"percentile", "value", "median"}, "high": {…}, "swing"}]}]}; NaN as null.
std::string tornado_json_text(const Tornado& tornado);

}  // namespace chokepoint
