// Partial-result files (docs/scale.md): what a shard's pass, a merge's refine plan or a
// checkpoint carries, framed so that a reader can tell it is whole and whose it is.
//
//   "chokepoint-partial" NUL, u32 format version, u32 kind,
//   identity: u64 scenario hash, u64 seed, u64 paths, u64 shard index, u64 shard count,
//             u64 first path, u64 end path, i32 pass, u64 plan hash,
//   u64 payload length, payload bytes,
//   u64 FNV-1a checksum of everything before it.
//
// Integers are little-endian. Files are written to a temporary name, flushed to disk and
// renamed, so a kill leaves the previous file or the new one, never half of one.
#pragma once

#include <cstdint>

#include "chokepoint/precision.hpp"
#include <string>

namespace chokepoint {

inline constexpr std::uint32_t kPartialFormatVersion = 3;  // 2: the run's precision; 3: first-order sums and their scales

// sobol_sums: a `sensitivity --shard`'s Sobol sums (analyse/sobol_shards.hpp).
enum class PartialKind : std::uint32_t { shard_pass = 1, refine_plan = 2, checkpoint = 3, sobol_sums = 4 };

struct PartialIdentity {
  std::uint64_t scenario_hash = 0;
  std::uint64_t seed = 0;
  std::uint64_t paths = 0;
  std::uint64_t shard_index = 0;
  std::uint64_t shard_count = 1;
  std::uint64_t first_path = 0;
  std::uint64_t end_path = 0;
  std::int32_t pass = 1;
  std::uint64_t plan_hash = 0;  // the plan the pass ran under (shard pass) or holds (refine plan)
  Precision precision = Precision::mixed;  // shards of one run must share it (their paths differ otherwise)
};

struct PartialFile {
  PartialKind kind = PartialKind::shard_pass;
  PartialIdentity identity;
  std::string payload;
};

// Throws ResourceError when the file cannot be written.
void write_partial_file(const std::string& path, const PartialFile& file);

// Throws InputError naming the file when it is missing, not a partial file, of another format
// version or kind, or fails its checksum.
PartialFile read_partial_file(const std::string& path, PartialKind expected_kind);

}  // namespace chokepoint
