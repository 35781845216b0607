// summary.json and summary.csv (README.md, "Using it"; docs/uncertainty.md), written atomically,
// and read back for tools.
#pragma once

#include <string>

#include "chokepoint/engine.hpp"
#include "chokepoint/output_files.hpp"
#include "chokepoint/summary.hpp"

namespace chokepoint {

// The shortest decimal that reads back to the same double ("0.05", not "0.050000000000000003").
std::string shortest_decimal(double value);

std::string summary_json_text(const Summary& summary);
std::string summary_csv_text(const Summary& summary);

// Writes DIR/summary.json and DIR/summary.csv, each through a temporary file and a rename, so a
// crash never leaves a half-written summary that looks whole. Throws ResourceError (exit 3).
// summary.csv is one long table, scenario,variable,unit,year,stat,quantile,value, in the cells of
// csv.hpp; `quantile` holds the level on quantile rows (stat q0.05 …) and is empty elsewhere.
void write_summary(const std::string& directory, const Summary& summary);

// A run's directory: summary.json, summary.csv and scenario.json (the scenario as run, with
// `extends` resolved), which `diff` and `report` read back. Each file is written atomically, and
// summary.json records the digest of the scenario.json beside it (read_run_scenario checks it).
// The CLI writes into an OutputDirectory's staging folder, so the directory appears as a whole.
void write_run_directory(const std::string& directory, const Scenario& scenario, const Summary& summary);

// Reads DIR/summary.json back into a Summary. Throws InputError naming the file and JSON path
// when it is missing, not a regular file, larger than 64 MiB, or not shaped as chokepoint writes
// it: paths a whole number ≥ 1, every variable and stage with exactly the run's years in order,
// every year with one quantile per level.
Summary read_summary(const std::string& directory);

// Loads DIR/scenario.json, the scenario as run. InputError when its digest is not the one
// `summary` (read from the same directory) records: the two files come from different runs.
Scenario read_run_scenario(const std::string& directory, const Summary& summary);

}  // namespace chokepoint
