// chokepoint report DIR [--compare OTHER_DIR] [--out FILE] [--threads T]
// Writes one self-contained HTML page (default DIR/report.html) from a run directory; with
// --compare, DIR is drawn over OTHER_DIR and the differences are DIR − OTHER_DIR (docs/report.md).
#include <cstdio>
#include <memory>

#include "chokepoint/report.hpp"
#include "argument_checks.hpp"
#include "commands.hpp"

namespace chokepoint::cli {

namespace {

struct ReportArguments {
  std::string directory;
  std::string compare;
  std::string out;
  int threads = 0;
};

int execute_report(const ReportArguments& arguments) {
  ReportOptions options;
  options.compare_directory = arguments.compare;
  options.threads = arguments.threads;
  const std::string written = write_report(arguments.directory, options, arguments.out);
  std::printf("wrote %s\n", written.c_str());
  return kExitSuccess;
}

}  // namespace

Command add_report_command(CLI::App& app) {
  auto arguments = std::make_shared<ReportArguments>();
  CLI::App* command = app.add_subcommand("report", "write a self-contained HTML report of a run directory");
  command->add_option("directory", arguments->directory, "run directory (with summary.json)")->required();
  command->add_option("--compare", arguments->compare,
                      "another run directory (e.g. the baseline) to draw under this one and to difference against");
  command->add_option("--out", arguments->out, "HTML file to write (default DIR/report.html)");
  command->add_option("--threads", arguments->threads,
                      "CPU threads for re-simulating paired differences (default 0: all cores)")
      ->check(thread_count());
  return Command{command, [arguments] { return execute_report(*arguments); }};
}

}  // namespace chokepoint::cli
