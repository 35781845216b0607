// The chokepoint command line (MODEL.md §9): each subcommand parses its arguments, calls
// libchokepoint and prints. Exit codes: 0 success, 2 bad input, 3 resource or device error,
// 1 anything else.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "chokepoint/engine.hpp"
#include "commands.hpp"

int main(int argc, char** argv) {
  using namespace chokepoint::cli;
  CLI::App app{"chokepoint: Monte Carlo scenarios of the AI-infrastructure supply chain"};
  app.require_subcommand(1);
  const std::vector<Command> commands{add_run_command(app), add_validate_command(app), add_diff_command(app),
                                      add_calibrate_command(app), add_report_command(app), add_merge_command(app)};

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? kExitSuccess : kExitBadInput;
  }
  try {
    for (const Command& command : commands)
      if (command.subcommand->parsed()) return command.execute();
  } catch (const chokepoint::InputError& error) {
    std::fprintf(stderr, "%s\n", error.what());
    std::fprintf(stderr, "%zu problem%s found\n", error.problems().size(), error.problems().size() == 1 ? "" : "s");
    return kExitBadInput;
  } catch (const chokepoint::ResourceError& error) {
    std::fprintf(stderr, "error: %s\n", error.what());
    return kExitResource;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "internal error: %s\n", error.what());
    return kExitFailure;
  }
  return kExitFailure;
}
