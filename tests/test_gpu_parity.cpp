// CPU vs CUDA, path by path and summary by summary (MODEL.md §8, §11; docs/gpu.md).
//
// Tolerances (docs/gpu.md, "Tolerances"):
// - per-path values in double: |gpu − cpu| ≤ 1e-5·|cpu| + 1e-9·scale, the scale being the
//   magnitude a difference is taken from (token demand for tokens, Tok/Eff for units), since
//   exp/log/sin/cos and fused multiply-adds differ in their last bits between the backends;
// - binding stages: identical, except where the CPU's candidate values lie within 1e-6 of a
//   tie (counted and reported; such a path is not compared after the flip);
// - summaries: counts (binding shares, threshold probabilities) exactly equal; means, sds and
//   quantiles within 1e-6 relative; and the device summary is the same bits for any batch size,
//   grid size or staging, and from run to run.
// Every test here skips where no CUDA device is present.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <memory>

#include "chokepoint/cuda_backend.hpp"
#include "chokepoint/path_step.hpp"
#include "chokepoint/summary_io.hpp"
#include "chokepoint/year_record.hpp"
#include "scenario_builder.hpp"
#include "test_support.hpp"

namespace chokepoint {
namespace {

using testing::Json;

#define SKIP_WITHOUT_CUDA_DEVICE()                                                                        \
  do {                                                                                                     \
    if (!cuda_available())                                                                                 \
      GTEST_SKIP() << "no CUDA device: " << (CHOKEPOINT_HAVE_CUDA ? "none present" : "built without CUDA"); \
  } while (false)

constexpr double kRelative = 1e-5;
constexpr double kScaleFloor = 1e-9;
constexpr double kTie = 1e-6;

bool near_each_other(double a, double b) { return std::fabs(a - b) <= kTie * std::max(std::fabs(a), std::fabs(b)); }

bool close(double device, double host, double scale) {
  return std::fabs(device - host) <= kRelative * std::fabs(host) + kScaleFloor * std::fabs(scale);
}

// Whether the binding stage of this step was decided by values within 1e-6 of each other:
// demand against a stock stage's headroom or the production-limited supply, two stock stages,
// orders against the tightest flow stage, or the two tightest flow stages (MODEL.md §6).
bool near_tie(const Model& model, const StepOutcome<double>& out, double inventory_before) {
  std::vector<double> deploy{out.wanted};
  std::vector<double> flows;
  for (int k = 0; k < model.stage_count; ++k)
    (model.stages[k].kind == StageKind::stock ? deploy : flows).push_back(out.stage_units[k]);
  // When orders are met, Inv + S equals min(Dd, D*) by construction: D* can tie with a stock
  // stage's headroom. When a flow stage cut production, Inv + S is what it left to deploy.
  if (out.produced < out.orders) deploy.push_back(inventory_before + out.produced);
  else if (out.deployable < out.wanted) deploy.push_back(out.deployable);
  std::sort(deploy.begin(), deploy.end());
  if (deploy.size() > 1 && near_each_other(deploy[0], deploy[1])) return true;
  std::sort(flows.begin(), flows.end());
  if (flows.size() > 1 && near_each_other(flows[0], flows[1])) return true;
  return !flows.empty() && near_each_other(out.orders, flows[0]);
}

// One path on the host in double, through the scalar calls of path_step.hpp.
struct HostPath {
  std::vector<TrajectoryPoint> steps;
  std::vector<bool> near_tie;
  std::vector<double> year_values;  // [year][variable]
  std::vector<int> year_binding;    // [year][code]
};

HostPath run_on_host(const Model& model, std::uint64_t seed, std::uint64_t path) {
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
      draw_step_shocks(model, key, path, step, *cache, *shocks);
      step_path(model, step, *shocks, *state, *out);
      record_step(model, *out, *state, *record);
      result.steps.push_back(TrajectoryPoint{step, out->token_demand, out->throughput, out->wanted, out->produced,
                                             out->deployed, state->inventory, state->fleet, state->token_capacity,
                                             out->served, static_cast<int>(out->binding)});
      result.near_tie.push_back(near_tie(model, *out, inventory_before));
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
  double worst_relative = 0.0;     // largest |gpu − cpu| / |cpu| among compared values ≠ 0
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
std::vector<double> year_scales(const Model& model, const std::vector<double>& values) {
  const int variables = variable_count(model);
  std::vector<double> largest(variables, 0.0);
  for (int year = 0; year < model.years; ++year)
    for (int v = 0; v < variables; ++v)
      largest[v] = std::max(largest[v], std::fabs(values[static_cast<std::size_t>(year) * variables + v]));
  std::vector<double> scale = largest;
  scale[kUnmetTokens] = largest[kTokenDemand];
  for (int v : {kWantedUnits, kProducedUnits, kDeployedUnits, kInventoryUnits, kInstalledBase})
    scale[v] = std::max(largest[kWantedUnits], largest[kInstalledBase]);
  for (int k = 0; k < model.stage_count; ++k)
    if (model.stages[k].kind == StageKind::flow)
      scale[stage_spare_or_added_variable(k)] = largest[stage_capacity_variable(k)];
  return scale;
}

ParityReport compare_paths(const Scenario& scenario, std::uint64_t seed, const std::vector<std::uint64_t>& paths,
                           const std::string& label) {
  const Model& model = *scenario.model;
  const std::vector<cuda::DeviceTrace> device = cuda::trace_paths(scenario, seed, paths);
  ParityReport report;
  EXPECT_EQ(device.size(), paths.size());
  const int variables = variable_count(model);
  for (std::size_t i = 0; i < device.size(); ++i) {
    const HostPath host = run_on_host(model, seed, paths[i]);
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
        if (b != 0.0) report.worst_relative = std::max(report.worst_relative, std::fabs(a - b) / std::fabs(b));
        if (!close(a, b, step_scale(h, f)) && ++report.value_failures <= 10)
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
    const std::vector<double> scale = year_scales(model, host.year_values);
    for (int year = 0; year < first_flip_year; ++year) {
      for (int v = 0; v < variables; ++v) {
        const std::size_t at = static_cast<std::size_t>(year) * variables + v;
        if (!close(gpu.year_values[at], host.year_values[at], scale[v]) && ++report.value_failures <= 10)
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
  std::printf("[ GpuParity ] %s: %d paths, %ld steps, worst relative difference %.3g, %d near-tie steps, "
              "%d binding flips at near ties, %d binding failures, %d value failures\n",
              label.c_str(), report.paths, report.steps, report.worst_relative, report.near_tie_steps,
              report.flips_at_near_ties, report.binding_failures, report.value_failures);
  return report;
}

std::vector<std::uint64_t> first_paths(std::uint64_t count) {
  std::vector<std::uint64_t> paths;
  for (std::uint64_t p = 0; p < count; ++p) paths.push_back(p);
  // and a few far ones, whose counters use the path's high word
  for (std::uint64_t p : {123456789ull, (1ull << 32) + 17, (1ull << 40) + 3}) paths.push_back(p);
  return paths;
}

void expect_path_parity(const Scenario& scenario, const std::string& label, std::uint64_t count = 512,
                        std::uint64_t seed = 7) {
  const ParityReport report = compare_paths(scenario, seed, first_paths(count), label);
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

// ---- MODEL.md §11 cases ------------------------------------------------------------------------------

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

// The device's per-path columns against the CPU backend's (SIMD packs), every path of a run.
// A binding count may differ only in a year where the CPU path meets a near tie.
void expect_columns_match_cpu(const Scenario& scenario, std::uint64_t paths, std::uint64_t seed,
                              const std::string& label) {
  const Model& model = *scenario.model;
  const PathResults cpu = simulate_cpu(scenario, paths, seed, 0, {}, Precision::reference);
  cuda::LaunchOptions options;
  options.batch_paths = paths / 3 + 1;
  const PathResults gpu = cuda::simulate_cuda(scenario, paths, seed, options);
  ASSERT_EQ(gpu.values.size(), cpu.values.size());
  ASSERT_EQ(gpu.binding_steps.size(), cpu.binding_steps.size());
  std::vector<char> path_flipped(paths, 0);
  int flips = 0, binding_failures = 0;
  for (int code = 0; code < cpu.binding_codes && binding_failures <= 10; ++code)
    for (int year = 0; year < cpu.years && binding_failures <= 10; ++year)
      for (std::uint64_t p = 0; p < paths && binding_failures <= 10; ++p) {
        if (gpu.binding_column(code, year)[p] == cpu.binding_column(code, year)[p] || path_flipped[p]) continue;
        const HostPath host = run_on_host(model, seed, p);
        bool tie = false;
        for (int t = 0; t < (year + 1) * model.steps_per_year; ++t) tie = tie || host.near_tie[t];
        if (tie) {
          path_flipped[p] = 1;
          ++flips;
        } else if (++binding_failures <= 10) {
          ADD_FAILURE() << label << ": path " << p << " year " << year << " code " << code << ": gpu "
                        << int(gpu.binding_column(code, year)[p]) << " steps, cpu "
                        << int(cpu.binding_column(code, year)[p]) << ", no near tie";
        }
      }
  int value_failures = 0;
  double worst = 0.0;
  for (int v = 0; v < cpu.variables; ++v) {
    double scale = 0.0;
    for (int year = 0; year < cpu.years; ++year)
      for (std::uint64_t p = 0; p < paths; ++p) scale = std::max(scale, std::fabs(double(cpu.column(v, year)[p])));
    for (int year = 0; year < cpu.years; ++year)
      for (std::uint64_t p = 0; p < paths; ++p) {
        if (path_flipped[p]) continue;
        const double g = gpu.column(v, year)[p], c = cpu.column(v, year)[p];
        if (c != 0.0) worst = std::max(worst, std::fabs(g - c) / std::fabs(c));
        // floats: 1e-5 relative, and the column's scale for differences of large numbers
        if (std::fabs(g - c) > kRelative * std::fabs(c) + 1e-7 * scale && ++value_failures <= 10)
          ADD_FAILURE() << label << ": " << scenario.variables[v].name << " year " << year << " path " << p
                        << ": gpu " << g << ", cpu " << c;
      }
  }
  std::printf("[ GpuParity ] %s, all %llu paths: worst relative difference %.3g, %d paths with a binding flip at a "
              "near tie, %d binding failures, %d value failures\n",
              label.c_str(), static_cast<unsigned long long>(paths), worst, flips, binding_failures, value_failures);
  EXPECT_EQ(binding_failures, 0);
  EXPECT_EQ(value_failures, 0);
}

TEST(GpuParity, EveryPathOfASmallRunMatchesTheCpuBackend) {
  SKIP_WITHOUT_CUDA_DEVICE();
  expect_columns_match_cpu(load_scenario(testing::source_path("tests/scenarios/small.json")), 20000, 7, "small.json");
}

TEST(GpuParity, EveryPathOfABaselineRunMatchesTheCpuBackend) {
  SKIP_WITHOUT_CUDA_DEVICE();
  expect_columns_match_cpu(load_scenario(testing::source_path("scenarios/baseline.json")), 10000, 7, "baseline.json");
}

std::string result_text(Summary summary) {
  summary.seconds = 0;
  summary.threads = 0;
  summary.device.clear();
  summary.backend.clear();
  return summary_json_text(summary);
}

void expect_summary_close(const Summary& gpu, const Summary& cpu, const std::string& label) {
  ASSERT_EQ(gpu.variables.size(), cpu.variables.size());
  double worst = 0.0;
  for (std::size_t v = 0; v < cpu.variables.size(); ++v)
    for (std::size_t y = 0; y < cpu.variables[v].years.size(); ++y) {
      const YearStatistics& c = cpu.variables[v].years[y];
      const YearStatistics& g = gpu.variables[v].years[y];
      const double floor = 1e-9 * (std::fabs(c.mean) + c.sd);  // for values that are ~0 by cancellation
      auto check = [&](double a, double b, const char* what) {
        const double difference = std::fabs(a - b);
        if (b != 0.0) worst = std::max(worst, difference / std::fabs(b));
        EXPECT_LE(difference, 1e-6 * std::fabs(b) + floor)
            << label << ": " << cpu.variables[v].name << " " << c.year << " " << what << ": gpu " << a << ", cpu " << b;
      };
      check(g.mean, c.mean, "mean");
      check(g.sd, c.sd, "sd");
      check(g.se, c.se, "se");
      ASSERT_EQ(g.quantiles.size(), c.quantiles.size());
      for (std::size_t q = 0; q < c.quantiles.size(); ++q) check(g.quantiles[q], c.quantiles[q], "quantile");
    }
  // Counts: exactly the CPU's.
  ASSERT_EQ(gpu.stages.size(), cpu.stages.size());
  for (std::size_t s = 0; s < cpu.stages.size(); ++s)
    for (std::size_t y = 0; y < cpu.stages[s].years.size(); ++y) {
      const StageYear& c = cpu.stages[s].years[y];
      const StageYear& g = gpu.stages[s].years[y];
      EXPECT_EQ(g.binding_share, c.binding_share) << label << ": " << cpu.stages[s].name << " " << c.year;
      EXPECT_EQ(g.binding_share_se, c.binding_share_se) << label << ": " << cpu.stages[s].name << " " << c.year;
      EXPECT_EQ(g.binding_any, c.binding_any) << label << ": " << cpu.stages[s].name << " " << c.year;
      EXPECT_EQ(g.binding_any_se, c.binding_any_se) << label << ": " << cpu.stages[s].name << " " << c.year;
    }
  ASSERT_EQ(gpu.thresholds.size(), cpu.thresholds.size());
  for (std::size_t i = 0; i < cpu.thresholds.size(); ++i) {
    EXPECT_EQ(gpu.thresholds[i].p, cpu.thresholds[i].p) << label << ": threshold " << i;
    EXPECT_EQ(gpu.thresholds[i].se, cpu.thresholds[i].se) << label << ": threshold " << i;
  }
  std::printf("[ GpuParity ] %s summary: worst relative difference of moments and quantiles %.3g\n", label.c_str(),
              worst);
}

TEST(GpuParity, DeviceSummaryMatchesTheCpuSummary) {
  SKIP_WITHOUT_CUDA_DEVICE();
  for (const auto& [file, paths] : {std::pair<std::string, std::uint64_t>{"tests/scenarios/small.json", 100000},
                                    std::pair<std::string, std::uint64_t>{"scenarios/baseline.json", 30000}}) {
    const Scenario scenario = load_scenario(testing::source_path(file));
    PathResults cpu_results = simulate_cpu(scenario, paths, 7, 0, {}, Precision::reference);
    const Summary cpu = summarize(scenario, cpu_results, 7, 0);
    const Summary gpu = cuda::run_cuda(scenario, paths, 7, 0);
    expect_summary_close(gpu, cpu, file);
  }
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

    cuda::LaunchOptions small_batches;
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

    cuda::LaunchOptions staged;
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

// The device's derived outputs against the host's add_derived_outputs() on the same simulated
// columns, path by path: they differ only through the parameter draws' last bits.
TEST(GpuParity, DerivedOutputsMatchTheHostsPathByPath) {
  SKIP_WITHOUT_CUDA_DEVICE();
  const Scenario scenario = load_scenario(testing::source_path("scenarios/baseline.json"));
  ASSERT_FALSE(scenario.derived.empty());
  const std::uint64_t paths = 20000;
  cuda::LaunchOptions with_derived;
  with_derived.derived_outputs = true;
  const PathResults device = cuda::simulate_cuda(scenario, paths, 7, with_derived);
  PathResults host = cuda::simulate_cuda(scenario, paths, 7, cuda::LaunchOptions{});
  add_derived_outputs(scenario, host, 7, 0);
  ASSERT_EQ(device.variables, host.variables);
  ASSERT_EQ(device.values.size(), host.values.size());
  int failures = 0;
  for (const DerivedOutput& output : scenario.derived)
    for (int year = 0; year < host.years; ++year) {
      const float* d = device.column(output.variable, year);
      const float* h = host.column(output.variable, year);
      for (std::uint64_t p = 0; p < paths; ++p)
        if (std::fabs(double(d[p]) - double(h[p])) > kRelative * std::fabs(double(h[p])) && ++failures <= 10)
          ADD_FAILURE() << scenario.variables[output.variable].name << " year " << year << " path " << p
                        << ": device " << d[p] << ", host " << h[p];
    }
  EXPECT_EQ(failures, 0);
  // and the simulated columns are the very same bits
  EXPECT_TRUE(std::equal(host.values.begin(),
                         host.values.begin() + static_cast<std::ptrdiff_t>(variable_count(*scenario.model)) *
                                                   host.years * static_cast<std::ptrdiff_t>(paths),
                         device.values.begin()));
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
  EXPECT_EQ(result_text(summary), result_text(cuda::run_cuda(scenario, 5000, options.seed, 0)));
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
