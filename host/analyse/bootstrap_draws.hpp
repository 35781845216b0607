// Deterministic resampling for bootstrap intervals: the k-th draw of replicate r is a function of
// (seed, r, k) only, through Philox4x32-10 on a stream of its own, so an interval is the same on
// every machine, thread count and shard split, and never shares numbers with a path's draws.
#pragma once

#include <cstdint>

#include "chokepoint/philox.hpp"
#include "chokepoint/random_streams.hpp"

namespace chokepoint {

inline constexpr std::uint32_t kBootstrapStream = stream_id("chokepoint.bootstrap");
// The counter's path words hold (replicate, 2³¹): "path" 2⁶³ + r, which no run reaches, so these
// words differ from every path's even if a scenario names a stream "chokepoint.bootstrap".
inline constexpr std::uint32_t kNoPathHigh = 0x80000000u;

// A uniform index in [0, count): 64 random bits reduced modulo count, whose bias (count / 2⁶⁴)
// is far below anything a bootstrap interval can show.
inline std::uint64_t bootstrap_index(std::uint64_t seed, std::uint32_t replicate, std::uint32_t draw,
                                     std::uint64_t count) {
  const PhiloxCounter words =
      philox4x32_10(PhiloxCounter{{draw, kBootstrapStream, replicate, kNoPathHigh}}, seed_key(seed));
  const std::uint64_t bits = (static_cast<std::uint64_t>(words.word[1]) << 32) | words.word[0];
  return bits % count;
}

}  // namespace chokepoint
