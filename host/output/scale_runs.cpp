// Shards, their merge and checkpointed runs: the streaming passes of host/reduce with their
// accumulators written to partial-result files between passes (docs/scale.md).
#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "chokepoint/scale.hpp"
#include "chokepoint/summary_io.hpp"
#include "output/partial_file.hpp"
#include "reduce/streamed_convergence.hpp"
#include "reduce/streaming_run.hpp"

namespace chokepoint {

namespace fs = std::filesystem;

namespace {

std::uint64_t scenario_hash(const Scenario& scenario) { return fnv1a(scenario.resolved_json); }
std::uint64_t plan_hash(const SelectionPlan& plan) { return fnv1a(encode_plan(plan)); }

std::string partial_name(int pass) { return "partial-" + std::to_string(pass) + ".bin"; }
std::string refine_plan_name(int pass) { return "refine-plan-" + std::to_string(pass) + ".bin"; }

void create_directory(const std::string& directory) {
  std::error_code error;
  fs::create_directories(directory, error);
  if (error || !fs::is_directory(directory))
    throw ResourceError("cannot create the directory " + directory + (error ? ": " + error.message() : ""));
}

InputError input_problem(const std::string& file, const std::string& path, const std::string& expected,
                         const std::string& found) {
  return InputError({InputProblem{file, path, expected, found}});
}

std::string range_text(std::uint64_t begin, std::uint64_t end) {
  return "paths [" + std::to_string(begin) + ", " + std::to_string(end) + ")";
}

// "--seed S --paths P --precision X": the arguments a refine plan or a checkpoint belongs to.
std::string run_arguments_text(std::uint64_t seed, std::uint64_t paths, Precision precision) {
  return "--seed " + std::to_string(seed) + " --paths " + std::to_string(paths) + " --precision " + precision_name(precision);
}

// Moments alone (the first pass's), as bytes.
std::string encode_moments(const MomentCounts& moments) {
  PassAccumulators holder;
  holder.moments = moments;
  return encode_pass(holder, true);
}

MomentCounts decode_moments(const Scenario& scenario, const std::string& bytes) {
  PassAccumulators holder;
  holder.moments = empty_moment_counts(scenario);
  decode_pass(bytes, true, holder);
  return holder.moments;
}

// A payload of several byte strings, each length-prefixed.
std::string join_parts(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& part : parts) {
    const std::uint64_t size = part.size();
    out.append(reinterpret_cast<const char*>(&size), sizeof size);
    out += part;
  }
  return out;
}

std::vector<std::string> split_parts(const std::string& payload, std::size_t count) {
  std::vector<std::string> parts;
  std::size_t at = 0;
  for (std::size_t i = 0; i < count; ++i) {
    std::uint64_t size = 0;
    if (payload.size() - at < sizeof size) throw std::runtime_error("truncated payload");
    std::memcpy(&size, payload.data() + at, sizeof size);
    at += sizeof size;
    if (payload.size() - at < size) throw std::runtime_error("truncated payload");
    parts.push_back(payload.substr(at, size));
    at += size;
  }
  if (at != payload.size()) throw std::runtime_error("trailing bytes in payload");
  return parts;
}

PassAccumulators decode_pass_for(const Scenario& scenario, const SelectionPlan& plan, const std::string& bytes,
                                 const std::string& file) {
  PassAccumulators accumulators = empty_pass_accumulators(scenario, plan);
  try {
    decode_pass(bytes, plan.pass == 1, accumulators);
  } catch (const std::runtime_error& error) {
    throw input_problem(file, "(payload)", "the counts of pass " + std::to_string(plan.pass) + " of this scenario",
                        error.what());
  }
  return accumulators;
}

}  // namespace

ShardSpec parse_shard(const std::string& text) {
  const std::size_t slash = text.find('/');
  auto whole = [](const std::string& part) {
    return !part.empty() && part.size() < 19 && part.find_first_not_of("0123456789") == std::string::npos;
  };
  if (slash != std::string::npos && whole(text.substr(0, slash)) && whole(text.substr(slash + 1))) {
    const ShardSpec shard{std::stoull(text.substr(0, slash)), std::stoull(text.substr(slash + 1))};
    if (shard.count >= 1 && shard.count < (std::uint64_t{1} << 32) && shard.index < shard.count) return shard;
  }
  throw input_problem("(arguments)", "--shard", "I/N with 0 ≤ I < N, such as 0/8", "\"" + text + "\"");
}

// ---- shards -------------------------------------------------------------------------------------

int run_shard(const Scenario& scenario, const RunOptions& options, ShardSpec shard, const std::string& directory,
              const std::string& refine_plan) {
  if (options.paths == 0) throw input_problem("(arguments)", "--paths", "at least 1 path", "0");
  const PathRange range = shard_range(options.paths, shard);
  SelectionPlan plan = first_run_plan(scenario, options.paths, options.seed);
  if (!refine_plan.empty()) {
    const PartialFile file = read_partial_file(refine_plan, PartialKind::refine_plan);
    const PartialIdentity& id = file.identity;
    if (id.scenario_hash != scenario_hash(scenario))
      throw input_problem(refine_plan, "(scenario)", "a plan for " + scenario.file, "a plan for another scenario");
    if (id.seed != options.seed || id.paths != options.paths || id.precision != options.precision)
      throw input_problem(refine_plan, "(run)", run_arguments_text(options.seed, options.paths, options.precision),
                          "a plan for " + run_arguments_text(id.seed, id.paths, id.precision));
    try {
      plan = decode_plan(file.payload);
    } catch (const std::runtime_error& error) {
      throw input_problem(refine_plan, "(payload)", "a refine plan", error.what());
    }
    if (plan_hash(plan) != id.plan_hash || plan.pass != id.pass || plan.paths != options.paths)
      throw input_problem(refine_plan, "(payload)", "a refine plan", "a plan that does not match its header");
  }
  PassProgress progress{range.begin, empty_pass_accumulators(scenario, plan)};
  std::function<void(double)> fraction = options.progress;
  run_pass(scenario, options.seed, options.precision, options.threads, range, plan, progress, 0, 0, {}, fraction);

  create_directory(directory);
  PartialFile file;
  file.kind = PartialKind::shard_pass;
  file.identity = PartialIdentity{scenario_hash(scenario), options.seed, options.paths, shard.index, shard.count,
                                  range.begin, range.end, plan.pass, plan_hash(plan), options.precision};
  file.payload = encode_pass(progress.accumulators, plan.pass == 1);
  write_file_atomically((fs::path(directory) / "scenario.json").string(), scenario.resolved_json + "\n");
  write_partial_file((fs::path(directory) / partial_name(plan.pass)).string(), file);
  return plan.pass;
}

namespace {

struct ShardPass {
  std::string directory;
  std::string file;
  PartialFile partial;
};

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw input_problem(path, "(file)", "the scenario a shard ran", "no such file");
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Same scenario, seed and path count as the first shard; ranges disjoint and covering them all.
void check_shards_belong_together(const std::vector<ShardPass>& shards) {
  const PartialIdentity& first = shards.front().partial.identity;
  for (const ShardPass& shard : shards) {
    const PartialIdentity& id = shard.partial.identity;
    if (id.scenario_hash != first.scenario_hash)
      throw input_problem(shard.file, "(scenario)", "the scenario of " + shards.front().directory,
                          "a shard of another scenario (foreign shard)");
    if (id.seed != first.seed)
      throw input_problem(shard.file, "(seed)", "seed " + std::to_string(first.seed) + " as " + shards.front().directory,
                          "seed " + std::to_string(id.seed) + " (foreign shard)");
    if (id.precision != first.precision)
      throw input_problem(shard.file, "(precision)",
                          std::string("--precision ") + precision_name(first.precision) + " as " + shards.front().directory,
                          std::string("--precision ") + precision_name(id.precision) + " (foreign shard)");
    if (id.paths != first.paths)
      throw input_problem(shard.file, "(paths)",
                          std::to_string(first.paths) + " paths in all, as " + shards.front().directory,
                          std::to_string(id.paths) + " (foreign shard)");
    if (id.first_path > id.end_path || id.end_path > id.paths)
      throw input_problem(shard.file, "(range)", "a range inside the run", range_text(id.first_path, id.end_path));
  }
  std::vector<const ShardPass*> ordered;
  for (const ShardPass& shard : shards) ordered.push_back(&shard);
  std::sort(ordered.begin(), ordered.end(), [](const ShardPass* a, const ShardPass* b) {
    return a->partial.identity.first_path < b->partial.identity.first_path ||
           (a->partial.identity.first_path == b->partial.identity.first_path &&
            a->partial.identity.end_path < b->partial.identity.end_path);
  });
  std::uint64_t covered = 0;
  const ShardPass* previous = nullptr;
  for (const ShardPass* shard : ordered) {
    const PartialIdentity& id = shard->partial.identity;
    if (id.first_path < covered) {
      const PartialIdentity& other = previous->partial.identity;
      const bool same = other.first_path == id.first_path && other.end_path == id.end_path;
      throw input_problem(shard->file, "(range)", "paths not covered by another shard",
                          range_text(id.first_path, id.end_path) + (same ? ", a duplicate of " : ", overlapping ") +
                              previous->directory + " (shard " + std::to_string(id.shard_index) + "/" +
                              std::to_string(id.shard_count) + ")");
    }
    if (id.first_path > covered) {
      const std::uint64_t count = id.shard_count;
      std::string missing = range_text(covered, id.first_path);
      for (std::uint64_t index = 0; index < count; ++index) {
        const PathRange range = shard_range(id.paths, ShardSpec{index, count});
        if (range.begin == covered) missing = "shard " + std::to_string(index) + "/" + std::to_string(count) + " (" +
                                              range_text(range.begin, range.end) + ")";
      }
      throw input_problem(shard->directory, "(shards)", "every path in exactly one shard",
                          "no shard for " + missing + ": missing shard");
    }
    covered = id.end_path;
    previous = shard;
  }
  if (covered < first.paths) {
    const ShardPass& last = *ordered.back();
    std::string missing = range_text(covered, first.paths);
    const std::uint64_t count = last.partial.identity.shard_count;
    for (std::uint64_t index = 0; index < count; ++index) {
      const PathRange range = shard_range(first.paths, ShardSpec{index, count});
      if (range.begin == covered) missing = "shard " + std::to_string(index) + "/" + std::to_string(count) + " (" +
                                            range_text(range.begin, range.end) + ")";
    }
    throw input_problem(last.directory, "(shards)", "every path in exactly one shard",
                        "no shard for " + missing + ": missing shard");
  }
}

}  // namespace

MergeOutcome merge_shards(const std::vector<std::string>& directories, const std::string& out_directory) {
  const auto begin = std::chrono::steady_clock::now();
  if (directories.empty()) throw input_problem("(arguments)", "DIR", "one or more shard directories", "none");
  std::vector<ShardPass> shards;
  for (const std::string& directory : directories) {
    const std::string file = (fs::path(directory) / partial_name(1)).string();
    shards.push_back(ShardPass{directory, file, read_partial_file(file, PartialKind::shard_pass)});
    if (shards.back().partial.identity.pass != 1)
      throw input_problem(file, "(pass)", "pass 1", "pass " + std::to_string(shards.back().partial.identity.pass));
  }
  check_shards_belong_together(shards);

  const std::string scenario_file = (fs::path(directories.front()) / "scenario.json").string();
  MergeOutcome outcome;
  outcome.scenario = load_scenario_text(read_text(scenario_file), scenario_file);
  const Scenario& scenario = outcome.scenario;
  const PartialIdentity identity = shards.front().partial.identity;  // a copy: `shards` is replaced pass by pass
  SelectionPlan plan = first_run_plan(scenario, identity.paths, identity.seed);
  MomentCounts moments;
  for (;;) {
    const std::uint64_t expected_plan = plan_hash(plan);
    if (plan.pass > 1) {
      // Each shard must have run this pass under this very plan, or none has run it yet.
      std::vector<ShardPass> passes;
      std::string missing;
      for (const ShardPass& shard : shards) {
        const std::string file = (fs::path(shard.directory) / partial_name(plan.pass)).string();
        if (!fs::exists(file)) {
          missing = shard.directory;
          continue;
        }
        passes.push_back(ShardPass{shard.directory, file, read_partial_file(file, PartialKind::shard_pass)});
        const PartialIdentity& id = passes.back().partial.identity;
        const PartialIdentity& first_id = shard.partial.identity;
        if (id.plan_hash != expected_plan || id.pass != plan.pass || id.scenario_hash != first_id.scenario_hash ||
            id.seed != first_id.seed || id.first_path != first_id.first_path || id.end_path != first_id.end_path)
          throw input_problem(file, "(plan)", "pass " + std::to_string(plan.pass) + " run with " +
                                                  (fs::path(out_directory) / refine_plan_name(plan.pass)).string(),
                              "a pass run with another plan or for another shard");
      }
      if (passes.empty()) {
        create_directory(out_directory);
        PartialFile file;
        file.kind = PartialKind::refine_plan;
        file.identity = PartialIdentity{identity.scenario_hash, identity.seed, identity.paths, 0, 1, 0, identity.paths,
                                        plan.pass, expected_plan, identity.precision};
        file.payload = encode_plan(plan);
        outcome.next_pass = plan.pass;
        outcome.refine_plan = (fs::path(out_directory) / refine_plan_name(plan.pass)).string();
        write_partial_file(outcome.refine_plan, file);
        return outcome;
      }
      if (!missing.empty())
        throw input_problem(missing, "(shards)", "pass " + std::to_string(plan.pass) + " of every shard",
                            "no " + partial_name(plan.pass) + " in this shard (its refine run is missing)");
      shards = std::move(passes);
    }
    PassAccumulators merged = empty_pass_accumulators(scenario, plan);
    for (const ShardPass& shard : shards) {
      const PassAccumulators part = decode_pass_for(scenario, plan, shard.partial.payload, shard.file);
      merged.merge(part);
    }
    if (plan.pass == 1) moments = std::move(merged.moments);
    plan = advance(plan, merged.selection);
    if (plan.finished()) break;
  }
  outcome.finished = true;
  outcome.summary = summary_from_accumulators(scenario, identity.seed, moments, plan);
  add_streamed_convergence(scenario, identity.seed, identity.precision, 0, outcome.summary);
  outcome.summary.backend = "cpu";
  outcome.summary.precision = precision_name(identity.precision);
  outcome.summary.device = "merged from " + std::to_string(directories.size()) + " shard" +
                           (directories.size() == 1 ? "" : "s");
  outcome.summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  write_run_directory(out_directory, scenario, outcome.summary);
  outcome.summary.scenario_digest = read_summary(out_directory).scenario_digest;  // as written beside scenario.json
  return outcome;
}

// ---- checkpointed runs -------------------------------------------------------------------------------

namespace {

constexpr std::uint64_t kDefaultCheckpointPaths = std::uint64_t{1} << 18;

struct Checkpoint {
  SelectionPlan plan;
  MomentCounts moments;  // complete once pass 1 is done
  PassProgress progress;
};

PartialFile checkpoint_file(const Scenario& scenario, const RunOptions& options, const Checkpoint& checkpoint) {
  PartialFile file;
  file.kind = PartialKind::checkpoint;
  file.identity = PartialIdentity{scenario_hash(scenario), options.seed, options.paths, 0, 1, 0, options.paths,
                                  checkpoint.plan.pass, plan_hash(checkpoint.plan), options.precision};
  std::string next(sizeof(std::uint64_t), '\0');
  std::memcpy(next.data(), &checkpoint.progress.next_path, sizeof(std::uint64_t));
  file.payload = join_parts({encode_plan(checkpoint.plan),
                             checkpoint.plan.pass == 1 ? std::string() : encode_moments(checkpoint.moments), next,
                             encode_pass(checkpoint.progress.accumulators, checkpoint.plan.pass == 1)});
  return file;
}

Checkpoint read_checkpoint(const Scenario& scenario, const RunOptions& options, const std::string& path) {
  const PartialFile file = read_partial_file(path, PartialKind::checkpoint);
  const PartialIdentity& id = file.identity;
  if (id.scenario_hash != scenario_hash(scenario))
    throw input_problem(path, "(scenario)", "a checkpoint of " + scenario.file,
                        "a checkpoint of another scenario; remove it or choose another --checkpoint directory");
  if (id.seed != options.seed || id.paths != options.paths || id.precision != options.precision)
    throw input_problem(path, "(run)", "a checkpoint of " + run_arguments_text(options.seed, options.paths, options.precision),
                        "one of " + run_arguments_text(id.seed, id.paths, id.precision));
  Checkpoint checkpoint;
  try {
    const std::vector<std::string> parts = split_parts(file.payload, 4);
    checkpoint.plan = decode_plan(parts[0]);
    if (checkpoint.plan.pass > 1) checkpoint.moments = decode_moments(scenario, parts[1]);
    std::memcpy(&checkpoint.progress.next_path, parts[2].data(),
                std::min(parts[2].size(), sizeof checkpoint.progress.next_path));
    checkpoint.progress.accumulators = empty_pass_accumulators(scenario, checkpoint.plan);
    decode_pass(parts[3], checkpoint.plan.pass == 1, checkpoint.progress.accumulators);
  } catch (const std::runtime_error& error) {
    if (dynamic_cast<const InputError*>(&error)) throw;
    throw input_problem(path, "(payload)", "a checkpoint of this run", error.what());
  }
  if (checkpoint.progress.next_path > options.paths)
    throw input_problem(path, "(payload)", "a checkpoint of this run", "progress beyond its path count");
  return checkpoint;
}

}  // namespace

Summary run_checkpointed(const Scenario& scenario, const RunOptions& options, const std::string& directory,
                         std::uint64_t every_paths) {
  if (options.paths == 0) throw input_problem("(arguments)", "--paths", "at least 1 path", "0");
  create_directory(directory);
  const std::string path = (fs::path(directory) / "checkpoint.bin").string();
  Checkpoint checkpoint;
  if (fs::exists(path)) {
    checkpoint = read_checkpoint(scenario, options, path);
  } else {
    checkpoint.plan = first_run_plan(scenario, options.paths, options.seed);
    checkpoint.progress = PassProgress{0, empty_pass_accumulators(scenario, checkpoint.plan)};
  }
  const PathRange range{0, options.paths};
  const std::uint64_t chunk = every_paths > 0 ? every_paths : kDefaultCheckpointPaths;
  for (;;) {
    const SelectionPlan& plan = checkpoint.plan;
    const double from = plan.pass == 1 ? 0.0 : progress_after_pass(plan.pass - 1);
    const double to = progress_after_pass(plan.pass);
    std::function<void(double)> fraction;
    if (options.progress) fraction = [&](double done) { options.progress(from + (to - from) * done); };
    run_pass(scenario, options.seed, options.precision, options.threads, range, plan, checkpoint.progress, 0, chunk,
             [&](const PassProgress&) { write_partial_file(path, checkpoint_file(scenario, options, checkpoint)); },
             fraction);
    if (plan.pass == 1) checkpoint.moments = std::move(checkpoint.progress.accumulators.moments);
    checkpoint.plan = advance(plan, checkpoint.progress.accumulators.selection);
    if (checkpoint.plan.finished()) break;
    checkpoint.progress = PassProgress{0, empty_pass_accumulators(scenario, checkpoint.plan)};
    write_partial_file(path, checkpoint_file(scenario, options, checkpoint));
  }
  Summary summary = summary_from_accumulators(scenario, options.seed, checkpoint.moments, checkpoint.plan);
  add_streamed_convergence(scenario, options.seed, options.precision, options.threads, summary);
  if (options.progress) options.progress(1.0);
  return summary;
}

}  // namespace chokepoint
