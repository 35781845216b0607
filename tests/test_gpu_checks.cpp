// The host-side logic of the CUDA backend's safety checks and of the GPU tests' tolerances, on
// the CPU (no device needed): per-column copies of staged batches, the debug switches, the
// message that names a failed launch, poisoned-output detection, and the tolerance functions
// the GPU parity tests use (tests/gpu_tolerances.hpp).
#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <numeric>

#include "chokepoint/errors.hpp"
#include "gpu_tolerances.hpp"
#include "simulate/cuda_checks.hpp"
#include "test_support.hpp"

namespace chokepoint {
namespace {

using cuda::ColumnCopy;

// Runs the copies on byte arrays: the batch buffer holds (column, batch slot) codes, and every
// host element must end up holding its own (column, path) code, written exactly once.
void expect_copies_place_every_path(std::uint64_t columns, std::uint64_t paths, std::uint64_t batch) {
  std::vector<std::uint32_t> host(columns * paths, 0xFFFFFFFFu);
  std::vector<int> writes(columns * paths, 0);
  std::vector<std::uint32_t> device(columns * batch);
  for (std::uint64_t first = 0; first < paths; first += batch) {
    const std::uint64_t count = std::min(batch, paths - first);
    for (std::uint64_t c = 0; c < columns; ++c)
      for (std::uint64_t i = 0; i < batch; ++i)
        device[c * batch + i] = static_cast<std::uint32_t>(c * 100000 + (i < count ? first + i : 99999));
    for (const ColumnCopy& copy : cuda::batch_column_copies(columns, paths, batch, first, count, 4)) {
      ASSERT_EQ(copy.bytes % 4, 0u);
      ASSERT_LE(copy.device_offset + copy.bytes, device.size() * 4);
      ASSERT_LE(copy.host_offset + copy.bytes, host.size() * 4);
      std::memcpy(reinterpret_cast<unsigned char*>(host.data()) + copy.host_offset,
                  reinterpret_cast<const unsigned char*>(device.data()) + copy.device_offset, copy.bytes);
      for (std::uint64_t b = 0; b < copy.bytes / 4; ++b) ++writes[copy.host_offset / 4 + b];
    }
  }
  for (std::uint64_t c = 0; c < columns; ++c)
    for (std::uint64_t p = 0; p < paths; ++p) {
      ASSERT_EQ(host[c * paths + p], c * 100000 + p) << "column " << c << " path " << p << " batch " << batch;
      ASSERT_EQ(writes[c * paths + p], 1) << "column " << c << " path " << p << " batch " << batch;
    }
}

TEST(GpuChecks, BatchCopiesPutEveryPathOfEveryColumnInItsPlaceOnce) {
  for (std::uint64_t columns : {1u, 5u})
    for (std::uint64_t paths : {1u, 7u, 1000u})
      for (std::uint64_t batch : {1ull, 3ull, 333ull, static_cast<unsigned long long>(paths)})
        expect_copies_place_every_path(columns, paths, std::min<std::uint64_t>(batch, paths));
}

TEST(GpuChecks, ABatchOfAllPathsIsOneCopy) {
  const std::vector<ColumnCopy> copies = cuda::batch_column_copies(420, 5000, 5000, 0, 5000, 4);
  ASSERT_EQ(copies.size(), 1u);
  EXPECT_EQ(copies[0].bytes, 420u * 5000 * 4);
}

// 10⁹ paths in batches of 10⁸: the host pitch is 4·10⁹ bytes, beyond cudaMemcpy2D's 2³¹ − 1,
// and every column is still one plain copy at the right 64-bit offset.
TEST(GpuChecks, BatchCopiesOfAGiantRunAreOnePlainCopyPerColumn) {
  const std::uint64_t paths = 1'000'000'000, batch = 100'000'000, first = 700'000'000;
  const std::vector<ColumnCopy> copies = cuda::batch_column_copies(420, paths, batch, first, batch, 4);
  ASSERT_EQ(copies.size(), 420u);
  for (std::uint64_t c = 0; c < copies.size(); ++c) {
    EXPECT_EQ(copies[c].bytes, batch * 4);
    EXPECT_EQ(copies[c].device_offset, c * batch * 4);
    EXPECT_EQ(copies[c].host_offset, (c * paths + first) * 4);
  }
  EXPECT_GT(copies.back().host_offset, std::uint64_t{1} << 40);
}

TEST(GpuChecks, ABatchThatDoesNotFitItsBufferOrTheRunIsRejected) {
  EXPECT_THROW(cuda::batch_column_copies(3, 100, 10, 95, 10, 4), std::logic_error);  // past the run
  EXPECT_THROW(cuda::batch_column_copies(3, 100, 10, 0, 11, 4), std::logic_error);   // past the buffer
  EXPECT_TRUE(cuda::batch_column_copies(3, 100, 10, 0, 0, 4).empty());
}

TEST(GpuChecks, DebugSwitchesReadTheUsualWordsAndRejectOthers) {
  for (const char* on : {"1", "true", "YES", "On"}) EXPECT_TRUE(cuda::switch_on("X", on)) << on;
  for (const char* off : {"", "0", "false", "no", "OFF"}) EXPECT_FALSE(cuda::switch_on("X", off)) << off;
  EXPECT_FALSE(cuda::switch_on("X", nullptr));
  try {
    cuda::switch_on("CHOKEPOINT_CUDA_SYNC_CHECK", "2");
    FAIL() << "accepted 2";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("CHOKEPOINT_CUDA_SYNC_CHECK"), std::string::npos) << error.what();
  }
}

TEST(GpuChecks, AFailureInsideAKernelSaysHowToNameTheLaunch) {
  const std::string later = cuda::cuda_failure_message("wait for the device", "cudaErrorIllegalAddress",
                                                       "an illegal memory access was encountered", true, false);
  EXPECT_NE(later.find("wait for the device: cudaErrorIllegalAddress"), std::string::npos) << later;
  EXPECT_NE(later.find("CHOKEPOINT_CUDA_SYNC_CHECK=1"), std::string::npos) << later;
  // In sync-check mode the call that reports it is the launch that failed: no advice needed.
  const std::string named = cuda::cuda_failure_message("run the simulation kernel (synchronised after its launch)",
                                                       "cudaErrorIllegalAddress", "…", true, true);
  EXPECT_EQ(named.find("CHOKEPOINT_CUDA_SYNC_CHECK"), std::string::npos) << named;
  // Errors of the call itself (out of memory, a bad argument) need no advice either.
  EXPECT_EQ(cuda::cuda_failure_message("cudaMalloc", "cudaErrorMemoryAllocation", "out of memory", false, false)
                .find("SYNC_CHECK"),
            std::string::npos);
}

PathResults zero_results(std::uint64_t paths, int years, int variables, int codes) {
  PathResults results;
  results.paths = paths;
  results.years = years;
  results.variables = variables;
  results.binding_codes = codes;
  results.values.resize(paths * years * variables);
  results.binding_steps.resize(paths * years * codes);
  std::fill(results.values.data(), results.values.data() + results.values.size(), 0.0f);
  std::fill(results.binding_steps.data(), results.binding_steps.data() + results.binding_steps.size(), 0);
  return results;
}

TEST(GpuChecks, PoisonedOutputsAreFoundAndArithmeticNaNsAreNot) {
  PathResults results = zero_results(5, 3, 4, 2);
  EXPECT_EQ(cuda::find_poisoned(results).values, 0u);
  results.column(1, 2)[0] = std::numeric_limits<float>::quiet_NaN();  // computed: not poison
  EXPECT_EQ(cuda::find_poisoned(results).values, 0u);
  std::memset(results.column(2, 1) + 3, cuda::kPoisonByte, sizeof(float));
  std::memset(results.column(3, 0), cuda::kPoisonByte, 5 * sizeof(float));
  results.binding_column(1, 2)[4] = cuda::kPoisonByte;
  const cuda::PoisonedOutputs found = cuda::find_poisoned(results);
  EXPECT_EQ(found.values, 6u);
  EXPECT_EQ(found.binding_steps, 1u);
  EXPECT_EQ(found.first, "variable 2 year 1 path 3");
}

TEST(GpuChecks, ReferenceToleranceTellsDoubleFromFloat) {
  const double host = 1.234567890123e17;
  EXPECT_TRUE(testing::reference_close(host * (1 + 3e-14), host, host));
  EXPECT_FALSE(testing::reference_close(static_cast<float>(host), host, host)) << "a float rounding must fail";
  EXPECT_FALSE(testing::reference_close(host * (1 + 1e-9), host, host));
  // a difference of large numbers that is ~0: judged against the numbers' scale
  EXPECT_TRUE(testing::reference_close(1.0, 0.0, 1e12));
  EXPECT_FALSE(testing::reference_close(1e3, 0.0, 1e12));
}

TEST(GpuChecks, FloatColumnToleranceIsTwoUlps) {
  const float host = 3.7e9f;
  const float one_up = std::nextafter(host, 1e30f);
  const float two_up = std::nextafter(one_up, 1e30f);
  const float three_up = std::nextafter(two_up, 1e30f);
  EXPECT_TRUE(testing::float_close(one_up, host, host));
  EXPECT_TRUE(testing::float_close(two_up, host, host));
  EXPECT_FALSE(testing::float_close(three_up, host, host));
  EXPECT_FALSE(testing::float_close(host * (1 + 1e-6f), host, host)) << "float arithmetic's error must fail";
  EXPECT_TRUE(testing::float_close(1e-3f, 0.0f, 1e9));  // cancellation to ~0
}

// The tolerance of a comparison follows its precisions: double against double tells a float
// rounding apart; anything involving mixed admits float rounding (≈1e-6) but not a change of
// formula (1e-4), and widens the near-tie band and the flip budget with it.
TEST(GpuChecks, PathToleranceFollowsThePrecisionsCompared) {
  const testing::PathTolerance both_double = testing::path_tolerance(Precision::reference, Precision::reference);
  const testing::PathTolerance with_mixed = testing::path_tolerance(Precision::mixed, Precision::reference);
  const testing::PathTolerance both_mixed = testing::path_tolerance(Precision::mixed, Precision::mixed);
  EXPECT_EQ(both_mixed.relative, with_mixed.relative);
  EXPECT_EQ(testing::path_tolerance(Precision::reference, Precision::mixed).relative, with_mixed.relative);
  const double host = 4.2e11;
  EXPECT_TRUE(testing::within(both_double, host * (1 + 5e-13), host, host));
  EXPECT_FALSE(testing::within(both_double, host * (1 + 2e-7), host, host)) << "a float rounding in a double run";
  EXPECT_TRUE(testing::within(with_mixed, host * (1 + 2e-6), host, host));
  EXPECT_FALSE(testing::within(with_mixed, host * (1 + 1e-4), host, host)) << "more than float rounding";
  EXPECT_LT(both_double.near_tie, with_mixed.near_tie);
  EXPECT_LT(both_double.flipped_paths_share, with_mixed.flipped_paths_share);
  // float columns: 2 ulps when both ran in double, the mixed bound otherwise
  const float column = 3.7e9f;
  const float three_up = std::nextafter(std::nextafter(std::nextafter(column, 1e30f), 1e30f), 1e30f);
  EXPECT_FALSE(testing::column_close(both_double, three_up, column, column));
  EXPECT_TRUE(testing::column_close(with_mixed, three_up, column, column));
  EXPECT_FALSE(testing::column_close(with_mixed, column * 1.0001f, column, column));
}

// On the CPU, where both precisions run: the mixed step's traces sit inside the mixed bound of
// the reference's and outside the reference bound, so the GPU tests' bounds tell the two apart.
TEST(GpuChecks, CpuMixedTracesAreInsideTheMixedBoundAndOutsideTheReferenceBound) {
  const Scenario scenario = load_scenario(testing::source_path("scenarios/baseline.json"));
  const testing::PathTolerance mixed = testing::path_tolerance(Precision::mixed, Precision::reference);
  const testing::PathTolerance reference = testing::path_tolerance(Precision::reference, Precision::reference);
  int outside_mixed = 0, outside_reference = 0, compared = 0;
  for (std::uint64_t path = 0; path < 16; ++path) {
    const std::vector<TrajectoryPoint> a = trace_path(scenario, 5, path, Precision::mixed);
    const std::vector<TrajectoryPoint> b = trace_path(scenario, 5, path, Precision::reference);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t s = 0; s < a.size(); ++s) {
      if (a[s].binding != b[s].binding) break;  // a near-tie flip: the histories part here
      for (const auto field : {&TrajectoryPoint::token_demand, &TrajectoryPoint::throughput,
                               &TrajectoryPoint::token_capacity}) {
        ++compared;
        outside_mixed += !testing::within(mixed, a[s].*field, b[s].*field, 0.0);
        outside_reference += !testing::within(reference, a[s].*field, b[s].*field, 0.0);
      }
    }
  }
  EXPECT_GT(compared, 1000);
  EXPECT_EQ(outside_mixed, 0);
  EXPECT_GT(outside_reference, compared / 2) << "mixed must be told apart from the reference";
}

TEST(GpuChecks, NearTieFlipsAreBoundedByAShareOfThePaths) {
  const testing::PathTolerance both_double = testing::path_tolerance(Precision::reference, Precision::reference);
  const testing::PathTolerance with_mixed = testing::path_tolerance(Precision::mixed, Precision::mixed);
  EXPECT_EQ(testing::flipped_paths_allowed(both_double, 10), 1u) << "a small run may show one";
  EXPECT_EQ(testing::flipped_paths_allowed(both_double, 30000), 30u);
  EXPECT_EQ(testing::flipped_paths_allowed(with_mixed, 30000), 300u);
}

TEST(GpuChecks, MixedSummariesAreJudgedInStandardErrors) {
  EXPECT_TRUE(testing::within_standard_errors(100.0 + 0.009, 100.0, 1.0));
  EXPECT_FALSE(testing::within_standard_errors(100.0 + 0.011, 100.0, 1.0));
  EXPECT_TRUE(testing::within_standard_errors(100.0 + 0.2, 100.0, 1.0, 0.25));
  // a constant column (se 0) must agree to the mixed per-path bound
  EXPECT_TRUE(testing::within_standard_errors(5.0 * (1 + 5e-6), 5.0, 0.0));
  EXPECT_FALSE(testing::within_standard_errors(5.0 * (1 + 5e-5), 5.0, 0.0));
  EXPECT_LT(testing::summary_relative(Precision::reference), testing::summary_relative(Precision::mixed));
}

TEST(GpuChecks, DifferenceHistogramCountsByDecade) {
  testing::DifferenceHistogram histogram;
  histogram.add(1.0, 1.0);
  histogram.add(1.0 + 3e-14, 1.0);
  histogram.add(1.0 + 5e-14, 1.0);
  histogram.add(1.0 + 2e-7, 1.0);
  histogram.add(1.0 + 1e-20, 1.0 - 1e-20);  // rounds to equal doubles
  EXPECT_EQ(histogram.equal(), 2u);
  EXPECT_EQ(histogram.count(-14), 2u);
  EXPECT_EQ(histogram.count(-7), 1u);
  EXPECT_NEAR(histogram.worst(), 2e-7, 1e-12);
  EXPECT_EQ(histogram.text(), "equal 2, 1e-14 2, 1e-7 1");
}

TEST(GpuChecks, FlippedPathsAreTakenFromTheDeviceAndThresholdStraddlesCounted) {
  const Scenario scenario = load_scenario(testing::source_path("scenarios/baseline.json"));
  ASSERT_FALSE(scenario.thresholds.empty());
  PathResults host = simulate_cpu(scenario, 64, 7, 1);
  PathResults device = simulate_cpu(scenario, 64, 8, 1);  // another seed: every path differs
  std::vector<char> take(64, 0);
  take[3] = take[40] = 1;
  const PathResults mixed = testing::with_paths_from(host, device, take);
  for (int v = 0; v < host.variables; ++v)
    for (int y = 0; y < host.years; ++y)
      for (std::uint64_t p = 0; p < 64; ++p)
        ASSERT_EQ(mixed.column(v, y)[p], (take[p] ? device : host).column(v, y)[p]);
  for (std::uint64_t p = 0; p < 64; ++p)
    ASSERT_EQ(mixed.binding_column(1, 2)[p], (take[p] ? device : host).binding_column(1, 2)[p]);

  const std::vector<std::uint64_t> straddles = testing::threshold_straddles(scenario, device, host, take);
  ASSERT_EQ(straddles.size(), scenario.thresholds.size());
  for (std::size_t i = 0; i < scenario.thresholds.size(); ++i) {
    const ThresholdRequest& request = scenario.thresholds[i];
    const int year = request.year - scenario.model->start_year;
    std::uint64_t expected = 0;
    for (std::uint64_t p = 0; p < 64; ++p)
      expected += !take[p] && ((device.column(request.variable, year)[p] >= request.at_least) !=
                               (host.column(request.variable, year)[p] >= request.at_least));
    EXPECT_EQ(straddles[i], expected);
  }
  EXPECT_EQ(testing::threshold_straddles(scenario, host, host, take), std::vector<std::uint64_t>(straddles.size(), 0));
}

}  // namespace
}  // namespace chokepoint
