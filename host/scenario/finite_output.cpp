#include "scenario/finite_output.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <map>
#include <sstream>

#include "scenario/input_problems.hpp"

namespace chokepoint {

namespace {

const double kLogFloatMax = std::log(static_cast<double>(FLT_MAX));

class CentralPath {
 public:
  explicit CentralPath(const Scenario& scenario) : scenario_(scenario), model_(*scenario.model) {}

  void check() {
    const double demand = log_of(value(model_.tokens_per_year)) + highest_growth(model_.demand_factor);
    const double throughput =
        log_of(value(model_.tokens_per_year_per_unit)) + lowest_growth(model_.throughput_factor);
    const double fleet = log_of(value(model_.installed_base_units) + value(model_.inventory_units));
    const double horizon = std::log(std::max(1, model_.years));
    const double units = std::max(demand - throughput + horizon, fleet);  // accumulate over the years
    const double initial_capacity = model_.token_capacity_from_fleet
                                        ? log_of(value(model_.installed_base_units)) + log_of(value(model_.tokens_per_year_per_unit))
                                        : log_of(value(model_.token_capacity));
    double price = -INFINITY;
    for (int y = 0; y < model_.years; ++y) price = std::max(price, log_of(scheduled(model_.usd_per_million_tokens, y)));

    set("token_demand", demand, "demand.tokens_per_year");
    set("tokens_served", demand, "demand.tokens_per_year");
    set("unmet_tokens", demand, "demand.tokens_per_year");
    for (const char* name : {"wanted_units", "produced_units", "deployed_units", "inventory_units", "installed_base"})
      set(name, units, "throughput.tokens_per_year_per_unit");
    set("revenue", demand + price - std::log(1e6), "price.usd_per_million_tokens");
    set("token_capacity", std::max(initial_capacity, demand + horizon), "initial");

    for (int k = 0; k < model_.stage_count; ++k) stage(k);
    for (const DerivedOutput& output : scenario_.derived) derived(output);
    problems_.throw_if_any();
  }

 private:
  double value(const ParamRef& ref) const {
    if (ref.draw < 0) return ref.constant;
    return from_standard_normal(model_.uncertain[ref.draw].distribution, 0.0);  // the median
  }

  double scheduled(ScheduleRef schedule, int year) const { return value(model_.schedule_table[schedule.offset + year]); }

  static double log_of(double x) { return x == 0.0 ? -INFINITY : std::log(std::fabs(x)); }

  // The median log index of a factor at the end of each year, Σ ln(1 + g); its highest and
  // lowest value over the horizon, 0 (the start) included.
  double highest_growth(int factor) const { return extreme_growth(factor, true); }
  double lowest_growth(int factor) const { return extreme_growth(factor, false); }
  double extreme_growth(int factor, bool highest) const {
    if (factor < 0 || factor >= model_.factor_count) return 0.0;
    double log_index = 0.0, extreme = 0.0;
    for (int y = 0; y < model_.years; ++y) {
      log_index += std::log1p(scheduled(model_.factors[factor].growth, y));
      extreme = highest ? std::max(extreme, log_index) : std::min(extreme, log_index);
    }
    return extreme;
  }

  void stage(int k) {
    const StageSpec& spec = model_.stages[k];
    const std::string& name = scenario_.stage_names[k];
    const std::string path = "stages." + name;
    double smallest_per_unit = INFINITY;
    for (int y = 0; y < model_.years; ++y) smallest_per_unit = std::min(smallest_per_unit, scheduled(spec.per_unit, y));
    const double growth = highest_growth(spec.factor);
    double native = 0.0;
    if (spec.kind == StageKind::flow) {
      native = log_of(value(spec.capacity)) + growth + log_of(value(spec.yield));
    } else {
      const double additions = log_of(value(spec.capacity)) + growth + std::log(std::max(1, model_.years));
      native = std::max(log_of(value(spec.initial_capacity)), additions) + std::log(2.0);
    }
    set("capacity_units." + name, native - log_of(smallest_per_unit), path + ".per_unit");
    for (const char* what : {".used", ".capacity", ".spare", ".added"}) set(name + what, native, path);
  }

  void derived(const DerivedOutput& output) {
    const VariableInfo& info = scenario_.variables[output.variable];
    const std::string path = "derived." + info.name;
    double largest = -INFINITY;
    for (int y = 0; y < model_.years; ++y) largest = std::max(largest, log_of(scheduled(output.constant, y)));
    for (const DerivedTerm& term : output.terms) {
      const auto known = bound_.find(scenario_.variables[term.variable].name);
      if (known == bound_.end()) continue;
      for (int y = 0; y < model_.years; ++y)
        largest = std::max(largest, log_of(scheduled(term.coefficient, y)) + known->second);
    }
    // Up to one term per reported variable adds up: at most a factor of their count.
    set(info.name, largest + std::log(static_cast<double>(output.terms.size() + 1)), path);
  }

  void set(const std::string& variable, double log_bound, const std::string& inputs) {
    bound_[variable] = log_bound;
    if (!(log_bound >= kLogFloatMax) || reported_) return;
    reported_ = true;  // the first is enough: the others usually share its cause
    std::ostringstream found;
    found.precision(2);
    found << variable << " about 1e" << static_cast<long>(std::floor(log_bound / std::log(10.0)))
          << " on the central path (medians, no shocks)";
    problems_.add(inputs, "magnitudes whose results stay below 3.4e38, the largest float in which results are stored",
                  found.str());
  }

  const Scenario& scenario_;
  const Model& model_;
  ProblemList problems_{scenario_.file};
  std::map<std::string, double> bound_;
  bool reported_ = false;
};

}  // namespace

void check_central_path_is_finite(const Scenario& scenario) { CentralPath(scenario).check(); }

}  // namespace chokepoint
