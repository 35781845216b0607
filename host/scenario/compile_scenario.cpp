// From a scenario's JSON to a validated Scenario with its compiled Model (docs/scenario-format.md).
// Every section is checked even after an earlier one failed, so one run reports every problem.
#include <algorithm>
#include <cmath>
#include <set>

#include "chokepoint/engine.hpp"
#include "chokepoint/random_streams.hpp"
#include "chokepoint/year_record.hpp"
#include "scenario/correlation.hpp"
#include "scenario/finite_output.hpp"
#include "scenario/input_rules.hpp"
#include "scenario/json_source.hpp"
#include "scenario/value_reader.hpp"

namespace chokepoint {

namespace {

class ScenarioCompiler {
 public:
  ScenarioCompiler(const Json& document, const std::string& file)
      : document_(document), problems_(file), model_(std::make_shared<Model>()), values_(*model_, problems_) {
    scenario_.file = file;
    scenario_.resolved_json = document.dump(2);
  }

  Scenario compile() {
    reject_unknown_keys(document_, "",
                        {"name", "description", "time", "factors", "correlations", "trend_correlations",
                         "repair_correlations", "demand", "throughput", "useful_life_years", "order_horizon_years",
                         "inventory_write_off", "price", "initial", "stages", "events", "derived",
                         "parameter_correlations", "report"},
                        problems_);
    read_name();
    read_time();
    read_factors();
    read_correlations();
    read_chain();
    read_stages();
    read_events();
    add_variables();
    read_derived();      // before read_parameters: its uncertain coefficients are parameters too
    read_parameters();
    read_report();       // after read_derived: thresholds may name a derived output
    check_streams();
    problems_.throw_if_any();
    scenario_.model = model_;
    return scenario_;
  }

 private:
  // A member that must be present: reports it when missing and returns null.
  const Json& required(const Json& object, const char* key, const std::string& path, const char* expected) {
    static const Json missing;
    if (object.is_object() && object.contains(key)) return object[key];
    problems_.add(join_path(path, key), expected, "nothing (the key is missing)");
    return missing;
  }

  // Required values, schedules and distributions: a missing key is reported once, here, and
  // not again by the value reader as "found null".
  ParamRef required_value(const Json& object, const char* key, const std::string& path, const ValueRange& range) {
    const Json& json = required(object, key, path, range.meaning);
    if (json.is_null() && !object.contains(key)) return ParamRef{NAN, -1};
    return values_.value(json, join_path(path, key), range);
  }

  ScheduleRef required_schedule(const Json& object, const char* key, const std::string& path, const ValueRange& range) {
    const Json& json = required(object, key, path, range.meaning);
    if (json.is_null() && !object.contains(key)) return ScheduleRef{};
    return values_.schedule(json, join_path(path, key), range);
  }

  // An optional schedule whose absence means "no limit" (+∞).
  LimitRef optional_limit(const Json& object, const char* key, const std::string& path, const ValueRange& range) {
    if (!object.is_object() || !object.contains(key)) return LimitRef{};
    return LimitRef{values_.schedule(object[key], join_path(path, key), range).offset};
  }

  Distribution required_distribution(const Json& object, const char* key, const std::string& path,
                                     const ValueRange& range) {
    const Json& json = required(object, key, path, range.meaning);
    if (json.is_null() && !object.contains(key)) return Distribution{};
    return values_.distribution(json, join_path(path, key), range);
  }

  // A calendar year within the run. When `time` itself is wrong (already reported), only the
  // type is checked: a range from a broken `time` would report the same mistake again, wrongly.
  int year_in_run(const Json& json, const std::string& path) {
    if (model_->years == 0) return integer(json, path, 1000, 9999);
    return integer(json, path, model_->start_year, model_->start_year + model_->years - 1);
  }

  bool require_object(const Json& json, const std::string& path, const char* expected) {
    if (json.is_object()) return true;
    if (!json.is_null()) problems_.add(path, expected, describe(json));
    return false;
  }

  int integer(const Json& json, const std::string& path, long low, long high) {
    if (json.is_null()) return 0;
    if (!json.is_number_integer() || json.get<long>() < low || json.get<long>() > high) {
      problems_.add(path, "an integer from " + std::to_string(low) + " to " + std::to_string(high), describe(json));
      return 0;
    }
    return json.get<int>();
  }

  double plain_number(const Json& object, const char* key, const std::string& path, const ValueRange& range,
                      double fallback) {
    if (!object.contains(key)) return fallback;
    const Json& json = object[key];
    if (!json.is_number() || !range.contains(json.get<double>())) {
      problems_.add(join_path(path, key), range.meaning, describe(json));
      return fallback;
    }
    return json.get<double>();
  }

  int factor_reference(const Json& json, const std::string& path) {
    if (!json.is_string()) {
      problems_.add(path, "the name of a factor", describe(json));
      return -1;
    }
    const std::string name = json.get<std::string>();
    const auto found = std::find(scenario_.factor_names.begin(), scenario_.factor_names.end(), name);
    if (found != scenario_.factor_names.end()) return static_cast<int>(found - scenario_.factor_names.begin());
    const std::string suggestion = closest_match(name, scenario_.factor_names);
    problems_.add(path, "the name of a factor declared in \"factors\"",
                  "\"" + name + "\"" + (suggestion.empty() ? "" : " (did you mean \"" + suggestion + "\"?)"));
    return -1;
  }

  void read_name() {
    const Json& name = required(document_, "name", "", "a scenario name (a string)");
    if (name.is_string() && !name.get<std::string>().empty()) {
      scenario_.name = name.get<std::string>();
    } else if (!name.is_null()) {
      problems_.add("name", "a non-empty string", describe(name));
    }
    if (document_.contains("description") && !document_["description"].is_string())
      problems_.add("description", "a string", describe(document_["description"]));
  }

  void read_time() {
    const Json& time = required(document_, "time", "", "an object {start_year, years, steps_per_year}");
    if (!require_object(time, "time", "an object {start_year, years, steps_per_year}")) return;
    reject_unknown_keys(time, "time", {"start_year", "years", "steps_per_year"}, problems_);
    const int start = integer(required(time, "start_year", "time", "an integer year"), "time.start_year", 1900, 2500);
    const int years = integer(required(time, "years", "time", "a number of years"), "time.years", 1, kMaxYears);
    const Json& steps_json = required(time, "steps_per_year", "time", "1, 2, 4 or 12");
    int steps = 0;
    if (!steps_json.is_null()) {
      if (steps_json.is_number_integer() &&
          (steps_json == 1 || steps_json == 2 || steps_json == 4 || steps_json == 12)) {
        steps = steps_json.get<int>();
      } else {
        problems_.add("time.steps_per_year", "1, 2, 4 or 12", describe(steps_json));
      }
    }
    if (start == 0 || years == 0 || steps == 0) return;
    model_->start_year = start;
    model_->years = years;
    model_->steps_per_year = steps;
    model_->steps = years * steps;
    model_->step_years = 1.0 / steps;
  }

  void read_factors() {
    const Json& factors = required(document_, "factors", "", "an object of factors by name");
    if (!require_object(factors, "factors", "an object of factors by name")) return;
    if (factors.empty()) problems_.add("factors", "at least one factor", "an empty object");
    if (factors.size() > static_cast<std::size_t>(kMaxFactors))
      problems_.add("factors", "at most " + std::to_string(kMaxFactors) + " factors", std::to_string(factors.size()));
    for (const auto& item : factors.items()) {
      if (scenario_.factor_names.size() >= static_cast<std::size_t>(kMaxFactors)) break;
      const std::string path = join_path("factors", item.key());
      const Json& json = item.value();
      const int index = static_cast<int>(scenario_.factor_names.size());
      scenario_.factor_names.push_back(item.key());
      model_->factor_count = index + 1;
      FactorSpec& factor = model_->factors[index];
      factor.stream = stream_id(("factor:" + item.key()).c_str());
      if (!require_object(json, path, "an object {growth, sigma, trend_uncertainty, persistence}")) {
        if (json.is_null()) problems_.add(path, "an object {growth, sigma, …}", "null");
        continue;
      }
      reject_unknown_keys(json, path, {"growth", "sigma", "trend_uncertainty", "persistence"}, problems_);
      factor.growth = required_schedule(json, "growth", path, growth_rate("an annual growth rate > -1"));
      // σ may taper as a market matures: a schedule by calendar year like growth.
      factor.sigma = required_schedule(json, "sigma", path, non_negative("a volatility ≥ 0 (sd of one year's log growth)"));
      factor.trend_uncertainty = plain_number(json, "trend_uncertainty", path, non_negative("a trend uncertainty τ ≥ 0"), 0.0);
      const double persistence =
          plain_number(json, "persistence", path, ValueRange{0.0, true, 1.0, false, "a persistence φ in [0, 1)"}, 0.0);
      set_shock_scaling(factor, persistence);
    }
  }

  // κ = √(n/S), S = n + 2·Σ_{k=1}^{n−1} (n−k)·ρ^k: σ is then one calendar year's sd (docs/model.md §2).
  void set_shock_scaling(FactorSpec& factor, double persistence) {
    const int n = std::max(1, model_->steps_per_year);
    const double dt = 1.0 / n;
    const double rho = std::pow(persistence, dt);
    double s = n;
    for (int k = 1; k < n; ++k) s += 2.0 * (n - k) * std::pow(rho, k);
    const double kappa = std::sqrt(n / s);
    factor.step_persistence = rho;
    factor.step_innovation = std::sqrt(1.0 - rho * rho);
    factor.kappa_root_step = kappa * std::sqrt(dt);
  }

  void store_cholesky(const Eigen::MatrixXd& lower, double (*target)[kMaxFactors]) {
    for (int i = 0; i < lower.rows(); ++i)
      for (int j = 0; j < lower.cols(); ++j) target[i][j] = lower(i, j);
  }

  bool read_flag(const char* key) {
    if (!document_.contains(key)) return false;
    if (document_[key].is_boolean()) return document_[key].get<bool>();
    problems_.add(key, "true or false", describe(document_[key]));
    return false;
  }

  void read_correlations() {
    const std::vector<std::string>& names = scenario_.factor_names;
    const bool repair = read_flag("repair_correlations");
    const Json none;
    const Json& shocks = document_.contains("correlations") ? document_["correlations"] : none;
    Eigen::MatrixXd shock_matrix = read_correlation_pairs(shocks, "correlations", names, problems_);
    shock_matrix = require_positive_semidefinite(shock_matrix, "correlations", names, repair, problems_, scenario_.notes);
    store_cholesky(lower_cholesky(shock_matrix), model_->shock_cholesky);
    if (document_.contains("trend_correlations")) {
      Eigen::MatrixXd trend_matrix =
          read_correlation_pairs(document_["trend_correlations"], "trend_correlations", names, problems_);
      trend_matrix = require_positive_semidefinite(trend_matrix, "trend_correlations", names, repair, problems_,
                                                   scenario_.notes);
      store_cholesky(lower_cholesky(trend_matrix), model_->trend_cholesky);
    } else {
      store_cholesky(lower_cholesky(shock_matrix), model_->trend_cholesky);
    }
  }

  void read_chain() {
    const Json& demand = required(document_, "demand", "", "an object {tokens_per_year, factor, spend_usd_per_year}");
    if (require_object(demand, "demand", "an object {tokens_per_year, factor, spend_usd_per_year}")) {
      reject_unknown_keys(demand, "demand", {"tokens_per_year", "factor", "spend_usd_per_year"}, problems_);
      model_->spend_usd_per_year =
          optional_limit(demand, "spend_usd_per_year", "demand", positive("a spend > 0 (USD per year)"));
      model_->tokens_per_year =
          required_value(demand, "tokens_per_year", "demand", positive("a token demand > 0 (tokens/yr)"));
      model_->demand_factor = factor_reference(required(demand, "factor", "demand", "the name of a factor"), "demand.factor");
    }
    const Json& throughput = required(document_, "throughput", "", "an object {tokens_per_year_per_unit, factor}");
    if (require_object(throughput, "throughput", "an object {tokens_per_year_per_unit, factor}")) {
      reject_unknown_keys(throughput, "throughput", {"tokens_per_year_per_unit", "factor"}, problems_);
      model_->tokens_per_year_per_unit = required_value(throughput, "tokens_per_year_per_unit", "throughput",
                                                        positive("a throughput > 0 (tokens/yr per unit)"));
      model_->throughput_factor =
          factor_reference(required(throughput, "factor", "throughput", "the name of a factor"), "throughput.factor");
    }
    model_->useful_life_years =
        required_value(document_, "useful_life_years", "", positive("a useful life > 0 (years)"));
    if (model_->useful_life_years.draw < 0 && model_->steps > 0 &&
        model_->useful_life_years.constant < model_->step_years)
      problems_.add("useful_life_years",
                    "a useful life of at least one step (" + Json(model_->step_years).dump() + " years)",
                    describe(document_["useful_life_years"]));

    // h and ω (docs/model.md §6): how far ahead producers see power coming online, and how fast
    // unsold units become obsolete. Both may be distributions, drawn once per path.
    if (document_.contains("order_horizon_years"))
      model_->order_horizon_years = values_.value(document_["order_horizon_years"], "order_horizon_years",
                                                  non_negative("an order horizon h ≥ 0 (years)"));
    if (document_.contains("inventory_write_off"))
      model_->inventory_write_off = values_.value(document_["inventory_write_off"], "inventory_write_off",
                                                  non_negative("a write-off rate ω ≥ 0 (share of inventory per year)"));

    const Json& price = required(document_, "price", "", "an object {usd_per_million_tokens}");
    if (require_object(price, "price", "an object {usd_per_million_tokens}")) {
      reject_unknown_keys(price, "price", {"usd_per_million_tokens"}, problems_);
      model_->usd_per_million_tokens = required_schedule(price, "usd_per_million_tokens", "price",
                                                         non_negative("a price ≥ 0 (USD per million tokens)"));
    }

    const Json& initial = required(document_, "initial", "", "an object {installed_base_units, …}");
    if (require_object(initial, "initial", "an object {installed_base_units, inventory_units, token_capacity}")) {
      reject_unknown_keys(initial, "initial", {"installed_base_units", "inventory_units", "token_capacity"}, problems_);
      model_->installed_base_units =
          required_value(initial, "installed_base_units", "initial", non_negative("a number of units ≥ 0"));
      model_->inventory_units = initial.contains("inventory_units")
                                    ? values_.value(initial["inventory_units"], "initial.inventory_units",
                                                    non_negative("a number of units ≥ 0"))
                                    : ParamRef{0.0, -1};
      model_->token_capacity_from_fleet = !initial.contains("token_capacity");
      if (!model_->token_capacity_from_fleet)
        model_->token_capacity = values_.value(initial["token_capacity"], "initial.token_capacity",
                                               non_negative("a token capacity ≥ 0 (tokens/yr)"));
    }
  }

  void read_stages() {
    const Json& stages = required(document_, "stages", "", "an object of stages by name");
    if (!require_object(stages, "stages", "an object of stages by name")) return;
    if (stages.empty()) problems_.add("stages", "at least one stage", "an empty object");
    if (stages.size() > static_cast<std::size_t>(kMaxStages))
      problems_.add("stages", "at most " + std::to_string(kMaxStages) + " stages", std::to_string(stages.size()));
    for (const auto& item : stages.items()) {
      if (scenario_.stage_names.size() >= static_cast<std::size_t>(kMaxStages)) break;
      const std::string path = join_path("stages", item.key());
      if (item.key() == "demand") problems_.add(path, "a stage name other than \"demand\" (it names demand in the binding shares)", "\"demand\"");
      const int index = static_cast<int>(scenario_.stage_names.size());
      scenario_.stage_names.push_back(item.key());
      scenario_.stage_units.push_back("");
      model_->stage_count = index + 1;
      read_stage(item.value(), path, model_->stages[index], scenario_.stage_units.back());
    }
  }

  void read_stage(const Json& json, const std::string& path, StageSpec& stage, std::string& unit) {
    if (!require_object(json, path, "an object describing a flow or stock stage")) {
      if (json.is_null()) problems_.add(path, "an object describing a flow or stock stage", "null");
      return;
    }
    const Json& type = required(json, "type", path, "\"flow\" or \"stock\"");
    const bool stock = type == "stock";
    if (!type.is_null() && type != "flow" && !stock) problems_.add(join_path(path, "type"), "\"flow\" or \"stock\"", describe(type));
    stage.kind = stock ? StageKind::stock : StageKind::flow;
    if (stock) {
      reject_unknown_keys(json, path, {"type", "unit", "initial_capacity", "additions_per_year", "factor", "per_unit",
                                       "initial_used", "response", "max_additions", "ceiling"}, problems_);
    } else {
      reject_unknown_keys(json, path, {"type", "unit", "capacity_per_year", "factor", "yield", "per_unit", "response",
                                       "ceiling"}, problems_);
    }
    unit = stock ? "MW" : "units";
    if (json.contains("unit")) {
      if (json["unit"].is_string()) unit = json["unit"].get<std::string>();
      else problems_.add(join_path(path, "unit"), "a string naming the stage's unit", describe(json["unit"]));
    }
    stage.factor = json.contains("factor") ? factor_reference(json["factor"], join_path(path, "factor")) : -1;
    stage.per_unit = required_schedule(json, "per_unit", path, positive("native units per accelerator > 0"));
    stage.response = plain_number(json, "response", path, non_negative("a response β ≥ 0 (log growth per year)"), 0.0);
    if (stock) {
      stage.initial_capacity = required_value(json, "initial_capacity", path, non_negative("a capacity ≥ 0"));
      stage.capacity = required_value(json, "additions_per_year", path, non_negative("additions per year ≥ 0"));
      stage.max_additions =
          optional_limit(json, "max_additions", path, non_negative("a build-rate ceiling ≥ 0 (native units per year)"));
      stage.ceiling = optional_limit(json, "ceiling", path, non_negative("a capacity ceiling ≥ 0 (native units)"));
      stage.initial_used_from_fleet = !json.contains("initial_used");
      if (!stage.initial_used_from_fleet)
        stage.initial_used = values_.value(json["initial_used"], join_path(path, "initial_used"), non_negative("a used capacity ≥ 0"));
    } else {
      stage.capacity = required_value(json, "capacity_per_year", path, positive("an annual capacity > 0"));
      stage.yield = json.contains("yield")
                        ? values_.value(json["yield"], join_path(path, "yield"), fraction_positive("a yield in (0, 1]"))
                        : ParamRef{1.0, -1};
      stage.ceiling = optional_limit(json, "ceiling", path, positive("a capacity ceiling > 0 (native units per year)"));
    }
  }

  int stage_reference(const std::string& name, const std::string& path) {
    const auto found = std::find(scenario_.stage_names.begin(), scenario_.stage_names.end(), name);
    if (found != scenario_.stage_names.end()) return static_cast<int>(found - scenario_.stage_names.begin());
    const std::string suggestion = closest_match(name, scenario_.stage_names);
    problems_.add(path, "the name of a stage declared in \"stages\"",
                  "\"" + name + "\"" + (suggestion.empty() ? "" : " (did you mean \"" + suggestion + "\"?)"));
    return -1;
  }

  void read_events() {
    if (!document_.contains("events")) return;
    const Json& events = document_["events"];
    if (!require_object(events, "events", "an object of events by name")) return;
    for (const auto& item : events.items()) {
      const std::string path = join_path("events", item.key());
      if (model_->event_count >= kMaxEvents) {
        problems_.add(path, "at most " + std::to_string(kMaxEvents) + " events", "one more");
        break;
      }
      const Json& json = item.value();
      if (!require_object(json, path, "an object {rate_per_year, severity, half_life_years, targets}")) {
        if (json.is_null()) problems_.add(path, "an object {rate_per_year, severity, half_life_years, targets}", "null");
        continue;
      }
      EventSpec& event = model_->events[model_->event_count++];
      scenario_.event_names.push_back(item.key());
      event.stream = stream_id(("event:" + item.key()).c_str());
      reject_unknown_keys(json, path, {"rate_per_year", "severity", "half_life_years", "targets", "forced"}, problems_);
      event.rate = required_value(json, "rate_per_year", path, non_negative("a rate ≥ 0 (events per year)"));
      event.severity = required_distribution(json, "severity", path, fraction_closed("a severity in [0, 1]"));
      event.half_life = required_value(json, "half_life_years", path, positive("a half-life > 0 (years)"));
      read_targets(required(json, "targets", path, "an object {stage: weight}"), join_path(path, "targets"), event);
      if (json.contains("forced")) read_forced(json["forced"], join_path(path, "forced"), event);
    }
  }

  void read_targets(const Json& targets, const std::string& path, EventSpec& event) {
    event.first_target = model_->event_target_count;
    if (!require_object(targets, path, "an object {stage: weight in [0, 1]}")) return;
    if (targets.empty()) problems_.add(path, "at least one target stage", "an empty object");
    for (const auto& item : targets.items()) {
      const std::string target_path = join_path(path, item.key());
      const int stage = stage_reference(item.key(), target_path);
      const ValueRange weight_range = fraction_closed("a weight in [0, 1]");
      if (!item.value().is_number() || !weight_range.contains(item.value().get<double>())) {
        problems_.add(target_path, weight_range.meaning, describe(item.value()));
        continue;
      }
      if (stage < 0) continue;
      if (model_->event_target_count >= kMaxEventTargets) {
        problems_.add(target_path, "at most " + std::to_string(kMaxEventTargets) + " (event, target) pairs", "one more");
        return;
      }
      model_->event_targets[model_->event_target_count++] = EventTarget{stage, item.value().get<double>()};
      ++event.target_count;
    }
  }

  void read_forced(const Json& forced, const std::string& path, EventSpec& event) {
    if (!require_object(forced, path, "an object {year, severity}")) return;
    reject_unknown_keys(forced, path, {"year", "severity"}, problems_);
    const int year =
        year_in_run(required(forced, "year", path, "a calendar year within the run"), join_path(path, "year"));
    event.forced_severity = required_distribution(forced, "severity", path, fraction_closed("a severity in [0, 1]"));
    if (year > 0) event.forced_step = (year - model_->start_year) * model_->steps_per_year + 1;
  }

  void read_parameters() {
    const std::vector<UncertainParameter>& uncertain = values_.uncertain();
    std::vector<std::string> names;
    for (const UncertainParameter& parameter : uncertain) names.push_back(parameter.name);
    scenario_.parameter_names = names;
    model_->uncertain_count = static_cast<int>(uncertain.size());
    for (std::size_t i = 0; i < uncertain.size(); ++i) {
      model_->uncertain[i].stream = stream_id(("param:" + uncertain[i].name).c_str());
      model_->uncertain[i].distribution = uncertain[i].distribution;
      model_->uncertain[i].copula_index = -1;
      tabulate_quantiles(model_->uncertain[i]);
    }
    if (!document_.contains("parameter_correlations")) return;
    const Eigen::MatrixXd full =
        read_correlation_pairs(document_["parameter_correlations"], "parameter_correlations", names, problems_);
    // Only the parameters named in a correlation enter the copula; their order is the scenario's.
    std::vector<int> members;
    for (int i = 0; i < full.rows(); ++i)
      for (int j = 0; j < full.cols(); ++j)
        if (i != j && full(i, j) != 0.0) {
          members.push_back(i);
          break;
        }
    if (static_cast<int>(members.size()) > kMaxCorrelatedParameters) {
      problems_.add("parameter_correlations", "at most " + std::to_string(kMaxCorrelatedParameters) + " correlated parameters",
                    std::to_string(members.size()));
      return;
    }
    Eigen::MatrixXd matrix(members.size(), members.size());
    std::vector<std::string> member_names;
    for (std::size_t a = 0; a < members.size(); ++a) {
      member_names.push_back(names[members[a]]);
      for (std::size_t b = 0; b < members.size(); ++b) matrix(a, b) = full(members[a], members[b]);
    }
    matrix = require_positive_semidefinite(matrix, "parameter_correlations", member_names,
                                           read_flag("repair_correlations"), problems_, scenario_.notes);
    const Eigen::MatrixXd lower = lower_cholesky(matrix);
    model_->correlated_count = static_cast<int>(members.size());
    for (std::size_t a = 0; a < members.size(); ++a) {
      model_->uncertain[members[a]].copula_index = static_cast<int>(a);
      for (std::size_t b = 0; b < members.size(); ++b) model_->parameter_cholesky[a][b] = lower(a, b);
    }
  }

  // Exact values and slopes of z ↦ F⁻¹(Φ(z)) at the nodes: slope = φ(z) / f(x), f the PERT
  // (beta) density at x = F⁻¹(Φ(z)).
  void tabulate_quantiles(UncertainSpec& spec) {
    const Distribution& d = spec.distribution;
    if (d.kind != DistributionKind::pert || model_->quantile_table_count >= kMaxQuantileTables) return;
    spec.table = model_->quantile_table_count++ * kQuantileNodes;
    const double spacing = 2.0 * kQuantileTableReach / (kQuantileNodes - 1);
    const double low = d.p[0], width = d.p[1] - d.p[0], alpha = d.p[2], beta = d.p[3];
    const double log_norm = log_beta(alpha, beta);
    for (int n = 0; n < kQuantileNodes; ++n) {
      const double z = -kQuantileTableReach + n * spacing;
      QuantileNode& node = model_->quantile_nodes[spec.table + n];
      node.value = from_standard_normal(d, z);
      const double y = (node.value - low) / width;  // the underlying Beta(α, β) variate
      const double log_density = (alpha - 1) * std::log(y) + (beta - 1) * std::log1p(-y) - log_norm - std::log(width);
      const double log_normal_density = -0.5 * z * z - 0.91893853320467274178;  // ln φ(z)
      node.slope = y > 0 && y < 1 ? std::exp(log_normal_density - log_density) : 0.0;
    }
  }

  void add_variables() {
    const char* fixed[][3] = {{"token_demand", "tokens", "flow"},       {"tokens_served", "tokens", "flow"},
                              {"unmet_tokens", "tokens", "flow"},       {"wanted_units", "units", "stock"},
                              {"produced_units", "units", "flow"},      {"deployed_units", "units", "flow"},
                              {"inventory_units", "units", "stock"},    {"written_off_units", "units", "flow"},
                              {"installed_base", "units", "stock"},
                              {"revenue", "USD", "flow"},               {"token_capacity", "tokens/yr", "stock"}};
    for (const auto& row : fixed) scenario_.variables.push_back(VariableInfo{row[0], row[1], std::string(row[2]) == "flow"});
    for (std::size_t k = 0; k < scenario_.stage_names.size(); ++k) {
      const std::string& name = scenario_.stage_names[k];
      const bool flow = model_->stages[k].kind == StageKind::flow;
      const std::string& unit = scenario_.stage_units[k];
      scenario_.variables.push_back(VariableInfo{"capacity_units." + name, "units", flow});
      scenario_.variables.push_back(VariableInfo{name + ".used", unit, flow});
      scenario_.variables.push_back(VariableInfo{name + ".capacity", unit, flow});
      scenario_.variables.push_back(flow ? VariableInfo{name + ".spare", unit, true}
                                         : VariableInfo{name + ".added", unit, true});
    }
  }

  // "derived": {NAME: {unit, kind, terms: {VARIABLE: coefficient}, constant}} (scenario-format.md).
  void read_derived() {
    if (!document_.contains("derived")) return;
    const Json& derived = document_["derived"];
    if (!require_object(derived, "derived", "an object of derived outputs by name")) return;
    for (const auto& item : derived.items()) read_derived_output(item.key(), item.value(), join_path("derived", item.key()));
  }

  void read_derived_output(const std::string& name, const Json& json, const std::string& path) {
    const char* shape = "an object {unit, kind, terms, constant}";
    if (!require_object(json, path, shape)) {
      if (json.is_null()) problems_.add(path, shape, "null");
      return;
    }
    reject_unknown_keys(json, path, {"unit", "kind", "terms", "constant", "description"}, problems_);
    if (scenario_.variable_index(name) >= 0)
      problems_.add(path, "a name that is not already a reported variable", "\"" + name + "\"");
    VariableInfo info{name, "", true};
    const Json& unit = required(json, "unit", path, "a string naming the unit");
    if (unit.is_string()) info.unit = unit.get<std::string>();
    else if (!unit.is_null()) problems_.add(join_path(path, "unit"), "a string naming the unit", describe(unit));
    const Json& kind = required(json, "kind", path, "\"flow\" or \"stock\"");
    if (kind == "stock") info.is_flow = false;
    else if (!kind.is_null() && kind != "flow") problems_.add(join_path(path, "kind"), "\"flow\" or \"stock\"", describe(kind));
    if (json.contains("description") && !json["description"].is_string())
      problems_.add(join_path(path, "description"), "a string", describe(json["description"]));

    DerivedOutput output;
    const ValueRange any_number{-INFINITY, false, INFINITY, false, "a number"};
    output.constant = json.contains("constant") ? values_.schedule(json["constant"], join_path(path, "constant"), any_number)
                                                : values_.schedule(Json(0.0), join_path(path, "constant"), any_number);
    const Json& terms = required(json, "terms", path, "an object {variable: coefficient}");
    if (require_object(terms, join_path(path, "terms"), "an object {variable: coefficient}")) {
      if (terms.empty()) problems_.add(join_path(path, "terms"), "at least one term", "an empty object");
      for (const auto& term : terms.items()) {
        const std::string term_path = join_path(join_path(path, "terms"), term.key());
        const ScheduleRef coefficient = values_.schedule(term.value(), term_path, any_number);
        // Only variables listed before this output: a derived output never depends on itself.
        const int variable = scenario_.variable_index(term.key());
        if (variable < 0) {
          std::vector<std::string> names;
          for (const VariableInfo& v : scenario_.variables) names.push_back(v.name);
          const std::string suggestion = closest_match(term.key(), names);
          problems_.add(term_path, "a reported variable or a derived output listed earlier",
                        "\"" + term.key() + "\"" + (suggestion.empty() ? "" : " (did you mean \"" + suggestion + "\"?)"));
          continue;
        }
        output.terms.push_back(DerivedTerm{variable, coefficient});
      }
    }
    output.variable = static_cast<int>(scenario_.variables.size());
    scenario_.variables.push_back(info);
    scenario_.derived.push_back(output);
  }

  void read_report() {
    scenario_.quantile_levels = {0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99};
    if (!document_.contains("report")) return;
    const Json& report = document_["report"];
    if (!require_object(report, "report", "an object {quantiles, thresholds}")) return;
    reject_unknown_keys(report, "report", {"quantiles", "thresholds"}, problems_);
    if (report.contains("quantiles")) read_quantiles(report["quantiles"]);
    if (report.contains("thresholds")) read_thresholds(report["thresholds"]);
  }

  void read_quantiles(const Json& quantiles) {
    if (!quantiles.is_array() || quantiles.empty()) {
      problems_.add("report.quantiles", "a non-empty array of probabilities in (0, 1)", describe(quantiles));
      return;
    }
    std::set<double> levels;
    for (std::size_t i = 0; i < quantiles.size(); ++i) {
      const Json& q = quantiles[i];
      if (!q.is_number() || !(q.get<double>() > 0.0 && q.get<double>() < 1.0)) {
        problems_.add("report.quantiles[" + std::to_string(i) + "]", "a probability in (0, 1)", describe(q));
        continue;
      }
      levels.insert(q.get<double>());
    }
    scenario_.quantile_levels.assign(levels.begin(), levels.end());
  }

  // "thresholds" is an object of named thresholds (merged by name through "extends"; a stress
  // sets a name to null to drop a parent's) or, as before, an array (a child's array is appended
  // to its parent's). Both forms are documented in scenario-format.md.
  void read_thresholds(const Json& thresholds) {
    const char* shape = "an object of named thresholds {NAME: {variable, year, at_least}} or an array of them";
    if (thresholds.is_array()) {
      for (std::size_t i = 0; i < thresholds.size(); ++i)
        read_threshold(thresholds[i], "report.thresholds[" + std::to_string(i) + "]");
    } else if (thresholds.is_object()) {
      for (const auto& item : thresholds.items())
        if (!item.value().is_null()) read_threshold(item.value(), join_path("report.thresholds", item.key()));
    } else {
      problems_.add("report.thresholds", shape, describe(thresholds));
    }
  }

  void read_threshold(const Json& json, const std::string& path) {
    std::vector<std::string> variable_names;
    for (const VariableInfo& v : scenario_.variables) variable_names.push_back(v.name);
    if (!require_object(json, path, "an object {variable, year, at_least}")) return;
    reject_unknown_keys(json, path, {"variable", "year", "at_least"}, problems_);
    ThresholdRequest request;
    const Json& variable = required(json, "variable", path, "a reported variable name");
    request.variable = -1;
    if (variable.is_string()) {
      request.variable = scenario_.variable_index(variable.get<std::string>());
      if (request.variable < 0) {
        const std::string suggestion = closest_match(variable.get<std::string>(), variable_names);
        problems_.add(path + ".variable", "a reported variable (see docs/model.md)",
                      variable.dump() + (suggestion.empty() ? "" : " (did you mean \"" + suggestion + "\"?)"));
      }
    } else if (!variable.is_null()) {
      problems_.add(path + ".variable", "a reported variable name", describe(variable));
    }
    request.year = year_in_run(required(json, "year", path, "a calendar year within the run"), path + ".year");
    const Json& at_least = required(json, "at_least", path, "a number");
    if (!at_least.is_null() && !(at_least.is_number() && std::isfinite(at_least.get<double>())))
      problems_.add(path + ".at_least", "a finite number", describe(at_least));
    if (request.variable >= 0 && request.year > 0 && at_least.is_number()) {
      request.at_least = at_least.get<double>();
      scenario_.thresholds.push_back(request);
    }
  }

  // Two names hashing to one stream would share their draws; vanishingly rare, but never silent.
  void check_streams() {
    std::vector<std::pair<std::uint32_t, std::string>> streams;
    for (std::size_t f = 0; f < scenario_.factor_names.size(); ++f)
      streams.emplace_back(model_->factors[f].stream, "factors." + scenario_.factor_names[f]);
    for (std::size_t e = 0; e < scenario_.event_names.size(); ++e)
      streams.emplace_back(model_->events[e].stream, "events." + scenario_.event_names[e]);
    for (int i = 0; i < model_->uncertain_count; ++i)
      streams.emplace_back(model_->uncertain[i].stream, values_.uncertain()[i].path);
    std::sort(streams.begin(), streams.end());
    for (std::size_t i = 1; i < streams.size(); ++i)
      if (streams[i].first == streams[i - 1].first)
        problems_.add(streams[i].second, "a name whose random stream differs from every other (rename it)",
                      "the same stream as " + streams[i - 1].second);
  }

  const Json& document_;
  ProblemList problems_;
  std::shared_ptr<Model> model_;
  ValueReader values_;
  Scenario scenario_;
};

}  // namespace

std::vector<int> Scenario::calendar_years() const {
  std::vector<int> years;
  for (int y = 0; y < model->years; ++y) years.push_back(model->start_year + y);
  return years;
}

int Scenario::variable_index(const std::string& variable_name) const {
  for (std::size_t i = 0; i < variables.size(); ++i)
    if (variables[i].name == variable_name) return static_cast<int>(i);
  return -1;
}

// Names and section sizes are checked first, so the compiler's work is bounded (input_rules.hpp);
// a problem in a parent of the `extends` chain is filed under that parent.
Scenario load_scenario_text(const std::string& text, const std::string& file) {
  const ScenarioSource source = read_scenario_source(text, file);
  try {
    check_names_and_limits(source.document, file);
    Scenario scenario = ScenarioCompiler(source.document, file).compile();
    check_reported_names(scenario);
    check_central_path_is_finite(scenario);
    return scenario;
  } catch (const InputError& error) {
    throw attribute_to_layers(error, source);
  }
}

Scenario load_scenario(const std::string& path) { return load_scenario_text(read_text_file(path), path); }

}  // namespace chokepoint
