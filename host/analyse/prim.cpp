#include "analyse/prim.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>

namespace chokepoint {

namespace {

using PointList = std::vector<std::uint32_t>;

// The best move of one face of the box that peeling or pasting has found so far: the densest
// box beats `density`, the starting bar; a tie keeps the earlier move.
struct FaceMove {
  double density;
  int input = -1;  // -1: no move beats the bar
  bool is_lower = false;
  double limit = 0.0;

  void consider(double candidate_density, int candidate_input, bool candidate_is_lower, double candidate_limit) {
    if (candidate_density <= density) return;
    density = candidate_density;
    input = candidate_input;
    is_lower = candidate_is_lower;
    limit = candidate_limit;
  }
  bool found() const { return input >= 0; }
  void apply(std::vector<double>& lower, std::vector<double>& upper) const { (is_lower ? lower : upper)[input] = limit; }
};

class Search {
 public:
  Search(const PrimData& data, const PrimOptions& options, std::uint64_t all_points, std::uint64_t all_outcomes)
      : data_(data), options_(options), all_points_(all_points), all_outcomes_(all_outcomes) {}

  double value(std::uint32_t point, int input) const {
    return data_.x[static_cast<std::size_t>(point) * data_.inputs + input];
  }

  PrimBox describe(const std::vector<double>& lower, const std::vector<double>& upper, const PointList& inside) const {
    PrimBox box;
    box.lower = lower;
    box.upper = upper;
    box.points = inside.size();
    for (std::uint32_t p : inside) box.outcomes += data_.y[p];
    box.mass = static_cast<double>(box.points) / static_cast<double>(all_points_);
    box.density = box.points ? static_cast<double>(box.outcomes) / static_cast<double>(box.points) : 0.0;
    box.coverage = all_outcomes_ ? static_cast<double>(box.outcomes) / static_cast<double>(all_outcomes_) : 0.0;
    return box;
  }

  // The peeling trajectory over the points in play.
  std::vector<PrimBox> peel(const PointList& in_play, std::vector<double> lower, std::vector<double> upper) const {
    std::vector<PrimBox> trajectory{describe(lower, upper, in_play)};
    PointList inside = in_play;
    const auto least_points = static_cast<std::size_t>(std::ceil(options_.min_mass * static_cast<double>(all_points_)));
    std::vector<double> values;
    for (;;) {
      FaceMove best{-1.0};
      for (int input = 0; input < data_.inputs; ++input) {
        values.clear();
        for (std::uint32_t p : inside) values.push_back(value(p, input));
        for (const bool from_below : {true, false}) {
          double limit = 0.0;
          if (!cut_limit(values, from_below, limit)) continue;
          std::size_t kept = 0;
          std::uint64_t outcomes = 0;
          for (std::uint32_t p : inside) {
            const double v = value(p, input);
            if (from_below ? v >= limit : v <= limit) {
              ++kept;
              outcomes += data_.y[p];
            }
          }
          if (kept < least_points || kept == 0 || kept == inside.size()) continue;
          best.consider(static_cast<double>(outcomes) / static_cast<double>(kept), input, from_below, limit);
        }
      }
      if (!best.found()) break;
      best.apply(lower, upper);
      std::erase_if(inside, [&](std::uint32_t p) {
        const double v = value(p, best.input);
        return best.is_lower ? v < best.limit : v > best.limit;
      });
      trajectory.push_back(describe(lower, upper, inside));
    }
    return trajectory;
  }

  // Widens the box while that raises its density; returns the pasted box.
  PrimBox paste(const PointList& in_play, std::vector<double> lower, std::vector<double> upper) const {
    PointList inside = points_in(in_play, lower, upper);
    std::uint64_t outcomes = 0;
    for (std::uint32_t p : inside) outcomes += data_.y[p];
    std::vector<double> candidates;
    for (;;) {
      const double density = inside.empty() ? 0.0 : static_cast<double>(outcomes) / static_cast<double>(inside.size());
      const std::size_t step = std::max<std::size_t>(1, static_cast<std::size_t>(options_.paste_alpha * static_cast<double>(inside.size())));
      FaceMove best{density};
      for (int input = 0; input < data_.inputs; ++input) {
        for (const bool below : {true, false}) {
          // The points just outside this one face: inside on every other input.
          candidates.clear();
          for (std::uint32_t p : in_play) {
            const double v = value(p, input);
            if (below ? v >= lower[input] : v <= upper[input]) continue;
            if (inside_except(p, input, lower, upper)) candidates.push_back(v);
          }
          if (candidates.empty()) continue;
          const std::size_t take = std::min(step, candidates.size());
          if (below) {
            std::nth_element(candidates.begin(), candidates.begin() + (take - 1), candidates.end(), std::greater<>());
          } else {
            std::nth_element(candidates.begin(), candidates.begin() + (take - 1), candidates.end());
          }
          const double limit = candidates[take - 1];
          std::size_t added = 0;
          std::uint64_t added_outcomes = 0;
          for (std::uint32_t p : in_play) {
            const double v = value(p, input);
            const bool newly = below ? (v >= limit && v < lower[input]) : (v <= limit && v > upper[input]);
            if (newly && inside_except(p, input, lower, upper)) {
              ++added;
              added_outcomes += data_.y[p];
            }
          }
          best.consider(static_cast<double>(outcomes + added_outcomes) / static_cast<double>(inside.size() + added), input,
                        below, limit);
        }
      }
      if (!best.found()) break;
      best.apply(lower, upper);
      inside = points_in(in_play, lower, upper);
      outcomes = 0;
      for (std::uint32_t p : inside) outcomes += data_.y[p];
    }
    return describe(lower, upper, inside);
  }

  PointList points_in(const PointList& in_play, const std::vector<double>& lower, const std::vector<double>& upper) const {
    PointList inside;
    for (std::uint32_t p : in_play)
      if (inside_except(p, -1, lower, upper)) inside.push_back(p);
    return inside;
  }

 private:
  bool inside_except(std::uint32_t p, int skipped, const std::vector<double>& lower, const std::vector<double>& upper) const {
    for (int input = 0; input < data_.inputs; ++input) {
      if (input == skipped) continue;
      const double v = value(p, input);
      if (v < lower[input] || v > upper[input]) return false;
    }
    return true;
  }

  // The new limit that cuts about peel_alpha of `values` from one end (all points at the cut value
  // when they tie). False when every value is the same.
  bool cut_limit(std::vector<double>& values, bool from_below, double& limit) const {
    const std::size_t count = values.size();
    if (count < 2) return false;
    const std::size_t cut = std::max<std::size_t>(1, static_cast<std::size_t>(options_.peel_alpha * static_cast<double>(count)));
    const auto [smallest, largest] = std::minmax_element(values.begin(), values.end());
    const double low = *smallest, high = *largest;
    if (low == high) return false;
    if (from_below) {
      std::nth_element(values.begin(), values.begin() + cut, values.end());
      limit = values[cut];  // keep v ≥ limit: removes the `cut` smallest, or more on ties
      if (limit == low) limit = next_above(values, low);
    } else {
      std::nth_element(values.begin(), values.begin() + (count - 1 - cut), values.end());
      limit = values[count - 1 - cut];
      if (limit == high) limit = next_below(values, high);
    }
    return true;
  }

  static double next_above(const std::vector<double>& values, double floor_value) {
    double next = std::numeric_limits<double>::infinity();
    for (double v : values)
      if (v > floor_value && v < next) next = v;
    return next;
  }
  static double next_below(const std::vector<double>& values, double ceiling_value) {
    double next = -std::numeric_limits<double>::infinity();
    for (double v : values)
      if (v < ceiling_value && v > next) next = v;
    return next;
  }

  const PrimData& data_;
  const PrimOptions& options_;
  std::uint64_t all_points_;
  std::uint64_t all_outcomes_;
};

void check(const PrimData& data, const PrimOptions& options) {
  const auto fail = [](const std::string& what) { throw std::invalid_argument("PRIM: " + what); };
  if (data.inputs < 1) fail("needs at least one input");
  if (data.x.size() != data.y.size() * static_cast<std::size_t>(data.inputs))
    fail("x holds " + std::to_string(data.x.size()) + " values for " + std::to_string(data.y.size()) + " points of " +
         std::to_string(data.inputs) + " inputs");
  if (data.y.empty()) fail("needs at least one point");
  if (data.y.size() > std::numeric_limits<std::uint32_t>::max()) fail("more than 2³² points");
  for (double v : data.x)
    if (std::isnan(v)) fail("an input value is NaN");
  for (const double share : {options.peel_alpha, options.paste_alpha, options.min_mass, options.threshold})
    if (!(share > 0.0 && share < 1.0)) fail("alphas, min_mass and threshold must lie in (0, 1)");
  if (options.max_boxes < 1) fail("max_boxes must be at least 1");
}

}  // namespace

std::vector<int> PrimBox::restricted(const std::vector<double>& data_lower, const std::vector<double>& data_upper) const {
  std::vector<int> inputs;
  for (std::size_t i = 0; i < lower.size(); ++i)
    if (lower[i] > data_lower[i] || upper[i] < data_upper[i]) inputs.push_back(static_cast<int>(i));
  return inputs;
}

PrimResult prim(const PrimData& data, const PrimOptions& options) {
  check(data, options);
  PrimResult result;
  result.points = data.y.size();
  for (std::uint8_t outcome : data.y) result.outcomes += outcome != 0;
  result.data_lower.assign(data.inputs, std::numeric_limits<double>::infinity());
  result.data_upper.assign(data.inputs, -std::numeric_limits<double>::infinity());
  for (std::size_t p = 0; p < data.y.size(); ++p)
    for (int i = 0; i < data.inputs; ++i) {
      const double v = data.x[p * data.inputs + i];
      result.data_lower[i] = std::min(result.data_lower[i], v);
      result.data_upper[i] = std::max(result.data_upper[i], v);
    }

  PrimData binary = data;
  for (std::uint8_t& outcome : binary.y) outcome = outcome != 0;
  const Search search(binary, options, result.points, result.outcomes);
  PointList in_play(data.y.size());
  for (std::size_t p = 0; p < in_play.size(); ++p) in_play[p] = static_cast<std::uint32_t>(p);

  for (int round = 0; round < options.max_boxes && !in_play.empty(); ++round) {
    PrimSearch found;
    found.trajectory = search.peel(in_play, result.data_lower, result.data_upper);
    // Coverage falls along the trajectory, so the first box to reach the threshold covers most.
    std::size_t chosen = found.trajectory.size();
    for (std::size_t k = 0; k < found.trajectory.size() && chosen == found.trajectory.size(); ++k)
      if (found.trajectory[k].density >= options.threshold) chosen = k;
    const bool reached = chosen < found.trajectory.size();
    if (!reached) {
      chosen = 0;
      for (std::size_t k = 1; k < found.trajectory.size(); ++k)
        if (found.trajectory[k].density > found.trajectory[chosen].density) chosen = k;
    }
    found.chosen = chosen;
    found.box = search.paste(in_play, found.trajectory[chosen].lower, found.trajectory[chosen].upper);
    const PointList inside = search.points_in(in_play, found.box.lower, found.box.upper);
    std::erase_if(in_play, [&](std::uint32_t p) { return std::binary_search(inside.begin(), inside.end(), p); });
    result.boxes.push_back(std::move(found));
    if (!reached) break;
  }
  return result;
}

}  // namespace chokepoint
