#include "quantiles.hpp"

#include <algorithm>
#include <cmath>

namespace chokepoint {

// Places the order statistics `ranks` (sorted, all inside [begin, end)) at their positions.
static void select_ranks(float* values, std::size_t begin, std::size_t end, const std::size_t* ranks_begin,
                         const std::size_t* ranks_end) {
  if (ranks_begin == ranks_end || end - begin < 2) return;
  const std::size_t* middle = ranks_begin + (ranks_end - ranks_begin) / 2;
  std::nth_element(values + begin, values + *middle, values + end);
  select_ranks(values, begin, *middle, ranks_begin, middle);
  select_ranks(values, *middle + 1, end, middle + 1, ranks_end);
}

// numpy's _lerp: a + (b−a)·t, or b − (b−a)·(1−t) when t ≥ ½ (exact at both ends).
static double numpy_lerp(double a, double b, double t) {
  const double difference = b - a;
  return t >= 0.5 ? b - difference * (1.0 - t) : a + difference * t;
}

std::vector<double> exact_quantiles(float* values, std::size_t count, const std::vector<double>& levels) {
  std::vector<double> result(levels.size(), NAN);
  if (count == 0) return result;
  std::vector<std::size_t> ranks;
  for (double q : levels) {
    const double h = static_cast<double>(count - 1) * q;
    const std::size_t low = static_cast<std::size_t>(std::floor(h));
    ranks.push_back(std::min(low, count - 1));
    ranks.push_back(std::min(low + 1, count - 1));
  }
  std::sort(ranks.begin(), ranks.end());
  ranks.erase(std::unique(ranks.begin(), ranks.end()), ranks.end());
  select_ranks(values, 0, count, ranks.data(), ranks.data() + ranks.size());
  for (std::size_t i = 0; i < levels.size(); ++i) {
    const double h = static_cast<double>(count - 1) * levels[i];
    const std::size_t low = std::min(static_cast<std::size_t>(std::floor(h)), count - 1);
    const std::size_t high = std::min(low + 1, count - 1);
    result[i] = numpy_lerp(values[low], values[high], h - std::floor(h));
  }
  return result;
}

}  // namespace chokepoint
