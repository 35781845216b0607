// chokepoint validate SCENARIO.json [MORE.json …]: parse and check each; print every problem of
// every file; exit 2 if any file has one.
#include <cstdio>
#include <memory>

#include "chokepoint/engine.hpp"
#include "commands.hpp"
#include "terminal_text.hpp"

namespace chokepoint::cli {

namespace {

// One file: its summary line, or its problems on stderr. False when it has problems.
bool validate_one(const std::string& file) {
  try {
    const Scenario scenario = load_scenario(file);
    char counts[256];
    std::snprintf(counts, sizeof counts,
                  "%zu factors, %zu stages, %zu events, %d uncertain parameters, %d years from %d at %d steps per year",
                  scenario.factor_names.size(), scenario.stage_names.size(), scenario.event_names.size(),
                  scenario.model->uncertain_count, scenario.model->years, scenario.model->start_year,
                  scenario.model->steps_per_year);
    emit(stdout, file + ": scenario \"" + scenario.name + "\" is valid: " + counts + "\n");
    for (const std::string& note : scenario.notes) emit(stdout, "note: " + note + "\n");
    return true;
  } catch (const InputError& error) {
    emit(stderr, std::string(error.what()) + "\n");
    emit(stderr, std::to_string(error.problems().size()) + " problem" + (error.problems().size() == 1 ? "" : "s") +
                     " found in " + file + "\n");
    return false;
  }
}

}  // namespace

Command add_validate_command(CLI::App& app) {
  auto files = std::make_shared<std::vector<std::string>>();
  CLI::App* validate =
      app.add_subcommand("validate", "parse and check scenarios; print every problem of every file; exit 2 if any");
  validate->add_option("scenarios", *files, "scenario JSON files")->required();
  return Command{validate, [files] {
                   bool all_valid = true;
                   for (const std::string& file : *files) all_valid = validate_one(file) && all_valid;
                   if (files->size() > 1 && !all_valid) emit(stderr, "some scenarios have problems\n");
                   return all_valid ? kExitSuccess : kExitBadInput;
                 }};
}

}  // namespace chokepoint::cli
