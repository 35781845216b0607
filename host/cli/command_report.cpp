// chokepoint report DIR [--compare OTHER_DIR] [--diff DIFF_DIR] [--out FILE] [--threads T]
// Writes one self-contained HTML page (default DIR/report.html) from a run directory; with
// --compare, DIR is drawn over OTHER_DIR and the differences are DIR − OTHER_DIR (docs/report.md).
#include <cstdio>
#include <memory>

#include "chokepoint/output_files.hpp"
#include "chokepoint/report.hpp"
#include "commands.hpp"
#include "terminal_text.hpp"

namespace chokepoint::cli {

namespace {

struct ReportArguments {
  std::string directory;
  std::string compare;
  std::string difference;
  std::string out;
  int threads = 0;
};

int execute_report(const ReportArguments& arguments) {
  ReportOptions options;
  options.compare_directory = arguments.compare;
  options.difference_directory = arguments.difference;
  options.threads = arguments.threads;
  const ReportInputs inputs = read_report_inputs(arguments.directory, options);
  // The page may go anywhere but over a file it was made from (compared by device and inode).
  InputFiles files;
  for (const std::string& directory : {arguments.directory, arguments.compare, arguments.difference}) {
    if (directory.empty()) continue;
    for (const char* name : {"summary.json", "scenario.json", "calibration.json", "diff.json"})
      files.add(directory + "/" + name);
  }
  const std::string out = arguments.out.empty() ? arguments.directory + "/report.html" : arguments.out;
  write_output_file(out, html_report(inputs), files);
  emit(stdout, "wrote " + out + "\n");
  return kExitSuccess;
}

}  // namespace

Command add_report_command(CLI::App& app) {
  auto arguments = std::make_shared<ReportArguments>();
  CLI::App* command = app.add_subcommand("report", "write a self-contained HTML report of a run directory");
  command->add_option("directory", arguments->directory, "run directory (with summary.json)")->required();
  command->add_option("--compare", arguments->compare,
                      "another run directory (e.g. the baseline) to draw under this one and to difference against");
  command->add_option("--diff", arguments->difference,
                      "the output directory of `chokepoint diff DIR OTHER_DIR`, whose paired differences to show");
  command->add_option("--out", arguments->out, "HTML file to write (default DIR/report.html)");
  add_threads_option(*command, arguments->threads, "CPU threads for re-simulating paired differences");
  return Command{command, [arguments] { return execute_report(*arguments); }};
}

}  // namespace chokepoint::cli
