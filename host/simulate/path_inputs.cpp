// compute_path_inputs: a path's drawn inputs recomputed from its streams, a SIMD pack of paths at
// a time with the pack Philox and Box–Muller the CPU backend's start uses (so the normals, and
// with them the parameter values, are the step's bit for bit). Compiled for the same CPU as the
// backend (CMakeLists.txt), since libmvec's results may differ between vector widths.
#include "chokepoint/path_inputs.hpp"

#include <algorithm>
#include <memory>

#include "simulate/pack_start.hpp"
#include "simulate/simd_pack.hpp"
#include "simulate/simd_philox.hpp"

namespace chokepoint {

using simd::kPackWidth;
using simd::Pack;

namespace {

// Lanes past the last path repeat it (and are not stored), as in the backend.
struct InputPack {
  std::uint64_t first;
  int count;
  simd::WordVector path_low;
  simd::WordVector path_high;
};

InputPack input_pack(std::uint64_t first, std::uint64_t end) {
  InputPack pack{};
  pack.first = first;
  pack.count = static_cast<int>(std::min<std::uint64_t>(kPackWidth, end - first));
  for (int lane = 0; lane < kPackWidth; ++lane) {
    const std::uint64_t path = first + static_cast<std::uint64_t>(std::min(lane, pack.count - 1));
    pack.path_low[lane] = static_cast<std::uint32_t>(path);
    pack.path_high[lane] = static_cast<std::uint32_t>(path >> 32);
  }
  return pack;
}

// Block `block` of `count` streams for every lane, two streams per Philox call.
template <class StreamOf>
void philox_blocks(PhiloxKey key, int count, StreamOf stream_of, const InputPack& pack, std::uint32_t block,
                   simd::CounterPack* words) {
  const simd::WordVector zero{};
  for (int i = 0; i < count; ++i)
    words[i] = simd::CounterPack{{zero + block, zero + stream_of(i), pack.path_low, pack.path_high}};
  int i = 0;
  for (; i + 1 < count; i += 2) simd::philox4x32_10_pair(words[i], words[i + 1], key);
  if (i < count) words[i] = simd::philox4x32_10(words[i], key);
}

NormalPairOf<Pack> first_pair(const simd::CounterPack& words) {
  return box_muller_uniforms(simd::open_uniforms(words.word[0]), simd::open_uniforms(words.word[1]));
}

// The backend's own start of a pack (pack_start.hpp) gives the values, trends and fire probabilities.
struct StartWorkspace {
  StartNormals<Pack> normals;
  PathState<Pack> state;
};

void pack_inputs(const Model& model, PhiloxKey key, const InputPack& pack, std::size_t slot, bool full,
                 StartWorkspace& work, PathInputs& inputs) {
  simd::CounterPack words[kMaxUncertain];
  Pack parameter_normal[kMaxUncertain];
  Pack trend_normal[kMaxFactors];
  philox_blocks(key, model.uncertain_count, [&](int i) { return model.uncertain[i].stream; }, pack, 0, words);
  for (int i = 0; i < model.uncertain_count; ++i) parameter_normal[i] = first_pair(words[i]).first;
  philox_blocks(key, model.factor_count, [&](int f) { return model.factors[f].stream; }, pack, 0, words);
  for (int f = 0; f < model.factor_count; ++f) {
    const NormalPairOf<Pack> pair = first_pair(words[f]);
    work.normals.shock[f] = pair.first;
    trend_normal[f] = pair.second;
  }

  const std::size_t paths = inputs.paths;
  double fire_probability[kMaxEvents][kPackWidth];
  // The step's start gives the values, the trends and (from drawn rates) the fire probabilities;
  // without values and with constant rates it is not needed.
  bool drawn_rates = false;
  for (int e = 0; e < model.event_count; ++e) drawn_rates |= model.events[e].rate.draw >= 0;
  const bool start = full || drawn_rates;
  for (int i = 0; i < model.uncertain_count; ++i) work.normals.parameter[i] = parameter_normal[i];
  for (int f = 0; f < model.factor_count; ++f) work.normals.trend[f] = trend_normal[f];
  if (start) start_path_pack(model, work.normals, work.state);
  const double no_draws[1] = {0.0};  // constant rates read no draw
  for (int lane = 0; lane < pack.count; ++lane) {
    const std::size_t at = slot + static_cast<std::size_t>(lane);
    double lane_normals[kMaxUncertain];
    for (int i = 0; i < model.uncertain_count; ++i) lane_normals[i] = parameter_normal[i][lane];
    double z[kMaxUncertain];
    parameter_copula_normals(model, lane_normals, z);
    for (int i = 0; i < model.uncertain_count; ++i) {
      if (full) inputs.parameter_value[static_cast<std::size_t>(i) * paths + at] = work.state.draws[i][lane];
      inputs.parameter_z[static_cast<std::size_t>(i) * paths + at] = z[i];
    }
    double lane_trend[kMaxFactors];
    for (int f = 0; f < model.factor_count; ++f) lane_trend[f] = trend_normal[f][lane];
    double correlated[kMaxFactors];
    correlate(model.trend_cholesky, model.factor_count, lane_trend, correlated);
    for (int f = 0; f < model.factor_count; ++f) {
      if (full) inputs.trend[static_cast<std::size_t>(f) * paths + at] = work.state.trend[f][lane];
      inputs.trend_z[static_cast<std::size_t>(f) * paths + at] = correlated[f];
    }
    for (int e = 0; e < model.event_count; ++e)
      fire_probability[e][lane] =
          start ? work.state.event_fire_probability[e][lane] : event_fire_probability(model, e, no_draws);
  }

  if (model.event_count == 0) return;
  Pack probability[kMaxEvents];
  for (int e = 0; e < model.event_count; ++e)
    for (int lane = 0; lane < kPackWidth; ++lane)
      probability[e].set(lane, fire_probability[e][std::min(lane, pack.count - 1)]);
  for (int year = 0; year < model.years; ++year) {
    Pack count[kMaxEvents];
    for (int e = 0; e < model.event_count; ++e) count[e] = Pack(0.0);
    for (int s = 0; s < model.steps_per_year; ++s) {
      const int step = year * model.steps_per_year + s + 1;
      philox_blocks(key, model.event_count, [&](int e) { return model.events[e].stream; }, pack,
                    static_cast<std::uint32_t>(step), words);
      for (int e = 0; e < model.event_count; ++e)
        count[e] += select(simd::open_uniforms(words[e].word[0]) < probability[e], Pack(1.0), Pack(0.0));
    }
    for (int e = 0; e < model.event_count; ++e) {
      std::uint8_t* column = inputs.fires.data() + (static_cast<std::size_t>(e) * inputs.years + year) * paths + slot;
      for (int lane = 0; lane < pack.count; ++lane) column[lane] = static_cast<std::uint8_t>(count[e][lane]);
    }
  }
}

}  // namespace

void compute_path_inputs(const Scenario& scenario, std::uint64_t seed, std::uint64_t first_path, std::uint64_t count,
                         PathInputs& inputs, bool full) {
  const Model& model = *scenario.model;
  inputs.first_path = first_path;
  inputs.paths = count;
  inputs.parameters = model.uncertain_count;
  inputs.factors = model.factor_count;
  inputs.events = model.event_count;
  inputs.years = model.years;
  const std::size_t parameter_cells = static_cast<std::size_t>(model.uncertain_count) * count;
  const std::size_t factor_cells = static_cast<std::size_t>(model.factor_count) * count;
  inputs.parameter_value.resize(full ? parameter_cells : 0);
  inputs.parameter_z.resize(parameter_cells);
  inputs.trend.resize(full ? factor_cells : 0);
  inputs.trend_z.resize(factor_cells);
  inputs.fires.resize(static_cast<std::size_t>(model.event_count) * static_cast<std::size_t>(model.years) * count);
  const PhiloxKey key = seed_key(seed);
  const std::uint64_t end = first_path + count;
  const auto work = std::make_unique<StartWorkspace>();
  for (std::uint64_t first = first_path; first < end; first += kPackWidth)
    pack_inputs(model, key, input_pack(first, end), static_cast<std::size_t>(first - first_path), full, *work, inputs);
  inputs.parameter_u.clear();
  inputs.trend_u.clear();
  if (!full) return;
  for (double z : inputs.parameter_z) inputs.parameter_u.push_back(normal_cdf(z));
  for (double z : inputs.trend_z) inputs.trend_u.push_back(normal_cdf(z));
}

}  // namespace chokepoint
