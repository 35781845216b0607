// chokepoint validate SCENARIO.json: parse and check; print every problem; exit 2 if any.
#include <cstdio>
#include <memory>

#include "chokepoint/engine.hpp"
#include "commands.hpp"

namespace chokepoint::cli {

Command add_validate_command(CLI::App& app) {
  auto file = std::make_shared<std::string>();
  CLI::App* validate = app.add_subcommand("validate", "parse and check a scenario; print every problem; exit 2 if any");
  validate->add_option("scenario", *file, "scenario JSON file")->required();
  return Command{validate, [file] {
                   const Scenario scenario = load_scenario(*file);
                   std::printf("%s: scenario \"%s\" is valid: %zu factors, %zu stages, %zu events, %d uncertain "
                               "parameters, %d years from %d at %d steps per year\n",
                               file->c_str(), scenario.name.c_str(), scenario.factor_names.size(),
                               scenario.stage_names.size(), scenario.event_names.size(),
                               scenario.model->uncertain_count, scenario.model->years, scenario.model->start_year,
                               scenario.model->steps_per_year);
                   for (const std::string& note : scenario.notes) std::printf("note: %s\n", note.c_str());
                   return kExitSuccess;
                 }};
}

}  // namespace chokepoint::cli
