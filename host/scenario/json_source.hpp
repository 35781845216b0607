// Reading a scenario's JSON: comments allowed, `extends` resolved as an RFC 7396 merge patch.
#pragma once

#include <string>

#include "scenario/input_problems.hpp"

namespace chokepoint {

// Parses `text` (named `file` in errors) and applies `extends` chains. Throws InputError.
Json read_scenario_json(const std::string& text, const std::string& file);

// Applies `patch` to `document` as `extends` applies a file to its parent: an RFC 7396 merge
// patch (threshold arrays appended rather than replaced), then every schedule (an object keyed by
// years) put back in calendar order. `file` names the patch in errors.
void apply_merge_patch(Json& document, Json patch, const std::string& file);

// Reads a whole file; throws InputError naming the file when it cannot be read.
std::string read_text_file(const std::string& file);

}  // namespace chokepoint
