// The compiled model: a scenario reduced to flat, trivially copyable tables that the per-path
// step reads on the host and on the device alike. Built by host/scenario/compile_scenario.cpp.
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>

#include "chokepoint/distributions.hpp"
#include "chokepoint/macros.hpp"

namespace chokepoint {

inline constexpr int kMaxFactors = 16;
inline constexpr int kMaxStages = 16;
inline constexpr int kMaxEvents = 16;
inline constexpr int kMaxEventTargets = 64;
inline constexpr int kMaxYears = 64;
inline constexpr int kMaxUncertain = 128;
inline constexpr int kMaxCorrelatedParameters = 16;
inline constexpr int kMaxScheduleEntries = 2048;

// A scalar of the scenario: a constant, or the per-path draw number `draw` (docs/model.md §3).
struct ParamRef {
  double constant = 0.0;
  std::int32_t draw = -1;

  // `Real` is double, or a SIMD pack of paths that a constant is broadcast into.
  template <class Real>
  CHOKEPOINT_HD Real value(const Real* draws) const { return draw >= 0 ? draws[draw] : Real(constant); }
};

// A per-year schedule, resolved to one ParamRef per simulated year in Model::schedule_table.
struct ScheduleRef {
  std::int32_t offset = 0;
};

// A schedule the scenario may leave out: a ceiling or a spend limit (docs/model.md, "Ceilings").
// Absent, it is +∞, so min(x, limit) = x.
struct LimitRef {
  std::int32_t offset = -1;  // −1: no limit
};

struct FactorSpec {
  std::uint32_t stream = 0;
  ScheduleRef sigma;               // σ by year: sd of one calendar year's log growth
  double trend_uncertainty = 0.0;  // τ
  double step_persistence = 0.0;   // ρ = φ^Δ
  double step_innovation = 1.0;    // √(1 − ρ²)
  double kappa_root_step = 0.0;    // κ·√Δ; the step's shock scale is σ(year)·κ·√Δ
  ScheduleRef growth;              // g by year; μ = ln(1 + g)
};

enum class StageKind : int { flow = 0, stock = 1 };

struct StageSpec {
  StageKind kind = StageKind::flow;
  std::int32_t factor = -1;  // -1: capacity does not grow
  ParamRef capacity;         // flow: cap_k per year; stock: add_j per year
  LimitRef ceiling;          // flow: cap on native annual capacity; stock: cap on C_j
  LimitRef max_additions;    // stock only: cap on the build rate a_j, native units per year
  ParamRef yield;            // flow only
  ParamRef initial_capacity; // stock only: C_j(0)
  ParamRef initial_used;     // stock only: U_j(0), when not derived from the fleet
  bool initial_used_from_fleet = true;  // U_j(0) = B(0) · per_unit of the first year
  ScheduleRef per_unit;
  double response = 0.0;     // β
};

struct EventTarget {
  std::int32_t stage = 0;
  double weight = 1.0;
};

struct EventSpec {
  std::uint32_t stream = 0;
  ParamRef rate;             // λ per year
  ParamRef half_life;        // years
  Distribution severity;     // drawn at every firing
  std::int32_t forced_step = -1;  // step (1-based) of a forced firing, −1 for none
  Distribution forced_severity;
  // First node of each severity's table in Model::quantile_nodes (−1: computed exactly). The
  // mixed precision reads severities from these tables; the reference solves them exactly.
  std::int32_t severity_table = -1;
  std::int32_t forced_severity_table = -1;
  std::int32_t first_target = 0;
  std::int32_t target_count = 0;
};

struct UncertainSpec {
  std::uint32_t stream = 0;
  Distribution distribution;
  std::int32_t copula_index = -1;  // row in parameter_cholesky, −1 when independent
  std::int32_t table = -1;         // first node in Model::quantile_nodes, −1 when computed exactly
};

// A PERT quantile costs about 1 µs exactly (Newton on the incomplete beta function), too much
// to pay for every path (or for every firing of an event). Its map z ↦ F⁻¹(Φ(z)) is smooth, so it is tabulated once per scenario
// at kQuantileNodes points over [−kQuantileTableReach, kQuantileTableReach] with exact values and
// slopes, and read back by cubic Hermite interpolation (error below 1e-9; tests check it).
inline constexpr int kQuantileNodes = 513;
inline constexpr double kQuantileTableReach = 8.0;
inline constexpr int kMaxQuantileTables = 32;
struct QuantileNode {
  double value;  // F⁻¹(Φ(z))
  double slope;  // d value / dz
};

struct Model {
  int start_year = 0;
  int years = 0;
  int steps_per_year = 1;
  int steps = 0;
  double step_years = 1.0;  // Δ

  int factor_count = 0;
  FactorSpec factors[kMaxFactors];
  double shock_cholesky[kMaxFactors][kMaxFactors] = {};  // L of R, lower triangular
  double trend_cholesky[kMaxFactors][kMaxFactors] = {};

  std::int32_t demand_factor = 0;
  std::int32_t throughput_factor = 0;
  ParamRef tokens_per_year;         // tok_0
  ParamRef tokens_per_year_per_unit;  // eff_0
  ParamRef useful_life_years;
  ParamRef installed_base_units;
  ParamRef inventory_units;
  ParamRef token_capacity;
  bool token_capacity_from_fleet = true;
  ScheduleRef usd_per_million_tokens;
  LimitRef spend_usd_per_year;      // what buyers can pay for tokens; absent: no ceiling on demand
  ParamRef order_horizon_years{0.5, -1};  // h: producers build for power coming online within h
  ParamRef inventory_write_off{0.0, -1};  // ω per year: unsold units written off as obsolete

  int stage_count = 0;
  StageSpec stages[kMaxStages];

  int event_count = 0;
  EventSpec events[kMaxEvents];
  int event_target_count = 0;
  EventTarget event_targets[kMaxEventTargets];

  int uncertain_count = 0;
  UncertainSpec uncertain[kMaxUncertain];
  int correlated_count = 0;
  double parameter_cholesky[kMaxCorrelatedParameters][kMaxCorrelatedParameters] = {};

  int quantile_table_count = 0;
  QuantileNode quantile_nodes[kMaxQuantileTables * kQuantileNodes];

  int schedule_entry_count = 0;
  ParamRef schedule_table[kMaxScheduleEntries];

  template <class Real>
  CHOKEPOINT_HD Real scheduled(ScheduleRef schedule, int year_index, const Real* draws) const {
    return schedule_table[schedule.offset + year_index].value(draws);
  }

  template <class Real>
  CHOKEPOINT_HD Real limit(LimitRef limit_ref, int year_index, const Real* draws) const {
    return limit_ref.offset < 0 ? Real(INFINITY) : schedule_table[limit_ref.offset + year_index].value(draws);
  }
};

static_assert(std::is_trivially_copyable_v<Model>, "the model is copied to the device as bytes");

}  // namespace chokepoint
