// Runs of any size on any number of processes (docs/scale.md): bounded-memory streaming
// reductions, shards and their merge, resumable (checkpointed) runs. Every route gives the
// summary of run() bit for bit: sums are exact integers, quantiles exact order statistics.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "chokepoint/engine.hpp"

namespace chokepoint {

struct PathRange {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;  // one past the last path
  std::uint64_t size() const { return end - begin; }
};

// Shard `index` of `count` runs paths [index·P/count, (index+1)·P/count).
struct ShardSpec {
  std::uint64_t index = 0;
  std::uint64_t count = 1;
};
PathRange shard_range(std::uint64_t paths, ShardSpec shard);

// Parses "I/N" (0 ≤ I < N). Throws InputError naming --shard.
ShardSpec parse_shard(const std::string& text);

// The whole run through bounded memory: batches of paths are simulated, reduced into
// accumulators and dropped; the quantiles take one or two more passes over re-simulated paths.
// `batch_paths` 0 picks the default; any value gives the same bits.
Summary run_streaming(const Scenario& scenario, const RunOptions& options, std::uint64_t batch_paths = 0);

// run_streaming, committing its accumulators to DIR/checkpoint.bin atomically every
// `every_paths` paths (0: a default); started again with the same arguments after a kill, it
// resumes from the last commit. Throws InputError when DIR holds another run's checkpoint.
Summary run_checkpointed(const Scenario& scenario, const RunOptions& options, const std::string& directory,
                         std::uint64_t every_paths = 0);

// A shard's pass: the first (refine_plan empty) or the one a merge asked for (the plan file it
// wrote). Writes DIR/partial-<pass>.bin and DIR/scenario.json atomically; returns the pass.
int run_shard(const Scenario& scenario, const RunOptions& options, ShardSpec shard, const std::string& directory,
              const std::string& refine_plan = {});

struct MergeOutcome {
  bool finished = false;          // true: out/summary.json written
  Summary summary;                // when finished
  int next_pass = 0;              // otherwise: the pass the shards must run next,
  std::string refine_plan;        // with this plan file (written in the output directory)
  Scenario scenario;
};

// Checks that the shard directories belong together (same scenario, seed and path count;
// disjoint ranges covering every path; the same passes) and merges them, in any order, to
// the single-process summary — or, when the quantiles need another pass, writes the refine
// plan. Throws InputError naming the offending directory.
MergeOutcome merge_shards(const std::vector<std::string>& directories, const std::string& out_directory);

}  // namespace chokepoint
