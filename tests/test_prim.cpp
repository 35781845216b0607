// PRIM scenario discovery on synthetic data with a planted box of known coverage and density.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "analyse/prim.hpp"
#include "sensitivity_models.hpp"

namespace chokepoint {
namespace {

using testing::input_uniform;

// Five uniform inputs; inside x0 ∈ [0.2, 0.6] and x1 ∈ [0.3, 0.8] the outcome happens with
// probability 0.9, outside with 0.05. So the planted box has mass 0.2, density 0.9 and coverage
// 0.18 / (0.18 + 0.8·0.05) = 0.818.
PrimData planted_box_data(std::uint64_t points, std::uint64_t seed) {
  PrimData data;
  data.inputs = 5;
  for (std::uint64_t p = 0; p < points; ++p) {
    for (int i = 0; i < 5; ++i) data.x.push_back(input_uniform(seed, i, p));
    const double* x = &data.x[p * 5];
    const bool inside = x[0] >= 0.2 && x[0] <= 0.6 && x[1] >= 0.3 && x[1] <= 0.8;
    data.y.push_back(input_uniform(seed, 99, p) < (inside ? 0.9 : 0.05));
  }
  return data;
}

TEST(Prim, RecoversAPlantedBoxWithItsCoverageAndDensity) {
  const PrimData data = planted_box_data(10'000, 31);
  PrimOptions options;
  options.threshold = 0.85;
  const PrimResult result = prim(data, options);
  ASSERT_EQ(result.boxes.size(), 1u);
  const PrimBox& box = result.boxes[0].box;
  std::printf("PRIM box: x0 [%.3f, %.3f], x1 [%.3f, %.3f]; mass %.3f, density %.3f, coverage %.3f; "
              "%zu boxes on the trajectory, chose %zu\n",
              box.lower[0], box.upper[0], box.lower[1], box.upper[1], box.mass, box.density, box.coverage,
              result.boxes[0].trajectory.size(), result.boxes[0].chosen);
  EXPECT_NEAR(box.coverage, 0.18 / 0.22, 0.05);
  EXPECT_NEAR(box.density, 0.9, 0.05);
  EXPECT_NEAR(box.mass, 0.2, 0.05);
  EXPECT_NEAR(box.lower[0], 0.2, 0.05);
  EXPECT_NEAR(box.upper[0], 0.6, 0.05);
  EXPECT_NEAR(box.lower[1], 0.3, 0.05);
  EXPECT_NEAR(box.upper[1], 0.8, 0.05);
  // The irrelevant inputs are left (nearly) whole: each keeps at least 90% of its range.
  for (int i = 2; i < 5; ++i) EXPECT_GT(box.upper[i] - box.lower[i], 0.9) << "input " << i;
}

TEST(Prim, TrajectoryTradesCoverageForDensity) {
  const PrimData data = planted_box_data(4'000, 32);
  const PrimResult result = prim(data, {});
  const auto& trajectory = result.boxes[0].trajectory;
  ASSERT_GT(trajectory.size(), 10u);
  EXPECT_EQ(trajectory[0].mass, 1.0);
  EXPECT_EQ(trajectory[0].coverage, 1.0);
  for (std::size_t k = 1; k < trajectory.size(); ++k) {
    EXPECT_LT(trajectory[k].mass, trajectory[k - 1].mass);
    EXPECT_LE(trajectory[k].coverage, trajectory[k - 1].coverage);
    EXPECT_GE(trajectory[k].mass, 0.05);
  }
  // Each peel removes about alpha = 5% of the box (continuous inputs: no ties).
  EXPECT_NEAR(trajectory[1].mass, 0.95, 0.001);
  EXPECT_GT(trajectory.back().density, 3 * trajectory.front().density);
}

TEST(Prim, IntegerInputsAreCutAtWholeValues) {
  // x0 is an event count 0..4; the outcome happens exactly when it is at least 3.
  PrimData data;
  data.inputs = 2;
  for (std::uint64_t p = 0; p < 5'000; ++p) {
    const double count = std::floor(input_uniform(33, 0, p) * 5.0);
    data.x.push_back(count);
    data.x.push_back(input_uniform(33, 1, p));
    data.y.push_back(count >= 3.0);
  }
  const PrimResult result = prim(data, {});
  const PrimBox& box = result.boxes[0].box;
  EXPECT_EQ(box.lower[0], 3.0);
  EXPECT_EQ(box.upper[0], 4.0);
  EXPECT_EQ(box.density, 1.0);
  EXPECT_EQ(box.coverage, 1.0);
  EXPECT_EQ(box.restricted(result.data_lower, result.data_upper), std::vector<int>{0});
}

TEST(Prim, CoveringFindsASecondBoxAfterRemovingTheFirst) {
  // Two planted corners: x0 < 0.2 or x1 > 0.85, each certain.
  PrimData data;
  data.inputs = 3;
  for (std::uint64_t p = 0; p < 6'000; ++p) {
    for (int i = 0; i < 3; ++i) data.x.push_back(input_uniform(34, i, p));
    data.y.push_back(data.x[p * 3] < 0.2 || data.x[p * 3 + 1] > 0.85);
  }
  PrimOptions options;
  options.max_boxes = 2;
  options.threshold = 0.95;  // the first box on the trajectory this dense is (nearly) one corner alone
  const PrimResult result = prim(data, options);
  ASSERT_EQ(result.boxes.size(), 2u);
  EXPECT_NEAR(result.boxes[0].box.coverage + result.boxes[1].box.coverage, 1.0, 0.05);
  EXPECT_GE(result.boxes[0].box.density, 0.95);
  EXPECT_GE(result.boxes[1].box.density, 0.95);
  std::printf("covering: box 1 coverage %.3f density %.3f, box 2 coverage %.3f density %.3f\n",
              result.boxes[0].box.coverage, result.boxes[0].box.density, result.boxes[1].box.coverage,
              result.boxes[1].box.density);
}

TEST(Prim, RejectsInconsistentDataAndOptions) {
  PrimData data;
  data.inputs = 2;
  data.x = {0.1, 0.2, 0.3};
  data.y = {1, 0};
  EXPECT_THROW(prim(data, {}), std::invalid_argument);
  data.x.push_back(std::nan(""));
  EXPECT_THROW(prim(data, {}), std::invalid_argument);
  data.x.back() = 0.4;
  PrimOptions options;
  options.peel_alpha = 1.5;
  EXPECT_THROW(prim(data, options), std::invalid_argument);
  EXPECT_NO_THROW(prim(data, {}));
}

}  // namespace
}  // namespace chokepoint
