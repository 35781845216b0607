// `chokepoint sensitivity --shard I/N` and its `chokepoint merge` (docs/scale.md, "Sobol shards"):
// a shard adds the Sobol sums of base samples [⌊I·N/n⌋, ⌊(I+1)·N/n⌋) and stores them in a partial
// file; the merge checks that the shards belong together, merges their exact sums in any order
// and writes sobol.json and sobol.csv, bit for bit those of one process (--backend cpu).
#pragma once

#include <string>
#include <vector>

#include "analyse/sobol_run.hpp"
#include "chokepoint/scale.hpp"

namespace chokepoint {

inline constexpr const char* kSobolPartialName = "sobol-partial.bin";

// The arguments besides the request's that fix the analysis: the merge resolves the outputs and
// groups from them again (sobol_setup.hpp), and refuses shards whose settings differ.
struct SobolShardSettings {
  std::vector<std::string> for_texts;    // --for
  std::vector<std::string> group_texts;  // --group
};

// Simulates the shard's base samples on the CPU (request.backend is not read) and writes
// DIR/sobol-partial.bin and DIR/scenario.json atomically; returns the range of base samples.
PathRange run_sobol_shard(const Scenario& scenario, const SobolShardSettings& settings, const SobolRequest& request,
                          ShardSpec shard, const std::string& directory);

// Whether DIR holds a Sobol shard's partial file (so that `merge` knows which merge to run).
bool is_sobol_shard(const std::string& directory);

// Checks that the shard directories belong together — the same scenario, seed, precision, base
// samples, --for, --group and --bootstrap; ranges disjoint and covering every base sample — and
// merges them, in any order, into OUT/sobol.json, sobol.csv and scenario.json. Throws InputError
// naming the offending directory or file.
SobolAnalysis merge_sobol_shards(const std::vector<std::string>& directories, const std::string& out_directory);

}  // namespace chokepoint
