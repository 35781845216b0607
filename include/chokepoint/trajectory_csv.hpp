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

// Writes DIR/paths.csv atomically, streaming it path by path (memory does not grow with the
// path count). Throws ResourceError (exit 3) when it cannot write, InputError for a bad path.
void write_trajectory_csv(const std::string& directory, const Scenario& scenario, std::uint64_t seed,
                          std::uint64_t paths, Precision precision = Precision::mixed);

}  // namespace chokepoint
