// Checks of numeric command-line arguments, shared by every command. CLI11 converts "1e30" or
// "99999999999999999999" to the largest value of the type without a word; these validators see
// the text first and refuse anything that is not a whole number in range (exit 2).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <limits>

namespace chokepoint::cli {

// The documented ranges (docs/errors.md, "Limits").
inline constexpr std::uint64_t kMaxPaths = 1'000'000'000;  // a run's memory is paths × bytes per path
// The most CPU threads a command accepts: beyond it a typo (--threads 100000) would ask the OS
// for threads it cannot give, and OpenMP ends the process when thread creation fails.
inline constexpr std::uint64_t kMaxThreads = 1024;

// Accepts only decimal digits whose value lies in [low, high].
CLI::Validator whole_number(std::uint64_t low, std::uint64_t high, const std::string& what);

inline CLI::Validator path_count() { return whole_number(1, kMaxPaths, "a number of paths"); }
inline CLI::Validator seed_value() {
  return whole_number(0, std::numeric_limits<std::uint64_t>::max(), "a seed");
}
inline CLI::Validator thread_count() { return whole_number(0, kMaxThreads, "a number of threads (0: all cores)"); }

}  // namespace chokepoint::cli
