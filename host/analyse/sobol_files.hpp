// What `chokepoint sensitivity` writes: DIR/sobol.json, DIR/sobol.csv and a terminal table
// (docs/sensitivity.md, "Output").
#pragma once

#include <string>

#include "analyse/sobol_run.hpp"

namespace chokepoint {

// {"scenario", "seed", "base_samples", "paths_simulated", "backend", "precision", "bootstrap":
//  {"replicates", "level"}, "groups": [{"name", "inputs"}], "outputs": [{"output", "variable",
//  "year", "unit", "N", "variance", "interactions", "indices": [{"group", "first_order": {"estimate",
//  "low", "high", "se"}, "total": {…}}]}]}, indices in the order of "groups"; NaN as null.
std::string sobol_json_text(const SobolAnalysis& analysis);

// One row per output and group: output,variable,year,group,inputs,first_order,first_order_low,
// first_order_high,total,total_low,total_high,base_samples.
std::string sobol_csv_text(const SobolAnalysis& analysis);

// DIR/sobol.json, DIR/sobol.csv and DIR/scenario.json (the scenario as resolved), each written
// atomically: what `sensitivity`, its shards' merge and `chokepoint-mpi sensitivity` leave.
void write_sobol_files(const std::string& directory, const Scenario& scenario, const SobolAnalysis& analysis);

// Per output, the groups sorted by total index, largest first, with their intervals.
std::string sobol_table_text(const SobolAnalysis& analysis);

}  // namespace chokepoint
