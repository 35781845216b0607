// Paired (common random numbers) differences between a stress and a base scenario, per path.
// Each (variable, year) column is reduced by one thread in path order, so the result does not
// depend on the thread count.
#include "chokepoint/paired_difference.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "chokepoint/csv.hpp"
#include "chokepoint/summary_io.hpp"
#include "output/stages_json.hpp"
#include "output/writing_json.hpp"
#include "reduce/quantiles.hpp"
#include "reduce/statistics.hpp"

namespace chokepoint {

namespace {

// Where each of the stress's variables sits in the base, −1 when the base does not report it.
std::vector<int> matching_variables(const Scenario& stress, const Scenario& base) {
  std::vector<int> match;
  for (const VariableInfo& variable : stress.variables) match.push_back(base.variable_index(variable.name));
  return match;
}

// Binding codes: 0 is demand, 1 + k is stage k. −1 when the base has no stage of that name.
std::vector<int> matching_binding_codes(const Scenario& stress, const Scenario& base) {
  std::vector<int> match{0};
  for (const std::string& stage : stress.stage_names) {
    const auto found = std::find(base.stage_names.begin(), base.stage_names.end(), stage);
    match.push_back(found == base.stage_names.end() ? -1 : 1 + static_cast<int>(found - base.stage_names.begin()));
  }
  return match;
}

DifferenceYear difference_of_columns(const float* stress, const float* base, std::uint64_t paths,
                                     const std::vector<double>& levels, std::vector<float>& buffer) {
  DifferenceYear out;
  YearStatistics stress_stats, base_stats, difference_stats;
  column_moments(stress, paths, stress_stats);
  column_moments(base, paths, base_stats);
  buffer.resize(paths);
  // The difference of two floats is computed in double and rounded once (relative 6e-8): a
  // path identical in both scenarios gives exactly 0.
  for (std::uint64_t p = 0; p < paths; ++p)
    buffer[p] = static_cast<float>(static_cast<double>(stress[p]) - static_cast<double>(base[p]));
  column_moments(buffer.data(), paths, difference_stats);
  out.stress_mean = stress_stats.mean;
  out.base_mean = base_stats.mean;
  out.mean = difference_stats.mean;
  out.sd = difference_stats.sd;
  out.se = difference_stats.se;
  out.unpaired_se = std::sqrt(stress_stats.se * stress_stats.se + base_stats.se * base_stats.se);
  out.quantiles = exact_quantiles(buffer.data(), paths, levels);
  return out;
}

// Per path, the stage's share of the year's steps and whether it bound at all, stress − base.
BindingDifference difference_of_binding(const std::uint8_t* stress, int stress_steps, const std::uint8_t* base,
                                        int base_steps, std::uint64_t paths) {
  double share_sum = 0.0, share_squares = 0.0, any_sum = 0.0, any_squares = 0.0;
  for (std::uint64_t p = 0; p < paths; ++p) {
    const double share = static_cast<double>(stress[p]) / stress_steps - static_cast<double>(base[p]) / base_steps;
    const double any = static_cast<double>(stress[p] > 0) - static_cast<double>(base[p] > 0);
    share_sum += share;
    share_squares += share * share;
    any_sum += any;
    any_squares += any * any;
  }
  const double n = static_cast<double>(paths);
  BindingDifference out;
  out.binding_share = share_sum / n;
  out.binding_share_se = standard_error_from_sums(share_sum, share_squares, paths);
  out.binding_any = any_sum / n;
  out.binding_any_se = standard_error_from_sums(any_sum, any_squares, paths);
  return out;
}

void require_same_years(const Scenario& stress, const Scenario& base) {
  if (stress.calendar_years() == base.calendar_years()) return;
  const auto span = [](const Scenario& s) {
    return std::to_string(s.model->start_year) + "–" + std::to_string(s.model->start_year + s.model->years - 1);
  };
  throw InputError({InputProblem{stress.file, "time", "the same calendar years as the base " + base.file + " (" + span(base) + ")",
                                 span(stress)}});
}

}  // namespace

const VariableDifference* PairedDifference::find_variable(const std::string& name) const {
  for (const VariableDifference& variable : variables)
    if (variable.name == name) return &variable;
  return nullptr;
}

const StageDifference* PairedDifference::find_stage(const std::string& name) const {
  for (const StageDifference& stage : stages)
    if (stage.name == name) return &stage;
  return nullptr;
}

PairedDifference paired_difference(const Scenario& stress, PathResults& stress_results, const Scenario& base,
                                   PathResults& base_results, std::uint64_t seed, int threads) {
  require_same_years(stress, base);
  // Means and standard errors of zero paths are 0/0: refuse rather than print NaN.
  if (stress_results.paths == 0)
    throw InputError({InputProblem{"(arguments)", "paths", "at least 1 path on each side", "0"}});
  if (stress_results.paths != base_results.paths)
    throw InputError({InputProblem{"(arguments)", "paths", "the same number of paths on both sides",
                                   std::to_string(stress_results.paths) + " and " + std::to_string(base_results.paths)}});
  add_derived_outputs(stress, stress_results, seed, threads);
  add_derived_outputs(base, base_results, seed, threads);
  const std::uint64_t paths = stress_results.paths;
  PairedDifference result;
  result.stress_scenario = stress.name;
  result.base_scenario = base.name;
  result.paths = paths;
  result.seed = seed;
  result.years = stress.calendar_years();
  result.quantile_levels = stress.quantile_levels;

  const std::vector<int> variable_match = matching_variables(stress, base);
  std::vector<int> stress_variables;
  for (std::size_t v = 0; v < stress.variables.size(); ++v) {
    const VariableInfo& info = stress.variables[v];
    if (variable_match[v] < 0) {
      result.notes.push_back("variable " + info.name + " is reported only by " + stress.name);
      continue;
    }
    stress_variables.push_back(static_cast<int>(v));
    result.variables.push_back(VariableDifference{info.name, info.unit, info.is_flow ? "flow" : "stock",
                                                  std::vector<DifferenceYear>(result.years.size())});
  }
  for (const VariableInfo& info : base.variables)
    if (stress.variable_index(info.name) < 0)
      result.notes.push_back("variable " + info.name + " is reported only by " + base.name);

  const std::int64_t years = static_cast<std::int64_t>(result.years.size());
  const std::int64_t columns = static_cast<std::int64_t>(stress_variables.size()) * years;
  const int thread_count = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel num_threads(thread_count)
  {
    std::vector<float> buffer;
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t c = 0; c < columns; ++c) {
      const std::size_t i = static_cast<std::size_t>(c / years);
      const int y = static_cast<int>(c % years);
      const int v = stress_variables[i];
      DifferenceYear& out = result.variables[i].years[static_cast<std::size_t>(y)];
      out = difference_of_columns(stress_results.column(v, y), base_results.column(variable_match[v], y), paths,
                                  result.quantile_levels, buffer);
      out.year = result.years[static_cast<std::size_t>(y)];
    }
  }

  const std::vector<int> code_match = matching_binding_codes(stress, base);
  for (std::size_t code = 0; code < code_match.size(); ++code) {
    const std::string name = code == 0 ? "demand" : stress.stage_names[code - 1];
    if (code_match[code] < 0) {
      result.notes.push_back("stage " + name + " exists only in " + stress.name);
      continue;
    }
    StageDifference stage{name, {}};
    for (int y = 0; y < static_cast<int>(years); ++y) {
      BindingDifference change = difference_of_binding(
          stress_results.binding_column(static_cast<int>(code), y), stress.model->steps_per_year,
          base_results.binding_column(code_match[code], y), base.model->steps_per_year, paths);
      change.year = result.years[static_cast<std::size_t>(y)];
      stage.years.push_back(change);
    }
    result.stages.push_back(stage);
  }
  return result;
}

PairedDifference paired_difference(const Scenario& stress, const Scenario& base, std::uint64_t paths,
                                   std::uint64_t seed, int threads) {
  require_same_years(stress, base);
  if (paths == 0) throw InputError({InputProblem{"(arguments)", "paths", "at least 1 path on each side", "0"}});
  const int thread_count = threads > 0 ? threads : omp_get_max_threads();
  // One scenario's results at a time would halve the peak memory only if the stress were reduced
  // column by column against a stored base; both are kept, which at 10⁵ paths of the baseline is
  // ~2 × 160 MB.
  PathResults stress_results = simulate_cpu(stress, paths, seed, thread_count);
  PathResults base_results = simulate_cpu(base, paths, seed, thread_count);
  return paired_difference(stress, stress_results, base, base_results, seed, thread_count);
}

// ---- output ------------------------------------------------------------------------------------

using OrderedJson = nlohmann::ordered_json;

std::string difference_json_text(const PairedDifference& difference) {
  OrderedJson root;
  root["stress"] = difference.stress_scenario;
  root["base"] = difference.base_scenario;
  root["paths"] = difference.paths;
  root["seed"] = difference.seed;
  root["years"] = difference.years;
  root["quantile_levels"] = difference.quantile_levels;
  OrderedJson variables = OrderedJson::object();
  for (const VariableDifference& variable : difference.variables) {
    OrderedJson years = OrderedJson::array();
    for (const DifferenceYear& y : variable.years) {
      years.push_back(OrderedJson{{"year", y.year},
                                  {"stress_mean", json_number(y.stress_mean)},
                                  {"base_mean", json_number(y.base_mean)},
                                  {"mean", json_number(y.mean)},
                                  {"sd", json_number(y.sd)},
                                  {"se", json_number(y.se)},
                                  {"unpaired_se", json_number(y.unpaired_se)},
                                  {"quantiles", values_by_level(difference.quantile_levels, y.quantiles)}});
    }
    variables[variable.name] = OrderedJson{{"unit", variable.unit}, {"kind", variable.kind}, {"years", years}};
  }
  root["variables"] = variables;
  root["stages"] = stages_json(difference.stages);
  root["notes"] = difference.notes;
  return root.dump(1, ' ', false, OrderedJson::error_handler_t::replace) + "\n";
}

static void csv_row(std::string& out, const std::string& variable, int year, const std::string& stat, double value) {
  out += csv_text(variable);
  out += ',';
  out += std::to_string(year);
  out += ',';
  out += csv_text(stat);
  out += ',';
  out += csv_number(value);
  out += '\n';
}

std::string difference_csv_text(const PairedDifference& difference) {
  std::string out = "variable,year,stat,value\n";
  for (const VariableDifference& variable : difference.variables) {
    for (const DifferenceYear& y : variable.years) {
      csv_row(out, variable.name, y.year, "stress_mean", y.stress_mean);
      csv_row(out, variable.name, y.year, "base_mean", y.base_mean);
      csv_row(out, variable.name, y.year, "mean", y.mean);
      csv_row(out, variable.name, y.year, "sd", y.sd);
      csv_row(out, variable.name, y.year, "se", y.se);
      csv_row(out, variable.name, y.year, "unpaired_se", y.unpaired_se);
      for (std::size_t i = 0; i < difference.quantile_levels.size(); ++i) {
        std::string stat = "q";
        stat += shortest_decimal(difference.quantile_levels[i]);
        csv_row(out, variable.name, y.year, stat, y.quantiles[i]);
      }
    }
  }
  for (const StageDifference& stage : difference.stages) {
    const std::string name = "stage." + stage.name;
    for (const BindingDifference& y : stage.years) {
      csv_row(out, name, y.year, "binding_share", y.binding_share);
      csv_row(out, name, y.year, "binding_share_se", y.binding_share_se);
      csv_row(out, name, y.year, "binding_any", y.binding_any);
      csv_row(out, name, y.year, "binding_any_se", y.binding_any_se);
    }
  }
  return out;
}

void write_difference(const std::string& directory, const PairedDifference& difference) {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::create_directories(directory, error);
  if (error) throw_path_error(directory, error.value(), "create the output directory");
  const std::string json = difference_json_text(difference);
  const std::string csv = difference_csv_text(difference);
  write_file_atomically((fs::path(directory) / "diff.csv").string(), csv);
  write_file_atomically((fs::path(directory) / "diff.json").string(), json);
}

}  // namespace chokepoint
