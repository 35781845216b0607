// The "distributions" and "convergence" sections of summary.json (docs/report.md, "What
// summary.json adds for the report"): written after the summary's other keys, read back when
// present (summaries written before them have neither).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "chokepoint/summary.hpp"
#include "output/appending_json.hpp"

namespace chokepoint {

// Adds the sections that the summary holds (none when both are empty).
void write_distribution_sections(nlohmann::ordered_json& root, const Summary& summary);

// Reads them into `summary`, whose variables and years are already read. Throws InputError
// naming `file`, the JSON path, what was expected and what was found.
void read_distribution_sections(const ReadJson& root, const std::string& file, Summary& summary);

}  // namespace chokepoint
