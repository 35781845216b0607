// Reading a scenario's JSON: comments allowed, `extends` resolved as an RFC 7396 merge patch,
// each parent found only inside the directory of the file that extends it.
#pragma once

#include <string>
#include <vector>

#include "scenario/input_problems.hpp"

namespace chokepoint {

// A scenario as read: the merged document and each file of its `extends` chain as written.
struct ScenarioSource {
  struct Layer {
    std::string file;  // as named in messages
    Json patch;        // the file's own JSON, without "extends"
  };
  Json document;              // the chain merged, parent first
  std::vector<Layer> layers;  // the file itself first, then its parent, its grandparent, …
};

// Parses `text` (named `file` in errors) and applies its `extends` chain. Throws InputError.
ScenarioSource read_scenario_source(const std::string& text, const std::string& file);

// read_scenario_source(text, file).document.
Json read_scenario_json(const std::string& text, const std::string& file);

// Applies `patch` to `document` as `extends` applies a file to its parent: an RFC 7396 merge
// patch (threshold arrays appended rather than replaced), then every schedule (an object keyed by
// years) put back in calendar order. `file` names the patch in errors.
void apply_merge_patch(Json& document, Json patch, const std::string& file);

// The same problems, each filed under the file of the chain that wrote its JSON path (the
// nearest to the scenario itself that contains the path, or the longest part of it), with the
// chain that led there: a mistake in a parent is fixed in the parent.
InputError attribute_to_layers(const InputError& error, const ScenarioSource& source);

// Reads a whole regular file of at most kMaxScenarioBytes; throws InputError naming the file
// when it cannot be read, is not a regular file (FIFO, device, directory) or is too large.
std::string read_text_file(const std::string& file);

}  // namespace chokepoint
