// Sobol indices of a scenario's input groups by pick-freeze through re-keyed streams
// (analyse/sobol_run.hpp, docs/sensitivity.md "Sobol indices of a scenario"): known answers on
// small scenarios, the re-keying itself, determinism, and the argument checks.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "analyse/input_groups.hpp"
#include "analyse/resampled_streams.hpp"
#include "analyse/sensitivity_outputs.hpp"
#include "analyse/sobol_run.hpp"
#include "scenario_builder.hpp"

namespace chokepoint {
namespace {

using testing::compile;
using testing::Json;

// Demand far above CoWoS capacity, so CoWoS binds in every step and produced_units is its
// capacity; the capacity is drawn (uniform 50–150 units/yr), and so is the price, which
// production does not read.
Json one_parameter_scenario() {
  Json s = testing::deterministic_scenario();
  s["time"]["years"] = 2;
  s["stages"]["cowos"]["capacity_per_year"] = Json::parse(R"({"dist": "uniform", "min": 50, "max": 150, "name": "cowos_capacity"})");
  s["price"]["usd_per_million_tokens"] = Json::parse(R"({"dist": "uniform", "min": 1, "max": 3, "name": "price"})");
  return s;
}

// Random demand (σ = 0.3) and a quake on the binding CoWoS stage (rate 2/yr, severity uniform):
// token_demand depends on the demand factor alone, produced_units mostly on the quake.
Json factor_and_event_scenario() {
  Json s = testing::deterministic_scenario();
  s["time"] = Json::parse(R"({"start_year": 2025, "years": 2, "steps_per_year": 4})");
  s["factors"]["token_demand"]["sigma"] = 0.3;
  s["stages"]["cowos"]["capacity_per_year"] = 20;
  s["events"] = Json::parse(R"({"quake": {"rate_per_year": 2.0, "half_life_years": 0.1,
      "severity": {"dist": "uniform", "min": 0.1, "max": 0.9}, "targets": {"cowos": 1.0}}})");
  return s;
}

const InputGroup& group_named(const std::vector<InputGroup>& groups, const std::string& name) {
  for (const InputGroup& group : groups)
    if (group.name == name) return group;
  throw std::runtime_error("no group " + name);
}

std::size_t index_of(const std::vector<InputGroup>& groups, const std::string& name) {
  for (std::size_t i = 0; i < groups.size(); ++i)
    if (groups[i].name == name) return i;
  throw std::runtime_error("no group " + name);
}

SobolRequest small_request(std::uint64_t samples, int threads = 2) {
  SobolRequest request;
  request.base_samples = samples;
  request.seed = 7;
  request.threads = threads;
  request.backend = "cpu";
  request.bootstrap = 200;
  return request;
}

TEST(SobolScenario, OnlyTheParameterThatVariesExplainsTheOutput) {
  const Scenario scenario = compile(one_parameter_scenario());
  const std::vector<InputGroup> groups = default_input_groups(scenario);
  ASSERT_EQ(groups.size(), 2u);  // the two parameters; both factors have σ = τ = 0
  const std::vector<SensitivityOutput> outputs{parse_sensitivity_output(scenario, "produced_units:2025")};
  const SobolAnalysis analysis = run_sobol(scenario, groups, outputs, small_request(2000));
  const SobolIndices& indices = analysis.outputs[0].indices;
  const std::size_t capacity = index_of(groups, "cowos_capacity"), price = index_of(groups, "price");
  EXPECT_GT(indices.variance, 0.0);
  // S = mean(y_B(y_B − y_A))/V and ST = mean((y_A − y_B)²)/2V are 1 up to their Monte Carlo
  // error, about √2/√N = 0.03 at N = 2000: 0.12 is four of those.
  EXPECT_NEAR(indices.first_order[capacity].estimate, 1.0, 0.12);
  EXPECT_NEAR(indices.total[capacity].estimate, 1.0, 0.12);
  EXPECT_LE(indices.first_order[capacity].lower, 1.0);
  EXPECT_GE(indices.first_order[capacity].upper, 1.0);
  // Re-keying the price leaves production untouched path by path: exactly zero.
  EXPECT_EQ(indices.first_order[price].estimate, 0.0);
  EXPECT_EQ(indices.total[price].estimate, 0.0);
  EXPECT_EQ(analysis.paths_simulated, 4u * 2000u);
}

TEST(SobolScenario, AFactorGroupAndAnEventGroupExplainWhatTheyDrive) {
  const Scenario scenario = compile(factor_and_event_scenario());
  const std::vector<InputGroup> groups = default_input_groups(scenario);
  ASSERT_EQ(groups.size(), 2u);  // token_demand (trend + shocks) and the quake; throughput is deterministic
  EXPECT_EQ(group_named(groups, "token_demand").inputs, std::vector<std::string>{"factor:token_demand"});
  EXPECT_EQ(group_named(groups, "quake").inputs, std::vector<std::string>{"event:quake"});
  const std::vector<SensitivityOutput> outputs{parse_sensitivity_output(scenario, "token_demand:2026"),
                                               parse_sensitivity_output(scenario, "produced_units:2026"),
                                               parse_sensitivity_output(scenario, "cowos.binding_share:2026")};
  const SobolAnalysis analysis = run_sobol(scenario, groups, outputs, small_request(2000));
  const std::size_t demand = index_of(groups, "token_demand"), quake = index_of(groups, "quake");
  const SobolIndices& token_demand = analysis.outputs[0].indices;
  EXPECT_NEAR(token_demand.first_order[demand].estimate, 1.0, 0.12);
  EXPECT_NEAR(token_demand.total[demand].estimate, 1.0, 0.12);
  EXPECT_EQ(token_demand.total[quake].estimate, 0.0);  // demand never reads the quake's stream
  const SobolIndices& produced = analysis.outputs[1].indices;
  EXPECT_GT(produced.total[quake].estimate, 0.8) << "CoWoS binds, so production is its impaired capacity";
  EXPECT_LT(produced.total[demand].estimate, 0.2);
  // CoWoS binds in every step whatever the draws: a constant output has no variance to share.
  EXPECT_EQ(analysis.outputs[2].indices.variance, 0.0);
  EXPECT_TRUE(std::isnan(analysis.outputs[2].indices.first_order[demand].estimate));
}

TEST(SobolScenario, SameSeedSameBitsForAnyThreadCountAndForTheWholeRunRoute) {
  const Scenario scenario = compile(factor_and_event_scenario());
  const std::vector<InputGroup> groups = default_input_groups(scenario);
  const std::vector<SensitivityOutput> outputs = default_sensitivity_outputs(scenario);
  // 600 samples: chunks of 256 and a partial one.
  const SobolAnalysis one = run_sobol(scenario, groups, outputs, small_request(600, 1));
  const SobolAnalysis two = run_sobol(scenario, groups, outputs, small_request(600, 2));
  // The route of a backend that simulates whole runs (CUDA), fed here by the CPU backend.
  const SobolAnalysis whole = run_sobol_whole_runs(
      scenario, groups, outputs, small_request(600, 2),
      [](const Scenario& variant, std::uint64_t paths, std::uint64_t seed) {
        return simulate_cpu(variant, paths, seed, 1, {}, Precision::mixed);
      });
  SobolRequest other_seed = small_request(600, 2);
  other_seed.seed = 8;
  const SobolAnalysis different = run_sobol(scenario, groups, outputs, other_seed);
  ASSERT_EQ(one.outputs.size(), outputs.size());
  bool any_difference = false;
  for (std::size_t o = 0; o < outputs.size(); ++o)
    for (std::size_t i = 0; i < groups.size(); ++i)
      for (const SobolAnalysis* other : {&two, &whole}) {
        const SobolIndex& a = one.outputs[o].indices.total[i];
        const SobolIndex& b = other->outputs[o].indices.total[i];
        const SobolIndex& c = one.outputs[o].indices.first_order[i];
        const SobolIndex& d = other->outputs[o].indices.first_order[i];
        if (std::isnan(a.estimate)) continue;
        EXPECT_EQ(a.estimate, b.estimate) << outputs[o].label << " " << groups[i].name;
        EXPECT_EQ(a.lower, b.lower);
        EXPECT_EQ(a.upper, b.upper);
        EXPECT_EQ(c.estimate, d.estimate);
        EXPECT_EQ(c.standard_error, d.standard_error);
        any_difference = any_difference || different.outputs[o].indices.total[i].estimate != a.estimate;
      }
  EXPECT_TRUE(any_difference) << "another seed must give other samples";
}

TEST(SobolScenario, ReKeyedStreamsDifferFromEachOtherAndFromTheOriginals) {
  const Scenario scenario = load_scenario(std::string(CHOKEPOINT_SOURCE_DIR) + "/scenarios/baseline.json");
  EXPECT_NO_THROW(check_resampled_streams(scenario));
  std::set<std::uint32_t> originals, all;
  const std::vector<ScenarioInput> inputs = scenario_streams(scenario);
  for (const ScenarioInput& input : inputs) {
    originals.insert(input.stream);
    all.insert(input.stream);
    all.insert(resampled_stream(input.stream));
    // The continued hash is the hash of the name with the suffix.
    EXPECT_EQ(resampled_stream(input.stream), stream_id((input.name + kResampleSuffix).c_str()));
  }
  EXPECT_EQ(all.size(), 2 * inputs.size());

  // Sample B re-keys every stream; AB_i only group i's.
  const Scenario sample_b = with_every_stream_resampled(scenario);  // kept: it owns the model copy
  const Model& b = *sample_b.model;
  for (int i = 0; i < b.uncertain_count; ++i) EXPECT_EQ(originals.count(b.uncertain[i].stream), 0u);
  for (int f = 0; f < b.factor_count; ++f) EXPECT_EQ(originals.count(b.factors[f].stream), 0u);
  for (int e = 0; e < b.event_count; ++e) EXPECT_EQ(originals.count(b.events[e].stream), 0u);
  const std::vector<InputGroup> groups = default_input_groups(scenario);
  const InputGroup& quake = group_named(groups, "taiwan_quake");
  const Scenario sample_ab = with_resampled_streams(scenario, quake.streams);
  const Model& mixed = *sample_ab.model;
  const Model& a = *scenario.model;
  for (int e = 0; e < a.event_count; ++e)
    EXPECT_EQ(mixed.events[e].stream == a.events[e].stream, scenario.event_names[static_cast<std::size_t>(e)] != "taiwan_quake");
  for (int f = 0; f < a.factor_count; ++f) EXPECT_EQ(mixed.factors[f].stream, a.factors[f].stream);
  for (int i = 0; i < a.uncertain_count; ++i) EXPECT_EQ(mixed.uncertain[i].stream, a.uncertain[i].stream);

  // A stream equal to another's re-keyed one is refused, naming both.
  Scenario clash = scenario;
  auto model = std::make_shared<Model>(*scenario.model);
  model->uncertain[1].stream = resampled_stream(model->uncertain[0].stream);
  clash.model = model;
  try {
    check_resampled_streams(clash);
    ADD_FAILURE() << "a clash must be refused";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find(kResampleSuffix), std::string::npos) << error.what();
  }
}

TEST(SobolScenario, SampleBIsIndependentOfSampleA) {
  const Scenario scenario = compile(factor_and_event_scenario());
  constexpr std::uint64_t kPaths = 4000;
  const PathResults a = simulate_cpu(scenario, kPaths, 3, 2);
  const PathResults b = simulate_cpu(with_every_stream_resampled(scenario), kPaths, 3, 2);
  const int variable = scenario.variable_index("token_demand");
  for (int year = 0; year < a.years; ++year) {
    double mean_a = 0, mean_b = 0;
    for (std::uint64_t p = 0; p < kPaths; ++p) {
      mean_a += a.column(variable, year)[p];
      mean_b += b.column(variable, year)[p];
    }
    mean_a /= kPaths;
    mean_b /= kPaths;
    double cov = 0, var_a = 0, var_b = 0;
    for (std::uint64_t p = 0; p < kPaths; ++p) {
      const double x = a.column(variable, year)[p] - mean_a, y = b.column(variable, year)[p] - mean_b;
      cov += x * y;
      var_a += x * x;
      var_b += y * y;
    }
    // A shared stream would correlate them; independent, r has sd 1/√4000 = 0.016.
    EXPECT_LT(std::fabs(cov / std::sqrt(var_a * var_b)), 0.064);
  }
}

TEST(SobolScenario, CorrelatedParametersAndFactorsFormOneGroupAndOverridesRegroup) {
  Json s = one_parameter_scenario();
  s["initial"]["inventory_units"] = Json::parse(R"({"dist": "uniform", "min": 1, "max": 9, "name": "stock"})");
  s["parameter_correlations"] = Json::parse(R"({"cowos_capacity": {"stock": 0.5}})");
  s["factors"]["token_demand"]["sigma"] = 0.2;
  s["factors"]["throughput"]["sigma"] = 0.1;
  s["correlations"] = Json::parse(R"({"token_demand": {"throughput": 0.3}})");
  const Scenario scenario = compile(s);
  const std::vector<InputGroup> groups = default_input_groups(scenario);
  ASSERT_EQ(groups.size(), 3u);
  // Members in the scenario's order of parameters (initial conditions are read before stages).
  EXPECT_EQ(group_named(groups, "stock+cowos_capacity").inputs,
            (std::vector<std::string>{"param:stock", "param:cowos_capacity"}));
  EXPECT_EQ(group_named(groups, "price").inputs, std::vector<std::string>{"param:price"});
  EXPECT_EQ(group_named(groups, "token_demand+throughput").streams.size(), 2u);

  const std::vector<InputGroup> regrouped =
      apply_group_overrides(scenario, groups, {"supply=cowos_capacity,factor:throughput"});
  EXPECT_EQ(group_named(regrouped, "supply").inputs,
            (std::vector<std::string>{"param:cowos_capacity", "factor:throughput"}));
  EXPECT_EQ(group_named(regrouped, "stock").inputs, std::vector<std::string>{"param:stock"});
  EXPECT_EQ(group_named(regrouped, "token_demand").inputs, std::vector<std::string>{"factor:token_demand"});
  EXPECT_EQ(regrouped.size(), 4u);  // price, stock, token_demand, supply
}

TEST(SobolScenario, BadOutputsAndGroupsAreRefusedWithWhatWasExpected) {
  const Scenario scenario = compile(factor_and_event_scenario());
  const auto message = [&](auto&& call) -> std::string {
    try {
      call();
    } catch (const InputError& error) {
      return error.what();
    }
    return "no error";
  };
  EXPECT_NE(message([&] { parse_sensitivity_output(scenario, "produced_unit:2026"); }).find("did you mean \"produced_units\""),
            std::string::npos);
  EXPECT_NE(message([&] { parse_sensitivity_output(scenario, "produced_units:2031"); }).find("2025 to 2026"),
            std::string::npos);
  EXPECT_NE(message([&] { parse_sensitivity_output(scenario, "produced_units"); }).find("VARIABLE:YEAR"), std::string::npos);
  EXPECT_NE(message([&] { parse_sensitivity_output(scenario, "optics.binding_share:2026"); }).find("STAGE.binding_share"),
            std::string::npos);
  EXPECT_EQ(parse_sensitivity_output(scenario, "cowos.binding_share:2026").binding_code, 1);
  const std::vector<InputGroup> groups = default_input_groups(scenario);
  EXPECT_NE(message([&] { apply_group_overrides(scenario, groups, {"x=quak"}); }).find("did you mean \"quake\""),
            std::string::npos);
  EXPECT_NE(message([&] { apply_group_overrides(scenario, groups, {"noequals"}); }).find("NAME=INPUT"), std::string::npos);
  EXPECT_NE(message([&] { apply_group_overrides(scenario, groups, {"x=quake", "y=quake"}); }).find("at most one --group"),
            std::string::npos);
  // throughput has σ = τ = 0: nothing to re-key.
  EXPECT_NE(message([&] { apply_group_overrides(scenario, groups, {"x=throughput"}); }).find("random input"),
            std::string::npos);
  EXPECT_NE(message([&] { apply_group_overrides(scenario, groups, {"token_demand=quake"}); }).find("twice"),
            std::string::npos);
}

TEST(SobolScenario, DefaultOutputsAreTheHeadlineInTheMiddleAndLastYearAndEachStageBinding) {
  Json s = factor_and_event_scenario();
  s["time"]["years"] = 5;
  const Scenario scenario = compile(s);
  std::vector<std::string> labels;
  for (const SensitivityOutput& output : default_sensitivity_outputs(scenario)) labels.push_back(output.label);
  EXPECT_EQ(labels, (std::vector<std::string>{"token_demand:2027", "token_demand:2029", "tokens_served:2027",
                                              "tokens_served:2029", "produced_units:2027", "produced_units:2029",
                                              "installed_base:2027", "installed_base:2029", "revenue:2027",
                                              "revenue:2029", "cowos.binding_share:2027"}));
}

}  // namespace
}  // namespace chokepoint
