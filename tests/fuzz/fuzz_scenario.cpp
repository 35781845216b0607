// libFuzzer target over the whole front door: scenario text → load and validate → a tiny run on
// the CPU → every writer (summary JSON and CSV, the run directory, per-path CSV, HTML report,
// which reads the run directory back). Bad input must end in InputError (exit 2) and a failed
// resource in ResourceError (exit 3); anything else that escapes, and every crash, leak or
// undefined behaviour the sanitizers see, is a finding. Built with -DCHOKEPOINT_FUZZ=ON (clang);
// scripts/fuzz.sh runs it. Inputs that found something live on in tests/fuzz/corpus/.
#include <stdlib.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "chokepoint/engine.hpp"
#include "chokepoint/report.hpp"
#include "chokepoint/summary_io.hpp"
#include "chokepoint/trajectory_csv.hpp"
#include "scenario/bounded_json.hpp"

namespace {

namespace fs = std::filesystem;

// One scratch directory per fuzzing process, emptied before every input. Its name is kept in a
// plain array, which outlives every destructor that runs at exit.
char scratch_name[4096];

const fs::path& scratch() {
  static const fs::path directory = [] {
    const std::string pattern = (fs::temp_directory_path() / "chokepoint-fuzz-XXXXXX").string();
    if (pattern.size() >= sizeof scratch_name) abort();
    std::memcpy(scratch_name, pattern.c_str(), pattern.size() + 1);
    if (!mkdtemp(scratch_name)) abort();
    // libFuzzer leaves through exit(), which runs this: no scratch directory outlives the run.
    std::atexit([] {
      std::error_code ignored;
      fs::remove_all(scratch_name, ignored);
    });
    return fs::path(scratch_name);
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

// Byte mutations rarely keep a scenario valid, so half the mutations are made on the JSON
// instead: one number of a parsed scenario becomes an extreme but well-formed value (0, 1e-300,
// 1e300, a year far away, …), which is where valid input used to go wrong (silent non-finite
// results, sizes that overflow).
namespace {

using chokepoint::Json;

const double kExtremes[] = {0.0,  -0.0,   1e-300, -1e-300, 1e-30, 1e30, 1e38,  3.5e38, 1e300, -1e300, -1.0,
                            0.5,  1.0,    0.999999, 1.000001, 2.0, 64.0, 65.0, 2024.0, 9999.0, 1e9, 4e9};

// The n-th number of `value` (in document order), or nullptr when there are fewer.
Json* nth_number(Json& value, std::size_t& n) {
  if (value.is_number()) return n-- == 0 ? &value : nullptr;
  if (!value.is_structured()) return nullptr;
  for (auto& item : value.items())
    if (Json* found = nth_number(item.value(), n)) return found;
  return nullptr;
}

std::size_t count_numbers(const Json& value) {
  if (value.is_number()) return 1;
  std::size_t count = 0;
  if (value.is_structured())
    for (const auto& item : value.items()) count += count_numbers(item.value());
  return count;
}

}  // namespace

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                               unsigned int seed) {
  if (seed % 2 == 0) return LLVMFuzzerMutate(data, size, max_size);
  // The bounded parser: a mutation nested too deep for dump() to recurse through is refused.
  Json document;
  try {
    document = chokepoint::parse_bounded_json(std::string(reinterpret_cast<const char*>(data), size), "mutation");
  } catch (const chokepoint::InputError&) {
    return LLVMFuzzerMutate(data, size, max_size);
  }
  const std::size_t numbers = count_numbers(document);
  if (numbers == 0) return LLVMFuzzerMutate(data, size, max_size);
  std::size_t n = (seed / 2) % numbers;
  Json* target = nth_number(document, n);
  const double extreme = kExtremes[(seed / 2 / numbers) % (sizeof kExtremes / sizeof kExtremes[0])];
  if (extreme == std::floor(extreme) && std::fabs(extreme) < 1e15) *target = static_cast<std::int64_t>(extreme);
  else *target = extreme;
  const std::string text = document.dump();
  if (text.size() > max_size) return LLVMFuzzerMutate(data, size, max_size);
  std::memcpy(data, text.data(), text.size());
  return text.size();
}

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
