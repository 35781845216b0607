// The CUDA backend's host-side pieces, run on every machine (no GPU needed): the memory plan,
// the order statistics exact quantiles need, the summary assembled from reduced columns, and
// that every device entry point fails with ResourceError (exit 3) when there is no device.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "chokepoint/cuda_backend.hpp"
#include "chokepoint/summary_io.hpp"
#include "reduce/quantiles.hpp"
#include "scenario_builder.hpp"
#include "test_support.hpp"

namespace chokepoint {
namespace {

using cuda::MemoryNeeds;
using cuda::MemoryPlan;

std::string result_text(Summary summary) {
  summary.seconds = 0;
  summary.threads = 0;
  summary.device.clear();
  summary.backend.clear();
  // The device reduction has no first-order sums (docs/sensitivity.md): compared without them.
  summary.sensitivity = {};
  return summary_json_text(summary);
}

// The device reduction hands the host sums, squared deviations, order statistics, value
// distributions and counts; assembled with reduce_on_host's path-order sums and counts they must
// give summarize()'s summary exactly, distributions included.
void expect_assembly_equals_summarize(const std::string& scenario_file, std::uint64_t paths) {
  const Scenario scenario = load_scenario(testing::source_path(scenario_file));
  PathResults results = simulate_cpu(scenario, paths, 7, 2);
  add_derived_outputs(scenario, results, 7, 2);
  const cuda::RunReduction reduction = cuda::reduce_on_host(scenario, results);  // before summarize reorders
  const Summary expected = summarize(scenario, results, 7, 2);
  EXPECT_EQ(result_text(cuda::assemble_summary(scenario, reduction, 7)), result_text(expected)) << scenario_file;
}

TEST(GpuHostSide, AssembledSummaryEqualsSummarizeBitForBitOnSmall) {
  expect_assembly_equals_summarize("tests/scenarios/small.json", 3001);
}

TEST(GpuHostSide, AssembledSummaryEqualsSummarizeBitForBitOnBaseline) {
  expect_assembly_equals_summarize("scenarios/baseline.json", 1000);
}

TEST(GpuHostSide, AssembledSummaryEqualsSummarizeForOnePathAndTwo) {
  expect_assembly_equals_summarize("tests/scenarios/small.json", 1);
  expect_assembly_equals_summarize("tests/scenarios/small.json", 2);
}

TEST(GpuHostSide, QuantileRanksAreTheOrderStatisticsOfNumpysLinearRuleAndTheIntervals) {
  // h = (P − 1)·q; the ranks ⌊h⌋ and ⌊h⌋ + 1 (clamped), and the ends of the level's 95 %
  // interval: for the median of 10 values the textbook [X(2), X(9)], 0-based 1 and 8.
  EXPECT_EQ(cuda::quantile_ranks(10, {0.5}), (std::vector<std::uint64_t>{1, 4, 5, 8}));
  EXPECT_EQ(cuda::quantile_ranks(1, {0.01, 0.5, 0.99}), (std::vector<std::uint64_t>{0}));
  EXPECT_TRUE(cuda::quantile_ranks(0, {0.5}).empty());
  for (std::uint64_t paths : {2u, 101u, 5000u}) {
    const std::vector<double> levels{0.01, 0.25, 0.75, 0.99};
    const std::vector<std::uint64_t> ranks = cuda::quantile_ranks(paths, levels);
    EXPECT_EQ(ranks, plan_quantiles(paths, levels).ranks) << "the host reduction asks for the same order statistics";
    EXPECT_TRUE(std::is_sorted(ranks.begin(), ranks.end()));
    for (double q : levels) {
      const auto low = static_cast<std::uint64_t>(static_cast<double>(paths - 1) * q);
      EXPECT_TRUE(std::binary_search(ranks.begin(), ranks.end(), low)) << paths << " " << q;
      EXPECT_TRUE(std::binary_search(ranks.begin(), ranks.end(), std::min(low + 1, paths - 1))) << paths << " " << q;
    }
  }
}

MemoryNeeds baseline_like_needs(std::uint64_t paths, std::uint64_t budget) {
  MemoryNeeds needs;
  needs.paths = paths;
  needs.value_columns = needs.simulated_value_columns = 30 * 12;
  needs.binding_columns = 6 * 12;
  needs.sort_temp_bytes = 64u << 20;
  needs.budget_bytes = budget;
  return needs;
}

TEST(GpuHostSide, PlanKeepsResultsOnTheDeviceWhenTheyFit) {
  const MemoryPlan plan = cuda::plan_memory(baseline_like_needs(10'000'000, 70ull << 30));
  EXPECT_TRUE(plan.resident);
  EXPECT_TRUE(plan.reduce_on_device);
  EXPECT_EQ(plan.batch_paths, cuda::kDefaultLaunchPaths);
  EXPECT_LE(plan.device_bytes, 70ull << 30);
  EXPECT_GT(plan.device_bytes, 10'000'000ull * (30 * 12 * 4 + 6 * 12));
}

TEST(GpuHostSide, PlanStagesThroughTheHostWhenResultsDoNotFit) {
  const std::uint64_t budget = 8ull << 30;
  const MemoryPlan plan = cuda::plan_memory(baseline_like_needs(100'000'000, budget));
  EXPECT_FALSE(plan.resident);
  EXPECT_TRUE(plan.reduce_on_device);
  EXPECT_GT(plan.batch_paths, 0u);
  EXPECT_LT(plan.batch_paths, 100'000'000u);
  EXPECT_GE(plan.value_columns_per_group, 1u);
  EXPECT_GE(plan.binding_columns_per_group, 1u);
  EXPECT_LE(plan.device_bytes, budget);
}

TEST(GpuHostSide, PlanStagesWhenAskedTo) {
  MemoryNeeds needs = baseline_like_needs(1000, 70ull << 30);
  needs.must_stage = true;
  needs.value_columns += 12;  // one derived output
  needs.simulated_value_columns += 12;
  const MemoryPlan plan = cuda::plan_memory(needs);
  EXPECT_FALSE(plan.resident);
  EXPECT_EQ(plan.batch_paths, 1000u);
  EXPECT_EQ(plan.value_columns_per_group, needs.value_columns);
}

TEST(GpuHostSide, PlanHonoursARequestedBatchAndNeverExceedsThePaths) {
  MemoryNeeds needs = baseline_like_needs(5000, 70ull << 30);
  needs.requested_batch = 777;
  EXPECT_EQ(cuda::plan_memory(needs).batch_paths, 777u);
  needs.requested_batch = 1'000'000;
  EXPECT_EQ(cuda::plan_memory(needs).batch_paths, 5000u);
  needs.must_stage = true;
  needs.requested_batch = 777;
  EXPECT_EQ(cuda::plan_memory(needs).batch_paths, 777u);
}

TEST(GpuHostSide, PlanFallsBackToTheHostReductionWhenNotOneColumnFits) {
  // 2·10⁹ paths: one column and the sort's second buffer are 16 GB, more than the budget.
  const MemoryPlan plan = cuda::plan_memory(baseline_like_needs(2'000'000'000, 12ull << 30));
  EXPECT_FALSE(plan.resident);
  EXPECT_FALSE(plan.reduce_on_device);
  EXPECT_GT(plan.batch_paths, 0u);
}

TEST(GpuHostSide, PlanIsAResourceErrorWhenNotOnePathFits) {
  EXPECT_THROW(cuda::plan_memory(baseline_like_needs(1000, 1000)), ResourceError);
}

TEST(GpuHostSide, PlanNeverAllocatesMoreThanItsBudget) {
  std::mt19937_64 random(3);
  for (int trial = 0; trial < 2000; ++trial) {
    MemoryNeeds needs;
    needs.paths = 1 + random() % 3'000'000'000ull;
    needs.simulated_value_columns = 1 + random() % 3000;
    needs.value_columns = needs.simulated_value_columns + random() % 100;
    needs.binding_columns = 1 + random() % 1000;
    needs.sort_temp_bytes = random() % (1ull << 30);
    needs.budget_bytes = (4ull << 20) + random() % (140ull << 30);
    needs.requested_batch = random() % 2 ? 0 : random() % 10'000'000;
    needs.must_stage = random() % 4 == 0;
    MemoryPlan plan;
    try {
      plan = cuda::plan_memory(needs);
    } catch (const ResourceError&) {
      continue;
    }
    ASSERT_GE(plan.batch_paths, 1u);
    ASSERT_LE(plan.batch_paths, needs.paths);
    ASSERT_LE(plan.device_bytes, needs.budget_bytes) << "trial " << trial;
    if (plan.resident) {
      ASSERT_FALSE(needs.must_stage);
    }
    if (plan.reduce_on_device) {
      ASSERT_GE(plan.value_columns_per_group, 1u);
      ASSERT_LE(plan.value_columns_per_group, needs.value_columns);
      ASSERT_GE(plan.binding_columns_per_group, 1u);
    }
  }
}

TEST(GpuHostSide, CurandCounterOfAStartCarriesIntoTheSecondWord) {
  const cuda::CurandStart start{0x0123456789abcdefull, 0xfedcba9876543210ull, 4 * 0xFFFFFFFFull};
  const PhiloxCounter first = cuda::curand_equivalent_counter(start, 0);
  EXPECT_EQ(first.word[0], 0xFFFFFFFFu);
  EXPECT_EQ(first.word[1], 0u);
  EXPECT_EQ(first.word[2], 0x76543210u);
  EXPECT_EQ(first.word[3], 0xfedcba98u);
  const PhiloxCounter next = cuda::curand_equivalent_counter(start, 1);
  EXPECT_EQ(next.word[0], 0u);
  EXPECT_EQ(next.word[1], 1u);
}

// The engine's counter for (stream, path, block) is the one cuRAND's Philox state holds after
// curand_init(seed, subsequence = path, offset = 4·(stream·2³² + block)): GpuPhilox checks the
// words on a device, this the counters everywhere. (cuRAND's offset is 64 bits, so one
// curand_init reaches the stream ids below 2³⁰.)
TEST(GpuHostSide, EngineCountersAreCurandSubsequencesAndOffsets) {
  for (std::uint64_t path : {0ull, 5ull, 123456789ull, (1ull << 32) + 5}) {
    for (std::uint32_t block : {0u, 1u, 12u}) {
      const std::uint32_t stream = stream_id("factor:cowos") & 0x3FFFFFFFu;
      const PhiloxCounter engine = stream_block(stream, path, block);
      const PhiloxCounter curand = cuda::curand_equivalent_counter(
          cuda::CurandStart{42, path, 4 * ((static_cast<std::uint64_t>(stream) << 32) + block)}, 0);
      for (int w = 0; w < 4; ++w) EXPECT_EQ(engine.word[w], curand.word[w]) << "path " << path << " block " << block;
    }
  }
}

TEST(GpuHostSide, WithoutADeviceEveryEntryPointIsAResourceError) {
  if (cuda_available()) GTEST_SKIP() << "a CUDA device is present; GpuParity covers the entry points";
  const Scenario scenario = load_scenario(testing::source_path("tests/scenarios/small.json"));
  EXPECT_THROW(cuda::run_cuda(scenario, 10, 1, 1), ResourceError);
  EXPECT_THROW(cuda::simulate_cuda(scenario, 10, 1, cuda::LaunchOptions{}), ResourceError);
  EXPECT_THROW(simulate_cuda(scenario, 10, 1), ResourceError);
  EXPECT_THROW(cuda::trace_paths(scenario, 1, {0, 1}), ResourceError);
  EXPECT_THROW(cuda::philox_on_device({PhiloxCounter{}}, {PhiloxKey{}}), ResourceError);
  EXPECT_THROW(cuda::curand_philox_on_device({cuda::CurandStart{}}, 1), ResourceError);
  EXPECT_THROW(cuda::four_normals_on_device(PhiloxKey{}, 1, {0}, 0), ResourceError);
  EXPECT_THROW(cuda::device_info(), ResourceError);
  RunOptions options;
  options.paths = 10;
  options.backend = "cuda";
  EXPECT_THROW(run(scenario, options), ResourceError);
}

TEST(GpuHostSide, CliBackendCudaWithoutADeviceExitsWithThree) {
  if (cuda_available()) GTEST_SKIP() << "a CUDA device is present";
  const std::string out = testing::unique_test_directory("chokepoint_gpu_no_device");
  const testing::CommandResult result = testing::run_cli("run " + testing::source_path("tests/scenarios/small.json") +
                                                         " --paths 10 --backend cuda --quiet --out " + out);
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_NE(result.output.find("CUDA"), std::string::npos) << result.output;
  EXPECT_FALSE(std::filesystem::exists(out + "/summary.json"));
}

}  // namespace
}  // namespace chokepoint
