// libFuzzer target over the whole front door: scenario text → load and validate → a tiny run on
// the CPU → every writer (summary JSON and CSV, the run directory, per-path CSV, HTML report,
// which reads the run directory back). Bad input must end in InputError (exit 2) and a failed
// resource in ResourceError (exit 3); anything else that escapes, and every crash, leak or
// undefined behaviour the sanitizers see, is a finding. Built with -DCHOKEPOINT_FUZZ=ON (clang);
// scripts/fuzz.sh runs it. Inputs that found something live on in tests/fuzz/corpus/.
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "chokepoint/engine.hpp"
#include "chokepoint/report.hpp"
#include "chokepoint/summary_io.hpp"
#include "chokepoint/trajectory_csv.hpp"

namespace {

namespace fs = std::filesystem;

// One scratch directory per fuzzing process, emptied before every input.
const fs::path& scratch() {
  static const fs::path directory = [] {
    std::string pattern = (fs::temp_directory_path() / "chokepoint-fuzz-XXXXXX").string();
    if (!mkdtemp(pattern.data())) abort();
    return fs::path(pattern);
  }();
  return directory;
}

void run_and_write(const chokepoint::Scenario& scenario) {
  chokepoint::RunOptions options;
  options.paths = 8;  // one SIMD pack or two: every code path of a run, at almost no cost
  options.seed = 1;
  options.backend = "cpu";
  options.threads = 1;
  const chokepoint::Summary summary = chokepoint::run(scenario, options);
  (void)chokepoint::summary_json_text(summary);
  (void)chokepoint::summary_csv_text(summary);
  const fs::path run = scratch() / "run";
  fs::remove_all(run);
  fs::create_directories(run);
  chokepoint::write_run_directory(run.string(), scenario, summary);
  chokepoint::write_trajectory_csv(run.string(), scenario, options.seed, 2);
  chokepoint::ReportOptions report;
  report.threads = 1;
  chokepoint::write_report(run.string(), report);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  chokepoint::Scenario scenario;
  try {
    // A directory that does not exist: `extends` is parsed and checked but never reads a file.
    scenario = chokepoint::load_scenario_text(text, "/nonexistent-chokepoint-fuzz/scenario.json");
  } catch (const chokepoint::InputError&) {
    return 0;
  }
  try {
    run_and_write(scenario);
  } catch (const chokepoint::ResourceError&) {
  }
  return 0;
}
