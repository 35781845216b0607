// `chokepoint sensitivity` and `run --report`'s tornado.json end to end: the files, their
// contents, and bad arguments exiting 2 before anything is simulated.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "scenario_builder.hpp"
#include "test_support.hpp"

namespace chokepoint {
namespace {

using testing::Json;
using testing::quoted;
using testing::run_cli;

std::string write_scenario(const std::filesystem::path& directory) {
  return testing::write_file_in(directory, "scenario.json", testing::three_group_scenario("sensitivity-test").dump());
}

TEST(SensitivityCommand, WritesSobolJsonCsvAndTornado) {
  const std::filesystem::path directory = testing::fresh_test_directory("sensitivity");
  const std::string scenario = write_scenario(directory);
  const std::string out = (directory / "result").string();
  const testing::CommandResult result =
      run_cli("sensitivity " + quoted(scenario) + " --paths 300 --bootstrap 100 --threads 2 --backend cpu "
              "--for produced_units:2026 --for cowos.binding_share:2026 --group supply=cowos_capacity,quake "
              "--tornado --tornado-paths 100 --out " + quoted(out));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("(2 + 2) × 300 base samples = 1200 paths"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("supply"), std::string::npos) << result.output;

  const nlohmann::json sobol = nlohmann::json::parse(testing::read_text(out + "/sobol.json"));
  EXPECT_EQ(sobol["base_samples"], 300);
  EXPECT_EQ(sobol["paths_simulated"], 1200);
  ASSERT_EQ(sobol["groups"].size(), 2u);
  EXPECT_EQ(sobol["groups"][0]["name"], "token_demand");
  EXPECT_EQ(sobol["groups"][1]["name"], "supply");
  EXPECT_EQ(sobol["groups"][1]["inputs"], (std::vector<std::string>{"param:cowos_capacity", "event:quake"}));
  ASSERT_EQ(sobol["outputs"].size(), 2u);
  const nlohmann::json& produced = sobol["outputs"][0];
  EXPECT_EQ(produced["output"], "produced_units:2026");
  EXPECT_EQ(produced["N"], 300);
  // CoWoS binds: production is its capacity less the quakes, the "supply" group.
  const nlohmann::json& supply = produced["indices"][1];
  EXPECT_EQ(supply["group"], "supply");
  EXPECT_GT(supply["total"]["estimate"].get<double>(), 0.8);
  EXPECT_LE(supply["total"]["low"].get<double>(), supply["total"]["estimate"].get<double>());
  EXPECT_GE(supply["total"]["high"].get<double>(), supply["total"]["estimate"].get<double>());

  const std::string csv = testing::read_text(out + "/sobol.csv");
  EXPECT_EQ(csv.rfind("output,variable,year,group,inputs,first_order,", 0), 0u) << csv;
  EXPECT_NE(csv.find("produced_units:2026,produced_units,2026,supply,param:cowos_capacity;event:quake,"), std::string::npos)
      << csv;

  const nlohmann::json tornado = nlohmann::json::parse(testing::read_text(out + "/tornado.json"));
  EXPECT_EQ(tornado["paths"], 100);
  EXPECT_FALSE(tornado["charts"].empty());
  EXPECT_TRUE(std::filesystem::exists(out + "/scenario.json"));

  // --force replaces the folder it wrote.
  EXPECT_EQ(run_cli("sensitivity " + quoted(scenario) + " --paths 100 --bootstrap 10 --quiet --force --out " + quoted(out))
                .exit_code,
            0);
  std::filesystem::remove_all(directory);
}

TEST(SensitivityCommand, BadArgumentsExitTwoNamingWhatWasExpected) {
  const std::filesystem::path directory = testing::fresh_test_directory("sensitivity");
  const std::string scenario = write_scenario(directory);
  const std::string out = " --out " + quoted((directory / "never").string());
  struct Case {
    std::string arguments;
    std::string says;
  };
  for (const Case& bad : {Case{"--for produced_unit:2026", "did you mean \"produced_units\""},
                          Case{"--for produced_units:2040", "2025 to 2026"},
                          Case{"--for produced_units", "VARIABLE:YEAR"},
                          Case{"--group supply=cowos_capacity,quak", "did you mean \"quake\""},
                          Case{"--group supply", "NAME=INPUT"},
                          Case{"--paths 1", "--paths"},
                          Case{"--bootstrap 1", "--bootstrap"}}) {
    const testing::CommandResult result = run_cli("sensitivity " + quoted(scenario) + " " + bad.arguments + out);
    EXPECT_EQ(result.exit_code, 2) << bad.arguments << "\n" << result.output;
    EXPECT_NE(result.output.find(bad.says), std::string::npos) << bad.arguments << "\n" << result.output;
  }
  EXPECT_FALSE(std::filesystem::exists(directory / "never"));
  if (!cuda_available()) {
    const testing::CommandResult result = run_cli("sensitivity " + quoted(scenario) + " --backend cuda" + out);
    EXPECT_EQ(result.exit_code, 3) << result.output;
    EXPECT_NE(result.output.find("no CUDA device"), std::string::npos) << result.output;
    EXPECT_FALSE(std::filesystem::exists(directory / "never"));
  }
  std::filesystem::remove_all(directory);
}

TEST(SensitivityCommand, RunWithReportWritesTheTornadoUnlessTurnedOff) {
  const std::filesystem::path directory = testing::fresh_test_directory("sensitivity");
  const std::string scenario = write_scenario(directory);
  const std::string out = (directory / "run").string();
  testing::CommandResult result =
      run_cli("run " + quoted(scenario) + " --paths 200 --threads 2 --quiet --report --out " + quoted(out));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const nlohmann::json tornado = nlohmann::json::parse(testing::read_text(out + "/tornado.json"));
  EXPECT_EQ(tornado["paths"], 200) << "never more paths per tornado run than the run's own";
  EXPECT_EQ(tornado["charts"][0]["bars"][0]["input"], "cowos_capacity");
  EXPECT_TRUE(std::filesystem::exists(out + "/report.html"));
  result = run_cli("run " + quoted(scenario) + " --paths 200 --quiet --report --tornado-paths 0 --force --out " + quoted(out));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_FALSE(std::filesystem::exists(out + "/tornado.json"));
  std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace chokepoint
