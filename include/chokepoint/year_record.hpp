// The reported variables (docs/model.md §7) and how one path's steps add up to its calendar years.
//
// Flows are summed over the year's steps (a rate such as tokens/yr enters as rate·Δ); stocks
// are read at the year's last step. Layout: the fixed variables below, then three per stage.
#pragma once

#include <cstdint>

#include "chokepoint/lane_math.hpp"
#include "chokepoint/model.hpp"
#include "chokepoint/path_state.hpp"

namespace chokepoint {

enum FixedVariable : int {
  kTokenDemand = 0,   // flow, tokens
  kTokensServed,      // flow, tokens
  kUnmetTokens,       // flow, tokens
  kWantedUnits,       // stock, units (Dd at the year's last step)
  kProducedUnits,     // flow, units (Σ S)
  kDeployedUnits,     // flow, units (Σ Y)
  kInventoryUnits,    // stock, units
  kWrittenOffUnits,   // flow, units (Σ W)
  kInstalledBase,     // stock, units
  kRevenue,           // flow, USD
  kTokenCapacity,     // stock, tokens/yr
  kFixedVariableCount
};

// Per stage k: capacity_units.<k>, <k>.used, <k>.capacity, and a fourth that differs by kind:
// a flow stage's <k>.spare (native capacity left unused) or a stock stage's <k>.added.
inline constexpr int kVariablesPerStage = 4;
CHOKEPOINT_HD inline int stage_capacity_units_variable(int k) { return kFixedVariableCount + kVariablesPerStage * k; }
CHOKEPOINT_HD inline int stage_used_variable(int k) { return stage_capacity_units_variable(k) + 1; }
CHOKEPOINT_HD inline int stage_capacity_variable(int k) { return stage_capacity_units_variable(k) + 2; }
CHOKEPOINT_HD inline int stage_spare_or_added_variable(int k) { return stage_capacity_units_variable(k) + 3; }
CHOKEPOINT_HD inline int variable_count(const Model& model) {
  return kFixedVariableCount + kVariablesPerStage * model.stage_count;
}
inline constexpr int kMaxVariables = kFixedVariableCount + kVariablesPerStage * kMaxStages;
inline constexpr int kMaxBindingCodes = 1 + kMaxStages;

// One path's (or one pack of paths') current calendar year.
template <class Real = double>
struct YearRecord {
  Real value[kMaxVariables];
  Real binding_steps[kMaxBindingCodes];  // steps of this year each code bound (≤ 12)
};

CHOKEPOINT_CODE_BEGIN

template <class Real>
CHOKEPOINT_HD inline void begin_year(const Model& model, YearRecord<Real>& record) {
  for (int v = 0; v < variable_count(model); ++v) record.value[v] = Real(0.0);
  for (int code = 0; code <= model.stage_count; ++code) record.binding_steps[code] = Real(0.0);
}

// Adds one step's outcome; stocks are overwritten so that the year's last step stays.
// The mixed precision (precision.hpp) multiplies by the year's per_unit/yield and 1/per_unit
// where the reference divides.
template <Precision kPrecision = Precision::reference, class Real>
CHOKEPOINT_HD inline void record_step(const Model& model, const StepOutcome<Real>& out,
                                      const PathState<Real>& state, YearRecord<Real>& record) {
  constexpr bool mixed = kPrecision == Precision::mixed;
  const double dt = model.step_years;
  Real* value = record.value;
  value[kTokenDemand] += out.token_demand * dt;
  value[kTokensServed] += out.served * dt;
  value[kUnmetTokens] += (out.token_demand - out.served) * dt;
  value[kWantedUnits] = out.wanted;
  value[kProducedUnits] += out.produced;
  value[kDeployedUnits] += out.deployed;
  value[kInventoryUnits] = state.inventory;
  value[kWrittenOffUnits] += out.written_off;
  value[kInstalledBase] = state.fleet;
  value[kRevenue] += out.served * dt * out.usd_per_million_tokens * 1e-6;
  value[kTokenCapacity] = state.token_capacity;
  for (int k = 0; k < model.stage_count; ++k) {
    if (model.stages[k].kind == StageKind::flow) {
      value[stage_capacity_units_variable(k)] += out.stage_units[k];
      // native input consumed by this step's production: S · per_unit / yield
      const Real used = mixed ? out.produced * state.stage_native_per_unit[k]
                              : out.produced * out.stage_per_unit[k] / out.stage_yield[k];
      value[stage_used_variable(k)] += used;
      value[stage_capacity_variable(k)] += out.stage_native[k];
      value[stage_spare_or_added_variable(k)] += out.stage_native[k] - used;
    } else {
      value[stage_capacity_units_variable(k)] = mixed ? out.stage_native[k] * state.stage_units_per_native[k]
                                                      : out.stage_native[k] / out.stage_per_unit[k];
      value[stage_used_variable(k)] = state.stock_used[k];
      value[stage_capacity_variable(k)] = out.stage_native[k];
      value[stage_spare_or_added_variable(k)] += out.stage_added[k];
    }
  }
  for (int code = 0; code <= model.stage_count; ++code)
    record.binding_steps[code] += select(out.binding == code, Real(1.0), Real(0.0));
}

CHOKEPOINT_CODE_END

}  // namespace chokepoint
