// Runs at any scale (docs/scale.md): streaming quantiles equal a full sort, and streamed,
// sharded, merged, checkpointed and resumed runs give the in-memory run's summary bit for bit.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "chokepoint/scale.hpp"
#include "chokepoint/summary_io.hpp"
#include "reduce/quantiles.hpp"
#include "reduce/run_accumulators.hpp"
#include "reduce/streaming_run.hpp"
#include "test_support.hpp"

namespace chokepoint {
namespace {

namespace fs = std::filesystem;

// The summary as text without the fields that describe the machine rather than the result.
std::string result_text(Summary summary) {
  // A run that keeps its paths traces every prefix, the others their first 2¹⁶ paths and the end
  // (tests/test_streamed_convergence.cpp checks those points against the kept run's).
  summary.convergence.clear();
  summary.seconds = 0;
  summary.threads = 0;
  summary.device.clear();
  summary.backend.clear();
  summary.precision.clear();  // like the backend, set by run(), not by the reductions compared here
  summary.scenario_digest.clear();  // ties a written summary.json to its scenario.json
  return summary_json_text(summary);
}

std::string file_text(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// numpy.quantile(method="linear") by a full sort, written out independently of the engine.
double sorted_quantile(std::vector<float> values, double q) {
  std::sort(values.begin(), values.end());
  const double h = static_cast<double>(values.size() - 1) * q;
  const std::size_t low = static_cast<std::size_t>(std::floor(h));
  const std::size_t high = std::min(low + 1, values.size() - 1);
  const double a = values[low], b = values[high], t = h - std::floor(h);
  return t >= 0.5 ? b - (b - a) * (1.0 - t) : a + (b - a) * t;
}

// The streaming selection over `values`, fed in batches of `batch` in two halves merged in
// reverse order (as two shards would be), pass after pass until every rank is settled.
std::vector<double> streamed_quantiles(const std::vector<float>& values, const std::vector<double>& levels,
                                       std::size_t batch, int* passes = nullptr,
                                       const std::vector<float>& pilot = {}) {
  const std::vector<std::uint64_t> ranks = ranks_for_levels(values.size(), levels);
  SelectionPlan plan = first_selection_plan(1, values.size(), ranks);
  if (!pilot.empty()) {
    guess_from_pilot(plan, 0, pilot);
    plan.index_targets();
  }
  for (;;) {
    SelectionCounts first = empty_counts(plan), second = empty_counts(plan);
    const std::size_t half = values.size() / 2;
    for (std::size_t at = 0; at < values.size(); at += batch) {
      const std::size_t end = std::min(values.size(), at + batch);
      if (at < half) {
        const std::size_t split = std::min(end, half);
        count_values(plan, 0, values.data() + at, split - at, first);
        count_values(plan, 0, values.data() + split, end - split, second);
      } else {
        count_values(plan, 0, values.data() + at, end - at, second);
      }
    }
    merge_counts(second, first);
    plan = advance(plan, second);
    if (plan.finished()) break;
  }
  if (passes) *passes = plan.pass;
  return quantiles_from_order_statistics(values.size(), levels, ranks, order_statistics(plan, 0));
}

const std::vector<double> kEdgeLevels{0.0, 0.001, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 0.999, 1.0};

void expect_streaming_equals_sort(const std::vector<float>& values, const std::string& label) {
  const std::vector<double> expected_in_memory = exact_quantiles(values.data(), values.size(), kEdgeLevels);
  // Without a pilot, with the values' own first tenth as pilot, and with a pilot of other
  // values (every guess wrong): a guess may cost a pass, never a bit.
  const std::vector<float> own_pilot(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(values.size() / 10 + 1));
  const std::vector<float> wrong_pilot(50, -12345.0f);
  for (const std::vector<float>* pilot : {static_cast<const std::vector<float>*>(nullptr), &own_pilot, &wrong_pilot})
    for (std::size_t batch : {std::size_t{1}, std::size_t{7}, std::size_t{4096}}) {
      const std::vector<double> streamed =
          streamed_quantiles(values, kEdgeLevels, batch, nullptr, pilot ? *pilot : std::vector<float>{});
      for (std::size_t i = 0; i < kEdgeLevels.size(); ++i) {
        EXPECT_EQ(streamed[i], sorted_quantile(values, kEdgeLevels[i]))
            << label << " q=" << kEdgeLevels[i] << " batch " << batch << (pilot ? " with a pilot" : "");
        EXPECT_EQ(streamed[i], expected_in_memory[i]) << label << " q=" << kEdgeLevels[i];
      }
    }
}

TEST(StreamingQuantiles, EqualAFullSortOnEveryInterpolationEdgeCase) {
  std::mt19937_64 random(5);
  std::lognormal_distribution<float> lognormal(0.0f, 1.0f);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  expect_streaming_equals_sort({42.0f}, "one value");
  expect_streaming_equals_sort({2.0f, -1.0f}, "two values");
  std::vector<float> ties(999, 3.25f);
  for (std::size_t i = 0; i < ties.size(); i += 3) ties[i] = 7.5f;
  expect_streaming_equals_sort(ties, "ties");
  std::vector<float> atom(2001);
  for (std::size_t i = 0; i < atom.size(); ++i) atom[i] = i % 4 == 0 ? lognormal(random) : 0.0f;  // 75% at 0
  expect_streaming_equals_sort(atom, "atom at zero");
  std::vector<float> signs(3000);
  for (float& value : signs) value = normal(random);
  signs[10] = -0.0f;
  signs[11] = 0.0f;
  signs[12] = std::numeric_limits<float>::denorm_min();
  signs[13] = -std::numeric_limits<float>::max();
  expect_streaming_equals_sort(signs, "both signs, zeros, subnormal, extremes");
}

TEST(StreamingQuantiles, CountsDownToTheLastBitWhenARangeHoldsTooManyToKeep) {
  // Atoms of 2²⁵ + 1 values overflow the keys a pass may keep, so passes 2 and 3 histogram
  // 11 and then 10 more bits: the third pass settles every key. (The atoms are counted in
  // batches of 2²⁰ copies to keep the test fast.)
  const std::uint64_t atom = kKeptKeysBudget + 1;
  std::vector<float> values(5001);
  std::mt19937_64 random(9);
  std::uniform_real_distribution<float> uniform(0.0f, 2.0f);
  for (float& value : values) value = uniform(random);
  const std::uint64_t total = values.size() + 2 * atom;
  const std::vector<std::uint64_t> ranks = ranks_for_levels(total, kEdgeLevels);
  SelectionPlan plan = first_selection_plan(1, total, ranks);
  const std::vector<float> zeros(std::size_t{1} << 20, 0.0f), ones(std::size_t{1} << 20, 1.0f);
  for (;;) {
    SelectionCounts counts = empty_counts(plan);
    count_values(plan, 0, values.data(), values.size(), counts);
    for (const std::vector<float>* block : {&zeros, &ones})
      for (std::uint64_t done = 0; done < atom; done += block->size())
        count_values(plan, 0, block->data(), std::min<std::uint64_t>(block->size(), atom - done), counts);
    plan = advance(plan, counts);
    if (plan.finished()) break;
  }
  EXPECT_EQ(plan.pass, 4);  // the plan after three passes is finished
  // The sorted values as (value, copies), walked to each rank.
  std::vector<std::pair<float, std::uint64_t>> runs;
  for (float value : values) runs.emplace_back(value, 1);
  runs.emplace_back(0.0f, atom);
  runs.emplace_back(1.0f, atom);
  std::sort(runs.begin(), runs.end());
  const std::vector<float> found = order_statistics(plan, 0);
  for (std::size_t i = 0; i < ranks.size(); ++i) {
    std::uint64_t below = 0;
    std::size_t run = 0;
    while (below + runs[run].second <= ranks[i]) below += runs[run++].second;
    EXPECT_EQ(found[i], runs[run].first) << "rank " << ranks[i];
  }
}

TEST(ExactSums, AnyOrderAndAnySplitGiveTheSameBits) {
  std::mt19937_64 random(3);
  std::lognormal_distribution<float> lognormal(10.0f, 4.0f);
  std::vector<float> values(5000);
  for (float& value : values) value = random() % 2 ? lognormal(random) : -lognormal(random);
  ExactMoments forward, backward, halves, other_half;
  for (float value : values) forward.add(value);
  for (std::size_t i = values.size(); i-- > 0;) backward.add(values[i]);
  for (std::size_t i = 0; i < values.size(); ++i) (i % 3 ? halves : other_half).add(values[i]);
  halves.merge(other_half);
  EXPECT_EQ(forward.mean(), backward.mean());
  EXPECT_EQ(forward.sd(), backward.sd());
  EXPECT_EQ(forward.mean(), halves.mean());
  EXPECT_EQ(forward.sd(), halves.sd());
  // Against long double sums: exact sums are at least as close as a double can be.
  long double sum = 0, squares = 0;
  for (float value : values) sum += value;
  const long double mean = sum / values.size();
  for (float value : values) squares += (value - mean) * (value - mean);
  EXPECT_NEAR(forward.mean(), static_cast<double>(mean), std::abs(static_cast<double>(mean)) * 1e-15);
  EXPECT_NEAR(forward.sd(), std::sqrt(static_cast<double>(squares / (values.size() - 1))),
              std::sqrt(static_cast<double>(squares / (values.size() - 1))) * 1e-14);
}

TEST(ExactSums, ACancellingSumIsExact) {
  ExactMoments sums;
  sums.add(1e30f);
  sums.add(1.0f);
  sums.add(-1e30f);
  sums.add(2.0f);
  EXPECT_EQ(sums.mean(), 0.75);  // (1 + 2) / 4, which double sums in path order make 0.5
}

TEST(StreamingRun, EqualsTheInMemoryRunForAnyThreadsAndBatchSize) {
  const Scenario scenario = load_scenario(testing::source_path("tests/scenarios/small.json"));
  const std::uint64_t paths = 3001;
  PathResults results = simulate_cpu(scenario, paths, 7, 2);
  const std::string in_memory = result_text(summarize(scenario, results, 7, 2));
  RunOptions options;
  options.paths = paths;
  options.seed = 7;
  for (int threads : {1, 2})
    for (std::uint64_t batch : {std::uint64_t{1}, std::uint64_t{13}, std::uint64_t{1024}}) {
      options.threads = threads;
      EXPECT_EQ(result_text(run_streaming(scenario, options, batch)), in_memory) << threads << " threads, batch " << batch;
    }
  options.keep_paths_up_to_bytes = 0;  // run() streams
  EXPECT_EQ(result_text(run(scenario, options)), in_memory);
}

// Every shard's pass, merges until the summary is written; returns it.
Summary run_shards_and_merge(const Scenario& scenario, const RunOptions& options, std::uint64_t count,
                             const std::string& root, bool reverse_merge) {
  std::vector<std::string> directories;
  for (std::uint64_t i = 0; i < count; ++i) {
    directories.push_back(root + "/shard" + std::to_string(i));
    run_shard(scenario, options, ShardSpec{i, count}, directories.back());
  }
  if (reverse_merge) std::reverse(directories.begin(), directories.end());
  for (int wave = 0; wave < 4; ++wave) {
    const MergeOutcome outcome = merge_shards(directories, root + "/merged");
    if (outcome.finished) {
      EXPECT_EQ(file_text(root + "/merged/summary.json"), summary_json_text(outcome.summary));
      return outcome.summary;
    }
    for (std::uint64_t i = 0; i < count; ++i)
      run_shard(scenario, options, ShardSpec{i, count}, root + "/shard" + std::to_string(i), outcome.refine_plan);
  }
  ADD_FAILURE() << "merge never finished";
  return {};
}

void expect_shards_equal_one_process(const std::string& file, std::uint64_t paths,
                                     const std::vector<std::uint64_t>& shard_counts) {
  const Scenario scenario = load_scenario(testing::source_path(file));
  RunOptions options;
  options.paths = paths;
  options.seed = 11;
  options.threads = 2;
  PathResults results = simulate_cpu(scenario, options.paths, options.seed, 2);
  const std::string single = result_text(summarize(scenario, results, options.seed, 2));
  const std::string root = testing::unique_test_directory("shards");
  for (std::uint64_t count : shard_counts)
    for (bool reverse : {false, true}) {
      const std::string directory = root + "/n" + std::to_string(count) + (reverse ? "r" : "f");
      const bool same = result_text(run_shards_and_merge(scenario, options, count, directory, reverse)) == single;
      EXPECT_TRUE(same) << file << ": " << count << " shards, " << (reverse ? "reversed" : "in order");
    }
  fs::remove_all(root);
}

TEST(Shards, OneThreeAndSevenShardsMergedInTwoOrdersEqualOneProcess) {
  expect_shards_equal_one_process("tests/scenarios/small.json", 1000, {1, 3, 7});
  // The baseline adds derived outputs, computed per batch from each path's own draws.
  expect_shards_equal_one_process("scenarios/baseline.json", 700, {3});
}

std::string merge_error(const std::vector<std::string>& directories, const std::string& out) {
  try {
    merge_shards(directories, out);
  } catch (const InputError& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(Shards, AMissingDuplicatedOrForeignShardIsRejectedByName) {
  const Scenario scenario = load_scenario(testing::source_path("tests/scenarios/small.json"));
  RunOptions options;
  options.paths = 900;
  options.seed = 3;
  options.threads = 1;
  const std::string root = testing::unique_test_directory("bad_shards");
  for (std::uint64_t i = 0; i < 3; ++i) run_shard(scenario, options, ShardSpec{i, 3}, root + "/s" + std::to_string(i));
  RunOptions other_seed = options;
  other_seed.seed = 4;
  run_shard(scenario, other_seed, ShardSpec{1, 3}, root + "/foreign");

  const std::string missing = merge_error({root + "/s0", root + "/s2"}, root + "/out");
  EXPECT_NE(missing.find("shard 1/3"), std::string::npos) << missing;
  EXPECT_NE(missing.find("missing"), std::string::npos) << missing;
  const std::string duplicated = merge_error({root + "/s0", root + "/s1", root + "/s1", root + "/s2"}, root + "/out");
  EXPECT_NE(duplicated.find(root + "/s1"), std::string::npos) << duplicated;
  EXPECT_NE(duplicated.find("duplicate"), std::string::npos) << duplicated;
  const std::string foreign = merge_error({root + "/s0", root + "/foreign", root + "/s2"}, root + "/out");
  EXPECT_NE(foreign.find(root + "/foreign"), std::string::npos) << foreign;
  EXPECT_NE(foreign.find("foreign"), std::string::npos) << foreign;

  // The command line names it too, with exit code 2.
  const testing::CommandResult cli = testing::run_cli("merge " + root + "/s0 " + root + "/foreign " + root + "/s2 --out " + root + "/out");
  EXPECT_EQ(cli.exit_code, 2) << cli.output;
  EXPECT_NE(cli.output.find(root + "/foreign"), std::string::npos) << cli.output;
  fs::remove_all(root);
}

TEST(Shards, ACorruptedPartialFileIsRejectedByName) {
  const Scenario scenario = load_scenario(testing::source_path("tests/scenarios/small.json"));
  RunOptions options;
  options.paths = 100;
  options.threads = 1;
  const std::string root = testing::unique_test_directory("corrupt_shard");
  run_shard(scenario, options, ShardSpec{0, 1}, root + "/s0");
  const std::string file = root + "/s0/partial-1.bin";
  std::string bytes = file_text(file);
  bytes[bytes.size() / 2] ^= 0x10;
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
  const std::string error = merge_error({root + "/s0"}, root + "/out");
  EXPECT_NE(error.find(file), std::string::npos) << error;
  EXPECT_NE(error.find("checksum"), std::string::npos) << error;
  fs::remove_all(root);
}

TEST(Checkpoint, ARunKilledMidwayAndResumedEqualsAnUninterruptedOne) {
  const std::string root = testing::unique_test_directory("checkpoint");
  const std::string scenario = testing::source_path("tests/scenarios/small.json");
  const std::string common = " --paths 60000 --seed 5 --threads 1 --quiet --checkpoint-every 1000";
  const testing::CommandResult whole =
      testing::run_cli("run " + scenario + common + " --checkpoint " + root + "/c1 --out " + root + "/whole");
  ASSERT_EQ(whole.exit_code, 0) << whole.output;

  const std::string arguments = "run " + scenario + common + " --checkpoint " + root + "/c2 --out " + root + "/resumed";
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    execl("/bin/sh", "sh", "-c", ("exec " + std::string(CHOKEPOINT_CLI) + " " + arguments + " >/dev/null 2>&1").c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  // Kill it once it has committed some batches (of pass 1 or later) and before it finishes.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(root + "/c2/checkpoint.bin") && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ::kill(child, SIGKILL);  // at once: the first commit comes after 1 000 of 2 × 60 000 path-passes
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run finished before it could be killed";
  ASSERT_TRUE(fs::exists(root + "/c2/checkpoint.bin"));
  EXPECT_FALSE(fs::exists(root + "/resumed/summary.json"));

  const testing::CommandResult resumed = testing::run_cli(arguments);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  Summary a = read_summary(root + "/whole");
  Summary b = read_summary(root + "/resumed");
  EXPECT_EQ(result_text(a), result_text(b));

  // A checkpoint of another run is refused, naming it.
  const testing::CommandResult foreign = testing::run_cli("run " + scenario + " --paths 60000 --seed 6 --quiet --checkpoint " +
                                                          root + "/c2 --out " + root + "/other");
  EXPECT_EQ(foreign.exit_code, 2) << foreign.output;
  EXPECT_NE(foreign.output.find(root + "/c2/checkpoint.bin"), std::string::npos) << foreign.output;
  fs::remove_all(root);
}

}  // namespace
}  // namespace chokepoint

namespace chokepoint {
namespace {

TEST(Mpi, ThreeRanksEqualOneProcess) {
#ifndef CHOKEPOINT_MPI_CLI
  GTEST_SKIP() << "built without MPI (chokepoint-mpi needs Open MPI: scripts/install-deps.sh)";
#else
  if (!fs::exists(CHOKEPOINT_MPIRUN)) GTEST_SKIP() << "mpirun not found";
  const std::string root = testing::unique_test_directory("mpi");
  const std::string scenario = testing::source_path("scenarios/baseline.json");
  const testing::CommandResult mpi =
      testing::run_mpi(3, "run " + scenario + " --paths 2500 --seed 9 --threads 1 --quiet --out " + root + "/mpi");
  ASSERT_EQ(mpi.exit_code, 0) << mpi.output;
  // Against the command line's single process: both binaries hold the same library code.
  const testing::CommandResult single =
      testing::run_cli("run " + scenario + " --paths 2500 --seed 9 --threads 2 --quiet --out " + root + "/single");
  ASSERT_EQ(single.exit_code, 0) << single.output;
  EXPECT_EQ(result_text(read_summary(root + "/mpi")), result_text(read_summary(root + "/single")));
  fs::remove_all(root);
#endif
}

}  // namespace
}  // namespace chokepoint

namespace chokepoint {
namespace {

TEST(ScaleArguments, BadShardOrRefineArgumentsAreExitTwoNamingTheArgument) {
  const std::string scenario = testing::source_path("tests/scenarios/small.json");
  const std::string out = testing::unique_test_directory("scale_arguments");
  for (const std::string& arguments : {std::string("--shard 3/3"), std::string("--shard 1/0"), std::string("--shard x/2"),
                                       std::string("--refine plan.bin"), std::string("--shard 0/2 --checkpoint c")}) {
    const testing::CommandResult result = testing::run_cli("run " + scenario + " --paths 10 --quiet --out " + out + " " + arguments);
    EXPECT_EQ(result.exit_code, 2) << arguments << ": " << result.output;
    EXPECT_NE(result.output.find(arguments.substr(0, arguments.find(' '))), std::string::npos) << result.output;
  }
  const testing::CommandResult missing_plan =
      testing::run_cli("run " + scenario + " --paths 10 --quiet --shard 0/2 --refine " + out + "/nothing.bin --out " + out);
  EXPECT_EQ(missing_plan.exit_code, 2) << missing_plan.output;
  EXPECT_NE(missing_plan.output.find(out + "/nothing.bin"), std::string::npos) << missing_plan.output;
  std::filesystem::remove_all(out);
}

}  // namespace
}  // namespace chokepoint

namespace chokepoint {
namespace {

TEST(StreamingRun, ExtraRanksComeWithTheQuantilesAndChangeNoneOfThem) {
  const Scenario scenario = load_scenario(testing::source_path("tests/scenarios/small.json"));
  const std::uint64_t paths = 1200;
  PathResults results = simulate_cpu(scenario, paths, 4, 1);
  const std::vector<std::uint64_t> extra{0, 17, 600, 1199};
  SelectionPlan plan = first_run_plan(scenario, paths, 4, extra);
  MomentCounts moments;
  for (;;) {
    PassProgress progress{0, empty_pass_accumulators(scenario, plan)};
    run_pass(scenario, 4, Precision::mixed, 1, PathRange{0, paths}, plan, progress, 100, 0, {}, {});
    if (plan.pass == 1) moments = std::move(progress.accumulators.moments);
    plan = advance(plan, progress.accumulators.selection);
    if (plan.finished()) break;
  }
  EXPECT_EQ(result_text(summary_from_accumulators(scenario, 4, moments, plan)),
            result_text(summarize(scenario, results, 4, 1)));
  // Variable 1, year 1: each extra rank is the sorted column's value there.
  const float* column = results.column(1, 1);
  std::vector<float> sorted(column, column + paths);
  std::sort(sorted.begin(), sorted.end());
  const std::size_t column_index = static_cast<std::size_t>(results.years) + 1;
  const std::vector<float> found = order_statistics(plan, column_index);
  for (std::uint64_t rank : extra) {
    std::size_t at = 0;
    while (plan.columns[column_index].ranks[at].rank != rank) ++at;
    EXPECT_EQ(found[at], sorted[rank]) << "rank " << rank;
  }
}

}  // namespace
}  // namespace chokepoint
