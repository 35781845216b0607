// On a GPU, our Philox4x32-10 equals cuRAND's curand_Philox4x32_10 and the host
// implementation bit for bit. Skipped where no CUDA device is present.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "chokepoint/cuda_backend.hpp"
#include "gpu_tolerances.hpp"

namespace chokepoint {
namespace {

#define SKIP_WITHOUT_CUDA_DEVICE()                                                                        \
  do {                                                                                                     \
    if (!cuda_available())                                                                                 \
      GTEST_SKIP() << "no CUDA device: " << (CHOKEPOINT_HAVE_CUDA ? "none present" : "built without CUDA"); \
  } while (false)

void expect_same_words(const PhiloxCounter& device, const PhiloxCounter& host, std::size_t index, int& failures) {
  for (int w = 0; w < 4; ++w)
    if (device.word[w] != host.word[w] && ++failures <= 10)
      ADD_FAILURE() << "output " << index << " word " << w << ": device " << std::hex << device.word[w] << ", host "
                    << host.word[w];
}

TEST(GpuPhilox, DeviceEqualsHostBitForBit) {
  SKIP_WITHOUT_CUDA_DEVICE();
  std::mt19937_64 random(20240611);
  std::vector<PhiloxCounter> counters(200000);
  std::vector<PhiloxKey> keys(counters.size());
  for (std::size_t i = 0; i < counters.size(); ++i) {
    for (auto& word : counters[i].word) word = static_cast<std::uint32_t>(random());
    for (auto& word : keys[i].word) word = static_cast<std::uint32_t>(random());
  }
  counters[0] = PhiloxCounter{};  // the all-zero and all-one corners
  keys[0] = PhiloxKey{};
  counters[1] = PhiloxCounter{{~0u, ~0u, ~0u, ~0u}};
  keys[1] = PhiloxKey{{~0u, ~0u}};
  const std::vector<PhiloxCounter> device = cuda::philox_on_device(counters, keys);
  ASSERT_EQ(device.size(), counters.size());
  int failures = 0;
  for (std::size_t i = 0; i < counters.size(); ++i) expect_same_words(device[i], philox4x32_10(counters[i], keys[i]), i, failures);
  EXPECT_EQ(failures, 0);
}

// curand_init(seed, subsequence, offset) ↔ key {seed lo, seed hi}, counter {offset/4 as 64 bits,
// subsequence as 64 bits}; each curand4 is one Philox block, the next call the next counter.
TEST(GpuPhilox, EqualsCurandPhilox4x32_10ForManyCountersAndKeys) {
  SKIP_WITHOUT_CUDA_DEVICE();
  std::mt19937_64 random(77);
  std::vector<cuda::CurandStart> starts;
  for (int i = 0; i < 20000; ++i) {
    cuda::CurandStart start;
    start.seed = random();
    start.subsequence = i % 3 == 0 ? random() : random() % 100000;
    const std::uint64_t block = i % 5 == 0 ? random() >> 2 : random() % 1000000;
    start.offset = 4 * block;
    starts.push_back(start);
  }
  starts.push_back({0, 0, 0});
  starts.push_back({~0ull, ~0ull, 4 * 0xFFFFFFFEull});  // the counter carries into its second word
  constexpr int kCalls = 6;
  const std::vector<PhiloxCounter> device = cuda::curand_philox_on_device(starts, kCalls);
  ASSERT_EQ(device.size(), starts.size() * kCalls);
  int failures = 0;
  for (std::size_t i = 0; i < starts.size(); ++i)
    for (int call = 0; call < kCalls; ++call) {
      const PhiloxCounter expected =
          philox4x32_10(cuda::curand_equivalent_counter(starts[i], call), seed_key(starts[i].seed));
      expect_same_words(device[i * kCalls + call], expected, i * kCalls + call, failures);
    }
  EXPECT_EQ(failures, 0);
}

// The engine's stream layout is cuRAND's: path p's stream x at block b is curand_init(seed, p,
// 4·(x·2³² + b)), for the stream ids one 64-bit offset reaches (below 2³⁰; larger ones need
// further skipahead calls). So a cuRAND user can reproduce our draws.
TEST(GpuPhilox, EngineStreamsAreCurandSubsequencesAndOffsets) {
  SKIP_WITHOUT_CUDA_DEVICE();
  const std::uint64_t seed = 0x1234'5678'9abc'def0ull;
  const std::uint32_t stream = stream_id("factor:token_demand") & 0x3FFFFFFFu;
  std::vector<cuda::CurandStart> starts;
  std::vector<PhiloxCounter> expected;
  for (std::uint64_t path : {0ull, 1ull, 4095ull, 123456789ull, (1ull << 32) + 5}) {
    for (std::uint32_t block : {0u, 1u, 12u, 255u}) {
      starts.push_back({seed, path, 4 * ((static_cast<std::uint64_t>(stream) << 32) + block)});
      expected.push_back(philox4x32_10(stream_block(stream, path, block), seed_key(seed)));
    }
  }
  const std::vector<PhiloxCounter> device = cuda::curand_philox_on_device(starts, 1);
  int failures = 0;
  for (std::size_t i = 0; i < starts.size(); ++i) expect_same_words(device[i], expected[i], i, failures);
  EXPECT_EQ(failures, 0);
}

// Box–Muller uses log, sin and cos, whose last bits differ between CUDA's math library and
// glibc: equal to 1e-13 absolute (|z| < 6.8), most of them bit for bit.
TEST(GpuPhilox, BoxMullerOnTheDeviceMatchesTheHostToTheLastBits) {
  SKIP_WITHOUT_CUDA_DEVICE();
  std::vector<std::uint64_t> paths;
  for (std::uint64_t p = 0; p < 50000; ++p) paths.push_back(p * 7919);
  const PhiloxKey key = seed_key(99);
  const std::uint32_t stream = stream_id("factor:cowos");
  const std::vector<FourNormals> device = cuda::four_normals_on_device(key, stream, paths, 3);
  ASSERT_EQ(device.size(), paths.size());
  std::size_t identical = 0, total = 0;
  double largest = 0.0;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    const FourNormals host = four_normals(key, stream, paths[i], 3);
    for (int k = 0; k < 4; ++k) {
      const double difference = std::fabs(device[i].value[k] - host.value[k]);
      largest = std::max(largest, difference);
      identical += difference == 0.0;
      ++total;
    }
  }
  EXPECT_LE(largest, 1e-13);
  RecordProperty("identical_normals", std::to_string(identical) + " of " + std::to_string(total));
  std::printf("[ GpuPhilox ] Box-Muller: %zu of %zu normals bit-identical, largest difference %.3g\n", identical,
              total, largest);
}

// The mixed precision's normals (four_normals_float: cuRAND's uniform rule and Box–Muller in
// float) on the device against the host's: the same float operations, with CUDA's logf, sinf and
// cosf against glibc's, so within a few float ulps (8 allowed) of the host's float normals, and
// visibly not the double normals (a kernel that silently drew in double would be ~1e-16 away).
TEST(GpuPhilox, MixedNormalsOnTheDeviceAreTheHostsFloatNormalsToAFewUlps) {
  SKIP_WITHOUT_CUDA_DEVICE();
  std::vector<std::uint64_t> paths;
  for (std::uint64_t p = 0; p < 50000; ++p) paths.push_back(p * 7919);
  const PhiloxKey key = seed_key(99);
  const std::uint32_t stream = stream_id("factor:cowos");
  const std::vector<FourNormals> device = cuda::four_normals_on_device(key, stream, paths, 3, Precision::mixed);
  ASSERT_EQ(device.size(), paths.size());
  std::size_t identical = 0, total = 0, failures = 0;
  double largest_ulps = 0.0, largest_from_double = 0.0;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    const FourNormals host = four_normals_float(key, stream, paths[i], 3);
    const FourNormals in_double = four_normals(key, stream, paths[i], 3);
    for (int k = 0; k < 4; ++k) {
      const double difference = std::fabs(device[i].value[k] - host.value[k]);
      const double ulps = difference / testing::float_ulp(static_cast<float>(host.value[k]));
      largest_ulps = std::max(largest_ulps, ulps);
      largest_from_double = std::max(largest_from_double, std::fabs(device[i].value[k] - in_double.value[k]));
      identical += difference == 0.0;
      failures += ulps > 8.0;
      ++total;
    }
  }
  EXPECT_EQ(failures, 0u) << "largest difference " << largest_ulps << " float ulps";
  EXPECT_GT(largest_from_double, 1e-9) << "the device drew the mixed normals in double";
  std::printf("[ GpuPhilox ] mixed Box-Muller: %zu of %zu normals bit-identical to the host's floats, largest "
              "difference %.3g float ulps; largest difference from the double normals %.3g\n",
              identical, total, largest_ulps, largest_from_double);
}

}  // namespace
}  // namespace chokepoint
