#include "chokepoint/trajectory_csv.hpp"

#include <filesystem>

#include "chokepoint/csv.hpp"
#include "chokepoint/output_files.hpp"

namespace chokepoint {

namespace {

// Binding codes (path_state.hpp): 0 is demand, 1 + k is stage k of the scenario.
std::string binding_name(const Scenario& scenario, int code) {
  if (code == 0) return "demand";
  const int stage = code - 1;
  if (stage >= 0 && stage < static_cast<int>(scenario.stage_names.size())) return scenario.stage_names[stage];
  return "unknown";
}

const char* const kHeader =
    "path,step,year,time,token_demand,throughput,wanted_units,produced_units,deployed_units,inventory_units,"
    "installed_base,token_capacity,tokens_served,binding\n";

// One path's rows, handed to `sink` path by path so that no caller holds more than one path.
template <class Sink>
void trajectory_rows(const Scenario& scenario, std::uint64_t seed, std::uint64_t paths, Precision precision,
                     Sink&& sink) {
  const Model& model = *scenario.model;
  std::string out;
  const auto field = [&out](double value) {
    out += ',';
    out += csv_number(value);
  };
  for (std::uint64_t path = 0; path < paths; ++path) {
    out.clear();
    for (const TrajectoryPoint& point : trace_path(scenario, seed, path, precision)) {
      // Step t covers [start + (t−1)Δ, start + tΔ), Δ = 1/steps_per_year (docs/model.md).
      const int year = model.start_year + (point.step - 1) / model.steps_per_year;
      const double time = model.start_year + static_cast<double>(point.step) / model.steps_per_year;
      out += std::to_string(path) + ',' + std::to_string(point.step) + ',' + std::to_string(year);
      field(time);
      field(point.token_demand);
      field(point.throughput);
      field(point.wanted);
      field(point.produced);
      field(point.deployed);
      field(point.inventory);
      field(point.installed_base);
      field(point.token_capacity);
      field(point.served);
      out += ',' + csv_text(binding_name(scenario, point.binding)) + '\n';
    }
    sink(out);
  }
}

}  // namespace

std::string trajectory_csv_text(const Scenario& scenario, std::uint64_t seed, std::uint64_t paths,
                                Precision precision) {
  std::string text = kHeader;
  trajectory_rows(scenario, seed, paths, precision, [&text](const std::string& rows) { text += rows; });
  return text;
}

void write_trajectory_csv(const std::string& directory, const Scenario& scenario, std::uint64_t seed,
                          std::uint64_t paths, Precision precision) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) throw_path_error(directory, error.value(), "create the output directory");
  // Streamed: a million paths of a ten-year monthly run is ~15 GB of text, never held in memory.
  OutputFile file((std::filesystem::path(directory) / "paths.csv").string());
  file.write(kHeader);
  trajectory_rows(scenario, seed, paths, precision, [&file](const std::string& rows) { file.write(rows); });
  file.commit();
}

}  // namespace chokepoint
