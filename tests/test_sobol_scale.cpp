// Sobol indices at scale (docs/scale.md, docs/sensitivity.md section 3): base samples split into
// ranges and merged, in the library and over MPI ranks, give one process's files bit for bit.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "analyse/input_groups.hpp"
#include "analyse/sensitivity_outputs.hpp"
#include "analyse/sobol_files.hpp"
#include "analyse/sobol_run.hpp"
#include "analyse/sobol_sums_bytes.hpp"
#include "scenario_builder.hpp"
#include "test_support.hpp"

namespace chokepoint {
namespace {

namespace fs = std::filesystem;
using testing::Json;
using testing::quoted;

Json three_group_scenario() { return testing::three_group_scenario("sobol-scale"); }

// sobol.json less "seconds", the one field that describes the machine rather than the result.
std::string result_json(const std::string& text) {
  nlohmann::ordered_json json = nlohmann::ordered_json::parse(text);
  json.erase("seconds");
  return json.dump(1);
}

TEST(SobolScale, RangesMergedInAnyOrderEqualOneProcessBitForBit) {
  const Scenario scenario = testing::compile(three_group_scenario());
  const std::vector<InputGroup> groups = default_input_groups(scenario);
  const std::vector<SensitivityOutput> outputs = default_sensitivity_outputs(scenario);
  SobolRequest request;
  request.base_samples = 700;
  request.seed = 11;
  request.threads = 2;
  request.backend = "cpu";
  request.bootstrap = 200;
  const SobolAnalysis one = run_sobol(scenario, groups, outputs, request);
  // Ranges across chunk boundaries, one entirely past the centring pilot's samples, one empty.
  const std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges{{300, 700}, {0, 100}, {100, 300}, {300, 300}};
  std::vector<PickFreezeSums> merged = sobol_sums_on_cpu(scenario, groups, outputs, request, 300, 300);
  for (const auto& [first, end] : ranges) {
    // Through the bytes a rank sends.
    const std::vector<PickFreezeSums> part =
        sobol_sums_from_bytes(sobol_sums_bytes(sobol_sums_on_cpu(scenario, groups, outputs, request, first, end)));
    ASSERT_EQ(part.size(), outputs.size());
    for (std::size_t o = 0; o < outputs.size(); ++o) merged[o].merge(part[o]);
  }
  EXPECT_TRUE(merged == sobol_sums_on_cpu(scenario, groups, outputs, request, 0, 700));
  SobolAnalysis from_ranges = sobol_analysis_from_sums(scenario, groups, outputs, request, merged);
  from_ranges.seconds = one.seconds;
  EXPECT_EQ(sobol_json_text(from_ranges), sobol_json_text(one));
  EXPECT_EQ(sobol_csv_text(from_ranges), sobol_csv_text(one));

  // Sums of part of the samples are not an analysis; a range beyond N is refused.
  const std::vector<PickFreezeSums> part = sobol_sums_on_cpu(scenario, groups, outputs, request, 0, 100);
  EXPECT_THROW(sobol_analysis_from_sums(scenario, groups, outputs, request, part), std::invalid_argument);
  EXPECT_THROW(sobol_sums_on_cpu(scenario, groups, outputs, request, 600, 701), std::invalid_argument);
  std::string bytes = sobol_sums_bytes(part);
  bytes.pop_back();
  EXPECT_THROW(sobol_sums_from_bytes(bytes), std::invalid_argument);
}

// `sensitivity --shard I/N` then `merge`: any order gives one process's files; a shard set
// that does not belong together is refused with exit 2, naming what is wrong.
TEST(SobolShards, ShardsMergedInAnyOrderEqualOneProcessAndMismatchedSetsAreRefused) {
  const fs::path root = testing::fresh_test_directory("sobol_shards");
  const std::string scenario = testing::write_file_in(root, "scenario.json", three_group_scenario().dump());
  const std::string options = " --paths 500 --seed 3 --bootstrap 150 --for produced_units:2026 "
                              "--group supply=cowos_capacity,quake --quiet";
  const auto dir = [&](const std::string& name) { return quoted((root / name).string()); };
  const testing::CommandResult single =
      testing::run_cli("sensitivity " + quoted(scenario) + " --backend cpu --threads 2" + options + " --out " + dir("single"));
  ASSERT_EQ(single.exit_code, 0) << single.output;
  for (int i = 0; i < 3; ++i) {
    const testing::CommandResult shard = testing::run_cli("sensitivity " + quoted(scenario) + " --threads 1" + options +
                                                          " --shard " + std::to_string(i) + "/3 --out " +
                                                          dir("shard" + std::to_string(i)));
    ASSERT_EQ(shard.exit_code, 0) << shard.output;
  }
  const testing::CommandResult merged =
      testing::run_cli("merge " + dir("shard2") + " " + dir("shard0") + " " + dir("shard1") + " --quiet --out " + dir("merged"));
  ASSERT_EQ(merged.exit_code, 0) << merged.output;
  const std::string merged_json = testing::read_text(root / "merged" / "sobol.json");
  ASSERT_FALSE(merged_json.empty());
  EXPECT_EQ(result_json(merged_json), result_json(testing::read_text(root / "single" / "sobol.json")));
  EXPECT_EQ(testing::read_text(root / "merged" / "sobol.csv"), testing::read_text(root / "single" / "sobol.csv"));

  const auto refused = [&](const std::string& shards, const std::string& words) {
    const testing::CommandResult result = testing::run_cli("merge " + shards + " --quiet --out " + dir("refused"));
    EXPECT_EQ(result.exit_code, 2) << shards << "\n" << result.output;
    EXPECT_NE(result.output.find(words), std::string::npos) << result.output;
    EXPECT_FALSE(fs::exists(root / "refused" / "sobol.json"));
  };
  refused(dir("shard0") + " " + dir("shard2"), "missing shard");
  refused(dir("shard0") + " " + dir("shard1") + " " + dir("shard1") + " " + dir("shard2"), "duplicate");
  // Another base-sample count, and another --for, make shards of another analysis.
  ASSERT_EQ(testing::run_cli("sensitivity " + quoted(scenario) + " --paths 600 --seed 3 --bootstrap 150 --for "
                             "produced_units:2026 --group supply=cowos_capacity,quake --quiet --shard 1/3 --out " +
                             dir("other_paths")).exit_code, 0);
  refused(dir("shard0") + " " + dir("other_paths") + " " + dir("shard2"), "foreign shard");
  ASSERT_EQ(testing::run_cli("sensitivity " + quoted(scenario) + " --paths 500 --seed 3 --bootstrap 150 --for "
                             "token_demand:2026 --group supply=cowos_capacity,quake --quiet --shard 1/3 --out " +
                             dir("other_for")).exit_code, 0);
  refused(dir("shard0") + " " + dir("other_for") + " " + dir("shard2"), "foreign shard");
  // A run's shard is not a Sobol shard.
  ASSERT_EQ(testing::run_cli("run " + quoted(scenario) + " --paths 100 --quiet --shard 0/1 --out " + dir("run_shard")).exit_code, 0);
  refused(dir("shard0") + " " + dir("run_shard"), "sobol-partial.bin");

  const testing::CommandResult no_out = testing::run_cli("sensitivity " + quoted(scenario) + options + " --shard 0/3");
  EXPECT_EQ(no_out.exit_code, 2) << no_out.output;
  EXPECT_NE(no_out.output.find("--out"), std::string::npos) << no_out.output;
  fs::remove_all(root);
}


TEST(Mpi, SensitivityThreeRanksEqualOneProcess) {
#ifndef CHOKEPOINT_MPI_CLI
  GTEST_SKIP() << "built without MPI (chokepoint-mpi needs Open MPI: scripts/install-deps.sh)";
#else
  if (!fs::exists(CHOKEPOINT_MPIRUN)) GTEST_SKIP() << "mpirun not found";
  const fs::path root = testing::fresh_test_directory("sobol_mpi");
  const std::string scenario = testing::write_file_in(root, "scenario.json", three_group_scenario().dump());
  // 700 base samples: 234, 233 and 233 per rank, across the 256-sample chunks and the pilot.
  const std::string options = " --paths 700 --seed 4 --bootstrap 200 --for produced_units:2026 "
                              "--for cowos.binding_share:2026 --group supply=cowos_capacity,quake --quiet --out ";
  const testing::CommandResult mpi =
      testing::run_mpi(3, "sensitivity " + quoted(scenario) + " --threads 1" + options + quoted((root / "mpi").string()));
  ASSERT_EQ(mpi.exit_code, 0) << mpi.output;
  const testing::CommandResult single = testing::run_cli("sensitivity " + quoted(scenario) + " --backend cpu --threads 2" +
                                                         options + quoted((root / "single").string()));
  ASSERT_EQ(single.exit_code, 0) << single.output;
  const std::string mpi_json = testing::read_text(root / "mpi" / "sobol.json");
  ASSERT_FALSE(mpi_json.empty());
  EXPECT_EQ(result_json(mpi_json), result_json(testing::read_text(root / "single" / "sobol.json")));
  EXPECT_EQ(testing::read_text(root / "mpi" / "sobol.csv"), testing::read_text(root / "single" / "sobol.csv"));
  EXPECT_EQ(testing::read_text(root / "mpi" / "scenario.json"), testing::read_text(root / "single" / "scenario.json"));

  // The ranks simulate on the CPU: --backend cuda is refused before anything runs, as is a taken folder.
  const testing::CommandResult cuda = testing::run_mpi(
      2, "sensitivity " + quoted(scenario) + " --backend cuda --quiet --out " + quoted((root / "cuda").string()));
  EXPECT_EQ(cuda.exit_code, 2) << cuda.output;
  EXPECT_NE(cuda.output.find("--backend"), std::string::npos) << cuda.output;
  const testing::CommandResult taken =
      testing::run_mpi(2, "sensitivity " + quoted(scenario) + " --paths 10 --quiet --out " + quoted((root / "mpi").string()));
  EXPECT_EQ(taken.exit_code, 2) << taken.output;
  fs::remove_all(root);
#endif
}

}  // namespace
}  // namespace chokepoint
