// Philox4x32-10 against Random123's known-answer vectors (Debian's librandom123-dev ships them),
// and the stream layout.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>

#include "chokepoint/random_streams.hpp"

namespace chokepoint {
namespace {

TEST(Philox, ReproducesEveryRandom123KnownAnswerVector) {
  // Debian's librandom123-doc ships them; the test setup (scripts/install-deps.sh) installs it.
  FILE* pipe = popen("zcat " CHOKEPOINT_KAT_VECTORS " 2>/dev/null", "r");
  ASSERT_NE(pipe, nullptr);
  char line[512];
  int checked = 0;
  while (std::fgets(line, sizeof line, pipe)) {
    std::istringstream fields(line);
    std::string name;
    int rounds = 0;
    fields >> name >> rounds;
    if (name != "philox4x32" || rounds != 10) continue;
    PhiloxCounter counter{};
    PhiloxKey key{};
    std::uint32_t expected[4];
    fields >> std::hex >> counter.word[0] >> counter.word[1] >> counter.word[2] >> counter.word[3] >> key.word[0] >>
        key.word[1] >> expected[0] >> expected[1] >> expected[2] >> expected[3];
    ASSERT_FALSE(fields.fail()) << line;
    const PhiloxCounter result = philox4x32_10(counter, key);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(result.word[i], expected[i]) << "word " << i << " of: " << line;
    ++checked;
  }
  pclose(pipe);
  ASSERT_GE(checked, 3) << "no philox4x32 10 vectors read from " CHOKEPOINT_KAT_VECTORS
                        << " (install the Debian package librandom123-doc)";
}

TEST(Philox, UniformsAreOpenAtBothEnds) {
  EXPECT_GT(open_uniform(0u), 0.0);
  EXPECT_LT(open_uniform(0xFFFFFFFFu), 1.0);
  EXPECT_EQ(open_uniform(0u), 0x1p-33);
}

TEST(Philox, BoxMullerMatchesItsFormula) {
  const NormalPair pair = box_muller(0x80000000u, 0x40000000u);
  const double radius = std::sqrt(-2.0 * std::log(0.5 + 0x1p-33));
  const double angle = 2.0 * M_PI * (0.25 + 0x1p-33);
  EXPECT_DOUBLE_EQ(pair.first, radius * std::sin(angle));
  EXPECT_DOUBLE_EQ(pair.second, radius * std::cos(angle));
}

TEST(RandomStreams, DrawsDependOnlyOnSeedStreamPathAndBlock) {
  const PhiloxKey key = seed_key(42);
  const std::uint32_t demand = stream_id("factor:token_demand");
  const FourNormals a = four_normals(key, demand, 7, 3);
  const FourNormals b = four_normals(key, demand, 7, 3);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(a.value[i], b.value[i]);
  EXPECT_NE(four_normals(key, demand, 8, 3).value[0], a.value[0]);
  EXPECT_NE(four_normals(key, stream_id("factor:cowos"), 7, 3).value[0], a.value[0]);
  EXPECT_NE(four_normals(seed_key(43), demand, 7, 3).value[0], a.value[0]);
  EXPECT_NE(four_normals(key, demand, 7, 4).value[0], a.value[0]);
  // Paths above 2³² use the high counter word rather than wrapping onto path 7.
  EXPECT_NE(four_normals(key, demand, 7 + (std::uint64_t{1} << 32), 3).value[0], a.value[0]);
}

TEST(RandomStreams, FourStepsShareOneBlock) {
  EXPECT_EQ(shock_block(1), 1u);
  EXPECT_EQ(shock_block(4), 1u);
  EXPECT_EQ(shock_block(5), 2u);
  EXPECT_EQ(shock_lane(1), 0);
  EXPECT_EQ(shock_lane(4), 3);
  EXPECT_EQ(shock_lane(5), 0);
}

TEST(RandomStreams, StreamIdIsFnv1a) {
  EXPECT_EQ(stream_id(""), 2166136261u);
  EXPECT_EQ(stream_id("a"), 0xe40c292cu);  // the published FNV-1a 32-bit value of "a"
}

}  // namespace
}  // namespace chokepoint
