// What one path carries from step to step, and what one step hands to the reductions.
#pragma once

#include <cstdint>

#include "chokepoint/model.hpp"

namespace chokepoint {

// Binding codes of MODEL.md §6: demand, or a stage by its position in the scenario.
inline constexpr int kBindingDemand = 0;
CHOKEPOINT_HD inline int binding_code_of_stage(int stage) { return 1 + stage; }

struct PathState {
  double draws[kMaxUncertain];             // this path's uncertain parameters (§3)
  double log_index[kMaxFactors];           // X_f
  double shock[kMaxFactors];               // e_f
  double trend[kMaxFactors];               // δ_f
  double growth_log[kMaxFactors];          // μ_f of the current calendar year, ln(1 + g)
  double event_fire_probability[kMaxEvents];  // 1 − exp(−λΔ), fixed for the path
  double event_recovery[kMaxEvents];          // 2^(−Δ/h), fixed for the path
  double impairment[kMaxEventTargets];     // M_{e,k}, one per (event, target) pair
  double response_boost[kMaxStages];       // A_k
  double stock_capacity[kMaxStages];       // C_j
  double stock_used[kMaxStages];           // U_j
  double inventory = 0.0;                  // Inv
  double fleet = 0.0;                      // B
  double token_capacity = 0.0;             // Q, tokens/yr
  int last_binding = -1;                   // binding code of the previous step, −1 before the first
};

// The random inputs of one step: standard normals z(t) per factor (before the Cholesky factor)
// and, per event, the uniforms of its fire test, its severity and its forced severity.
struct StepShocks {
  double normal[kMaxFactors];
  double fire[kMaxEvents];
  double severity[kMaxEvents];
  double forced_severity[kMaxEvents];
};

// Everything a step produced, in the units of MODEL.md §6 (rates per year, units per step).
struct StepOutcome {
  double token_demand;   // Tok(t), tokens/yr
  double throughput;     // Eff(t), tokens/yr per unit
  double wanted;         // Dd(t), units
  double orders;         // Dp(t), units
  double produced;       // S(t), units
  double deployed;       // Y(t), units
  double served;         // Srv(t), tokens/yr
  double usd_per_million_tokens;
  double stage_units[kMaxStages];       // flow: K_k(t); stock: H_j(t)
  double stage_native[kMaxStages];      // flow: native capacity this step; stock: C_j(t)
  double stage_added[kMaxStages];       // stock: capacity added this step, add·I·M·exp(A)·Δ
  double stage_per_unit[kMaxStages];    // per_unit_k(t)
  double stage_yield[kMaxStages];       // flow: yield_k; stock: 1
  int binding;                          // binding code
};

static_assert(std::is_trivially_copyable_v<PathState>, "a path's state lives in registers or plain memory");

}  // namespace chokepoint
