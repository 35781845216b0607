// patch_scenario(): a scenario changed by a merge patch (the Python module's Scenario.patch),
// resolved exactly as a stress file with `extends` would be, so the two give the same run.
#include "chokepoint/engine.hpp"
#include "scenario/json_source.hpp"

namespace chokepoint {

Scenario patch_scenario(const Scenario& base, const std::string& patch, const std::string& file) {
  // The patch itself may say `extends` (relative to `file`), like any scenario text.
  Json changes = read_scenario_json(patch, file);
  Json document = Json::parse(base.resolved_json);
  apply_merge_patch(document, std::move(changes), file);
  return load_scenario_text(document.dump(), file);
}

}  // namespace chokepoint
