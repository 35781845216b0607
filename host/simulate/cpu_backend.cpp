// The CPU backend: OpenMP threads over fixed batches of paths; within a batch, packs of
// kPackWidth paths go through the shared step of include/chokepoint/path_step.hpp, one path per
// SIMD lane. Every path writes only its own slots of the results and no lane sees another, so
// neither the thread count nor the packing changes a bit.
#include <omp.h>
#include <sys/sysinfo.h>

#include <atomic>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <exception>
#include <memory>

#include "chokepoint/checked_size.hpp"
#include "chokepoint/engine.hpp"
#include "chokepoint/path_step.hpp"
#include "chokepoint/stored_value.hpp"
#include "chokepoint/year_record.hpp"
#include "simulate/pack_start.hpp"
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

simd::CounterPack pack_counter(std::uint32_t stream, const PackPaths& paths, std::uint32_t block) {
  const simd::WordVector zero{};
  return simd::CounterPack{{zero + block, zero + stream, paths.path_low, paths.path_high}};
}

// The Philox words of block `block` of each of `count` streams (stream_of(i)) for every path of
// the pack, two streams per Philox call.
template <class StreamOf>
void pack_blocks(PhiloxKey key, int count, StreamOf stream_of, const PackPaths& paths, std::uint32_t block,
                 simd::CounterPack* words) {
  for (int i = 0; i < count; ++i) words[i] = pack_counter(stream_of(i), paths, block);
  int i = 0;
  for (; i + 1 < count; i += 2) simd::philox4x32_10_pair(words[i], words[i + 1], key);
  if (i < count) words[i] = simd::philox4x32_10(words[i], key);
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

// The start normals of every lane with pack Philox and Box–Muller, then the shared start_path on
// the pack (copula, quantile tables, initial conditions, the path's constants).
// Also keeps each lane's parameter draws in `lane_draws`, for the derived outputs.
void start_pack(const Model& model, PhiloxKey key, const PackPaths& paths, PathState<Pack>& state,
                double (*lane_draws)[kMaxUncertain]) {
  StartNormals<Pack> normals;
  simd::CounterPack words[kMaxUncertain];
  pack_blocks(key, model.uncertain_count, [&](int i) { return model.uncertain[i].stream; }, paths, 0, words);
  for (int i = 0; i < model.uncertain_count; ++i)
    normals.parameter[i] = box_muller_uniforms(simd::open_uniforms(words[i].word[0]), simd::open_uniforms(words[i].word[1])).first;
  pack_blocks(key, model.factor_count, [&](int f) { return model.factors[f].stream; }, paths, 0, words);
  for (int f = 0; f < model.factor_count; ++f) {
    const NormalPairOf<Pack> pair = box_muller_uniforms(simd::open_uniforms(words[f].word[0]), simd::open_uniforms(words[f].word[1]));
    normals.shock[f] = pair.first;
    normals.trend[f] = pair.second;
  }
  start_path_pack(model, normals, state);
  for (int lane = 0; lane < kPackWidth; ++lane)
    for (int i = 0; i < model.uncertain_count; ++i) lane_draws[lane][i] = state.draws[i][lane];
}

struct PackNormalCache {
  Pack normal[kMaxFactors][4];
};

// draw_step_shocks of path_step.hpp for a pack: Philox lane by lane, Box–Muller on the packs.
// In mixed precision the factors' normals come from box_muller_float, on twice the lanes.
template <Precision kPrecision>
void draw_pack_shocks(const Model& model, PhiloxKey key, const PackPaths& paths, int step, PackNormalCache& cache,
                      StepShocks<Pack>& shocks) {
  const int lane_of_step = shock_lane(step);
  simd::CounterPack words[kMaxFactors > kMaxEvents ? kMaxFactors : kMaxEvents];
  if (lane_of_step == 0) {
    pack_blocks(key, model.factor_count, [&](int f) { return model.factors[f].stream; }, paths, shock_block(step), words);
    for (int f = 0; f < model.factor_count; ++f) {
      if constexpr (kPrecision == Precision::mixed) {
        const simd::FourNormalPacks normals = simd::four_normals_float(words[f]);
        for (int i = 0; i < 4; ++i) cache.normal[f][i] = normals.value[i];
        continue;
      }
      const NormalPairOf<Pack> a = box_muller_uniforms(simd::open_uniforms(words[f].word[0]), simd::open_uniforms(words[f].word[1]));
      const NormalPairOf<Pack> b = box_muller_uniforms(simd::open_uniforms(words[f].word[2]), simd::open_uniforms(words[f].word[3]));
      cache.normal[f][0] = a.first;
      cache.normal[f][1] = a.second;
      cache.normal[f][2] = b.first;
      cache.normal[f][3] = b.second;
    }
  }
  for (int f = 0; f < model.factor_count; ++f) shocks.normal[f] = cache.normal[f][lane_of_step];
  pack_blocks(key, model.event_count, [&](int e) { return model.events[e].stream; }, paths,
              static_cast<std::uint32_t>(step), words);
  for (int e = 0; e < model.event_count; ++e) {
    shocks.fire[e] = simd::open_uniforms(words[e].word[0]);
    shocks.severity[e] = simd::open_uniforms(words[e].word[1]);
    shocks.forced_severity[e] = simd::open_uniforms(words[e].word[2]);
  }
}

// Everything one thread needs to run packs, allocated once per thread (a pack's state is ~25 kB).
struct PackWorkspace {
  PathState<Pack> state;
  PackNormalCache cache;
  StepShocks<Pack> shocks;
  StepOutcome<Pack> outcome;
  YearRecord<Pack> record;
  double lane_draws[kPackWidth][kMaxUncertain];
};

// A full pack's lanes into a float column as one vector store, unless a lane lies beyond float
// range: stored_value() saturates those (and counts them later) where a plain conversion would
// make them infinite.
void store_pack(Pack value, float* column) {
  const simd::Vector magnitude = value.v < 0.0 ? -value.v : value.v;
  if (!simd::any(simd::PackMask{magnitude > static_cast<double>(FLT_MAX)})) {
    const simd::FloatVector values = __builtin_convertvector(value.v, simd::FloatVector);
    std::memcpy(column, &values, sizeof values);
    return;
  }
  for (int lane = 0; lane < kPackWidth; ++lane) column[lane] = stored_value(value[lane]);
}

// The scenario's derived outputs of one year for the pack's paths, from the year's float columns
// and the parameter draws the path started with: what add_derived_outputs computes after the
// run, in the same order of operations, without drawing the parameters a second time.
void write_derived_outputs(const Scenario& scenario, int year, const PackPaths& paths, std::uint64_t first_slot,
                           const PackWorkspace& work, PathResults& results) {
  const Model& model = *scenario.model;
  for (const DerivedOutput& output : scenario.derived) {
    float* column = results.column(output.variable, year) + first_slot;
    if (paths.count == kPackWidth) {
      // A full pack: the same sum on all lanes at once, the draws from the pack's state.
      Pack value = model.scheduled(output.constant, year, work.state.draws);
      for (const DerivedTerm& term : output.terms) {
        simd::FloatVector stored;
        std::memcpy(&stored, results.column(term.variable, year) + first_slot, sizeof stored);
        value += model.scheduled(term.coefficient, year, work.state.draws) * Pack(__builtin_convertvector(stored, simd::Vector));
      }
      store_pack(value, column);
      continue;
    }
    for (int lane = 0; lane < paths.count; ++lane) {
      const double* draws = work.lane_draws[lane];
      double value = model.scheduled(output.constant, year, draws);
      for (const DerivedTerm& term : output.terms)
        value += model.scheduled(term.coefficient, year, draws) * results.column(term.variable, year)[first_slot + lane];
      column[lane] = static_cast<float>(value);
    }
  }
}

// One pack from start to end, writing its years into `results` at the paths' own slots.
template <Precision kPrecision>
void simulate_pack(const Scenario& scenario, PhiloxKey key, const PackPaths& paths, std::uint64_t first_slot,
                   PackWorkspace& work, PathResults& results) {
  const Model& model = *scenario.model;
  start_pack(model, key, paths, work.state, work.lane_draws);
  const int variables = variable_count(model);
  for (int year = 0; year < model.years; ++year) {
    begin_year(model, work.record);
    for (int s = 0; s < model.steps_per_year; ++s) {
      const int step = year * model.steps_per_year + s + 1;
      draw_pack_shocks<kPrecision>(model, key, paths, step, work.cache, work.shocks);
      step_path<Pack, kPrecision>(model, step, work.shocks, work.state, work.outcome);
      record_step<kPrecision>(model, work.outcome, work.state, work.record);
    }
    // A full pack converts and stores each column's lanes as one vector (the lanes are
    // consecutive paths); the last, partial pack of a batch goes lane by lane.
    const bool full = paths.count == kPackWidth;
    for (int v = 0; v < variables; ++v) {
      float* column = results.column(v, year) + first_slot;
      if (full) {
        store_pack(work.record.value[v], column);
        continue;
      }
      for (int lane = 0; lane < paths.count; ++lane) column[lane] = stored_value(work.record.value[v][lane]);
    }
    for (int code = 0; code <= model.stage_count; ++code) {
      std::uint8_t* column = results.binding_column(code, year) + first_slot;
      if (full) {
        typedef std::uint8_t CountVector __attribute__((vector_size(kPackWidth)));
        typedef std::int64_t WholeVector __attribute__((vector_size(kPackWidth * sizeof(std::int64_t))));
        const CountVector counts = __builtin_convertvector(
            __builtin_convertvector(work.record.binding_steps[code].v, WholeVector), CountVector);
        std::memcpy(column, &counts, sizeof counts);
        continue;
      }
      for (int lane = 0; lane < paths.count; ++lane)
        column[lane] = static_cast<std::uint8_t>(work.record.binding_steps[code][lane]);
    }
    write_derived_outputs(scenario, year, paths, first_slot, work, results);
  }
}

// A request larger than the machine's memory and swap together cannot succeed; with Linux's
// overcommit it might still be granted, and the process killed part-way through the run. Refuse
// it up front with the sizes, as a resource error.
void require_memory(std::uint64_t bytes, const std::string& what) {
  struct sysinfo info {};
  if (::sysinfo(&info) != 0) return;  // unknown: let the allocation decide
  const std::uint64_t total = saturating_product({saturating_sum({info.totalram, info.totalswap}), info.mem_unit});
  if (bytes <= total) return;
  throw ResourceError(what + " need " + std::to_string(bytes >> 20) + " MiB of per-path results; this machine has " +
                      std::to_string(total >> 20) + " MiB of memory and swap; run fewer paths");
}

PathResults allocate_results(const Scenario& scenario, std::uint64_t paths) {
  const Model& model = *scenario.model;
  PathResults results;
  results.paths = paths;
  results.years = model.years;
  // The derived outputs are computed with the simulation (write_derived_outputs), so
  // add_derived_outputs finds them there.
  results.variables = static_cast<int>(scenario.variables.size());
  results.binding_codes = 1 + model.stage_count;
  // Sized with checked products: a path count near 2⁶⁴ must not wrap to a small buffer.
  const std::optional<std::uint64_t> values =
      checked_product({scenario.variables.size(), static_cast<std::uint64_t>(results.years), paths});
  const std::optional<std::uint64_t> binding_counts =
      checked_product({static_cast<std::uint64_t>(results.binding_codes), static_cast<std::uint64_t>(results.years), paths});
  const std::optional<std::uint64_t> bytes =
      values && binding_counts ? checked_sum({checked_product({*values, sizeof(float)}).value_or(~0ull), *binding_counts})
                               : std::nullopt;
  if (!bytes || *bytes == ~0ull)
    throw ResourceError(std::to_string(paths) + " paths need more bytes of per-path results than 64 bits can count (" +
                        std::to_string(bytes_per_path(scenario)) + " bytes per path); run fewer paths");
  require_memory(*bytes, std::to_string(paths) + " paths");
  try {
    results.values.resize(*values);
    results.binding_steps.resize(*binding_counts);
  } catch (const std::bad_alloc&) {
    throw ResourceError("not enough memory for " + std::to_string(paths) + " paths (" +
                        std::to_string(*bytes >> 20) + " MiB of per-path results)");
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
                        PathResults& batch, Precision precision) {
  const Model& model = *scenario.model;
  batch.paths = count;
  batch.years = model.years;
  // The derived outputs are computed with the simulation, as in simulate_cpu.
  batch.variables = static_cast<int>(scenario.variables.size());
  batch.binding_codes = 1 + model.stage_count;
  batch.values.resize(static_cast<std::size_t>(batch.variables) * batch.years * count);
  batch.binding_steps.resize(static_cast<std::size_t>(batch.binding_codes) * batch.years * count);
  thread_local std::unique_ptr<PackWorkspace> work;
  if (!work) work = std::make_unique<PackWorkspace>();
  const PhiloxKey key = seed_key(seed);
  const std::uint64_t end = first_path + count;
  for (std::uint64_t pack_first = first_path; pack_first < end; pack_first += kPackWidth)
    if (precision == Precision::mixed)
      simulate_pack<Precision::mixed>(scenario, key, pack_paths(pack_first, end), pack_first - first_path, *work, batch);
    else
      simulate_pack<Precision::reference>(scenario, key, pack_paths(pack_first, end), pack_first - first_path, *work,
                                          batch);
}

PathResults simulate_cpu(const Scenario& scenario, std::uint64_t paths, std::uint64_t seed, int threads,
                         const std::function<void(double)>& progress, Precision precision) {
  PathResults results = allocate_results(scenario, paths);
  const PhiloxKey key = seed_key(seed);
  constexpr std::uint64_t kBatch = 256;
  const std::int64_t batches = static_cast<std::int64_t>((paths + kBatch - 1) / kBatch);
  std::atomic<std::int64_t> done{0};
  const int thread_count = threads > 0 ? threads : omp_get_max_threads();
  // An exception may not leave an OpenMP region, and a front end stops a run (Ctrl-C in Python)
  // by throwing from `progress`: the throw is caught here, the remaining batches are skipped,
  // and it is rethrown once the threads have joined.
  std::atomic<bool> stopping{false};
  std::exception_ptr stopped_by;  // written by thread 0 only

#pragma omp parallel num_threads(thread_count)
  {
    auto work = std::make_unique<PackWorkspace>();
#pragma omp for schedule(dynamic, 4)
    for (std::int64_t batch = 0; batch < batches; ++batch) {
      if (stopping.load(std::memory_order_relaxed)) continue;
      const std::uint64_t first = static_cast<std::uint64_t>(batch) * kBatch;
      const std::uint64_t last = std::min(paths, first + kBatch);
      for (std::uint64_t pack_first = first; pack_first < last; pack_first += kPackWidth)
        if (precision == Precision::mixed)
          simulate_pack<Precision::mixed>(scenario, key, pack_paths(pack_first, last), pack_first, *work, results);
        else
          simulate_pack<Precision::reference>(scenario, key, pack_paths(pack_first, last), pack_first, *work, results);
      const std::int64_t finished = ++done;
      if (progress && omp_get_thread_num() == 0) {
        try {
          progress(static_cast<double>(finished) / static_cast<double>(batches));
        } catch (...) {
          stopped_by = std::current_exception();
          stopping.store(true, std::memory_order_relaxed);
        }
      }
    }
  }
  if (stopped_by) std::rethrow_exception(stopped_by);
  if (progress) progress(1.0);
  return results;
}

namespace {

template <Precision kPrecision>
std::vector<TrajectoryPoint> trace_pack(const Scenario& scenario, std::uint64_t seed, std::uint64_t path) {
  // The same pack code as simulate_cpu, with the path in every lane, so the trace equals the
  // run's numbers bit for bit.
  const Model& model = *scenario.model;
  const PhiloxKey key = seed_key(seed);
  const PackPaths paths = pack_paths(path, path + 1);
  auto work = std::make_unique<PackWorkspace>();
  start_pack(model, key, paths, work->state, work->lane_draws);
  std::vector<TrajectoryPoint> trajectory;
  StepOutcome<double> out{};
  PathState<double> state{};
  for (int step = 1; step <= model.steps; ++step) {
    draw_pack_shocks<kPrecision>(model, key, paths, step, work->cache, work->shocks);
    step_path<Pack, kPrecision>(model, step, work->shocks, work->state, work->outcome);
    extract_lane<StepOutcome>(work->outcome, 0, out);
    extract_lane<PathState>(work->state, 0, state);
    trajectory.push_back(TrajectoryPoint{step, out.token_demand, out.throughput, out.wanted, out.produced, out.deployed,
                                         state.inventory, state.fleet, state.token_capacity, out.served,
                                         static_cast<int>(out.binding)});
  }
  return trajectory;
}

}  // namespace

std::vector<TrajectoryPoint> trace_path(const Scenario& scenario, std::uint64_t seed, std::uint64_t path,
                                        Precision precision) {
  return precision == Precision::mixed ? trace_pack<Precision::mixed>(scenario, seed, path)
                                       : trace_pack<Precision::reference>(scenario, seed, path);
}

CHOKEPOINT_CODE_BEGIN
void start_path_pack(const Model& model, const StartNormals<Pack>& normals, PathState<Pack>& state) {
  start_path<Pack>(model, normals, state);
}
CHOKEPOINT_CODE_END

}  // namespace chokepoint
