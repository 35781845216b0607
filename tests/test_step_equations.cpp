// Each line of docs/model.md §2, §4, §5 and §6 on small cases computed by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "chokepoint/path_step.hpp"
#include "chokepoint/year_record.hpp"
#include "scenario_builder.hpp"

namespace chokepoint {
namespace {

using testing::compile;
using testing::deterministic_scenario;
using testing::Json;

// Runs `steps` steps of path 0 with zero shocks and no random firing; returns the last outcome.
struct HandRun {
  Scenario scenario;
  PathState<> state{};
  StepOutcome<> out{};

  explicit HandRun(const Json& document) : scenario(compile(document)) {
    start_path(*scenario.model, seed_key(1), 0, state);
  }
  void step(int t, double fire = 0.999999) {
    StepShocks<> shocks{};
    for (double& u : shocks.fire) u = fire;
    for (double& u : shocks.severity) u = 0.5;
    for (double& u : shocks.forced_severity) u = 0.5;
    step_path(*scenario.model, t, shocks, state, out);
  }
};

// Two flow stages, one stock stage: cowos binds in step 1, then hbm once cowos's response
// lifted it (numbers worked out in the comments).
Json two_step_chain() {
  Json s = deterministic_scenario();
  s["time"]["years"] = 2;
  s["stages"] = Json::parse(R"({
    "cowos": {"type": "flow", "capacity_per_year": 1000, "yield": 0.8, "per_unit": 10, "response": 0.5},
    "hbm":   {"type": "flow", "capacity_per_year": 2000, "per_unit": 20},
    "power": {"type": "stock", "initial_capacity": 100, "additions_per_year": 40, "per_unit": 0.5}
  })");
  return s;
}

TEST(StepEquations, FirstStepOfTheChainByHand) {
  HandRun run(two_step_chain());
  run.step(1);
  const StepOutcome<>& out = run.out;
  EXPECT_DOUBLE_EQ(out.token_demand, 2000.0);                     // Tok = 1000·(1+1)
  EXPECT_DOUBLE_EQ(out.throughput, 10.0);                         // Eff = eff_0
  EXPECT_DOUBLE_EQ(out.wanted, (2000.0 - 0.75 * 500.0) / 10.0);   // Dd = (Tok − (1−rΔ)Q)/Eff = 162.5
  EXPECT_DOUBLE_EQ(out.orders, 162.5 - 5.0);                      // Dp = Dd − Inv
  EXPECT_DOUBLE_EQ(out.stage_units[0], 1000.0 * 0.8 / 10.0);      // K_cowos = 80
  EXPECT_DOUBLE_EQ(out.stage_units[1], 2000.0 / 20.0);            // K_hbm = 100
  EXPECT_DOUBLE_EQ(out.stage_native[2], 140.0);                   // C = 100 + 40
  EXPECT_DOUBLE_EQ(out.stage_units[2], (140.0 - 0.75 * 25.0) / 0.5);  // H = (C − (1−rΔ)U)/per_unit
  EXPECT_DOUBLE_EQ(out.produced, 80.0);                           // S = min(Dp, K)
  EXPECT_DOUBLE_EQ(out.deployed, 85.0);                           // Y = min(Dd, Inv + S, H)
  EXPECT_EQ(out.binding, binding_code_of_stage(0));               // cowos: the smallest K
  EXPECT_DOUBLE_EQ(run.state.inventory, 0.0);                     // Inv = 5 + 80 − 85
  EXPECT_DOUBLE_EQ(run.state.fleet, 0.75 * 50.0 + 85.0);          // B = (1−rΔ)B + Y
  EXPECT_DOUBLE_EQ(run.state.token_capacity, 0.75 * 500.0 + 850.0);  // Q = (1−rΔ)Q + Y·Eff
  EXPECT_DOUBLE_EQ(run.state.stock_used[2], 0.75 * 25.0 + 85.0 * 0.5);  // U = (1−rΔ)U + Y·per_unit
  EXPECT_DOUBLE_EQ(out.served, 1225.0);                           // Srv = min(Tok, Q)
  EXPECT_DOUBLE_EQ(out.usd_per_million_tokens, 2.0);
}

TEST(StepEquations, ResponseBoostsTheBindingStageFromTheNextStep) {
  HandRun run(two_step_chain());
  run.step(1);
  run.step(2);
  const StepOutcome<>& out = run.out;
  EXPECT_DOUBLE_EQ(run.state.response_boost[0], 0.5);             // A = β·Δ after binding once
  EXPECT_DOUBLE_EQ(run.state.response_boost[1], 0.0);             // hbm did not bind in step 1
  EXPECT_NEAR(out.stage_units[0], 80.0 * std::exp(0.5), 1e-12);   // K·exp(A)
  EXPECT_DOUBLE_EQ(out.wanted, (4000.0 - 0.75 * 1225.0) / 10.0);
  EXPECT_DOUBLE_EQ(out.produced, 100.0);
  EXPECT_DOUBLE_EQ(out.deployed, 100.0);
  EXPECT_EQ(out.binding, binding_code_of_stage(1));               // now hbm is the smallest K
  EXPECT_DOUBLE_EQ(out.stage_units[2], (180.0 - 0.75 * 61.25) / 0.5);
}

// v2 lines of docs/model.md §6, one by one, on two_step_chain with a slow power build-out:
// C = 40 + 8 = 48, H = (48 − 0.75·25)/0.5 = 58.5, a = 8 MW/yr, h = 0.5:
// D* = H + h·a/per_unit = 58.5 + 0.5·8/0.5 = 66.5 < Dd = 162.5.
Json slow_power_chain() {
  Json s = two_step_chain();
  s["stages"]["power"]["initial_capacity"] = 40;
  s["stages"]["power"]["additions_per_year"] = 8;
  return s;
}

TEST(StepEquations, OrdersStopAtWhatPowerCanTakeWithinTheHorizon) {
  HandRun run(slow_power_chain());
  run.step(1);
  const StepOutcome<>& out = run.out;
  EXPECT_DOUBLE_EQ(out.stage_units[2], 58.5);                     // H
  EXPECT_DOUBLE_EQ(out.stage_build_rate[2], 8.0);                 // a
  EXPECT_DOUBLE_EQ(out.deployable, 66.5);                         // D* = H + h·a/per_unit
  EXPECT_DOUBLE_EQ(out.orders, 66.5 - 5.0);                       // Dp = min(Dd, D*) − Inv
  EXPECT_DOUBLE_EQ(out.produced, 61.5);                           // S = min(Dp, K): K = 80, 100
  EXPECT_DOUBLE_EQ(out.deployed, 58.5);                           // Y = min(Dd, Inv + S, H)
  EXPECT_EQ(out.binding, binding_code_of_stage(2));               // power set Y
  EXPECT_DOUBLE_EQ(out.written_off, 0.0);                         // ω defaults to 0
  EXPECT_DOUBLE_EQ(run.state.inventory, 8.0);                     // h·a/per_unit waits for power
}

TEST(StepEquations, HorizonZeroOrdersOnlyWhatCanBeDeployedNow) {
  Json s = slow_power_chain();
  s["order_horizon_years"] = 0;
  HandRun run(s);
  run.step(1);
  EXPECT_DOUBLE_EQ(run.out.deployable, 58.5);
  EXPECT_DOUBLE_EQ(run.out.produced, 58.5 - 5.0);
  EXPECT_DOUBLE_EQ(run.out.deployed, 58.5);
  EXPECT_EQ(run.out.binding, binding_code_of_stage(2));
  EXPECT_DOUBLE_EQ(run.state.inventory, 0.0);
}

TEST(StepEquations, UnsoldInventoryIsWrittenOffAtOmegaPerYear) {
  Json s = slow_power_chain();
  s["inventory_write_off"] = 0.5;
  HandRun run(s);
  run.step(1);
  EXPECT_DOUBLE_EQ(run.out.written_off, 0.5 * 1.0 * 8.0);         // W = ω·Δ·(Inv + S − Y)
  EXPECT_DOUBLE_EQ(run.state.inventory, 8.0 - 4.0);               // Inv = Inv + S − Y − W
}

TEST(StepEquations, AWriteOffFasterThanOneStepClearsTheInventoryAndNoMore) {
  Json s = slow_power_chain();
  s["inventory_write_off"] = 3.0;  // ω·Δ = 3 > 1
  HandRun run(s);
  run.step(1);
  EXPECT_DOUBLE_EQ(run.out.written_off, 8.0);
  EXPECT_DOUBLE_EQ(run.state.inventory, 0.0);
}

TEST(StepEquations, SpendCeilingCapsTokenDemand) {
  Json s = two_step_chain();
  s["demand"]["spend_usd_per_year"] = 1e-3;  // at $2 per million tokens: 500 tokens/yr < 2000
  HandRun run(s);
  run.step(1);
  EXPECT_DOUBLE_EQ(run.out.token_demand, 1e-3 * 1e6 / 2.0);      // Tok = min(tok_0·I, spend·10⁶/price)
  EXPECT_DOUBLE_EQ(run.out.wanted, (500.0 - 0.75 * 500.0) / 10.0);
  EXPECT_DOUBLE_EQ(run.out.served, 500.0);                        // revenue = 500 tokens × $2/M = spend
}

TEST(StepEquations, FlowCeilingCapsNativeCapacityBeforeImpairment) {
  Json s = two_step_chain();
  s["stages"]["cowos"]["ceiling"] = 1000.0 * std::exp(0.25);  // binds once the boost e^A = e^0.5 applies
  s["events"] = Json::parse(R"({"quake": {"rate_per_year": 0.0, "severity": 0.5, "half_life_years": 1e9,
                                "targets": {"cowos": 1.0}, "forced": {"year": 2026, "severity": 0.5}}})");
  HandRun run(s);
  run.step(1);
  EXPECT_DOUBLE_EQ(run.out.stage_units[0], 80.0);                 // below the ceiling: unchanged
  run.step(2);
  // K = min(cap·e^A, ceiling)·M·yield·Δ/per_unit = 1000·e^0.25 · 0.5 · 0.8 / 10
  EXPECT_NEAR(run.out.stage_units[0], 1000.0 * std::exp(0.25) * 0.5 * 0.8 / 10.0, 1e-12);
}

TEST(StepEquations, StockBuildRateIsCappedByMaxAdditionsThenImpaired) {
  Json s = two_step_chain();
  s["stages"]["power"]["max_additions"] = 30;
  s["events"] = Json::parse(R"({"outage": {"rate_per_year": 0.0, "severity": 0.5, "half_life_years": 1e9,
                                 "targets": {"power": 1.0}, "forced": {"year": 2025, "severity": 0.5}}})");
  HandRun run(s);
  run.step(1);
  EXPECT_DOUBLE_EQ(run.out.stage_build_rate[2], 30.0 * 0.5);      // a = min(add·I·e^A, max_additions)·M
  EXPECT_DOUBLE_EQ(run.out.stage_native[2], 100.0 + 15.0);        // C = C + a·Δ
  EXPECT_DOUBLE_EQ(run.out.stage_added[2], 15.0);
}

TEST(StepEquations, StockCeilingStopsGrowthButNeverRemovesCapacity) {
  Json s = two_step_chain();
  s["stages"]["power"]["ceiling"] = 120;
  HandRun run(s);
  run.step(1);
  EXPECT_DOUBLE_EQ(run.out.stage_native[2], 120.0);               // min(C + a·Δ, max(C, ceiling))
  EXPECT_DOUBLE_EQ(run.out.stage_added[2], 20.0);
  EXPECT_DOUBLE_EQ(run.out.stage_build_rate[2], 40.0);            // D* still counts a (literal rule)
  Json above = two_step_chain();
  above["stages"]["power"]["ceiling"] = 60;                       // C(0) = 100 is already above it
  HandRun kept(above);
  kept.step(1);
  EXPECT_DOUBLE_EQ(kept.out.stage_native[2], 100.0);
  EXPECT_DOUBLE_EQ(kept.out.stage_added[2], 0.0);
}

TEST(StepEquations, SigmaScheduleSetsEachCalendarYearsShockScale) {
  Json s = deterministic_scenario();
  s["time"] = Json::parse(R"({"start_year": 2025, "years": 2, "steps_per_year": 2})");
  s["factors"]["token_demand"] = Json::parse(R"({"growth": 0.0, "sigma": {"2025": 0.4, "2026": 0.1}})");
  HandRun run(s);
  const double kappa_root_step = run.scenario.model->factors[0].kappa_root_step;
  EXPECT_DOUBLE_EQ(kappa_root_step, std::sqrt(0.5));  // φ = 0: κ = 1
  run.step(1);
  EXPECT_DOUBLE_EQ(run.state.shock_scale[0], 0.4 * kappa_root_step);
  run.step(2);
  run.step(3);
  EXPECT_DOUBLE_EQ(run.state.shock_scale[0], 0.1 * kappa_root_step);
}

TEST(StepEquations, WantedUnitsIsTheYearEndGapAndWriteOffsAddUp) {
  Json s = slow_power_chain();
  s["time"]["steps_per_year"] = 4;
  s["time"]["years"] = 1;
  s["inventory_write_off"] = 1.0;
  HandRun run(s);
  YearRecord<> record{};
  const Model& model = *run.scenario.model;
  begin_year(model, record);
  double written_off = 0.0;
  for (int t = 1; t <= 4; ++t) {
    run.step(t);
    record_step(model, run.out, run.state, record);
    written_off += run.out.written_off;
  }
  EXPECT_DOUBLE_EQ(record.value[kWantedUnits], run.out.wanted);   // a stock: Dd of the last step
  EXPECT_GT(written_off, 0.0);
  EXPECT_DOUBLE_EQ(record.value[kWrittenOffUnits], written_off);  // a flow: Σ W
}

TEST(StepEquations, StockStageBindsWhenHeadroomIsShort) {
  Json s = two_step_chain();
  s["stages"]["power"]["additions_per_year"] = 0;
  s["stages"]["power"]["initial_capacity"] = 40;  // H = (40 − 18.75)/0.5 = 42.5 < 85
  HandRun run(s);
  run.step(1);
  EXPECT_DOUBLE_EQ(run.out.deployed, 42.5);
  EXPECT_EQ(run.out.binding, binding_code_of_stage(2));
  // No additions, so D* = H: producers build only what power takes now, 42.5 − 5 = 37.5 < K.
  EXPECT_DOUBLE_EQ(run.out.produced, 37.5);
  EXPECT_DOUBLE_EQ(run.state.inventory, 0.0);
}

TEST(StepEquations, DemandBindsWhenNothingElseIsShort) {
  HandRun run(deterministic_scenario());
  run.step(1);
  EXPECT_DOUBLE_EQ(run.out.deployed, run.out.wanted);
  EXPECT_EQ(run.out.binding, kBindingDemand);
}

TEST(StepEquations, TiesGoToDemandThenToTheEarlierStage) {
  // K of both flow stages = 157.5 = Dp exactly: S = Dp, Y = Dd, so demand wins the tie.
  Json s = deterministic_scenario();
  s["stages"] = Json::parse(R"({
    "a": {"type": "flow", "capacity_per_year": 1575, "per_unit": 10},
    "b": {"type": "flow", "capacity_per_year": 1575, "per_unit": 10}})");
  HandRun demand_tie(s);
  demand_tie.step(1);
  EXPECT_EQ(demand_tie.out.binding, kBindingDemand);
  // Both at 100 < Dp: the earlier-listed stage binds.
  s["stages"]["a"]["capacity_per_year"] = 1000;
  s["stages"]["b"]["capacity_per_year"] = 1000;
  HandRun stage_tie(s);
  stage_tie.step(1);
  EXPECT_EQ(stage_tie.out.binding, binding_code_of_stage(0));
}

TEST(StepEquations, NoDemandLeftMeansNothingIsWantedAndInventoryStays) {
  Json s = deterministic_scenario();
  s["initial"]["installed_base_units"] = 1000;  // Q = 10000 tokens/yr > Tok
  HandRun run(s);
  run.step(1);
  EXPECT_DOUBLE_EQ(run.out.wanted, 0.0);
  EXPECT_DOUBLE_EQ(run.out.produced, 0.0);
  EXPECT_DOUBLE_EQ(run.state.inventory, 5.0);
  EXPECT_DOUBLE_EQ(run.out.served, 2000.0);
  EXPECT_EQ(run.out.binding, kBindingDemand);
}

TEST(StepEquations, EventsRecoverThenFireAndEachPairHealsAtItsOwnPace) {
  Json s = deterministic_scenario();
  s["time"]["steps_per_year"] = 4;
  s["events"] = Json::parse(R"({
    "quake": {"rate_per_year": 1.0, "severity": 0.5, "half_life_years": 0.25, "targets": {"cowos": 1.0}},
    "war":   {"rate_per_year": 1.0, "severity": 0.4, "half_life_years": 2.0, "targets": {"cowos": 0.5}}})");
  HandRun run(s);
  run.step(1, /*fire=*/1e-9);  // both fire: M = 1 − s·w
  EXPECT_DOUBLE_EQ(run.state.impairment[0], 0.5);
  EXPECT_DOUBLE_EQ(run.state.impairment[1], 1.0 - 0.4 * 0.5);
  EXPECT_DOUBLE_EQ(run.out.stage_native[0], 1e9 * 0.25 * 0.5 * 0.8);  // cap·M_k·Δ, M_k = Π_e M_{e,k}
  run.step(2);  // no firing: M ← 1 − (1 − M)·2^(−Δ/h)
  EXPECT_DOUBLE_EQ(run.state.impairment[0], 1.0 - 0.5 * std::exp2(-0.25 / 0.25));
  EXPECT_DOUBLE_EQ(run.state.impairment[1], 1.0 - 0.2 * std::exp2(-0.25 / 2.0));
}

TEST(StepEquations, FiringProbabilityPerStepIsOneMinusExpOfRateTimesStep) {
  Json s = deterministic_scenario();
  s["time"]["steps_per_year"] = 4;
  s["events"] = Json::parse(R"({"e": {"rate_per_year": 0.8, "severity": 0.5, "half_life_years": 1.0, "targets": {"cowos": 1.0}}})");
  const double p = 1.0 - std::exp(-0.8 * 0.25);
  HandRun below(s);
  below.step(1, p * (1 - 1e-12));
  EXPECT_LT(below.state.impairment[0], 1.0);
  HandRun above(s);
  above.step(1, p * (1 + 1e-12));
  EXPECT_EQ(above.state.impairment[0], 1.0);
}

TEST(StepEquations, ForcedEventFiresAtTheFirstStepOfItsYear) {
  Json s = deterministic_scenario();
  s["time"]["years"] = 3;
  s["events"] = Json::parse(R"({"blockade": {"rate_per_year": 0.0, "severity": 0.5, "half_life_years": 1e6,
                                "targets": {"cowos": 1.0}, "forced": {"year": 2026, "severity": 0.75}}})");
  HandRun run(s);
  run.step(1);
  EXPECT_EQ(run.state.impairment[0], 1.0);
  run.step(2);
  EXPECT_NEAR(run.state.impairment[0], 0.25, 1e-12);
}

TEST(StepEquations, KappaMakesSigmaTheSdOfOneCalendarYear) {
  Json s = deterministic_scenario();
  s["time"]["steps_per_year"] = 4;
  s["factors"]["token_demand"] = Json::parse(R"({"growth": 0.0, "sigma": 0.4, "persistence": 0.5})");
  const Scenario scenario = compile(s);
  const FactorSpec& factor = scenario.model->factors[0];
  const double rho = std::pow(0.5, 0.25);
  const double sum = 4 + 2 * (3 * rho + 2 * rho * rho + rho * rho * rho);  // S_f
  EXPECT_DOUBLE_EQ(factor.step_persistence, rho);
  EXPECT_NEAR(0.4 * factor.kappa_root_step, 0.4 * std::sqrt(4 / sum) * std::sqrt(0.25), 1e-15);
  EXPECT_DOUBLE_EQ(factor.step_innovation, std::sqrt(1 - rho * rho));
}

TEST(StepEquations, FactorIndexFollowsTheGrowthScheduleByCalendarYear) {
  Json s = deterministic_scenario();
  s["time"] = Json::parse(R"({"start_year": 2025, "years": 3, "steps_per_year": 2})");
  s["factors"]["token_demand"]["growth"] = Json::parse(R"({"2020": 1.0, "2026": 3.0, "2027": 0.5})");
  HandRun run(s);
  const double expected[] = {std::sqrt(2.0), 2.0, 4.0, 8.0, 8.0 * std::sqrt(1.5), 12.0};
  for (int t = 1; t <= 6; ++t) {
    run.step(t);
    EXPECT_NEAR(run.out.token_demand, 1000.0 * expected[t - 1], 1e-9) << "step " << t;
  }
}

}  // namespace
}  // namespace chokepoint
