// Per-path trajectories for analysts who want to plot spaghetti or check a path by hand
// (`chokepoint run … --per-path N` writes DIR/paths.csv). See docs/report.md for the columns.
#pragma once

#include <cstdint>
#include <string>

#include "chokepoint/engine.hpp"

namespace chokepoint {

// The first `paths` paths, step by step, as one wide CSV table: one row per path and step,
//   path,step,year,time,token_demand,throughput,wanted_units,produced_units,deployed_units,
//   inventory_units,installed_base,token_capacity,tokens_served,binding
// `year` is the step's calendar year and `time` its end in decimal years. Rates (token_demand,
// throughput, token_capacity, tokens_served) are per year, as in docs/model.md; wanted, produced
// and deployed are units in that step; inventory and installed base are at the step's end;
// `binding` names the step's binding stage ("demand" or a stage). Values are trace_path's in the
// run's precision, written as csv_number writes numbers (docs/errors.md, "CSV files"). Deterministic for a seed.
std::string trajectory_csv_text(const Scenario& scenario, std::uint64_t seed, std::uint64_t paths,
                                Precision precision = Precision::mixed);

// The first `paths` paths' drawn inputs and yearly outputs, one row per path (docs/sensitivity.md,
// "Per-path inputs"): path, then per uncertain parameter `<name>` (its value) and `<name>.u` (its
// copula uniform), per factor `<factor>.trend` (δ, log/yr) and `<factor>.trend.u`, per event and
// year `<event>.fires.<year>` (random firings; a forced one is not counted), then per year every
// variable as `<variable>.<year>` and every binding code as `<stage>.binding_share.<year>` (share of
// the year's steps it bound). `chokepoint discover` reads it as it is.
std::string inputs_csv_text(const Scenario& scenario, std::uint64_t seed, std::uint64_t paths,
                            Precision precision = Precision::mixed);

// Writes DIR/paths.csv and DIR/inputs.csv atomically, streaming it path by path (memory does not grow with the
// path count). Throws ResourceError (exit 3) when it cannot write, InputError for a bad path.
void write_trajectory_csv(const std::string& directory, const Scenario& scenario, std::uint64_t seed,
                          std::uint64_t paths, Precision precision = Precision::mixed);

}  // namespace chokepoint
