// Reads what the report's "What drives it" section draws: DIR/tornado.json and summary.json's
// "sensitivity" section (docs/sensitivity.md gives both schemas). Bad files are the user's to
// fix: InputError (exit 2) naming the file, the JSON path, what was expected and what was found.
#pragma once

#include <optional>
#include <string>

#include "chokepoint/report.hpp"

namespace chokepoint::report {

TornadoFile read_tornado_file(const std::string& file);

// The "sensitivity" section of a summary.json; nothing when the summary has none.
std::optional<SensitivityFile> read_sensitivity_section(const std::string& summary_file);

}  // namespace chokepoint::report
