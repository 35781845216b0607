// The chokepoint command line (README.md, "Using it"): each subcommand parses its arguments, calls
// libchokepoint and prints. Exit codes (commands.hpp, docs/errors.md): 0 success, 1 internal
// error, 2 bad input, 3 resource, 4 calibration targets missed, 5 non-finite results.
#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <new>
#include <string_view>
#include <system_error>
#include <unistd.h>

#include "chokepoint/engine.hpp"
#include "chokepoint/output_files.hpp"
#include "chokepoint/report.hpp"
#include "commands.hpp"
#include "terminal_text.hpp"

namespace {

using namespace chokepoint::cli;

// OpenMP (libgomp) ends the process with exit(1) when it cannot create a thread. Any exit()
// while main is still running is such a failure of a library below us, not a bug of ours:
// report it as a resource error.
bool g_running = false;

void exit_during_run() {
  if (!g_running) return;
  emit(stderr, "error: the run could not continue (most often: the system refused to create more threads); "
               "try fewer --threads\n");
  std::fflush(stderr);
  ::_exit(kExitResource);
}

// An exception cannot leave an OpenMP parallel region: the runtime calls std::terminate with it
// still active. Out of memory inside a region (a reduction's buffer) is then still a resource
// error, exit 3, not an abort.
[[noreturn]] void terminate_with_exit_code() {
  try {
    if (const std::exception_ptr active = std::current_exception()) std::rethrow_exception(active);
  } catch (const std::bad_alloc&) {
    emit(stderr, "error: out of memory; run fewer paths or free memory\n");
    std::fflush(stderr);
    ::_exit(kExitResource);
  } catch (const chokepoint::ResourceError& error) {
    emit(stderr, std::string("error: ") + error.what() + "\n");
    std::fflush(stderr);
    ::_exit(kExitResource);
  } catch (...) {
  }
  std::abort();
}

// An unknown command must be an error that names it, before CLI11 sees a --help after it and
// prints the main help with exit 0.
bool unknown_command(int argc, char** argv, const std::vector<Command>& commands) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view argument = argv[i];
    if (argument.empty() || argument.front() == '-') continue;
    for (const Command& command : commands)
      if (command.subcommand->get_name() == argument) return false;
    std::string names;
    for (const Command& command : commands) names += (names.empty() ? "" : ", ") + command.subcommand->get_name();
    emit(stderr, "error: unknown command \"" + std::string(argument) + "\"; the commands are " + names +
                     " (chokepoint --help)\n");
    return true;
  }
  return false;
}

// Errors from the file system that escape the output layer: a path the user can fix is bad
// input, anything else a resource error.
int file_system_error(const std::error_code& code, const std::string& message) {
  emit(stderr, "error: " + message + "\n");
  return chokepoint::path_is_at_fault(code.value()) ? kExitBadInput : kExitResource;
}

int run_command(const std::vector<Command>& commands) {
  try {
    for (const Command& command : commands)
      if (command.subcommand->parsed()) return command.execute();
  } catch (const chokepoint::InputError& error) {
    emit(stderr, std::string(error.what()) + "\n");
    emit(stderr, std::to_string(error.problems().size()) + " problem" + (error.problems().size() == 1 ? "" : "s") + " found\n");
    return kExitBadInput;
  } catch (const chokepoint::ResourceError& error) {
    emit(stderr, std::string("error: ") + error.what() + "\n");
    return kExitResource;
  } catch (const std::bad_alloc&) {
    emit(stderr, "error: out of memory; run fewer paths or free memory\n");
    return kExitResource;
  } catch (const std::filesystem::filesystem_error& error) {
    return file_system_error(error.code(), error.what());
  } catch (const std::system_error& error) {
    const std::error_code code = error.code();
    if (code == std::errc::resource_unavailable_try_again || code == std::errc::not_enough_memory ||
        code == std::errc::too_many_files_open || code == std::errc::too_many_files_open_in_system) {
      emit(stderr, std::string("error: ") + error.what() + "\n");
      return kExitResource;
    }
    emit(stderr, std::string("internal error: ") + error.what() + "\n");
    return kExitFailure;
  } catch (const std::exception& error) {
    emit(stderr, std::string("internal error: ") + error.what() + "\n");
    return kExitFailure;
  }
  return kExitFailure;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"chokepoint: Monte Carlo scenarios of the AI-infrastructure supply chain"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("chokepoint ") + chokepoint::kEngineVersion);
  app.footer("Exit codes: 0 success, 1 internal error, 2 bad input, 3 resource (memory, disk, threads, busy output), "
             "4 calibration targets missed, 5 non-finite results (see docs/errors.md).");
  const std::vector<Command> commands{add_run_command(app), add_validate_command(app), add_diff_command(app),
                                      add_calibrate_command(app), add_report_command(app),
                                      add_discover_command(app), add_merge_command(app),
                                      add_sensitivity_command(app)};
  if (unknown_command(argc, argv, commands)) return kExitBadInput;

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? kExitSuccess : kExitBadInput;
  }
  std::atexit(exit_during_run);
  std::set_terminate(terminate_with_exit_code);
  g_running = true;
  const int code = run_command(commands);
  g_running = false;
  return code;
}
