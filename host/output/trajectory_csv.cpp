#include "chokepoint/trajectory_csv.hpp"

#include <algorithm>
#include <filesystem>

#include "chokepoint/csv.hpp"
#include "chokepoint/output_files.hpp"
#include "chokepoint/path_inputs.hpp"

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

// The header, then the rows in chunks of paths, each handed to `sink`: memory stays bounded.
template <class Sink>
void inputs_rows(const Scenario& scenario, std::uint64_t seed, std::uint64_t paths, Precision precision, Sink&& sink) {
  const Model& model = *scenario.model;
  const std::vector<int> years = scenario.calendar_years();
  std::string out = "path";
  const auto name = [&out](const std::string& column) {
    out += ',';
    out += csv_text(column);
  };
  for (const std::string& parameter : scenario.parameter_names) {
    name(parameter);
    name(parameter + ".u");
  }
  for (const std::string& factor : scenario.factor_names) {
    name(factor + ".trend");
    name(factor + ".trend.u");
  }
  for (const std::string& event : scenario.event_names)
    for (int year : years) name(event + ".fires." + std::to_string(year));
  for (const VariableInfo& variable : scenario.variables)
    for (int year : years) name(variable.name + "." + std::to_string(year));
  for (int code = 0; code <= model.stage_count; ++code)
    for (int year : years) name(binding_name(scenario, code) + ".binding_share." + std::to_string(year));
  out += '\n';
  sink(out);

  const auto field = [&out](double value) {
    out += ',';
    out += csv_number(value);
  };
  constexpr std::uint64_t kChunk = 1024;
  PathInputs inputs;
  PathResults results;
  for (std::uint64_t first = 0; first < paths; first += kChunk) {
    const std::uint64_t count = std::min(kChunk, paths - first);
    compute_path_inputs(scenario, seed, first, count, inputs);
    simulate_cpu_batch(scenario, first, count, seed, results, precision);
    add_derived_outputs(scenario, results, seed, 1, first);
    out.clear();
    for (std::uint64_t p = 0; p < count; ++p) {
      out += std::to_string(first + p);
      for (int i = 0; i < inputs.parameters; ++i) {
        field(inputs.value_of(i)[p]);
        field(inputs.u_of(i)[p]);
      }
      for (int f = 0; f < inputs.factors; ++f) {
        field(inputs.trend_of(f)[p]);
        field(inputs.trend_u_of(f)[p]);
      }
      for (int e = 0; e < inputs.events; ++e)
        for (int y = 0; y < inputs.years; ++y) out += ',' + std::to_string(inputs.fires_of(e, y)[p]);
      for (int v = 0; v < results.variables; ++v)
        for (int y = 0; y < results.years; ++y) field(static_cast<double>(results.column(v, y)[p]));
      for (int code = 0; code < results.binding_codes; ++code)
        for (int y = 0; y < results.years; ++y)
          field(static_cast<double>(results.binding_column(code, y)[p]) / model.steps_per_year);
      out += '\n';
    }
    sink(out);
  }
}

}  // namespace

std::string inputs_csv_text(const Scenario& scenario, std::uint64_t seed, std::uint64_t paths, Precision precision) {
  std::string text;
  inputs_rows(scenario, seed, paths, precision, [&text](const std::string& rows) { text += rows; });
  return text;
}

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
  OutputFile inputs((std::filesystem::path(directory) / "inputs.csv").string());
  inputs_rows(scenario, seed, paths, precision, [&inputs](const std::string& rows) { inputs.write(rows); });
  inputs.commit();
}

}  // namespace chokepoint
