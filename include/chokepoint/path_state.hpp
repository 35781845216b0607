// What one path carries from step to step, and what one step hands to the reductions.
// `Real` is double for one path, or a SIMD pack of paths on the CPU (see lane_math.hpp).
#pragma once

#include <cstdint>
#include <type_traits>

#include "chokepoint/model.hpp"

namespace chokepoint {

// Binding codes of the step (docs/model.md, "Binding stage"): demand, or a stage by its position in the scenario. Carried as
// a Real so that a SIMD pack holds one code per path.
inline constexpr int kBindingDemand = 0;
CHOKEPOINT_HD inline int binding_code_of_stage(int stage) { return 1 + stage; }

template <class Real = double>
struct PathState {
  Real draws[kMaxUncertain];             // this path's uncertain parameters
  Real log_index[kMaxFactors];           // X_f
  Real shock[kMaxFactors];               // e_f
  Real trend[kMaxFactors];               // δ_f
  Real growth_log[kMaxFactors];          // μ_f of the current calendar year, ln(1 + g)
  Real shock_scale[kMaxFactors];         // σ_f(year)·κ_f·√Δ of the current calendar year
  Real event_fire_probability[kMaxEvents];  // 1 − exp(−λΔ), fixed for the path
  Real event_recovery[kMaxEvents];          // 2^(−Δ/h), fixed for the path
  Real impairment[kMaxEventTargets];     // M_{e,k}, one per (event, target) pair
  Real response_boost[kMaxStages];       // A_k
  Real stock_capacity[kMaxStages];       // C_j
  Real stock_used[kMaxStages];           // U_j
  Real inventory;                        // Inv
  Real fleet;                            // B
  Real token_capacity;                   // Q, tokens/yr
  Real last_binding;                     // binding code of the previous step, −1 before the first

  // Constants of the path, resolved at its start so that the step does not look them up.
  Real retained;                         // 1 − rΔ, the share of the fleet a step keeps
  Real order_horizon;                    // h, years
  Real base_token_demand;                // tok_0, tokens/yr
  Real base_throughput;                  // eff_0, tokens/yr per unit
  Real written_off_share;                // min(1, ωΔ), the share of unsold units a step writes off
  Real stage_capacity[kMaxStages];       // flow: cap_k; stock: add_j (per year, before growth)
  Real stage_yield[kMaxStages];          // flow: yield_k; stock: 1

  // Constants of the current calendar year, resolved at its first step (schedules, ceilings).
  Real stage_ceiling[kMaxStages];        // flow: cap on native capacity; stock: cap on C_j (+∞: none)
  Real stage_max_additions[kMaxStages];  // stock: cap on a_j (+∞: none)
  Real stage_per_unit[kMaxStages];       // per_unit_k(year)
  Real stage_units_per_native[kMaxStages];  // yield_k / per_unit_k (a stock stage's yield is 1)
  Real stage_native_per_unit[kMaxStages];   // per_unit_k / yield_k: native input one produced unit takes
  Real usd_per_million_tokens;           // price(year)
  Real token_ceiling;                    // spend(year)·10⁶ / price(year): the tokens buyers can pay for
};

// The random inputs of one step: standard normals z(t) per factor (before the Cholesky factor)
// and, per event, the uniforms of its fire test, its severity and its forced severity.
template <class Real = double>
struct StepShocks {
  Real normal[kMaxFactors];
  Real fire[kMaxEvents];
  Real severity[kMaxEvents];
  Real forced_severity[kMaxEvents];
};

// Everything a step produced, in the units of docs/model.md (rates per year, units per step).
template <class Real = double>
struct StepOutcome {
  Real token_demand;   // Tok(t), tokens/yr
  Real throughput;     // Eff(t), tokens/yr per unit
  Real wanted;         // Dd(t), units
  Real deployable;     // D*(t), units (+∞ without stock stages)
  Real orders;         // Dp(t), units
  Real produced;       // S(t), units
  Real deployed;       // Y(t), units
  Real written_off;    // W(t), units
  Real served;         // Srv(t), tokens/yr
  Real usd_per_million_tokens;
  Real stage_units[kMaxStages];       // flow: K_k(t); stock: H_j(t)
  Real stage_native[kMaxStages];      // flow: native capacity this step; stock: C_j(t)
  Real stage_added[kMaxStages];       // stock: capacity added this step, C_j(t) − C_j(t−1)
  Real stage_build_rate[kMaxStages];  // stock: a_j(t) = min(add·I·e^A, max_additions)·M, per year
  Real stage_per_unit[kMaxStages];    // per_unit_k(t)
  Real stage_yield[kMaxStages];       // flow: yield_k; stock: 1
  Real binding;                       // binding code
};

static_assert(std::is_trivially_copyable_v<PathState<double>>, "a path's state lives in registers or plain memory");

}  // namespace chokepoint
