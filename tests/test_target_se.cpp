// run --target-se (docs/sensitivity.md, section 5): the doubling search stops where the SE first
// reaches the target, at the same boundary for any thread count, with the SE the summary itself
// reports; its summary is a plain run of the paths it stopped at, bit for bit; MPI ranks take
// the steps of one process; bad requests are refused with exit 2 before anything is written.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "chokepoint/summary_io.hpp"
#include "reduce/target_se_run.hpp"
#include "test_support.hpp"

namespace chokepoint {
namespace {

namespace fs = std::filesystem;

const Scenario& baseline() {
  static const Scenario scenario = load_scenario(testing::source_path("scenarios/baseline.json"));
  return scenario;
}

// The summary without what describes the machine or the search rather than the result.
std::string result_text(Summary summary) {
  summary.seconds = 0;
  summary.threads = 0;
  summary.device.clear();  // names the thread count
  summary.target_se.reset();
  return summary_json_text(summary);
}

std::string percent_name(double level) {
  char text[32];
  std::snprintf(text, sizeof text, "p%g", level * 100.0);
  return text;
}

// The searches below use batches from 256 paths so that the tests take seconds, also under the
// sanitizers' debug build; the CLI's first batch is 2¹⁴.
constexpr std::uint64_t kFirstBatch = 256;
constexpr std::uint64_t kCap = 2300;  // boundaries 256, 512, 1024, 2048, 2300

TargetSearch search(const std::string& spec, double target, int threads = 2, std::uint64_t keep_keys = 1 << 20,
                    double sigmas = 6.0) {
  TargetSearchOptions options;
  options.target = target;
  options.cap = kCap;
  options.first_batch = kFirstBatch;
  options.threads = threads;
  options.keep_all_keys_up_to = keep_keys;
  options.window_sigmas = sigmas;
  return search_target_se(baseline(), 3, parse_target_spec(baseline(), spec), options);
}

std::string middle_year_spec(const std::string& name) {
  const std::vector<int> years = baseline().calendar_years();
  return name + ":" + std::to_string(years[years.size() / 2]);
}

TEST(TargetSe, BatchesDoubleUpToTheCapAndATargetBelowEverySeIsNotMet) {
  const TargetSearch full = search(middle_year_spec("produced_units"), 1e-300);
  std::vector<std::uint64_t> boundaries;
  for (const TargetSeStep& step : full.record.batches) boundaries.push_back(step.paths);
  EXPECT_EQ(boundaries, (std::vector<std::uint64_t>{256, 512, 1024, 2048, 2300}));
  EXPECT_FALSE(full.record.met);
  EXPECT_EQ(full.record.paths, kCap);
  EXPECT_EQ(full.record.achieved, full.record.batches.back().se);
}

TEST(TargetSe, StopsAtTheFirstBoundaryWhereTheSeReachesTheTarget) {
  const std::string spec = middle_year_spec("produced_units");
  const TargetSearch full = search(spec, 1e-300);
  ASSERT_GE(full.record.batches.size(), 4u);
  const double target = full.record.batches[2].se;  // reached at 1 024 paths at the latest
  std::size_t first = 0;
  while (full.record.batches[first].se > target) ++first;
  const TargetSearch stopped = search(spec, target);
  EXPECT_TRUE(stopped.record.met);
  EXPECT_EQ(stopped.record.paths, full.record.batches[first].paths);
  ASSERT_EQ(stopped.record.batches.size(), first + 1);
  for (std::size_t b = 0; b <= first; ++b) {  // a search's steps do not depend on where it stops
    EXPECT_EQ(stopped.record.batches[b].estimate, full.record.batches[b].estimate);
    EXPECT_EQ(stopped.record.batches[b].se, full.record.batches[b].se);
  }
  // Just below the target it reaches, the search goes on past that boundary.
  const TargetSearch tighter = search(spec, std::nextafter(full.record.batches[first].se, 0.0));
  EXPECT_GT(tighter.record.paths, stopped.record.paths);
}

TEST(TargetSe, OneAndTwoThreadsStopAtTheSamePathsWithTheSameSummary) {
  const TargetSpec spec = parse_target_spec(baseline(), middle_year_spec("produced_units") + ":p90");
  const double target = search(spec.for_spec + ":p90", 1e-300).record.batches[2].se;
  RunOptions options;
  options.paths = kCap;
  options.seed = 3;
  options.backend = "cpu";
  options.threads = 1;
  const Summary one = run_to_target_se(baseline(), options, spec, target, {}, kFirstBatch);
  options.threads = 2;
  const Summary two = run_to_target_se(baseline(), options, spec, target, {}, kFirstBatch);
  ASSERT_TRUE(one.target_se && two.target_se);
  EXPECT_EQ(one.target_se->paths, two.target_se->paths);
  EXPECT_EQ(one.target_se->achieved, two.target_se->achieved);
  EXPECT_TRUE(result_text(one) == result_text(two));
}

// The SE the search stops on is the one the summary reports for that statistic, and the summary
// is a plain run of that many paths, bit for bit: whether the search kept its paths and reduced
// them (the default memory for paths) or had to drop them and run the paths again (streaming).
void expect_summary_of_plain_run(const std::string& spec_text, double target_fraction) {
  const TargetSpec spec = parse_target_spec(baseline(), spec_text);
  const TargetSearch full = search(spec_text, 1e-300);
  const double target = full.record.batches[1].se * target_fraction;
  RunOptions options;
  options.paths = kCap;
  options.seed = 3;
  options.backend = "cpu";
  options.threads = 2;
  const Summary searched = run_to_target_se(baseline(), options, spec, target, {}, kFirstBatch);
  ASSERT_TRUE(searched.target_se);
  const TargetSeRecord& record = *searched.target_se;
  EXPECT_EQ(record.met, record.achieved <= target);
  EXPECT_EQ(searched.paths, record.paths);
  RunOptions streaming = options;
  streaming.keep_paths_up_to_bytes = bytes_per_path(baseline()) * kFirstBatch;  // not even the first two batches
  const Summary searched_streaming = run_to_target_se(baseline(), streaming, spec, target, {}, kFirstBatch);
  options.paths = record.paths;
  const Summary plain = run(baseline(), options);
  EXPECT_TRUE(result_text(searched) == result_text(plain)) << spec_text;
  EXPECT_TRUE(result_text(searched_streaming) == result_text(plain)) << spec_text;

  const int year = baseline().calendar_years()[static_cast<std::size_t>(spec.year_index)];
  if (spec.kind == TargetStatistic::binding_share) {
    const std::string stage = spec.for_spec.substr(0, spec.for_spec.find(".binding_share"));
    const StageYear& stats = plain.find_stage(stage)->years[static_cast<std::size_t>(spec.year_index)];
    EXPECT_EQ(stats.year, year);
    EXPECT_EQ(record.estimate, stats.binding_share);
    EXPECT_EQ(record.achieved, stats.binding_share_se);
    return;
  }
  const YearStatistics& stats =
      plain.find_variable(baseline().variables[static_cast<std::size_t>(spec.variable)].name)
          ->years[static_cast<std::size_t>(spec.year_index)];
  if (spec.kind == TargetStatistic::mean) {
    EXPECT_EQ(record.estimate, stats.mean);
    EXPECT_EQ(record.achieved, stats.se);
    return;
  }
  const auto& levels = plain.quantile_levels;
  const std::size_t level = static_cast<std::size_t>(std::find(levels.begin(), levels.end(), spec.level) - levels.begin());
  ASSERT_LT(level, levels.size());
  EXPECT_EQ(record.estimate, stats.quantiles[level]);
  EXPECT_DOUBLE_EQ(record.achieved, (stats.quantile_ci_high[level] - stats.quantile_ci_low[level]) / (2 * 1.959963984540054));
}

TEST(TargetSe, MeanSummaryIsThePlainRunOfThePathsItStoppedAt) {
  expect_summary_of_plain_run(middle_year_spec("produced_units"), 1.0);
}

TEST(TargetSe, QuantileSummaryIsThePlainRunOfThePathsItStoppedAt) {
  const double top = baseline().quantile_levels.back();
  expect_summary_of_plain_run(middle_year_spec("produced_units") + ":" + percent_name(top), 0.8);
}

TEST(TargetSe, BindingShareSummaryIsThePlainRunOfThePathsItStoppedAt) {
  // The stage-year whose binding share varies most, so that its SE is not 0.
  RunOptions options;
  options.paths = kCap;
  options.backend = "cpu";
  const Summary probe = run(baseline(), options);
  std::string best;
  double most = -1;
  for (const StageSummary& stage : probe.stages)
    for (const StageYear& year : stage.years)
      if (year.binding_share_se > most) {
        most = year.binding_share_se;
        best = stage.name + ".binding_share:" + std::to_string(year.year);
      }
  ASSERT_GT(most, 0.0);
  expect_summary_of_plain_run(best, 0.9);
}

// A quantile's kept keys are narrowed to a band once they exceed their budget, and a band that
// misses re-simulates the paths so far: either way the steps are those of keeping every key.
TEST(TargetSe, QuantileBandsAndTheirMissesGiveTheStepsOfKeepingEveryKey) {
  const std::string spec = middle_year_spec("produced_units") + ":p50";
  const TargetSearch every = search(spec, 1e-300);
  const TargetSearch banded = search(spec, 1e-300, 2, 700, 6.0);
  const TargetSearch missing = search(spec, 1e-300, 2, 700, 0.05);
  EXPECT_EQ(every.resimulated_paths, 0u);
  EXPECT_EQ(banded.resimulated_paths, 0u);
  EXPECT_EQ(every.narrowings, 0);
  EXPECT_GE(banded.narrowings, 1);  // after 1 024 paths, so the steps at 2 048 and 2 300 use the band
  EXPECT_GT(missing.resimulated_paths, 0u);
  ASSERT_EQ(banded.record.batches.size(), every.record.batches.size());
  ASSERT_EQ(missing.record.batches.size(), every.record.batches.size());
  for (std::size_t b = 0; b < every.record.batches.size(); ++b) {
    EXPECT_EQ(banded.record.batches[b].estimate, every.record.batches[b].estimate);
    EXPECT_EQ(banded.record.batches[b].se, every.record.batches[b].se);
    EXPECT_EQ(missing.record.batches[b].estimate, every.record.batches[b].estimate);
    EXPECT_EQ(missing.record.batches[b].se, every.record.batches[b].se);
  }
}

TEST(TargetSe, SpecsAreReadAsTheyAreWritten) {
  const Scenario& scenario = baseline();
  const std::string year = std::to_string(scenario.calendar_years().back());
  TargetSpec spec = parse_target_spec(scenario, "produced_units:" + year);
  EXPECT_EQ(spec.kind, TargetStatistic::mean);
  EXPECT_EQ(spec.statistic, "mean");
  EXPECT_EQ(spec.year_index, static_cast<int>(scenario.calendar_years().size()) - 1);
  spec = parse_target_spec(scenario, "produced_units:" + year + ":p99.5");
  EXPECT_EQ(spec.kind, TargetStatistic::quantile);
  EXPECT_DOUBLE_EQ(spec.level, 0.995);
  spec = parse_target_spec(scenario, scenario.stage_names[0] + ".binding_share:" + year);
  EXPECT_EQ(spec.kind, TargetStatistic::binding_share);
  EXPECT_EQ(spec.code, 1);
  EXPECT_EQ(parse_target_se("0.5"), 0.5);
  EXPECT_EQ(parse_target_se("2e3"), 2000.0);
}

// ---- the command line ----------------------------------------------------------------------

nlohmann::json summary_json(const fs::path& directory) {
  return nlohmann::json::parse(testing::read_text(directory / "summary.json"));
}

nlohmann::json without_search(nlohmann::json summary) {
  summary.erase("target_se");
  summary.erase("seconds");
  summary.erase("scenario_digest");
  return summary;
}

TEST(TargetSeCommand, StopsPrintsEachBatchAndWritesThePlainRunsSummary) {
  const fs::path root = testing::fresh_test_directory("target_se");
  // A small scenario with uncertain demand: the command line's batches start at 2¹⁴ paths.
  const std::string scenario = testing::quoted(
      testing::write_file_in(root, "small.json", testing::minimal_scenario(R"({"growth": 0.5, "sigma": 0.3})")));
  const std::string spec = "produced_units:2026";
  // First the SE a full search reaches at 2¹⁵ paths; then a search for it must stop there.
  const testing::CommandResult probe = testing::run_cli("run " + scenario + " --paths 40000 --seed 4 --threads 2 --quiet" +
                                                        " --target-se 1e-300 --for " + spec + " --out " +
                                                        testing::quoted((root / "probe").string()));
  ASSERT_EQ(probe.exit_code, 4) << probe.output;  // the target is missed at the cap
  EXPECT_NE(probe.output.find("not met"), std::string::npos) << probe.output;
  const nlohmann::json missed = summary_json(root / "probe")["target_se"];
  EXPECT_EQ(missed["met"], false);
  EXPECT_EQ(missed["paths"], 40000);
  ASSERT_EQ(missed["batches"].size(), 3u);  // 16384, 32768, 40000
  const double target = missed["batches"][1]["se"].get<double>();

  const testing::CommandResult searched =
      testing::run_cli("run " + scenario + " --paths 40000 --seed 4 --threads 2 --target-se " +
                       shortest_decimal(target) + " --for " + spec + " --out " + testing::quoted((root / "search").string()));
  ASSERT_EQ(searched.exit_code, 0) << searched.output;
  EXPECT_NE(searched.output.find("target SE: 16384 paths, " + spec + " mean"), std::string::npos) << searched.output;
  EXPECT_NE(searched.output.find("target SE: 32768 paths"), std::string::npos) << searched.output;
  const nlohmann::json found = summary_json(root / "search");
  EXPECT_EQ(found["target_se"]["for"], spec);
  EXPECT_EQ(found["target_se"]["statistic"], "mean");
  EXPECT_EQ(found["target_se"]["target"], target);
  EXPECT_EQ(found["target_se"]["met"], true);
  const std::uint64_t stopped = found["target_se"]["paths"];
  EXPECT_LE(stopped, 32768u);
  EXPECT_EQ(found["paths"], stopped);

  const testing::CommandResult plain =
      testing::run_cli("run " + scenario + " --paths " + std::to_string(stopped) + " --seed 4 --threads 1 --quiet --out " +
                       testing::quoted((root / "plain").string()));
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  nlohmann::json plain_summary = without_search(summary_json(root / "plain")), searched_summary = without_search(found);
  for (const char* machine : {"threads", "device"}) {
    plain_summary.erase(machine);
    searched_summary.erase(machine);
  }
  EXPECT_TRUE(searched_summary == plain_summary);
  fs::remove_all(root);
}

TEST(TargetSeCommand, BadRequestsExitTwoNamingTheOptionAndWriteNothing) {
  const fs::path root = testing::fresh_test_directory("target_se_bad");
  const std::string scenario = testing::quoted(testing::source_path("scenarios/baseline.json"));
  const std::string year = std::to_string(baseline().calendar_years().front());
  struct Case {
    std::string arguments;
    std::string option;
    std::string found;
  };
  const std::vector<Case> cases{
      {"--target-se 1 --for no_such_variable:" + year, "--for", "no_such_variable"},
      {"--target-se 1 --for produced_units:1999", "--for", "1999"},
      {"--target-se 1 --for produced_units:" + year + ":p100", "--for", "p100"},
      {"--target-se 1 --for produced_units:" + year + ":sd", "--for", "sd"},
      {"--target-se 1 --for produced_units", "--for", "produced_units"},
      {"--target-se 1 --for produced_units:" + year + ":mean:x", "--for", "mean:x"},
      {"--target-se 1 --for " + baseline().stage_names[0] + ".binding_share:" + year + ":p50", "--for", "p50"},
      {"--target-se 0 --for produced_units:" + year, "--target-se", "\"0\""},
      {"--target-se -3 --for produced_units:" + year, "--target-se", "-3"},
      {"--target-se nan --for produced_units:" + year, "--target-se", "nan"},
      {"--target-se inf --for produced_units:" + year, "--target-se", "inf"},
      {"--target-se 1e400 --for produced_units:" + year, "--target-se", "1e400"},
      {"--target-se 1x --for produced_units:" + year, "--target-se", "1x"},
      {"--target-se 1", "--for", "no --for"},
      {"--for produced_units:" + year, "--target-se", "no --target-se"},
      {"--target-se 1 --for produced_units:" + year + " --shard 0/2", "--target-se", "--shard 0/2"},
      {"--target-se 1 --for produced_units:" + year + " --checkpoint " + testing::quoted((root / "ckpt").string()),
       "--checkpoint", "--target-se"},
  };
  for (const Case& c : cases) {
    const fs::path out = root / "out";
    const testing::CommandResult result =
        testing::run_cli("run " + scenario + " --paths 100 --quiet " + c.arguments + " --out " + testing::quoted(out.string()));
    EXPECT_EQ(result.exit_code, 2) << c.arguments << "\n" << result.output;
    EXPECT_NE(result.output.find(c.option), std::string::npos) << c.arguments << "\n" << result.output;
    EXPECT_NE(result.output.find(c.found), std::string::npos) << c.arguments << "\n" << result.output;
    EXPECT_NE(result.output.find("expected"), std::string::npos) << c.arguments << "\n" << result.output;
    EXPECT_FALSE(fs::exists(out)) << c.arguments;
    EXPECT_FALSE(fs::exists(root / "ckpt")) << c.arguments;
  }
  fs::remove_all(root);
}

// The MPI ranks split each batch as shards would and exchange their exact sums after it: the
// same steps, stopping point and summary as one process, for a quantile (kept keys exchanged)
// and for a mean missed at the cap (exit 4 from every rank).
TEST(TargetSeCommand, MpiRanksStopWhereOneProcessStops) {
#ifndef CHOKEPOINT_MPI_CLI
  GTEST_SKIP() << "built without MPI";
#else
  if (!fs::exists(CHOKEPOINT_MPIRUN)) GTEST_SKIP() << "mpirun not found";
  const fs::path root = testing::fresh_test_directory("target_se_mpi");
  const std::string scenario = testing::quoted(
      testing::write_file_in(root, "small.json", testing::minimal_scenario(R"({"growth": 0.5, "sigma": 0.3})")));
  auto mpi = [&](const std::string& arguments) {
    return testing::run_mpi(2, "run " + scenario + " --seed 6 --threads 1 " + arguments);
  };
  auto single = [&](const std::string& arguments) {
    return testing::run_cli("run " + scenario + " --seed 6 --threads 2 --quiet " + arguments);
  };
  auto same = [&](const fs::path& a, const fs::path& b) {
    nlohmann::json x = summary_json(a), y = summary_json(b);
    for (const char* machine : {"seconds", "threads", "device", "backend", "scenario_digest", "convergence"}) {
      x.erase(machine);
      y.erase(machine);
    }
    return x == y;
  };
  const std::string quantile = "--paths 40000 --for produced_units:2026:p90 ";
  const testing::CommandResult probe =
      single(quantile + "--target-se 1e-300 --out " + testing::quoted((root / "probe").string()));
  ASSERT_EQ(probe.exit_code, 4) << probe.output;
  const double target = summary_json(root / "probe")["target_se"]["batches"][1]["se"].get<double>();
  const std::string met = quantile + "--target-se " + shortest_decimal(target) + " --out ";
  const testing::CommandResult one = single(met + testing::quoted((root / "one").string()));
  const testing::CommandResult ranks = mpi(met + testing::quoted((root / "ranks").string()));
  ASSERT_EQ(one.exit_code, 0) << one.output;
  ASSERT_EQ(ranks.exit_code, 0) << ranks.output;
  EXPECT_EQ(summary_json(root / "ranks")["target_se"]["met"], true);
  EXPECT_TRUE(same(root / "one", root / "ranks"));

  const std::string missed = "--paths 20000 --for produced_units:2026 --target-se 1e-300 --out ";
  const testing::CommandResult missed_one = single(missed + testing::quoted((root / "missed_one").string()));
  const testing::CommandResult missed_ranks = mpi(missed + testing::quoted((root / "missed_ranks").string()));
  EXPECT_EQ(missed_one.exit_code, 4) << missed_one.output;
  EXPECT_EQ(missed_ranks.exit_code, 4) << missed_ranks.output;
  EXPECT_NE(missed_ranks.output.find("not met"), std::string::npos) << missed_ranks.output;
  EXPECT_TRUE(same(root / "missed_one", root / "missed_ranks"));

  const testing::CommandResult bad = mpi("--paths 100 --target-se 0 --for produced_units:2026 --out " +
                                         testing::quoted((root / "bad").string()));
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("--target-se: expected a finite standard error > 0"), std::string::npos) << bad.output;
  EXPECT_FALSE(fs::exists(root / "bad"));
  fs::remove_all(root);
#endif
}

}  // namespace
}  // namespace chokepoint
