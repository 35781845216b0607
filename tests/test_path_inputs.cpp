// Per-path inputs (include/chokepoint/path_inputs.hpp) and the first-order indices every run
// carries (host/reduce/first_order_sums.hpp): the recomputed inputs are the step's own draws,
// event counts agree with a scalar recount, a lone varying parameter explains its output, and the
// sensitivity section has the same bits however the run is split.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "chokepoint/engine.hpp"
#include "chokepoint/path_inputs.hpp"
#include "chokepoint/scale.hpp"
#include "chokepoint/summary_io.hpp"
#include "chokepoint/trajectory_csv.hpp"
#include "reduce/streaming_run.hpp"
#include "scenario_builder.hpp"
#include "test_support.hpp"

namespace chokepoint {


namespace {

using testing::compile;
using testing::Json;

int parameter_index(const Scenario& scenario, const std::string& name) {
  for (std::size_t i = 0; i < scenario.parameter_names.size(); ++i)
    if (scenario.parameter_names[i] == name) return static_cast<int>(i);
  ADD_FAILURE() << "no parameter " << name;
  return 0;
}

// Demand and throughput flat and noiseless, so that step 1's token demand is the drawn tok₀ and
// its throughput the drawn eff₀, exactly (× e⁰ = 1): the trace then shows the step's draws.
Json drawn_scale_scenario() {
  Json document = testing::deterministic_scenario();
  document["time"] = Json{{"start_year", 2025}, {"years", 2}, {"steps_per_year", 4}};
  document["factors"]["token_demand"]["growth"] = 0.0;
  document["demand"]["tokens_per_year"] = Json{{"dist", "pert"}, {"min", 500}, {"mode", 1000}, {"max", 3000}};
  document["throughput"]["tokens_per_year_per_unit"] = Json{{"dist", "lognormal"}, {"median", 10}, {"p95", 20}};
  return document;
}

TEST(PathInputs, ParameterValuesAreTheStepsDrawsBitForBit) {
  Json document = drawn_scale_scenario();
  const Scenario plain = compile(document);
  const std::string tokens = plain.parameter_names[0], throughput = plain.parameter_names[1];
  document["parameter_correlations"] = Json{{tokens, Json{{throughput, 0.6}}}};
  for (const Scenario& scenario : {plain, compile(document)}) {
    const int tok = parameter_index(scenario, tokens), eff = parameter_index(scenario, throughput);
    PathInputs inputs;
    compute_path_inputs(scenario, 9, 100, 21, inputs);  // an odd count: a partial pack at the end
    for (std::uint64_t p = 0; p < inputs.paths; ++p)
      for (Precision precision : {Precision::mixed, Precision::reference}) {
        const TrajectoryPoint first = trace_path(scenario, 9, 100 + p, precision).front();
        EXPECT_EQ(first.token_demand, inputs.value_of(tok)[p]) << "path " << 100 + p;
        EXPECT_EQ(first.throughput, inputs.value_of(eff)[p]) << "path " << 100 + p;
      }
    // The lognormal maps z exactly: u = Φ(z) with z = ln(value / median) / σ.
    const double sigma = std::log(2.0) / 1.6448536269514722;
    for (std::uint64_t p = 0; p < inputs.paths; ++p)
      EXPECT_NEAR(inputs.u_of(eff)[p], normal_cdf(std::log(inputs.value_of(eff)[p] / 10.0) / sigma), 1e-9);
  }
}

TEST(PathInputs, CorrelatedParametersHaveCorrelatedUniforms) {
  Json document = drawn_scale_scenario();
  const Scenario plain = compile(document);
  document["parameter_correlations"] = Json{{plain.parameter_names[0], Json{{plain.parameter_names[1], 0.8}}}};
  const Scenario scenario = compile(document);
  PathInputs inputs;
  compute_path_inputs(scenario, 3, 0, 20000, inputs);
  double sum = 0.0;  // Spearman's ρ from the uniforms: 12·E[(u−½)(v−½)]
  for (std::uint64_t p = 0; p < inputs.paths; ++p) sum += (inputs.u_of(0)[p] - 0.5) * (inputs.u_of(1)[p] - 0.5);
  const double spearman = 12.0 * sum / static_cast<double>(inputs.paths);
  const double expected = 6.0 / M_PI * std::asin(0.8 / 2.0);  // of a Gaussian copula with r = 0.8
  EXPECT_NEAR(spearman, expected, 0.02);
}

TEST(PathInputs, TrendIsTheStepsDelta) {
  Json document = testing::deterministic_scenario();
  document["time"] = Json{{"start_year", 2025}, {"years", 1}, {"steps_per_year", 4}};
  document["factors"]["token_demand"] = Json{{"growth", 0.0}, {"sigma", 0.0}, {"trend_uncertainty", 0.3}};
  const Scenario scenario = compile(document);
  PathInputs inputs;
  compute_path_inputs(scenario, 5, 0, 40, inputs);
  for (std::uint64_t p = 0; p < inputs.paths; ++p) {
    // Step 1: X = δ·Δ, so token demand = 1000·e^(δ/4) in the reference precision.
    const double demand = trace_path(scenario, 5, p, Precision::reference).front().token_demand;
    EXPECT_NEAR(std::log(demand / 1000.0) * 4.0, inputs.trend_of(0)[p], 1e-12);
    EXPECT_NEAR(inputs.trend_u_of(0)[p], normal_cdf(inputs.trend_of(0)[p] / 0.3), 1e-12);
  }
}

TEST(PathInputs, EventFiringsMatchAScalarRecountAndLeaveForcedFiringsOut) {
  Json document = testing::deterministic_scenario();
  document["time"] = Json{{"start_year", 2025}, {"years", 3}, {"steps_per_year", 4}};
  document["events"] = Json{
      {"quake", Json{{"rate_per_year", Json{{"dist", "uniform"}, {"min", 0.5}, {"max", 3.0}}},
                     {"severity", 0.1}, {"half_life_years", 0.5}, {"targets", Json{{"cowos", 1.0}}},
                     {"forced", Json{{"year", 2026}, {"severity", 0.2}}}}},
      {"strike", Json{{"rate_per_year", 0.4}, {"severity", 0.1}, {"half_life_years", 0.5}, {"targets", Json{{"cowos", 1.0}}}}}};
  const Scenario scenario = compile(document);
  const Model& model = *scenario.model;
  PathInputs inputs;
  compute_path_inputs(scenario, 17, 1000, 301, inputs);
  const PhiloxKey key = seed_key(17);
  double total = 0.0;
  for (std::uint64_t p = 0; p < inputs.paths; ++p) {
    double draws[kMaxUncertain];
    for (int i = 0; i < model.uncertain_count; ++i) draws[i] = inputs.value_of(i)[p];
    for (int e = 0; e < model.event_count; ++e) {
      const double probability = event_fire_probability(model, e, draws);
      for (int year = 0; year < model.years; ++year) {
        int count = 0;
        for (int s = 1; s <= model.steps_per_year; ++s)
          count += event_fires_at(model, key, 1000 + p, e, year * model.steps_per_year + s, probability);
        EXPECT_EQ(inputs.fires_of(e, year)[p], count) << "path " << 1000 + p << " event " << e << " year " << year;
        total += count;
      }
    }
  }
  // The reductions' lighter form (no values, no start when the rates are constants) counts the same.
  PathInputs light;
  compute_path_inputs(scenario, 17, 1000, 301, light, false);
  EXPECT_EQ(light.fires, inputs.fires);
  EXPECT_EQ(light.parameter_z, inputs.parameter_z);
  document["events"]["quake"]["rate_per_year"] = 1.5;
  const Scenario constant_rates = compile(document);
  PathInputs full_constant, light_constant;
  compute_path_inputs(constant_rates, 17, 1000, 301, full_constant);
  compute_path_inputs(constant_rates, 17, 1000, 301, light_constant, false);
  EXPECT_EQ(light_constant.fires, full_constant.fires);
  // Expected firings: Σ over paths of 12 steps·(1 − e^(−λ/4)) per event; mean λ of the quake 1.75.
  EXPECT_GT(total, 0.5 * 301 * 12 * (0.3 + 0.1));
  EXPECT_LT(total, 1.5 * 301 * 12 * (0.3 + 0.1));
}

// Only tok₀ moves token demand; eff₀, the useful life, a trend and an event move other things.
Json one_driver_scenario() {
  Json document = testing::deterministic_scenario();
  document["time"] = Json{{"start_year", 2025}, {"years", 2}, {"steps_per_year", 4}};
  document["factors"]["token_demand"]["growth"] = 0.0;
  document["factors"]["throughput"]["trend_uncertainty"] = 0.2;
  document["demand"]["tokens_per_year"] = Json{{"dist", "uniform"}, {"min", 500}, {"max", 1500}};
  document["throughput"]["tokens_per_year_per_unit"] = Json{{"dist", "uniform"}, {"min", 5}, {"max", 15}};
  document["useful_life_years"] = Json{{"dist", "uniform"}, {"min", 3}, {"max", 6}};
  document["events"] = Json{{"quake", Json{{"rate_per_year", 1.0}, {"severity", 0.5}, {"half_life_years", 0.5},
                                           {"targets", Json{{"cowos", 1.0}}}}}};
  document["report"] = Json{{"thresholds", Json::array({Json{{"variable", "token_demand"}, {"year", 2026}, {"at_least", 1000}}})}};
  return document;
}

const OutputSensitivity& output_of(const Summary& summary, const std::string& name, int year) {
  for (const OutputSensitivity& output : summary.sensitivity.first_order)
    if (output.output == name && output.year == year) return output;
  throw std::runtime_error("no sensitivity for " + name);
}

TEST(FirstOrderRun, ALoneDriverExplainsItsOutputAndTheOthersNothing) {
  const Scenario scenario = compile(one_driver_scenario());
  PathResults results = simulate_cpu(scenario, 20000, 3, 2);
  const Summary summary = summarize(scenario, results, 3, 2);
  ASSERT_EQ(summary.sensitivity.bins, 20);
  ASSERT_EQ(summary.sensitivity.inputs.size(), 5u);  // tok₀, eff₀, life, throughput.trend, quake.fires
  for (const char* output : {"token_demand", "token_demand>=1000"})
    for (const FirstOrderIndex& index : output_of(summary, output, 2026).indices) {
      if (index.input == summary.sensitivity.inputs[static_cast<std::size_t>(parameter_index(scenario, scenario.parameter_names[0]))]) {
        // A uniform input's linear effect keeps 1 − 1/B² of its variance in B bins; the threshold
        // is a step at the median, which 20 bins resolve exactly.
        EXPECT_NEAR(index.index, std::string(output) == "token_demand" ? 1.0 - 1.0 / 400.0 : 1.0, 4 * index.se + 1e-3)
            << output;
      } else {
        EXPECT_NEAR(index.index, 0.0, 4 * index.se) << output << " on " << index.input;
        EXPECT_GT(index.se, 0.0);
      }
    }
  // The event drives nothing here but is counted: P(demand binds | 0, 1, 2+ firings) all exist.
  bool found = false;
  for (const BindingByInput& by : summary.sensitivity.binding_by_firings)
    if (by.input == "quake.fires" && by.year == 2026 && by.stage == "demand") {
      found = true;
      ASSERT_EQ(by.p.size(), 3u);
      for (double p : by.p) EXPECT_TRUE(std::isfinite(p));
    }
  EXPECT_TRUE(found);
  EXPECT_EQ(summary.sensitivity.out_of_range, 0u);
}

std::string sensitivity_text(const Summary& summary) {
  return nlohmann::json::parse(summary_json_text(summary))["sensitivity"].dump();
}

TEST(FirstOrderRun, SameBitsForThreadsStreamingAndShards) {
  const Scenario scenario = load_scenario(testing::source_path("tests/scenarios/small.json"));
  const std::uint64_t paths = 1500;
  PathResults results = simulate_cpu(scenario, paths, 21, 1);
  const std::string one_thread = sensitivity_text(summarize(scenario, results, 21, 1));
  ASSERT_NE(one_thread, "null");
  EXPECT_EQ(sensitivity_text(summarize(scenario, results, 21, 2)), one_thread);
  RunOptions options;
  options.paths = paths;
  options.seed = 21;
  options.threads = 2;
  EXPECT_EQ(sensitivity_text(run_streaming(scenario, options, 97)), one_thread);
  const std::string root = testing::unique_test_directory("first_order_shards");
  std::vector<std::string> directories;
  for (std::uint64_t i = 0; i < 2; ++i) {
    directories.push_back(root + "/shard" + std::to_string(1 - i));  // merged in reverse order
    run_shard(scenario, options, ShardSpec{1 - i, 2}, directories.back());
  }
  for (int wave = 0; wave < 4; ++wave) {
    const MergeOutcome outcome = merge_shards(directories, root + "/merged");
    if (outcome.finished) {
      EXPECT_EQ(sensitivity_text(outcome.summary), one_thread);
      break;
    }
    for (std::uint64_t i = 0; i < 2; ++i)
      run_shard(scenario, options, ShardSpec{i, 2}, root + "/shard" + std::to_string(i), outcome.refine_plan);
  }
  std::filesystem::remove_all(root);
}

TEST(FirstOrderRun, SummaryJsonReadsBackItsSensitivity) {
  const Scenario scenario = compile(one_driver_scenario());
  PathResults results = simulate_cpu(scenario, 2000, 3, 1);
  const Summary summary = summarize(scenario, results, 3, 1);
  const std::string directory = testing::unique_test_directory("first_order_read");
  write_summary(directory, summary);
  const Summary read = read_summary(directory);
  EXPECT_EQ(summary_json_text(read), summary_json_text(summary));
  std::ifstream csv(directory + "/summary.csv");
  const std::string text((std::istreambuf_iterator<char>(csv)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find(",first_order_se.quake.fires,"), std::string::npos);
  std::filesystem::remove_all(directory);
}

TEST(FirstOrderRun, ABadYearInTheSensitivitySectionIsAnInputError) {
  const Scenario scenario = compile(one_driver_scenario());
  PathResults results = simulate_cpu(scenario, 200, 3, 1);
  const std::string directory = testing::unique_test_directory("first_order_bad");
  write_summary(directory, summarize(scenario, results, 3, 1));
  nlohmann::ordered_json json = nlohmann::ordered_json::parse(testing::read_text(directory + "/summary.json"));
  json["sensitivity"]["first_order"]["token_demand"]["20x6"] = json["sensitivity"]["first_order"]["token_demand"]["2026"];
  testing::write_text(directory + "/summary.json", json.dump());
  try {
    read_summary(directory);
    ADD_FAILURE() << "a year key \"20x6\" was read";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("sensitivity.first_order.token_demand"), std::string::npos) << error.what();
  }
  std::filesystem::remove_all(directory);
}

TEST(FirstOrderRun, PerPathInputsFeedDiscoverDirectly) {
  const std::string directory = testing::unique_test_directory("inputs_csv");
  const testing::CommandResult run = testing::run_cli("run " + testing::source_path("tests/scenarios/small_power_crunch.json") +
                                                      " --paths 3000 --per-path 2000 --quiet --out " + directory + "/run");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  std::ifstream in(directory + "/run/inputs.csv");
  std::string header;
  std::getline(in, header);
  EXPECT_NE(header.find(",power.binding_share.2028"), std::string::npos) << header.substr(0, 400);
  EXPECT_NE(header.find(".u,"), std::string::npos);
  const testing::CommandResult discover =
      testing::run_cli("discover " + directory + "/run/inputs.csv --outcome 'power.binding_share.2028>0.5'");
  EXPECT_EQ(discover.exit_code, 0) << discover.output;
  EXPECT_NE(discover.output.find("box 1: coverage"), std::string::npos) << discover.output;
  std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace chokepoint
