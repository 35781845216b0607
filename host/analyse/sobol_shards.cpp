#include "analyse/sobol_shards.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "analyse/sobol_files.hpp"
#include "analyse/sobol_setup.hpp"
#include "analyse/sobol_sums_bytes.hpp"
#include "chokepoint/errors.hpp"
#include "chokepoint/output_files.hpp"
#include "output/partial_file.hpp"
#include "reduce/run_accumulators.hpp"

namespace chokepoint {

namespace fs = std::filesystem;

namespace {

InputError input_problem(const std::string& file, const std::string& path, const std::string& expected,
                         const std::string& found) {
  return InputError({InputProblem{file, path, expected, found}});
}

std::string samples_text(std::uint64_t begin, std::uint64_t end) {
  return "base samples [" + std::to_string(begin) + ", " + std::to_string(end) + ")";
}

// What the shards of one analysis share besides the partial file's identity; its hash goes in
// the identity's plan-hash field, so that shards of other --for, --group or --bootstrap differ.
std::string settings_text(const SobolShardSettings& settings, const SobolRequest& request) {
  const nlohmann::ordered_json json{{"for", settings.for_texts},
                                    {"group", settings.group_texts},
                                    {"bootstrap", request.bootstrap},
                                    {"level", request.level}};
  return json.dump();
}

std::string payload_of(const std::string& settings, const std::string& sums) {
  const std::uint64_t size = settings.size();
  std::string out(reinterpret_cast<const char*>(&size), sizeof size);
  return out + settings + sums;
}

struct SobolShard {
  std::string directory;
  std::string file;
  PartialFile partial;
  std::string settings;  // settings_text
  std::string sums;      // sobol_sums_bytes
};

SobolShard read_shard(const std::string& directory) {
  SobolShard shard{directory, (fs::path(directory) / kSobolPartialName).string(), {}, {}, {}};
  shard.partial = read_partial_file(shard.file, PartialKind::sobol_sums);
  const std::string& payload = shard.partial.payload;
  std::uint64_t size = 0;
  if (payload.size() < sizeof size) throw input_problem(shard.file, "(payload)", "a Sobol shard's sums", "a cut payload");
  std::memcpy(&size, payload.data(), sizeof size);
  if (payload.size() - sizeof size < size)
    throw input_problem(shard.file, "(payload)", "a Sobol shard's sums", "a cut payload");
  shard.settings = payload.substr(sizeof size, size);
  shard.sums = payload.substr(sizeof size + size);
  if (fnv1a(shard.settings) != shard.partial.identity.plan_hash)
    throw input_problem(shard.file, "(payload)", "a Sobol shard's sums", "settings that do not match the header");
  return shard;
}

std::string missing_shard(std::uint64_t samples, std::uint64_t count, std::uint64_t begin, std::uint64_t end) {
  for (std::uint64_t index = 0; index < count; ++index) {
    const PathRange range = shard_range(samples, ShardSpec{index, count});
    if (range.begin == begin)
      return "shard " + std::to_string(index) + "/" + std::to_string(count) + " (" +
             samples_text(range.begin, range.end) + ")";
  }
  return samples_text(begin, end);
}

// Same scenario, seed, precision, base samples and settings as the first; ranges disjoint and
// covering [0, N).
void check_shards_belong_together(const std::vector<SobolShard>& shards) {
  const SobolShard& first = shards.front();
  const PartialIdentity& one = first.partial.identity;
  for (const SobolShard& shard : shards) {
    const PartialIdentity& id = shard.partial.identity;
    const auto refuse = [&](const std::string& what, const std::string& expected, const std::string& found) {
      throw input_problem(shard.file, what, expected + ", as " + first.directory, found + " (foreign shard)");
    };
    if (id.scenario_hash != one.scenario_hash) refuse("(scenario)", "the same scenario", "another scenario");
    if (id.seed != one.seed) refuse("(seed)", "seed " + std::to_string(one.seed), "seed " + std::to_string(id.seed));
    if (id.precision != one.precision)
      refuse("(precision)", std::string("--precision ") + precision_name(one.precision),
             std::string("--precision ") + precision_name(id.precision));
    if (id.paths != one.paths)
      refuse("(base samples)", "--paths " + std::to_string(one.paths), "--paths " + std::to_string(id.paths));
    if (shard.settings != first.settings) refuse("(settings)", "--for, --group and --bootstrap " + first.settings, shard.settings);
    if (id.first_path > id.end_path || id.end_path > id.paths)
      throw input_problem(shard.file, "(range)", "a range inside the analysis", samples_text(id.first_path, id.end_path));
  }
  std::vector<const SobolShard*> ordered;
  for (const SobolShard& shard : shards) ordered.push_back(&shard);
  std::sort(ordered.begin(), ordered.end(), [](const SobolShard* a, const SobolShard* b) {
    const PartialIdentity &x = a->partial.identity, &y = b->partial.identity;
    return x.first_path < y.first_path || (x.first_path == y.first_path && x.end_path < y.end_path);
  });
  std::uint64_t covered = 0;
  const SobolShard* previous = nullptr;
  for (const SobolShard* shard : ordered) {
    const PartialIdentity& id = shard->partial.identity;
    if (id.first_path < covered) {
      const PartialIdentity& other = previous->partial.identity;
      const bool same = other.first_path == id.first_path && other.end_path == id.end_path;
      throw input_problem(shard->file, "(range)", "base samples not covered by another shard",
                          samples_text(id.first_path, id.end_path) + (same ? ", a duplicate of " : ", overlapping ") +
                              previous->directory);
    }
    if (id.first_path > covered)
      throw input_problem(shard->directory, "(shards)", "every base sample in exactly one shard",
                          "no shard for " + missing_shard(id.paths, id.shard_count, covered, id.first_path) +
                              ": missing shard");
    covered = id.end_path;
    previous = shard;
  }
  if (covered < one.paths) {
    const PartialIdentity& last = ordered.back()->partial.identity;
    throw input_problem(ordered.back()->directory, "(shards)", "every base sample in exactly one shard",
                        "no shard for " + missing_shard(one.paths, last.shard_count, covered, one.paths) +
                            ": missing shard");
  }
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw input_problem(path, "(file)", "the scenario a shard ran", "no such file");
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

PathRange run_sobol_shard(const Scenario& scenario, const SobolShardSettings& settings, const SobolRequest& request,
                          ShardSpec shard, const std::string& directory) {
  const SobolSetup setup = sobol_setup(scenario, settings.for_texts, settings.group_texts, scenario.file);
  const PathRange range = shard_range(request.base_samples, shard);
  const std::vector<PickFreezeSums> sums =
      sobol_sums_on_cpu(scenario, setup.groups, setup.outputs, request, range.begin, range.end);
  std::error_code error;
  fs::create_directories(directory, error);
  if (error || !fs::is_directory(directory))
    throw ResourceError("cannot create the directory " + directory + (error ? ": " + error.message() : ""));
  const std::string settings_json = settings_text(settings, request);
  PartialFile file;
  file.kind = PartialKind::sobol_sums;
  file.identity = PartialIdentity{fnv1a(scenario.resolved_json), request.seed, request.base_samples, shard.index,
                                  shard.count, range.begin, range.end, 1, fnv1a(settings_json), request.precision};
  file.payload = payload_of(settings_json, sobol_sums_bytes(sums));
  write_file_atomically((fs::path(directory) / "scenario.json").string(), scenario.resolved_json + "\n");
  write_partial_file((fs::path(directory) / kSobolPartialName).string(), file);
  return range;
}

bool is_sobol_shard(const std::string& directory) { return fs::exists(fs::path(directory) / kSobolPartialName); }

SobolAnalysis merge_sobol_shards(const std::vector<std::string>& directories, const std::string& out_directory) {
  const auto begin = std::chrono::steady_clock::now();
  if (directories.empty()) throw input_problem("(arguments)", "DIR", "one or more shard directories", "none");
  std::vector<SobolShard> shards;
  for (const std::string& directory : directories) shards.push_back(read_shard(directory));
  check_shards_belong_together(shards);

  const std::string scenario_file = (fs::path(directories.front()) / "scenario.json").string();
  const Scenario scenario = load_scenario_text(read_text(scenario_file), scenario_file);
  const PartialIdentity& identity = shards.front().partial.identity;
  if (fnv1a(scenario.resolved_json) != identity.scenario_hash)
    throw input_problem(scenario_file, "(scenario)", "the scenario the shard ran", "another scenario");
  SobolShardSettings settings;
  SobolRequest request;
  try {
    const nlohmann::json json = nlohmann::json::parse(shards.front().settings);
    settings.for_texts = json.at("for").get<std::vector<std::string>>();
    settings.group_texts = json.at("group").get<std::vector<std::string>>();
    request.bootstrap = json.at("bootstrap").get<int>();
    request.level = json.at("level").get<double>();
  } catch (const nlohmann::json::exception& error) {
    throw input_problem(shards.front().file, "(payload)", "a Sobol shard's settings", error.what());
  }
  request.base_samples = identity.paths;
  request.seed = identity.seed;
  request.backend = "cpu";
  request.precision = identity.precision;
  const SobolSetup setup = sobol_setup(scenario, settings.for_texts, settings.group_texts, scenario_file);

  std::vector<PickFreezeSums> merged;
  for (const SobolShard& shard : shards) {
    std::vector<PickFreezeSums> part;
    try {
      part = sobol_sums_from_bytes(shard.sums);
      if (part.size() != setup.outputs.size()) throw std::invalid_argument("sums of another number of outputs");
      if (merged.empty()) {
        merged = std::move(part);
      } else {
        for (std::size_t o = 0; o < merged.size(); ++o) merged[o].merge(part[o]);
      }
    } catch (const std::invalid_argument& error) {
      throw input_problem(shard.file, "(payload)", "the Sobol sums of " + std::to_string(setup.outputs.size()) +
                                                       " outputs and " + std::to_string(setup.groups.size()) + " groups",
                          error.what());
    }
  }
  SobolAnalysis analysis = sobol_analysis_from_sums(scenario, setup.groups, setup.outputs, request, merged);
  analysis.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  std::error_code error;
  fs::create_directories(out_directory, error);
  if (error || !fs::is_directory(out_directory))
    throw ResourceError("cannot create the directory " + out_directory + (error ? ": " + error.message() : ""));
  write_sobol_files(out_directory, scenario, analysis);
  return analysis;
}

}  // namespace chokepoint
