// The limits every scenario file is held to before anything else is read (docs/errors.md, "Limits").
// Each one bounds the work a hostile or mistaken file can cause, far above what a real scenario
// needs: the calibrated baseline is 36 KB, 6 levels deep, with 8 stages and 9 quantile levels.
#pragma once

#include <cstddef>

namespace chokepoint {

// Reading and parsing.
inline constexpr std::size_t kMaxScenarioBytes = std::size_t{1} << 20;  // one file, after `extends` too
inline constexpr int kMaxNestingDepth = 32;                // arrays and objects inside each other
inline constexpr std::size_t kMaxContainerElements = 10000;  // members of one array or object
inline constexpr int kMaxExtendsDepth = 8;                 // parents in one `extends` chain
inline constexpr std::size_t kMaxExtendsPathBytes = 1024;  // the `extends` string

// Names: factors, stages, events, derived outputs, parameters and the scenario itself.
inline constexpr std::size_t kMaxNameBytes = 64;
// Free text: units (they appear in every CSV row) and the description.
inline constexpr std::size_t kMaxUnitBytes = 64;
inline constexpr std::size_t kMaxDescriptionBytes = 4096;

// Sections without a limit in the compiled model (factors, stages, events have theirs there).
inline constexpr std::size_t kMaxDerivedOutputs = 64;
inline constexpr std::size_t kMaxQuantileLevels = 99;
inline constexpr std::size_t kMaxThresholds = 256;

// Problems printed for one file; beyond it they are counted, not listed.
inline constexpr std::size_t kMaxReportedProblems = 100;

}  // namespace chokepoint
