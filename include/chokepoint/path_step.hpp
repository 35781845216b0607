// One path of the model (docs/model.md): its start (§2–§3 draws, initial conditions) and one
// step (§2, §4–§6).
// Host and device call exactly this code; backends differ only in how they loop over paths.
//
// Interface, for one path (`Real` = double) or a SIMD pack of paths (the CPU):
//   start_path(model, key, path, state)        draws the start normals, then start_path(model, normals, state):
//                                              parameters, initial conditions and the path's constants
//   draw_step_shocks(model, key, path, step, cache, shocks, precision)   step t's random inputs
//   step_path<Real, kPrecision>(model, step, shocks, state, out)         one step; at a calendar
//                                              year's first step it first calls begin_path_year,
//                                              which resolves that year's schedules and ceilings
// The step reads every per-path and per-year constant from `state` (path_state.hpp), not from
// the model's schedule tables, and multiplies by the year's yield/per_unit instead of dividing.
#pragma once

#include <cmath>

#include "chokepoint/distributions.hpp"
#include "chokepoint/lane_math.hpp"
#include "chokepoint/model.hpp"
#include "chokepoint/path_state.hpp"
#include "chokepoint/precision.hpp"
#include "chokepoint/random_streams.hpp"

namespace chokepoint {
CHOKEPOINT_CODE_BEGIN

// ε = L·z for the first `count` entries; L lower triangular.
template <class Real>
CHOKEPOINT_HD inline void correlate(const double (*cholesky)[kMaxFactors], int count, const Real* independent,
                                    Real* correlated) {
  for (int row = 0; row < count; ++row) {
    Real sum = Real(0.0);
    for (int column = 0; column <= row; ++column) sum += cholesky[row][column] * independent[column];
    correlated[row] = sum;
  }
}

CHOKEPOINT_CODE_END

// The normals a path draws once, at its start (block 0 of each stream, first Box–Muller pair):
// one per uncertain parameter, and per factor the normals of e(0) and of the trend δ.
template <class Real = double>
struct StartNormals {
  Real parameter[kMaxUncertain];
  Real shock[kMaxFactors];
  Real trend[kMaxFactors];
};

CHOKEPOINT_CODE_BEGIN

CHOKEPOINT_HD inline NormalPair first_normal_pair(PhiloxKey key, std::uint32_t stream, std::uint64_t path) {
  const PhiloxCounter words = philox4x32_10(stream_block(stream, path, 0), key);
  return box_muller(words.word[0], words.word[1]);
}

CHOKEPOINT_HD inline void draw_start_normals(const Model& model, PhiloxKey key, std::uint64_t path,
                                             StartNormals<double>& normals) {
  for (int i = 0; i < model.uncertain_count; ++i)
    normals.parameter[i] = first_normal_pair(key, model.uncertain[i].stream, path).first;
  for (int f = 0; f < model.factor_count; ++f) {
    const NormalPair pair = first_normal_pair(key, model.factors[f].stream, path);
    normals.shock[f] = pair.first;
    normals.trend[f] = pair.second;
  }
}

// This path's uncertain parameters (§3) from their normals: correlated through the parameters'
// Cholesky factor when the scenario correlates them, then mapped through each marginal (from its
// quantile table where it has one: quantile_of_normal).
template <class Real>
CHOKEPOINT_HD inline void parameters_from_normals(const Model& model, const Real* normals, Real* draws) {
  Real independent_normals[kMaxCorrelatedParameters];
  Real correlated_normals[kMaxCorrelatedParameters];
  for (int i = 0; i < model.uncertain_count; ++i)
    if (model.uncertain[i].copula_index >= 0) independent_normals[model.uncertain[i].copula_index] = normals[i];
  for (int row = 0; row < model.correlated_count; ++row) {
    Real sum = Real(0.0);
    for (int column = 0; column <= row; ++column)
      sum += model.parameter_cholesky[row][column] * independent_normals[column];
    correlated_normals[row] = sum;
  }
  for (int i = 0; i < model.uncertain_count; ++i) {
    const UncertainSpec& spec = model.uncertain[i];
    const Real z = spec.copula_index >= 0 ? correlated_normals[spec.copula_index] : normals[i];
    draws[i] = quantile_of_normal(spec.table >= 0 ? model.quantile_nodes + spec.table : nullptr, spec.distribution, z);
  }
}

// Draws this path's uncertain parameters (§3), each from its own stream.
CHOKEPOINT_HD inline void draw_parameters(const Model& model, PhiloxKey key, std::uint64_t path, double* draws) {
  double normals[kMaxUncertain];
  for (int i = 0; i < model.uncertain_count; ++i)
    normals[i] = first_normal_pair(key, model.uncertain[i].stream, path).first;
  parameters_from_normals(model, normals, draws);
}

// The state at t = 0 from the path's start normals: X = 0, e(0) ~ N(0, R) (the shock's
// stationary law), δ ~ N(0, τ²) with correlation R_trend, every impairment 1, no boost, and the
// initial conditions of the chain; and the path's constants, which the step reads from the state.
// `Real` is double for one path, or a SIMD pack of paths on the CPU.
template <class Real>
CHOKEPOINT_HD inline void start_path(const Model& model, const StartNormals<Real>& normals, PathState<Real>& state) {
  parameters_from_normals(model, normals.parameter, state.draws);
  const Real* draws = state.draws;
  const double dt = model.step_years;
  correlate(model.shock_cholesky, model.factor_count, normals.shock, state.shock);
  correlate(model.trend_cholesky, model.factor_count, normals.trend, state.trend);
  for (int f = 0; f < model.factor_count; ++f) {
    state.log_index[f] = Real(0.0);
    state.trend[f] *= model.factors[f].trend_uncertainty;
  }
  for (int pair = 0; pair < model.event_target_count; ++pair) state.impairment[pair] = Real(1.0);
  for (int e = 0; e < model.event_count; ++e) {
    const EventSpec& event = model.events[e];
    state.event_fire_probability[e] = -expm1(-event.rate.value(draws) * dt);
    state.event_recovery[e] = exp2(-dt / event.half_life.value(draws));
  }

  // 1 − rΔ; a drawn life shorter than one step retires the whole fleet in that step, never more.
  state.retained = fmax(Real(0.0), 1.0 - dt / model.useful_life_years.value(draws));
  state.order_horizon = model.order_horizon_years.value(draws);
  state.base_token_demand = model.tokens_per_year.value(draws);
  state.base_throughput = model.tokens_per_year_per_unit.value(draws);
  // ω·Δ is capped at 1: a write-off faster than one step clears the inventory, never more.
  state.written_off_share = fmin(Real(1.0), model.inventory_write_off.value(draws) * dt);

  state.fleet = model.installed_base_units.value(draws);
  state.inventory = model.inventory_units.value(draws);
  state.token_capacity = model.token_capacity_from_fleet ? state.fleet * state.base_throughput
                                                         : model.token_capacity.value(draws);
  for (int k = 0; k < model.stage_count; ++k) {
    const StageSpec& stage = model.stages[k];
    state.response_boost[k] = Real(0.0);
    state.stock_capacity[k] = Real(0.0);
    state.stock_used[k] = Real(0.0);
    state.stage_capacity[k] = stage.capacity.value(draws);
    state.stage_yield[k] = stage.kind == StageKind::flow ? stage.yield.value(draws) : Real(1.0);
    if (stage.kind == StageKind::stock) {
      state.stock_capacity[k] = stage.initial_capacity.value(draws);
      state.stock_used[k] = stage.initial_used_from_fleet
                                ? state.fleet * model.scheduled(stage.per_unit, 0, draws)
                                : stage.initial_used.value(draws);
    }
  }
  state.last_binding = Real(-1.0);
}

CHOKEPOINT_HD inline void start_path(const Model& model, PhiloxKey key, std::uint64_t path, PathState<double>& state) {
  StartNormals<double> normals;
  draw_start_normals(model, key, path, normals);
  start_path<double>(model, normals, state);
}

CHOKEPOINT_CODE_END

// The normals of the factors' shocks, four steps per Philox call, refilled every fourth step.
struct FactorNormalCache {
  double normal[kMaxFactors][4];
};

CHOKEPOINT_CODE_BEGIN

// Fills `shocks` with step t's random inputs for this path (the layout of random_streams.hpp).
CHOKEPOINT_HD inline void draw_step_shocks(const Model& model, PhiloxKey key, std::uint64_t path,
                                           int step, FactorNormalCache& cache, StepShocks<double>& shocks,
                                           Precision precision = Precision::reference) {
  const int lane = shock_lane(step);
  if (lane == 0) {
    for (int f = 0; f < model.factor_count; ++f) {
      const FourNormals block = precision == Precision::mixed
                                    ? four_normals_float(key, model.factors[f].stream, path, shock_block(step))
                                    : four_normals(key, model.factors[f].stream, path, shock_block(step));
      for (int i = 0; i < 4; ++i) cache.normal[f][i] = block.value[i];
    }
  }
  for (int f = 0; f < model.factor_count; ++f) shocks.normal[f] = cache.normal[f][lane];
  for (int e = 0; e < model.event_count; ++e) {
    const PhiloxCounter words =
        philox4x32_10(stream_block(model.events[e].stream, path, static_cast<std::uint32_t>(step)), key);
    shocks.fire[e] = open_uniform(words.word[0]);
    shocks.severity[e] = open_uniform(words.word[1]);
    shocks.forced_severity[e] = open_uniform(words.word[2]);
  }
}

// exp of the factor index (plus a stage's boost), in the step's precision (precision.hpp).
template <Precision kPrecision, class Real>
CHOKEPOINT_HD CHOKEPOINT_FORCEINLINE Real index_exp(Real x) {
  if constexpr (kPrecision == Precision::mixed) return exp_in_float(x);
  else return exp(x);
}

template <Precision kPrecision, class Real>
CHOKEPOINT_HD CHOKEPOINT_FORCEINLINE Real growth_log_of(Real growth) {
  if constexpr (kPrecision == Precision::mixed) return log_one_plus(growth);
  else return log1p_each(growth);
}

// The constants of calendar year `year` (0-based), resolved at its first step: the schedules
// and ceilings the year's steps read, and the reciprocal they multiply by instead of dividing.
template <Precision kPrecision, class Real>
CHOKEPOINT_HD inline void begin_path_year(const Model& model, int year, PathState<Real>& state) {
  const Real* draws = state.draws;
  for (int f = 0; f < model.factor_count; ++f) {
    const FactorSpec& factor = model.factors[f];
    state.growth_log[f] = growth_log_of<kPrecision>(model.scheduled(factor.growth, year, draws));  // μ = ln(1 + g)
    state.shock_scale[f] = model.scheduled(factor.sigma, year, draws) * factor.kappa_root_step;
  }
  for (int k = 0; k < model.stage_count; ++k) {
    const StageSpec& stage = model.stages[k];
    state.stage_ceiling[k] = model.limit(stage.ceiling, year, draws);
    state.stage_max_additions[k] = model.limit(stage.max_additions, year, draws);
    state.stage_per_unit[k] = model.scheduled(stage.per_unit, year, draws);
    state.stage_units_per_native[k] = state.stage_yield[k] / state.stage_per_unit[k];
    state.stage_native_per_unit[k] = state.stage_per_unit[k] / state.stage_yield[k];
  }
  state.usd_per_million_tokens = model.scheduled(model.usd_per_million_tokens, year, draws);
  state.token_ceiling = model.limit(model.spend_usd_per_year, year, draws) * 1e6 / state.usd_per_million_tokens;
}

// One step t = 1..T of one path (or of one pack of paths); reads like docs/model.md §2, §4, §5, §6.
// The path's and the year's constants come from the state (start_path, begin_path_year).
template <class Real, Precision kPrecision = Precision::reference>
CHOKEPOINT_HD inline void step_path(const Model& model, int step, const StepShocks<Real>& shocks,
                                    PathState<Real>& state, StepOutcome<Real>& out) {
  const double dt = model.step_years;
  if ((step - 1) % model.steps_per_year == 0) begin_path_year<kPrecision>(model, (step - 1) / model.steps_per_year, state);

  // §2  ε(t) = L·z(t);  e(t) = ρ·e(t−1) + √(1−ρ²)·ε(t);  X(t) = X(t−1) + (μ(t) + δ)·Δ + σ(t)·κ√Δ·e(t)
  Real innovation[kMaxFactors];
  correlate(model.shock_cholesky, model.factor_count, shocks.normal, innovation);
  for (int f = 0; f < model.factor_count; ++f) {
    const FactorSpec& factor = model.factors[f];
    state.shock[f] = factor.step_persistence * state.shock[f] + factor.step_innovation * innovation[f];
    state.log_index[f] += (state.growth_log[f] + state.trend[f]) * dt + state.shock_scale[f] * state.shock[f];
  }

  // §4  recovery first, M ← 1 − (1−M)·2^(−Δ/h); then a firing multiplies each target by 1 − s·w.
  // The severity's quantile: exact in the reference precision, from its table in the mixed one.
  Real stage_impairment[kMaxStages];
  for (int k = 0; k < model.stage_count; ++k) stage_impairment[k] = Real(1.0);
  for (int e = 0; e < model.event_count; ++e) {
    const EventSpec& event = model.events[e];
    const bool tables = kPrecision == Precision::mixed;
    const Real severity = quantile_where(shocks.fire[e] < state.event_fire_probability[e], event.severity,
                                         tables ? table_at(model, event.severity_table) : nullptr, shocks.severity[e]);
    const Real forced = quantile_where(step == event.forced_step, event.forced_severity,
                                       tables ? table_at(model, event.forced_severity_table) : nullptr,
                                       shocks.forced_severity[e]);
    for (int i = 0; i < event.target_count; ++i) {
      const int pair = event.first_target + i;
      const EventTarget& target = model.event_targets[pair];
      Real impairment = 1.0 - (1.0 - state.impairment[pair]) * state.event_recovery[e];
      impairment *= 1.0 - severity * target.weight;
      impairment *= 1.0 - forced * target.weight;
      state.impairment[pair] = impairment;
      stage_impairment[target.stage] *= impairment;
    }
  }

  // §6 response: A_k(t) = A_k(t−1) + β_k·Δ·[k bound at t−1]
  for (int k = 0; k < model.stage_count; ++k)
    state.response_boost[k] += select(state.last_binding == binding_code_of_stage(k), Real(model.stages[k].response * dt),
                                      Real(0.0));

  // §5  flow:  K = min(cap·I·e^A, ceiling)·M·yield·Δ / per_unit
  //     stock: a = min(add·I·e^A, max_additions)·M;  C = min(C + a·Δ, max(C, ceiling));
  //            H = max(0, C − (1−rΔ)·U) / per_unit
  // (a flow stage's yield / per_unit is the year's units_per_native; in the reference precision H
  // keeps its division, so that it equals the stock rule of docs/model.md to the last bit, as the
  // known-answer tests check.)
  const Real retained = state.retained;
  for (int k = 0; k < model.stage_count; ++k) {
    const StageSpec& stage = model.stages[k];
    // cap·I_f(t)·exp(A_k(t)), with one exp for the index and the boost together
    const Real log_growth = (stage.factor >= 0 ? state.log_index[stage.factor] : Real(0.0)) + state.response_boost[k];
    const Real unimpaired = state.stage_capacity[k] * index_exp<kPrecision>(log_growth);
    const Real ceiling = state.stage_ceiling[k];
    out.stage_per_unit[k] = state.stage_per_unit[k];
    out.stage_yield[k] = state.stage_yield[k];
    if (stage.kind == StageKind::flow) {
      const Real native = fmin(unimpaired, ceiling) * stage_impairment[k] * dt;
      out.stage_native[k] = native;
      out.stage_units[k] = native * state.stage_units_per_native[k];
    } else {
      const Real build_rate = fmin(unimpaired, state.stage_max_additions[k]) * stage_impairment[k];
      const Real before = state.stock_capacity[k];
      state.stock_capacity[k] = fmin(before + build_rate * dt, fmax(before, ceiling));
      out.stage_build_rate[k] = build_rate;
      out.stage_added[k] = state.stock_capacity[k] - before;
      out.stage_native[k] = state.stock_capacity[k];
      const Real housed = fmax(Real(0.0), state.stock_capacity[k] - retained * state.stock_used[k]);
      // The mixed precision multiplies by the year's 1/per_unit (units_per_native: a stock's yield is 1).
      out.stage_units[k] = kPrecision == Precision::mixed ? housed * state.stage_units_per_native[k]
                                                          : housed / state.stage_per_unit[k];
    }
  }

  // §6  the chain
  const Real price = state.usd_per_million_tokens;
  const Real horizon = state.order_horizon;
  const Real tokens = fmin(state.base_token_demand * index_exp<kPrecision>(state.log_index[model.demand_factor]),
                           state.token_ceiling);  // Tok = min(tok_0·I_demand, spend·10⁶ / price)
  const Real throughput = state.base_throughput * index_exp<kPrecision>(state.log_index[model.throughput_factor]);
  const Real wanted = fmax(Real(0.0), tokens - retained * state.token_capacity) / throughput;  // Dd
  Real deployable = Real(INFINITY);                                                            // D*
  for (int k = 0; k < model.stage_count; ++k)
    if (model.stages[k].kind == StageKind::stock)
      deployable = fmin(deployable, out.stage_units[k] + horizon * out.stage_build_rate[k] * state.stage_units_per_native[k]);
  const Real target = fmin(wanted, deployable);
  const Real orders = fmax(Real(0.0), target - state.inventory);                              // Dp
  // The flow stage with the smallest K_k, the earlier one on a tie (strict <).
  bool any_flow = false;
  Real tightest_units = orders, tightest_code = Real(-1.0);
  for (int k = 0; k < model.stage_count; ++k) {
    if (model.stages[k].kind != StageKind::flow) continue;
    if (!any_flow) {
      tightest_units = out.stage_units[k];
      tightest_code = Real(binding_code_of_stage(k));
      any_flow = true;
      continue;
    }
    const auto smaller = out.stage_units[k] < tightest_units;
    tightest_units = select(smaller, out.stage_units[k], tightest_units);
    tightest_code = select(smaller, Real(binding_code_of_stage(k)), tightest_code);
  }
  const Real produced = any_flow ? fmin(orders, tightest_units) : orders;                      // S
  // When orders are met in full, Inv + S equals min(Dd, D*) in exact arithmetic; fmax keeps
  // rounding (Inv + (x − Inv) can land one ulp below x) from blaming a flow stage that did not bind.
  const Real available = select(produced == orders, fmax(state.inventory + produced, target), state.inventory + produced);
  Real deployed = fmin(wanted, available);                                                     // Y
  for (int k = 0; k < model.stage_count; ++k)
    if (model.stages[k].kind == StageKind::stock) deployed = fmin(deployed, out.stage_units[k]);
  const Real unsold = state.inventory + produced - deployed;
  const Real written_off = state.written_off_share * unsold;                                  // W = min(1, ωΔ)·unsold
  state.inventory = unsold - written_off;                                                      // Inv
  state.fleet = retained * state.fleet + deployed;                                             // B
  state.token_capacity = retained * state.token_capacity + deployed * throughput;              // Q
  for (int k = 0; k < model.stage_count; ++k)
    if (model.stages[k].kind == StageKind::stock)
      state.stock_used[k] = retained * state.stock_used[k] + deployed * out.stage_per_unit[k];  // U

  // The binding stage: demand if Y = Dd; else the first stock stage with Y = H_j; else the flow
  // stage with the smallest K_k, the only term left that can have set Y (D* ≥ min H_j, so orders
  // cut by D* leave Y to a stock stage). Built from the last rule to the first so that the
  // earliest match wins.
  Real binding = tightest_code;
  for (int k = model.stage_count - 1; k >= 0; --k)
    if (model.stages[k].kind == StageKind::stock)
      binding = select(deployed == out.stage_units[k], Real(binding_code_of_stage(k)), binding);
  binding = select(deployed == wanted, Real(kBindingDemand), binding);
  state.last_binding = binding;

  out.token_demand = tokens;
  out.throughput = throughput;
  out.wanted = wanted;
  out.deployable = deployable;
  out.orders = orders;
  out.produced = produced;
  out.deployed = deployed;
  out.written_off = written_off;
  out.served = fmin(tokens, state.token_capacity);                                             // Srv
  out.usd_per_million_tokens = price;
  out.binding = binding;
}

CHOKEPOINT_CODE_END

}  // namespace chokepoint
