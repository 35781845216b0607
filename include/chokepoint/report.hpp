// The HTML report (`chokepoint report DIR [--compare OTHER_DIR]`, `chokepoint run … --report`):
// one self-contained page — inline SVG and CSS, no script, no network — that a risk analyst can
// open offline from an e-mail attachment. See docs/report.md for what each section shows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "chokepoint/calibration.hpp"
#include "chokepoint/paired_difference.hpp"
#include "chokepoint/summary.hpp"

namespace chokepoint {

// The engine version the report's header names; equals project(VERSION) in CMakeLists.txt
// (a test checks it).
inline constexpr const char* kEngineVersion = "0.1.0";

// The report's own reading of the files other parts of the engine write, so that it needs only
// their documented JSON (and draws nothing when they are absent).
//
// DIR/tornado.json (written by `run --report`, docs/sensitivity.md): per headline variable and
// year, how far the median moves when one input sits at its 10th and then its 90th percentile,
// every other draw unchanged (common random numbers).
struct TornadoSetting {
  double percentile = 0.0;  // of the input, e.g. 10
  double value = 0.0;       // the input's value there
  double median = 0.0;      // the output's median with the input held there
};
struct TornadoRow {
  std::string input;
  TornadoSetting low, high;
  double swing = 0.0;  // high.median − low.median
};
struct TornadoPanel {
  std::string variable, unit;
  int year = 0;
  double baseline_median = 0.0;
  std::vector<TornadoRow> bars;
};
struct TornadoFile {
  std::uint64_t paths = 0;
  std::uint64_t seed = 0;
  std::vector<TornadoPanel> charts;
};

// summary.json "sensitivity" (docs/sensitivity.md): first-order indices from the run's own paths.
struct InputIndex {
  std::string input;
  double index = 0.0;  // share of the output's variance the input explains alone
  double se = 0.0;
};
struct OutputIndices {
  std::string output;  // a variable, or "<stage>.binding_share"
  int year = 0;
  std::vector<InputIndex> indices;
};
struct BindingCurve {
  std::string stage;
  int year = 0;
  std::string input;
  std::vector<double> probability;  // P(stage binds | input in decile d), d = 1…10
};
struct SensitivityFile {
  int bins = 0;
  std::vector<std::string> inputs;
  std::vector<OutputIndices> first_order;
  std::vector<BindingCurve> binding_by_decile;
};

// Everything a report shows, read from run directories.
struct ReportInputs {
  std::string directory;        // the run reported
  Summary summary;              // DIR/summary.json
  std::optional<CalibrationReport> calibration;  // DIR/calibration.json, when `calibrate` wrote one
  std::optional<TornadoFile> tornado;            // DIR/tornado.json, when the run wrote one
  std::optional<SensitivityFile> sensitivity;    // summary.json "sensitivity", when the run has it

  // With --compare OTHER_DIR: the run is drawn over OTHER's fans and differences are DIR − OTHER.
  std::string baseline_directory;
  std::optional<Summary> baseline;
  std::optional<PairedDifference> difference;
  // Paired (common random numbers: docs/glossary.md, "paired difference") when read from DIR/diff.json or re-simulated;
  // otherwise differences of means with the unpaired standard error √(se_a² + se_b²).
  bool difference_is_paired = false;
  std::string difference_source;  // in words, for the page: where the differences come from

  std::vector<std::string> notes;  // what the reader should know about how the report was made
};

struct ReportOptions {
  std::string compare_directory;  // empty: no comparison
  // Where `chokepoint diff DIR OTHER_DIR` wrote diff.json; empty: look in DIR itself.
  std::string difference_directory;
  // When DIR/diff.json does not pair the two runs, re-simulate both scenarios (their
  // scenario.json, same seed and paths) to pair them — only up to this many paths, since it
  // re-runs both on the CPU and holds their per-path results in memory. Beyond, or with 0, the
  // report shows unpaired differences and says how to get paired ones (`chokepoint diff`).
  std::uint64_t max_resimulated_paths = 1000000;
  int threads = 0;  // for the re-simulation; 0: all cores
};

// Reads DIR/summary.json (InputError when missing or not a summary), DIR/calibration.json when
// present, and with a comparison OTHER_DIR/summary.json and the differences. A calibration or
// diff file that cannot be read is skipped with a note, never fatal.
ReportInputs read_report_inputs(const std::string& directory, const ReportOptions& options = {});

// The page as text. Deterministic: the same inputs give the same bytes.
std::string html_report(const ReportInputs& inputs);

// Reads the inputs, writes the page to `out_path` (default DIR/report.html) atomically and
// returns the path written. Throws InputError (bad directory) or ResourceError (cannot write).
std::string write_report(const std::string& directory, const ReportOptions& options = {}, std::string out_path = {});

}  // namespace chokepoint
