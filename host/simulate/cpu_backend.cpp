// The CPU backend: OpenMP threads over fixed batches of paths; within a batch, packs of
// kPackWidth paths go through the shared step of include/chokepoint/path_step.hpp, one path per
// SIMD lane. Every path writes only its own slots of the results and no lane sees another, so
// neither the thread count nor the packing changes a bit.
#include <omp.h>

#include <atomic>
#include <cstring>
#include <memory>

#include "chokepoint/engine.hpp"
#include "chokepoint/path_step.hpp"
#include "chokepoint/year_record.hpp"
#include "simulate/simd_pack.hpp"
#include "simulate/simd_philox.hpp"

namespace chokepoint {

using simd::kPackWidth;
using simd::Pack;

namespace {

// The paths of one pack: lanes past the last real path repeat it and are not written.
struct PackPaths {
  std::uint64_t path[kPackWidth];
  simd::WordVector path_low;   // counter words 2 and 3 of every lane (random_streams.hpp)
  simd::WordVector path_high;
  int count;
};

PackPaths pack_paths(std::uint64_t first, std::uint64_t end) {
  PackPaths paths{};
  paths.count = static_cast<int>(std::min<std::uint64_t>(kPackWidth, end - first));
  for (int lane = 0; lane < kPackWidth; ++lane) {
    paths.path[lane] = first + std::min(lane, paths.count - 1);
    paths.path_low[lane] = static_cast<std::uint32_t>(paths.path[lane]);
    paths.path_high[lane] = static_cast<std::uint32_t>(paths.path[lane] >> 32);
  }
  return paths;
}

// The Philox words of block `block` of `stream` for every path of the pack.
simd::CounterPack pack_block(PhiloxKey key, std::uint32_t stream, const PackPaths& paths, std::uint32_t block) {
  const simd::WordVector zero{};
  return simd::philox4x32_10(simd::CounterPack{{zero + block, zero + stream, paths.path_low, paths.path_high}}, key);
}

// A struct of doubles and the same struct of packs have the same members in the same order, so
// lane `lane` of the packed one is every kPackWidth-th double of it. Used to move a path's
// start (computed one path at a time) into its lane, and a lane's outcome out again.
template <template <class> class Record>
void insert_lane(Record<Pack>& packed, int lane, const Record<double>& one) {
  static_assert(sizeof(Record<Pack>) == kPackWidth * sizeof(Record<double>), "same members, packed");
  constexpr std::size_t count = sizeof(Record<double>) / sizeof(double);
  const auto* from = reinterpret_cast<const unsigned char*>(&one);
  auto* to = reinterpret_cast<Pack*>(&packed);
  for (std::size_t i = 0; i < count; ++i) {
    double value;
    std::memcpy(&value, from + i * sizeof(double), sizeof(double));
    to[i].set(lane, value);
  }
}

template <template <class> class Record>
void extract_lane(const Record<Pack>& packed, int lane, Record<double>& one) {
  constexpr std::size_t count = sizeof(Record<double>) / sizeof(double);
  const auto* from = reinterpret_cast<const Pack*>(&packed);
  auto* to = reinterpret_cast<unsigned char*>(&one);
  for (std::size_t i = 0; i < count; ++i) {
    const double value = from[i][lane];
    std::memcpy(to + i * sizeof(double), &value, sizeof(double));
  }
}

// The start normals of every lane with pack Philox and Box–Muller, then each lane's start
// (copula, quantiles, initial conditions) one path at a time: it runs once per path.
void start_pack(const Model& model, PhiloxKey key, const PackPaths& paths, PathState<Pack>& state) {
  StartNormals<Pack> normals;
  for (int i = 0; i < model.uncertain_count; ++i) {
    const simd::CounterPack words = pack_block(key, model.uncertain[i].stream, paths, 0);
    normals.parameter[i] = box_muller_uniforms(simd::open_uniforms(words.word[0]), simd::open_uniforms(words.word[1])).first;
  }
  for (int f = 0; f < model.factor_count; ++f) {
    const simd::CounterPack words = pack_block(key, model.factors[f].stream, paths, 0);
    const NormalPairOf<Pack> pair = box_muller_uniforms(simd::open_uniforms(words.word[0]), simd::open_uniforms(words.word[1]));
    normals.shock[f] = pair.first;
    normals.trend[f] = pair.second;
  }
  StartNormals<double> lane_normals{};
  PathState<double> one{};
  for (int lane = 0; lane < kPackWidth; ++lane) {
    extract_lane<StartNormals>(normals, lane, lane_normals);
    start_path(model, lane_normals, one);
    insert_lane<PathState>(state, lane, one);
  }
}

struct PackNormalCache {
  Pack normal[kMaxFactors][4];
};

// draw_step_shocks of path_step.hpp for a pack: Philox lane by lane, Box–Muller on the packs.
void draw_pack_shocks(const Model& model, PhiloxKey key, const PackPaths& paths, int step, PackNormalCache& cache,
                      StepShocks<Pack>& shocks) {
  const int lane_of_step = shock_lane(step);
  if (lane_of_step == 0) {
    for (int f = 0; f < model.factor_count; ++f) {
      const simd::CounterPack words = pack_block(key, model.factors[f].stream, paths, shock_block(step));
      const NormalPairOf<Pack> a = box_muller_uniforms(simd::open_uniforms(words.word[0]), simd::open_uniforms(words.word[1]));
      const NormalPairOf<Pack> b = box_muller_uniforms(simd::open_uniforms(words.word[2]), simd::open_uniforms(words.word[3]));
      cache.normal[f][0] = a.first;
      cache.normal[f][1] = a.second;
      cache.normal[f][2] = b.first;
      cache.normal[f][3] = b.second;
    }
  }
  for (int f = 0; f < model.factor_count; ++f) shocks.normal[f] = cache.normal[f][lane_of_step];
  for (int e = 0; e < model.event_count; ++e) {
    const simd::CounterPack words = pack_block(key, model.events[e].stream, paths, static_cast<std::uint32_t>(step));
    shocks.fire[e] = simd::open_uniforms(words.word[0]);
    shocks.severity[e] = simd::open_uniforms(words.word[1]);
    shocks.forced_severity[e] = simd::open_uniforms(words.word[2]);
  }
}

// Everything one thread needs to run packs, allocated once per thread (a pack's state is ~25 kB).
struct PackWorkspace {
  PathState<Pack> state;
  PackNormalCache cache;
  StepShocks<Pack> shocks;
  StepOutcome<Pack> outcome;
  YearRecord<Pack> record;
};

// One pack from start to end, writing its years into `results` at the paths' own slots.
void simulate_pack(const Model& model, PhiloxKey key, const PackPaths& paths, std::uint64_t first_slot,
                   PackWorkspace& work, PathResults& results) {
  start_pack(model, key, paths, work.state);
  const int variables = variable_count(model);
  for (int year = 0; year < model.years; ++year) {
    begin_year(model, work.record);
    for (int s = 0; s < model.steps_per_year; ++s) {
      const int step = year * model.steps_per_year + s + 1;
      draw_pack_shocks(model, key, paths, step, work.cache, work.shocks);
      step_path(model, step, work.shocks, work.state, work.outcome);
      record_step(model, work.outcome, work.state, work.record);
    }
    for (int v = 0; v < variables; ++v) {
      float* column = results.column(v, year) + first_slot;
      for (int lane = 0; lane < paths.count; ++lane) column[lane] = static_cast<float>(work.record.value[v][lane]);
    }
    for (int code = 0; code <= model.stage_count; ++code) {
      std::uint8_t* column = results.binding_column(code, year) + first_slot;
      for (int lane = 0; lane < paths.count; ++lane)
        column[lane] = static_cast<std::uint8_t>(work.record.binding_steps[code][lane]);
    }
  }
}

PathResults allocate_results(const Scenario& scenario, std::uint64_t paths) {
  const Model& model = *scenario.model;
  PathResults results;
  results.paths = paths;
  results.years = model.years;
  results.variables = variable_count(model);
  results.binding_codes = 1 + model.stage_count;
  try {
    // Room for the derived outputs too, which add_derived_outputs appends without a copy.
    results.values.reserve(scenario.variables.size() * results.years * paths);
    results.values.resize(static_cast<std::size_t>(results.variables) * results.years * paths);
    results.binding_steps.resize(static_cast<std::size_t>(results.binding_codes) * results.years * paths);
  } catch (const std::bad_alloc&) {
    throw ResourceError("not enough memory for " + std::to_string(paths) + " paths (" +
                        std::to_string(paths * (static_cast<std::uint64_t>(results.variables) * 4 + results.binding_codes) *
                                       results.years / (1u << 20)) +
                        " MiB of per-path results)");
  }
  return results;
}

}  // namespace

std::uint64_t bytes_per_path(const Scenario& scenario) {
  const Model& model = *scenario.model;
  // Every reported variable, derived outputs included, and one binding count per code.
  return static_cast<std::uint64_t>(model.years) *
         (sizeof(float) * scenario.variables.size() + sizeof(std::uint8_t) * (1 + model.stage_count));
}

int cpu_pack_width() { return kPackWidth; }

void simulate_cpu_batch(const Scenario& scenario, std::uint64_t first_path, std::uint64_t count, std::uint64_t seed,
                        PathResults& batch) {
  const Model& model = *scenario.model;
  batch.paths = count;
  batch.years = model.years;
  batch.variables = variable_count(model);
  batch.binding_codes = 1 + model.stage_count;
  // Room for the derived outputs, which add_derived_outputs appends; kept between batches.
  batch.values.reserve(scenario.variables.size() * static_cast<std::size_t>(batch.years) * count);
  batch.values.resize(static_cast<std::size_t>(batch.variables) * batch.years * count);
  batch.binding_steps.resize(static_cast<std::size_t>(batch.binding_codes) * batch.years * count);
  thread_local std::unique_ptr<PackWorkspace> work;
  if (!work) work = std::make_unique<PackWorkspace>();
  const PhiloxKey key = seed_key(seed);
  const std::uint64_t end = first_path + count;
  for (std::uint64_t pack_first = first_path; pack_first < end; pack_first += kPackWidth)
    simulate_pack(model, key, pack_paths(pack_first, end), pack_first - first_path, *work, batch);
}

PathResults simulate_cpu(const Scenario& scenario, std::uint64_t paths, std::uint64_t seed, int threads,
                         const std::function<void(double)>& progress) {
  const Model& model = *scenario.model;
  PathResults results = allocate_results(scenario, paths);
  const PhiloxKey key = seed_key(seed);
  constexpr std::uint64_t kBatch = 256;
  const std::int64_t batches = static_cast<std::int64_t>((paths + kBatch - 1) / kBatch);
  std::atomic<std::int64_t> done{0};
  const int thread_count = threads > 0 ? threads : omp_get_max_threads();

#pragma omp parallel num_threads(thread_count)
  {
    auto work = std::make_unique<PackWorkspace>();
#pragma omp for schedule(dynamic, 4)
    for (std::int64_t batch = 0; batch < batches; ++batch) {
      const std::uint64_t first = static_cast<std::uint64_t>(batch) * kBatch;
      const std::uint64_t last = std::min(paths, first + kBatch);
      for (std::uint64_t pack_first = first; pack_first < last; pack_first += kPackWidth)
        simulate_pack(model, key, pack_paths(pack_first, last), pack_first, *work, results);
      const std::int64_t finished = ++done;
      if (progress && omp_get_thread_num() == 0)
        progress(static_cast<double>(finished) / static_cast<double>(batches));
    }
  }
  if (progress) progress(1.0);
  return results;
}

std::vector<TrajectoryPoint> trace_path(const Scenario& scenario, std::uint64_t seed, std::uint64_t path) {
  // The same pack code as simulate_cpu, with the path in every lane, so the trace equals the
  // run's numbers bit for bit.
  const Model& model = *scenario.model;
  const PhiloxKey key = seed_key(seed);
  const PackPaths paths = pack_paths(path, path + 1);
  auto work = std::make_unique<PackWorkspace>();
  start_pack(model, key, paths, work->state);
  std::vector<TrajectoryPoint> trajectory;
  StepOutcome<double> out{};
  PathState<double> state{};
  for (int step = 1; step <= model.steps; ++step) {
    draw_pack_shocks(model, key, paths, step, work->cache, work->shocks);
    step_path(model, step, work->shocks, work->state, work->outcome);
    extract_lane<StepOutcome>(work->outcome, 0, out);
    extract_lane<PathState>(work->state, 0, state);
    trajectory.push_back(TrajectoryPoint{step, out.token_demand, out.throughput, out.wanted, out.produced, out.deployed,
                                         state.inventory, state.fleet, state.token_capacity, out.served,
                                         static_cast<int>(out.binding)});
  }
  return trajectory;
}

}  // namespace chokepoint
