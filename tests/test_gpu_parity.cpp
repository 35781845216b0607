// CPU vs CUDA, path by path and summary by summary (docs/gpu.md).
//
// Tolerances (tests/gpu_tolerances.hpp; docs/gpu.md, "Tolerances"):
// - per-path values in double: |gpu − cpu| ≤ 1e-11·|cpu| + 1e-11·scale, the scale being the
//   magnitude a difference is taken from (token demand for tokens, Tok/Eff for units): tight
//   enough that a float anywhere in the device's arithmetic fails;
// - per-path float columns: 2 float ulps (+ the same scale floor);
// - binding stages: identical, except where the CPU's candidate values lie within 1e-6 of a
//   tie (counted and reported; such a path is not compared after the flip);
// - summaries: the CPU summary with the flipped paths taken from the device; then binding counts
//   exactly equal, threshold hits within the paths whose two values straddle the threshold,
//   moments and quantiles within 1e-6 relative. Exact counts and bits only GPU against GPU: the
//   device summary is the same for any batch size, grid size or staging, run to run, and equals
//   the counts of its own per-path columns.
// Device outputs are poisoned (0xFF) before every launch here, and none may survive.
// Every test here skips where no CUDA device is present.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>

#include "chokepoint/cuda_backend.hpp"
#include "chokepoint/path_step.hpp"
#include "chokepoint/stored_value.hpp"
#include "chokepoint/summary_io.hpp"
#include "chokepoint/year_record.hpp"
#include "gpu_tolerances.hpp"
#include "scenario_builder.hpp"
#include "simulate/cuda_checks.hpp"
#include "test_support.hpp"

namespace chokepoint {
namespace {

using testing::Json;

#define SKIP_WITHOUT_CUDA_DEVICE()                                                                        \
  do {                                                                                                     \
    if (!cuda_available())                                                                                 \
      GTEST_SKIP() << "no CUDA device: " << (CHOKEPOINT_HAVE_CUDA ? "none present" : "built without CUDA"); \
  } while (false)

bool near_each_other(double a, double b, double tie) { return std::fabs(a - b) <= tie * std::max(std::fabs(a), std::fabs(b)); }

// Launch options of every device run here: outputs poisoned before each launch.
cuda::LaunchOptions poisoned(cuda::LaunchOptions options = {}) {
  options.poison_outputs = true;
  return options;
}

void expect_nothing_poisoned(const PathResults& results, const std::string& label) {
  const cuda::PoisonedOutputs found = cuda::find_poisoned(results);
  EXPECT_EQ(found.values + found.binding_steps, 0u)
      << label << ": " << found.values << " values and " << found.binding_steps
      << " binding counts were never written, the first at " << found.first;
}

// Whether the binding stage of this step was decided by values within `tie` (relative) of each other:
// demand against a stock stage's headroom or the production-limited supply, two stock stages,
// orders against the tightest flow stage, or the two tightest flow stages (docs/model.md, binding attribution).
bool near_tie(const Model& model, const StepOutcome<double>& out, double inventory_before, double tie) {
  std::vector<double> deploy{out.wanted};
  std::vector<double> flows;
  for (int k = 0; k < model.stage_count; ++k)
    (model.stages[k].kind == StageKind::stock ? deploy : flows).push_back(out.stage_units[k]);
  // When orders are met, Inv + S equals min(Dd, D*) by construction: D* can tie with a stock
  // stage's headroom. When a flow stage cut production, Inv + S is what it left to deploy.
  if (out.produced < out.orders) deploy.push_back(inventory_before + out.produced);
  else if (out.deployable < out.wanted) deploy.push_back(out.deployable);
  std::sort(deploy.begin(), deploy.end());
  if (deploy.size() > 1 && near_each_other(deploy[0], deploy[1], tie)) return true;
  std::sort(flows.begin(), flows.end());
  if (flows.size() > 1 && near_each_other(flows[0], flows[1], tie)) return true;
  return !flows.empty() && near_each_other(out.orders, flows[0], tie);
}

// One path on the host through the scalar calls of path_step.hpp, in the given precision;
// near ties are steps whose binding candidates lie within `tie` of each other.
struct HostPath {
  std::vector<TrajectoryPoint> steps;
  std::vector<bool> near_tie;
  std::vector<double> year_values;  // [year][variable]
  std::vector<int> year_binding;    // [year][code]
};

HostPath run_on_host(const Model& model, std::uint64_t seed, std::uint64_t path, Precision precision, double tie) {
  auto state = std::make_unique<PathState<double>>();
  auto cache = std::make_unique<FactorNormalCache>();
  auto shocks = std::make_unique<StepShocks<double>>();
  auto out = std::make_unique<StepOutcome<double>>();
  auto record = std::make_unique<YearRecord<double>>();
  const PhiloxKey key = seed_key(seed);
  HostPath result;
  start_path(model, key, path, *state);
  for (int year = 0; year < model.years; ++year) {
    begin_year(model, *record);
    for (int s = 0; s < model.steps_per_year; ++s) {
      const int step = year * model.steps_per_year + s + 1;
      const double inventory_before = state->inventory;
      draw_step_shocks(model, key, path, step, *cache, *shocks, precision);
      if (precision == Precision::mixed)
        step_path<double, Precision::mixed>(model, step, *shocks, *state, *out);
      else
        step_path<double, Precision::reference>(model, step, *shocks, *state, *out);
      record_step(model, *out, *state, *record);
      result.steps.push_back(TrajectoryPoint{step, out->token_demand, out->throughput, out->wanted, out->produced,
                                             out->deployed, state->inventory, state->fleet, state->token_capacity,
                                             out->served, static_cast<int>(out->binding)});
      result.near_tie.push_back(near_tie(model, *out, inventory_before, tie));
    }
    for (int v = 0; v < variable_count(model); ++v) result.year_values.push_back(record->value[v]);
    for (int code = 0; code <= model.stage_count; ++code)
      result.year_binding.push_back(static_cast<int>(record->binding_steps[code]));
  }
  return result;
}

struct ParityReport {
  int paths = 0;
  long steps = 0;
  int near_tie_steps = 0;
  int flips_at_near_ties = 0;      // binding differs, the CPU was within 1e-6 of a tie
  int binding_failures = 0;        // binding differs with no tie: a bug
  int value_failures = 0;
  int unwritten = 0;               // trace outputs still holding the poison (NaN, −1)
  testing::DifferenceHistogram differences;  // of every compared value
};

// The scale a per-step field's differences are measured against.
double step_scale(const TrajectoryPoint& p, int field) {
  const double units = p.throughput != 0 ? p.token_demand / p.throughput : 0.0;
  switch (field) {
    case 0: case 7: case 8: return p.token_demand;  // tokens/yr
    case 1: return p.throughput;
    default: return units;                          // units
  }
}

double field(const TrajectoryPoint& p, int index) {
  const double values[] = {p.token_demand, p.throughput, p.wanted, p.produced, p.deployed,
                           p.inventory,    p.installed_base, p.token_capacity, p.served};
  return values[index];
}
constexpr int kFields = 9;
const char* const kFieldNames[kFields] = {"token_demand", "throughput", "wanted", "produced", "deployed",
                                          "inventory", "installed_base", "token_capacity", "served"};

// Per variable, the scale of its year values' differences: its own largest value, or for a
// difference of two large numbers (unmet tokens, a flow stage's spare capacity) theirs.
std::vector<double> scales_from_largest(const Model& model, const std::vector<double>& largest) {
  std::vector<double> scale = largest;
  scale[kUnmetTokens] = largest[kTokenDemand];
  for (int v : {kWantedUnits, kProducedUnits, kDeployedUnits, kInventoryUnits, kInstalledBase})
    scale[v] = std::max(largest[kWantedUnits], largest[kInstalledBase]);
  for (int k = 0; k < model.stage_count; ++k)
    if (model.stages[k].kind == StageKind::flow)
      scale[stage_spare_or_added_variable(k)] = largest[stage_capacity_variable(k)];
  return scale;
}

std::vector<double> year_scales(const Model& model, const std::vector<double>& values) {
  const int variables = variable_count(model);
  std::vector<double> largest(variables, 0.0);
  for (int year = 0; year < model.years; ++year)
    for (int v = 0; v < variables; ++v)
      largest[v] = std::max(largest[v], std::fabs(values[static_cast<std::size_t>(year) * variables + v]));
  return scales_from_largest(model, largest);
}

// The same scales for whole float columns: the largest value over every path and year.
std::vector<double> column_scales(const Model& model, const PathResults& results) {
  std::vector<double> largest(variable_count(model), 0.0);
  for (int v = 0; v < variable_count(model); ++v)
    for (int year = 0; year < results.years; ++year)
      for (std::uint64_t p = 0; p < results.paths; ++p)
        largest[v] = std::max(largest[v], std::fabs(double(results.column(v, year)[p])));
  return scales_from_largest(model, largest);
}

// Traces made in precision `on_device` (by the device, or by the host standing in for it)
// against the host's in `on_host`, step by step and year by year, with the tolerance of that
// pair (gpu_tolerances.hpp).
ParityReport compare_traces(const Scenario& scenario, std::uint64_t seed, const std::vector<std::uint64_t>& paths,
                            const std::string& label, const std::vector<cuda::DeviceTrace>& device,
                            Precision on_device, Precision on_host) {
  const Model& model = *scenario.model;
  const testing::PathTolerance tolerance = testing::path_tolerance(on_device, on_host);
  ParityReport report;
  EXPECT_EQ(device.size(), paths.size());
  const int variables = variable_count(model);
  for (std::size_t i = 0; i < device.size(); ++i) {
    const HostPath host = run_on_host(model, seed, paths[i], on_host, tolerance.near_tie);
    const cuda::DeviceTrace& gpu = device[i];
    ++report.paths;
    EXPECT_EQ(gpu.steps.size(), host.steps.size());
    int first_flip_year = model.years;  // the path is compared up to the year of a flip
    for (std::size_t t = 0; t < std::min(gpu.steps.size(), host.steps.size()); ++t) {
      const TrajectoryPoint& g = gpu.steps[t];
      const TrajectoryPoint& h = host.steps[t];
      ++report.steps;
      report.near_tie_steps += host.near_tie[t];
      for (int f = 0; f < kFields; ++f) {
        const double a = field(g, f), b = field(h, f);
        report.differences.add(a, b);
        report.unwritten += std::isnan(a);
        if (!testing::within(tolerance, a, b, step_scale(h, f)) && ++report.value_failures <= 10)
          ADD_FAILURE() << label << ": path " << paths[i] << " step " << h.step << " " << kFieldNames[f] << ": gpu "
                        << a << ", cpu " << b;
      }
      if (g.binding != h.binding) {
        if (host.near_tie[t]) {
          ++report.flips_at_near_ties;
        } else if (++report.binding_failures <= 10) {
          ADD_FAILURE() << label << ": path " << paths[i] << " step " << h.step << ": gpu binds " << g.binding
                        << ", cpu " << h.binding << " with no tie";
        }
        first_flip_year = static_cast<int>(t) / model.steps_per_year;
        break;  // the histories differ from here on (response boosts follow the binding stage)
      }
    }
    for (double value : gpu.year_values) report.unwritten += std::isnan(value);
    for (int steps : gpu.year_binding_steps) report.unwritten += steps < 0;
    const std::vector<double> scale = year_scales(model, host.year_values);
    for (int year = 0; year < first_flip_year; ++year) {
      for (int v = 0; v < variables; ++v) {
        const std::size_t at = static_cast<std::size_t>(year) * variables + v;
        report.differences.add(gpu.year_values[at], host.year_values[at]);
        if (!testing::within(tolerance, gpu.year_values[at], host.year_values[at], scale[v]) &&
            ++report.value_failures <= 10)
          ADD_FAILURE() << label << ": path " << paths[i] << " year " << year << " "
                        << scenario.variables[v].name << ": gpu " << gpu.year_values[at] << ", cpu "
                        << host.year_values[at];
      }
      for (int code = 0; code <= model.stage_count; ++code) {
        const std::size_t at = static_cast<std::size_t>(year) * (model.stage_count + 1) + code;
        EXPECT_EQ(gpu.year_binding_steps[at], host.year_binding[at])
            << label << ": path " << paths[i] << " year " << year << " code " << code;
      }
    }
  }
  std::printf("[ GpuParity ] %s (device %s, host %s): %d paths, %ld steps, worst relative difference %.3g, %d "
              "near-tie steps, %d binding flips at near ties, %d binding failures, %d value failures; differences "
              "by decade: %s\n",
              label.c_str(), precision_name(on_device), precision_name(on_host), report.paths, report.steps, report.differences.worst(), report.near_tie_steps,
              report.flips_at_near_ties, report.binding_failures, report.value_failures,
              report.differences.text().c_str());
  EXPECT_EQ(report.unwritten, 0) << label << ": trace outputs the kernel never wrote";
  EXPECT_LE(static_cast<std::uint64_t>(report.flips_at_near_ties),
            testing::flipped_paths_allowed(tolerance, static_cast<std::uint64_t>(report.paths)))
      << label << ": more near-tie flips than float rounding explains";
  return report;
}

ParityReport compare_paths(const Scenario& scenario, std::uint64_t seed, const std::vector<std::uint64_t>& paths,
                           const std::string& label, Precision on_device = Precision::reference,
                           Precision on_host = Precision::reference) {
  return compare_traces(scenario, seed, paths, label, cuda::trace_paths(scenario, seed, paths, on_device), on_device,
                        on_host);
}

// What trace_paths gives, made on the host: for checking the comparison itself on the CPU.
std::vector<cuda::DeviceTrace> host_traces(const Model& model, std::uint64_t seed,
                                           const std::vector<std::uint64_t>& paths, Precision precision) {
  std::vector<cuda::DeviceTrace> traces;
  for (std::uint64_t path : paths) {
    const HostPath host = run_on_host(model, seed, path, precision, 0.0);
    traces.push_back(cuda::DeviceTrace{path, host.steps, host.year_values, host.year_binding});
  }
  return traces;
}

std::vector<std::uint64_t> first_paths(std::uint64_t count) {
  std::vector<std::uint64_t> paths;
  for (std::uint64_t p = 0; p < count; ++p) paths.push_back(p);
  // and a few far ones, whose counters use the path's high word
  for (std::uint64_t p : {123456789ull, (1ull << 32) + 17, (1ull << 40) + 3}) paths.push_back(p);
  return paths;
}

void expect_path_parity(const Scenario& scenario, const std::string& label, std::uint64_t count = 512,
                        std::uint64_t seed = 7, Precision on_device = Precision::reference,
                        Precision on_host = Precision::reference) {
  const ParityReport report = compare_paths(scenario, seed, first_paths(count), label, on_device, on_host);
  EXPECT_EQ(report.binding_failures, 0);
  EXPECT_EQ(report.value_failures, 0);
  std::string key = label + "_near_tie_flips";
  for (char& c : key)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  ::testing::Test::RecordProperty(key, report.flips_at_near_ties);
}

TEST(GpuParity, SmallScenarioPathByPath) {
  SKIP_WITHOUT_CUDA_DEVICE();
  expect_path_parity(load_scenario(testing::source_path("tests/scenarios/small.json")), "small.json");
}

TEST(GpuParity, BaselinePathByPath) {
  SKIP_WITHOUT_CUDA_DEVICE();
  expect_path_parity(load_scenario(testing::source_path("scenarios/baseline.json")), "baseline.json", 256);
}

// The mixed precision on the device against the CPU's mixed step (the same float formulas from
// two float libraries), path by path, to the mixed bound, with near-tie flips counted and bounded.
TEST(GpuParity, MixedPathsMatchTheCpusMixedPaths) {
  SKIP_WITHOUT_CUDA_DEVICE();
  for (const std::string file : {"tests/scenarios/small.json", "scenarios/baseline.json"})
    expect_path_parity(load_scenario(testing::source_path(file)), file + ", mixed", 256, 7, Precision::mixed,
                       Precision::mixed);
}

// The comparison and its mixed-against-reference bound, on the CPU (no device needed): the
// host's own mixed paths against its reference paths pass it, with few flips, and would fail the
// reference bound. So the GPU tests' mixed bounds are neither vacuous nor too tight for the
// float rounding the mixed step really has.
TEST(GpuTolerances, TheHostsMixedPathsPassTheMixedComparisonAndFailTheReferenceOne) {
  const Scenario scenario = load_scenario(testing::source_path("scenarios/baseline.json"));
  const std::vector<std::uint64_t> paths = first_paths(128);
  const std::vector<cuda::DeviceTrace> mixed = host_traces(*scenario.model, 7, paths, Precision::mixed);
  const ParityReport report = compare_traces(scenario, 7, paths, "host mixed against host reference", mixed,
                                             Precision::mixed, Precision::reference);
  EXPECT_EQ(report.binding_failures, 0);
  EXPECT_EQ(report.value_failures, 0);
  EXPECT_EQ(report.unwritten, 0);
  EXPECT_GT(report.differences.worst(), 1e-9);  // (near-zero values make the worst relative one large: scale floors)
  ::testing::TestPartResultArray rejected;  // the strict comparison's failures, kept out of this test's verdict
  ParityReport strict;
  {
    ::testing::ScopedFakeTestPartResultReporter quiet(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &rejected);
    strict = compare_traces(scenario, 7, paths, "the same against the reference bound", mixed, Precision::reference,
                            Precision::reference);
  }
  EXPECT_GT(strict.value_failures, 0) << "the reference bound must reject float rounding";
  EXPECT_GT(rejected.size(), 0);
}

// Mixed on the device follows the double reference to float rounding, and is not the reference
// itself: a kernel that silently ran double would show no difference at all.
TEST(GpuParity, MixedPathsFollowTheReferenceToFloatRounding) {
  SKIP_WITHOUT_CUDA_DEVICE();
  const Scenario scenario = load_scenario(testing::source_path("scenarios/baseline.json"));
  const ParityReport report =
      compare_paths(scenario, 7, first_paths(256), "baseline.json, mixed against reference", Precision::mixed,
                    Precision::reference);
  EXPECT_EQ(report.binding_failures, 0);
  EXPECT_EQ(report.value_failures, 0);
  EXPECT_GT(report.differences.worst(), 1e-9) << "the mixed kernel computed what the double reference does";
}

// ---- cases with known answers (docs/model.md) --------------------------------------------------------

TEST(GpuParity, WithoutRandomnessEveryDevicePathIsTheClosedForm) {
  SKIP_WITHOUT_CUDA_DEVICE();
  Json s = testing::deterministic_scenario();
  s["time"] = Json::parse(R"({"start_year": 2025, "years": 6, "steps_per_year": 12})");
  s["factors"]["token_demand"]["growth"] = Json::parse(R"({"2025": 2.5, "2027": 0.8, "2029": -0.1})");
  const Scenario scenario = testing::compile(s);
  const double growth[] = {2.5, 2.5, 0.8, 0.8, -0.1, -0.1};
  const std::vector<std::uint64_t> paths{0, 1, 977, 123456789};
  for (const cuda::DeviceTrace& trace : cuda::trace_paths(scenario, 3, paths)) {
    double closed_form = 1000.0;
    for (int year = 0; year < 6; ++year) {
      closed_form *= 1.0 + growth[year];
      EXPECT_NEAR(trace.steps[year * 12 + 11].token_demand / closed_form, 1.0, 1e-12) << "path " << trace.path;
    }
  }
  expect_path_parity(scenario, "closed form", 64, 3);
}

TEST(GpuParity, OneFactorWithoutPersistence) {
  SKIP_WITHOUT_CUDA_DEVICE();
  Json s = testing::deterministic_scenario();
  s["time"] = Json::parse(R"({"start_year": 2025, "years": 3, "steps_per_year": 4})");
  s["factors"]["token_demand"] = Json::parse(R"({"growth": 0.6, "sigma": 0.35})");
  expect_path_parity(testing::compile(s), "one factor", 256, 11);
}

TEST(GpuParity, TrendUncertainty) {
  SKIP_WITHOUT_CUDA_DEVICE();
  Json s = testing::deterministic_scenario();
  s["time"] = Json::parse(R"({"start_year": 2025, "years": 4, "steps_per_year": 4})");
  s["factors"]["token_demand"] = Json::parse(R"({"growth": 0.6, "sigma": 0.2, "trend_uncertainty": 0.15})");
  expect_path_parity(testing::compile(s), "trend uncertainty", 256, 11);
}

class GpuParityPersistentShocks : public ::testing::TestWithParam<int> {};

TEST_P(GpuParityPersistentShocks, AtEveryStepSize) {
  SKIP_WITHOUT_CUDA_DEVICE();
  Json s = testing::deterministic_scenario();
  s["time"] = Json::parse(R"({"start_year": 2025, "years": 3, "steps_per_year": 1})");
  s["time"]["steps_per_year"] = GetParam();
  s["factors"]["token_demand"] = Json::parse(R"({"growth": 0.0, "sigma": 0.4, "persistence": 0.6})");
  expect_path_parity(testing::compile(s), "persistence, " + std::to_string(GetParam()) + " steps/yr", 256, 11);
}

INSTANTIATE_TEST_SUITE_P(StepsPerYear, GpuParityPersistentShocks, ::testing::Values(1, 2, 4, 12));

TEST(GpuParity, DisruptionEvents) {
  SKIP_WITHOUT_CUDA_DEVICE();
  Json s = testing::deterministic_scenario();
  s["time"] = Json::parse(R"({"start_year": 2025, "years": 2, "steps_per_year": 12})");
  s["events"] = Json::parse(R"({"quake": {"rate_per_year": 0.7, "severity": 0.5, "half_life_years": 1e9,
                                           "targets": {"cowos": 1.0}}})");
  expect_path_parity(testing::compile(s), "events", 512, 5);
}

TEST(GpuParity, CorrelatedFactors) {
  SKIP_WITHOUT_CUDA_DEVICE();
  Json s = testing::deterministic_scenario();
  s["time"] = Json::parse(R"({"start_year": 2025, "years": 1, "steps_per_year": 4})");
  s["factors"] = Json::parse(R"({
    "token_demand": {"growth": 0.0, "sigma": 0.3}, "throughput": {"growth": 0.0, "sigma": 0.2},
    "cowos": {"growth": 0.0, "sigma": 0.25}})");
  s["correlations"] = Json::parse(R"({"token_demand": {"throughput": 0.6, "cowos": -0.3}, "cowos": {"throughput": 0.2}})");
  expect_path_parity(testing::compile(s), "correlated factors", 256, 9);
}

// ---- whole runs --------------------------------------------------------------------------------------

// Paths whose device columns differ from the CPU's: a binding count, or a simulated value by
// more than 2 float ulps. Such a path is a near-tie flip when the CPU path meets a near tie in or
// before the first year that differs: a flip changes the response boosts, so later values differ
// even where a swap of two stages within one year leaves the counts equal. Otherwise a failure.
struct Flips {
  std::vector<char> flipped;  // per path
  int count = 0;
  int failures = 0;
};

Flips find_flipped_paths(const Scenario& scenario, const PathResults& gpu, const PathResults& cpu, std::uint64_t seed,
                         const std::string& label, Precision precision) {
  const Model& model = *scenario.model;
  const testing::PathTolerance tolerance = testing::path_tolerance(precision, precision);
  const std::uint64_t paths = cpu.paths;
  std::vector<int> first_year(paths, cpu.years);
  std::vector<std::string> what(paths);
  auto differs = [&](std::uint64_t p, int year, const std::string& description) {
    if (year < first_year[p]) {
      first_year[p] = year;
      what[p] = description;
    }
  };
  for (int code = 0; code < cpu.binding_codes; ++code)
    for (int year = 0; year < cpu.years; ++year)
      for (std::uint64_t p = 0; p < paths; ++p)
        if (gpu.binding_column(code, year)[p] != cpu.binding_column(code, year)[p])
          differs(p, year, "binding code " + std::to_string(code) + ": gpu " +
                               std::to_string(gpu.binding_column(code, year)[p]) + " steps, cpu " +
                               std::to_string(cpu.binding_column(code, year)[p]));
  const std::vector<double> scale = column_scales(model, cpu);
  for (int v = 0; v < variable_count(model); ++v) {
    for (int year = 0; year < cpu.years; ++year)
      for (std::uint64_t p = 0; p < paths; ++p)
        if (!testing::column_close(tolerance, gpu.column(v, year)[p], cpu.column(v, year)[p], scale[v]))
          differs(p, year, scenario.variables[v].name + ": gpu " + std::to_string(gpu.column(v, year)[p]) + ", cpu " +
                               std::to_string(cpu.column(v, year)[p]));
  }
  Flips flips;
  flips.flipped.assign(paths, 0);
  for (std::uint64_t p = 0; p < paths; ++p) {
    if (first_year[p] == cpu.years) continue;
    const HostPath host = run_on_host(model, seed, p, precision, tolerance.near_tie);
    bool tie = false;
    for (int t = 0; t < (first_year[p] + 1) * model.steps_per_year; ++t) tie = tie || host.near_tie[t];
    if (tie) {
      flips.flipped[p] = 1;
      ++flips.count;
    } else if (++flips.failures <= 10) {
      ADD_FAILURE() << label << ": path " << p << " year " << first_year[p] << ": " << what[p] << ", no near tie";
    }
  }
  EXPECT_LE(static_cast<std::uint64_t>(flips.count), testing::flipped_paths_allowed(tolerance, paths))
      << label << ": more near-tie flips than rounding explains";
  return flips;
}

// The device's per-path columns against the CPU backend's (SIMD packs), every path of a run.
void expect_columns_match_cpu(const Scenario& scenario, std::uint64_t paths, std::uint64_t seed,
                              const std::string& label, Precision precision) {
  const PathResults cpu = simulate_cpu(scenario, paths, seed, 0, {}, precision);
  cuda::LaunchOptions options;
  options.precision = precision;
  options.batch_paths = paths / 3 + 1;
  const PathResults gpu = cuda::simulate_cuda(scenario, paths, seed, poisoned(options));
  ASSERT_EQ(gpu.values.size(), cpu.values.size());
  ASSERT_EQ(gpu.binding_steps.size(), cpu.binding_steps.size());
  expect_nothing_poisoned(gpu, label);
  const Flips flips = find_flipped_paths(scenario, gpu, cpu, seed, label, precision);
  testing::DifferenceHistogram differences;
  for (int v = 0; v < cpu.variables; ++v)
    for (int year = 0; year < cpu.years; ++year)
      for (std::uint64_t p = 0; p < paths; ++p)
        if (!flips.flipped[p]) differences.add(gpu.column(v, year)[p], cpu.column(v, year)[p]);
  std::printf("[ GpuParity ] %s (%s), all %llu paths: %d paths with a binding flip at a near tie, %d failures; float "
              "columns' relative differences by decade: %s\n",
              label.c_str(), precision_name(precision), static_cast<unsigned long long>(paths), flips.count, flips.failures,
              differences.text().c_str());
  EXPECT_EQ(flips.failures, 0);
}

TEST(GpuParity, EveryPathOfASmallRunMatchesTheCpuBackend) {
  SKIP_WITHOUT_CUDA_DEVICE();
  for (Precision precision : {Precision::reference, Precision::mixed})
    expect_columns_match_cpu(load_scenario(testing::source_path("tests/scenarios/small.json")), 20000, 7, "small.json",
                             precision);
}

TEST(GpuParity, EveryPathOfABaselineRunMatchesTheCpuBackend) {
  SKIP_WITHOUT_CUDA_DEVICE();
  for (Precision precision : {Precision::reference, Precision::mixed})
    expect_columns_match_cpu(load_scenario(testing::source_path("scenarios/baseline.json")), 10000, 7, "baseline.json",
                             precision);
}

// The production kernel (simulate_paths_kernel) against the trace kernel, a separate
// instantiation of the same run_path that the per-path double comparisons go through: the
// columns must be the trace's double year values rounded to float, bit for bit, or the
// production kernel's arithmetic (its own FMA contractions, say) is not what the tests checked.
// In both precisions.
TEST(GpuParity, ProductionColumnsAreTheTraceKernelsValuesRoundedToFloat) {
  SKIP_WITHOUT_CUDA_DEVICE();
  for (const Precision precision : {Precision::reference, Precision::mixed})
  for (const std::string file : {"tests/scenarios/small.json", "scenarios/baseline.json"}) {
    SCOPED_TRACE(precision_name(precision));
    const Scenario scenario = load_scenario(testing::source_path(file));
    const Model& model = *scenario.model;
    const std::uint64_t paths = 2000;
    cuda::LaunchOptions options;
    options.batch_paths = 777;
    options.precision = precision;
    const PathResults columns = cuda::simulate_cuda(scenario, paths, 7, poisoned(options));
    expect_nothing_poisoned(columns, file);
    std::vector<std::uint64_t> traced(paths);
    for (std::uint64_t p = 0; p < paths; ++p) traced[p] = p;
    const std::vector<cuda::DeviceTrace> traces = cuda::trace_paths(scenario, 7, traced, precision);
    ASSERT_EQ(traces.size(), paths);
    const int variables = variable_count(model);
    int value_mismatches = 0, binding_mismatches = 0;
    for (std::uint64_t p = 0; p < paths; ++p)
      for (int year = 0; year < model.years; ++year) {
        for (int v = 0; v < variables; ++v) {
          const float expected = stored_value(traces[p].year_values[static_cast<std::size_t>(year) * variables + v]);
          const float found = columns.column(v, year)[p];
          if (std::memcmp(&expected, &found, sizeof(float)) != 0 && ++value_mismatches <= 10)
            ADD_FAILURE() << file << ": path " << p << " year " << year << " " << scenario.variables[v].name
                          << ": column " << found << ", trace " << expected;
        }
        for (int code = 0; code <= model.stage_count; ++code)
          if (columns.binding_column(code, year)[p] !=
                  traces[p].year_binding_steps[static_cast<std::size_t>(year) * (model.stage_count + 1) + code] &&
              ++binding_mismatches <= 10)
            ADD_FAILURE() << file << ": path " << p << " year " << year << " binding code " << code;
      }
    EXPECT_EQ(value_mismatches, 0) << file;
    EXPECT_EQ(binding_mismatches, 0) << file;
  }
}

std::string result_text(Summary summary) {
  summary.seconds = 0;
  summary.threads = 0;
  summary.device.clear();
  summary.backend.clear();
  return summary_json_text(summary);
}

// Binding shares, binding_any and threshold probabilities (and their standard errors), which are
// integer counts divided by the paths: equal in both, bit for bit.
void expect_counts_equal(const Summary& a, const Summary& b, const std::string& label, bool with_thresholds) {
  ASSERT_EQ(a.stages.size(), b.stages.size());
  ASSERT_EQ(a.thresholds.size(), b.thresholds.size());
  for (std::size_t i = 0; with_thresholds && i < b.thresholds.size(); ++i) {
    EXPECT_EQ(a.thresholds[i].p, b.thresholds[i].p) << label << ": threshold " << i;
    EXPECT_EQ(a.thresholds[i].se, b.thresholds[i].se) << label << ": threshold " << i;
  }
  for (std::size_t s = 0; s < b.stages.size(); ++s)
    for (std::size_t y = 0; y < b.stages[s].years.size(); ++y) {
      const StageYear& x = a.stages[s].years[y];
      const StageYear& z = b.stages[s].years[y];
      EXPECT_EQ(x.binding_share, z.binding_share) << label << ": " << b.stages[s].name << " " << z.year;
      EXPECT_EQ(x.binding_share_se, z.binding_share_se) << label << ": " << b.stages[s].name << " " << z.year;
      EXPECT_EQ(x.binding_any, z.binding_any) << label << ": " << b.stages[s].name << " " << z.year;
      EXPECT_EQ(x.binding_any_se, z.binding_any_se) << label << ": " << b.stages[s].name << " " << z.year;
    }
}

// Value distributions are integer counts of each value's bucket (distribution_kernel on the
// device, count_distribution on the host): equal, GPU against GPU. (GPU against CPU a value a
// rounding apart can land in the next bucket, so they are not compared there.)
void expect_distributions_equal(const Summary& a, const Summary& b, const std::string& label) {
  ASSERT_FALSE(b.distributions.empty()) << label;
  ASSERT_EQ(a.distributions.size(), b.distributions.size()) << label;
  for (std::size_t i = 0; i < b.distributions.size(); ++i) {
    EXPECT_EQ(a.distributions[i].buckets, b.distributions[i].buckets) << label << ": " << b.distributions[i].variable;
    EXPECT_EQ(a.distributions[i].counts, b.distributions[i].counts) << label << ": " << b.distributions[i].variable;
  }
}

// The device summary against the CPU summary of the same paths in the same precision, the CPU's
// near-tie flips taken from the device: moments and quantiles within summary_relative() (1e-6 in
// double: float columns, tree-order sums; 1e-5 in mixed), binding counts exact, threshold hits
// apart by at most the paths straddling the threshold.
void expect_summary_close(const Summary& gpu, const Summary& cpu, const std::vector<std::uint64_t>& straddles,
                          const std::string& label, Precision precision) {
  const double relative = testing::summary_relative(precision);
  ASSERT_EQ(gpu.variables.size(), cpu.variables.size());
  testing::DifferenceHistogram differences;
  for (std::size_t v = 0; v < cpu.variables.size(); ++v)
    for (std::size_t y = 0; y < cpu.variables[v].years.size(); ++y) {
      const YearStatistics& c = cpu.variables[v].years[y];
      const YearStatistics& g = gpu.variables[v].years[y];
      // Per-path floats a few ulps apart move a mean or an order statistic by ~1e-7 of the values,
      // and an sd by as much of the values, not of the sd: a floor for near-constant columns.
      const double floor = relative * (std::fabs(c.mean) + c.sd);
      auto check = [&](double a, double b, double at_least, const char* what) {
        differences.add(a, b);
        EXPECT_LE(std::fabs(a - b), relative * std::fabs(b) + at_least)
            << label << ": " << cpu.variables[v].name << " " << c.year << " " << what << ": gpu " << a << ", cpu " << b;
      };
      check(g.mean, c.mean, floor, "mean");
      check(g.sd, c.sd, floor, "sd");
      check(g.se, c.se, floor / std::sqrt(static_cast<double>(cpu.paths)), "se");
      ASSERT_EQ(g.quantiles.size(), c.quantiles.size());
      for (std::size_t q = 0; q < c.quantiles.size(); ++q) check(g.quantiles[q], c.quantiles[q], floor, "quantile");
    }
  expect_counts_equal(gpu, cpu, label, false);  // thresholds: below
  ASSERT_EQ(straddles.size(), cpu.thresholds.size());
  for (std::size_t i = 0; i < cpu.thresholds.size(); ++i) {
    const double hits_apart = std::fabs(gpu.thresholds[i].p - cpu.thresholds[i].p) * static_cast<double>(cpu.paths);
    EXPECT_LE(hits_apart, static_cast<double>(straddles[i]) + 0.5) << label << ": threshold " << i;
  }
  std::printf("[ GpuParity ] %s summary: moments and quantiles' relative differences by decade: %s\n", label.c_str(),
              differences.text().c_str());
}

TEST(GpuParity, DeviceSummaryMatchesTheCpuSummary) {
  SKIP_WITHOUT_CUDA_DEVICE();
  for (const Precision precision : {Precision::reference, Precision::mixed})
    for (const auto& [file, paths] : {std::pair<std::string, std::uint64_t>{"tests/scenarios/small.json", 100000},
                                      std::pair<std::string, std::uint64_t>{"scenarios/baseline.json", 30000}}) {
      const std::string label = file + " (" + precision_name(precision) + ")";
      const Scenario scenario = load_scenario(testing::source_path(file));
      cuda::LaunchOptions options = poisoned();
      options.precision = precision;
      const Summary device = cuda::run_cuda(scenario, paths, 7, 0, options);

      // GPU against GPU: the run's counts are exactly those of its own per-path columns.
      const PathResults gpu = cuda::simulate_cuda(scenario, paths, 7, options);
      expect_nothing_poisoned(gpu, label);
      const Summary own_columns = cuda::assemble_summary(scenario, cuda::reduce_on_host(scenario, gpu), 7);
      expect_counts_equal(device, own_columns, label + ", device summary against its own columns", true);
      expect_distributions_equal(device, own_columns, label + ", device distributions against its own columns");

      // GPU against CPU, with the CPU's near-tie flips counted and taken from the device.
      PathResults cpu = simulate_cpu(scenario, paths, 7, 0, {}, precision);
      const Flips flips = find_flipped_paths(scenario, gpu, cpu, 7, label, precision);
      EXPECT_EQ(flips.failures, 0);
      const std::vector<std::uint64_t> straddles = testing::threshold_straddles(scenario, gpu, cpu, flips.flipped);
      PathResults mixed = testing::with_paths_from(cpu, gpu, flips.flipped);
      std::printf("[ GpuParity ] %s summary: %d paths flipped at near ties, threshold straddles:", label.c_str(),
                  flips.count);
      for (std::uint64_t count : straddles) std::printf(" %llu", static_cast<unsigned long long>(count));
      std::printf("\n");
      expect_summary_close(device, summarize(scenario, mixed, 7, 0), straddles, label, precision);
    }
}

// The device's mixed summary against its reference summary of the same paths: every mean within
// a hundredth of its Monte Carlo standard error (gpu_tolerances.hpp, within_standard_errors).
TEST(GpuParity, MixedSummaryIsWithinAHundredthOfAStandardErrorOfTheReference) {
  SKIP_WITHOUT_CUDA_DEVICE();
  const Scenario scenario = load_scenario(testing::source_path("scenarios/baseline.json"));
  cuda::LaunchOptions options = poisoned();
  options.precision = Precision::reference;
  const Summary reference = cuda::run_cuda(scenario, 30000, 9, 0, options);
  options.precision = Precision::mixed;
  const Summary mixed = cuda::run_cuda(scenario, 30000, 9, 0, options);
  int compared = 0, differ = 0;
  for (std::size_t v = 0; v < mixed.variables.size(); ++v)
    for (std::size_t y = 0; y < mixed.variables[v].years.size(); ++y) {
      const YearStatistics& a = mixed.variables[v].years[y];
      const YearStatistics& b = reference.variables[v].years[y];
      EXPECT_TRUE(testing::within_standard_errors(a.mean, b.mean, b.se))
          << mixed.variables[v].name << " " << b.year << ": mixed " << a.mean << ", reference " << b.mean << ", se "
          << b.se;
      ++compared;
      differ += a.mean != b.mean;
    }
  EXPECT_GT(compared, 100);
  EXPECT_GT(differ, 0) << "the mixed run gave the reference's means bit for bit: it did not run mixed";
}

// small.json, and the baseline, whose derived outputs the device computes in every mode.
TEST(GpuParity, BatchGridAndStagingDoNotChangeABitOfTheSummary) {
  SKIP_WITHOUT_CUDA_DEVICE();
  for (const std::string file : {"tests/scenarios/small.json", "scenarios/baseline.json"}) {
    SCOPED_TRACE(file);
    const Scenario scenario = load_scenario(testing::source_path(file));
    const std::uint64_t paths = 50001;  // not a multiple of any block, chunk or batch below
    const std::string reference = result_text(cuda::run_cuda(scenario, paths, 7, 0));
    EXPECT_EQ(result_text(cuda::run_cuda(scenario, paths, 7, 0)), reference) << "run to run";

    cuda::LaunchOptions small_batches = poisoned();
    small_batches.batch_paths = 777;
    small_batches.threads_per_block = 64;
    small_batches.blocks = 3;
    cuda::RunTimings timings;
    EXPECT_EQ(result_text(cuda::run_cuda(scenario, paths, 7, 0, small_batches, {}, &timings)), reference);
    EXPECT_EQ(timings.launches, (paths + 776) / 777);
    EXPECT_TRUE(timings.resident);

    cuda::LaunchOptions wide;
    wide.threads_per_block = 256;
    wide.blocks = 100000;
    EXPECT_EQ(result_text(cuda::run_cuda(scenario, paths, 7, 0, wide)), reference);

    cuda::LaunchOptions staged = poisoned();
    staged.stage_on_host = true;
    staged.batch_paths = 10000;
    EXPECT_EQ(result_text(cuda::run_cuda(scenario, paths, 7, 0, staged, {}, &timings)), reference);
    EXPECT_FALSE(timings.resident);

    // A budget that admits only a few columns at a time: many upload-and-reduce groups.
    cuda::LaunchOptions tight = staged;
    tight.device_memory_limit = cuda::reduction_scratch_bytes(paths, 0, cuda::sort_temp_bytes(paths), 0, 64) +
                                5 * cuda::reduction_scratch_bytes(paths, 1, 0, 32, 0);
    EXPECT_EQ(result_text(cuda::run_cuda(scenario, paths, 7, 0, tight, {}, &timings)), reference);
    EXPECT_TRUE(timings.reduced_on_device);
  }
}

// The derived outputs the simulation kernel computes (fused: from the draws each path started
// with) against the host's add_derived_outputs() on the same simulated columns, which draws the
// parameters again: path by path they differ only through the draws' last bits.
TEST(GpuParity, FusedDerivedOutputsMatchTheHostsPathByPath) {
  SKIP_WITHOUT_CUDA_DEVICE();
  const Scenario scenario = load_scenario(testing::source_path("scenarios/baseline.json"));
  ASSERT_FALSE(scenario.derived.empty());
  const std::uint64_t paths = 20000;
  for (const Precision precision : {Precision::reference, Precision::mixed}) {
    SCOPED_TRACE(precision_name(precision));
    cuda::LaunchOptions options = poisoned();
    options.precision = precision;
    options.batch_paths = 7777;
    const PathResults device = cuda::simulate_cuda(scenario, paths, 7, options);
    expect_nothing_poisoned(device, "with derived outputs");
    ASSERT_EQ(device.variables, static_cast<int>(scenario.variables.size()));
    PathResults host = device;  // the simulated columns only, then the host's derived outputs
    host.variables = variable_count(*scenario.model);
    host.values.resize(static_cast<std::size_t>(host.variables) * host.years * paths);
    add_derived_outputs(scenario, host, 7, 0);
    ASSERT_EQ(device.values.size(), host.values.size());
    int failures = 0;
    for (const DerivedOutput& output : scenario.derived)
      for (int year = 0; year < host.years; ++year) {
        const float* d = device.column(output.variable, year);
        const float* h = host.column(output.variable, year);
        double scale = 0.0;  // the draws' last bits move a sum of terms by a fraction of its terms
        for (std::uint64_t p = 0; p < paths; ++p) scale = std::max(scale, std::fabs(double(h[p])));
        for (std::uint64_t p = 0; p < paths; ++p)
          if (!testing::float_close(d[p], h[p], scale) && ++failures <= 10)
            ADD_FAILURE() << scenario.variables[output.variable].name << " year " << year << " path " << p
                          << ": device " << d[p] << ", host " << h[p];
      }
    EXPECT_EQ(failures, 0);
  }
}

TEST(GpuParity, RunWithBackendCudaReportsTheDevice) {
  SKIP_WITHOUT_CUDA_DEVICE();
  const Scenario scenario = load_scenario(testing::source_path("tests/scenarios/small.json"));
  RunOptions options;
  options.paths = 5000;
  options.backend = "cuda";
  const Summary summary = run(scenario, options);
  EXPECT_EQ(summary.backend, "cuda");
  EXPECT_EQ(summary.device, cuda_device_name());
  EXPECT_EQ(summary.precision, "mixed");
  EXPECT_EQ(result_text(summary), result_text(cuda::run_cuda(scenario, 5000, options.seed, 0)));
  // --precision reference reaches the kernel and is recorded
  options.precision = Precision::reference;
  const Summary reference = run(scenario, options);
  EXPECT_EQ(reference.precision, "reference");
  cuda::LaunchOptions launch;
  launch.precision = Precision::reference;
  EXPECT_EQ(result_text(reference), result_text(cuda::run_cuda(scenario, 5000, options.seed, 0, launch)));
  Summary numbers_only = reference;  // the numbers, not just the label, must differ
  numbers_only.precision = summary.precision;
  EXPECT_NE(result_text(numbers_only), result_text(summary)) << "--precision did not reach the kernel";
}

TEST(GpuParity, AnImpossibleMemoryLimitIsAResourceErrorNotAHang) {
  SKIP_WITHOUT_CUDA_DEVICE();
  const Scenario scenario = load_scenario(testing::source_path("scenarios/baseline.json"));
  cuda::LaunchOptions options;
  options.device_memory_limit = 1000;  // bytes: not one path
  EXPECT_THROW(cuda::run_cuda(scenario, 1000, 1, 0, options), ResourceError);
  // and the device is still usable afterwards
  EXPECT_NO_THROW(cuda::run_cuda(scenario, 1000, 1, 0));
}

}  // namespace
}  // namespace chokepoint
