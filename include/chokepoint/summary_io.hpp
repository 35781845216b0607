// summary.json and summary.csv (README.md, "Using it"; docs/uncertainty.md), written atomically,
// and read back for tools.
#pragma once

#include <string>

#include "chokepoint/engine.hpp"
#include "chokepoint/summary.hpp"

namespace chokepoint {

// The shortest decimal that reads back to the same double ("0.05", not "0.050000000000000003").
std::string shortest_decimal(double value);

std::string summary_json_text(const Summary& summary);
std::string summary_csv_text(const Summary& summary);

// Writes DIR/summary.json and DIR/summary.csv, each through a temporary file and a rename, so a
// crash never leaves a half-written summary that looks whole. Throws ResourceError (exit 3).
void write_summary(const std::string& directory, const Summary& summary);

// A run's directory: summary.json, summary.csv and scenario.json (the scenario as run, with
// `extends` resolved), which `diff` and `report` read back. Each file is written atomically.
void write_run_directory(const std::string& directory, const Scenario& scenario, const Summary& summary);

// Reads DIR/summary.json back into a Summary. Throws InputError naming the file when it is
// missing or not a chokepoint summary.
Summary read_summary(const std::string& directory);

// Writes `text` to `path` atomically (temporary file in the same directory, then rename).
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace chokepoint
