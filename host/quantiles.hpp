// Exact quantiles (MODEL.md §10): order statistics with numpy's default `linear` rule.
#pragma once

#include <cstddef>
#include <vector>

namespace chokepoint {

// numpy.quantile(values, levels) with method="linear": h = (n−1)·q, then a lerp between the
// order statistics ⌊h⌋ and ⌊h⌋+1 written as numpy writes it. Reorders `values` in place
// (a multi-select: O(n log k) for k levels, not a full sort).
std::vector<double> exact_quantiles(float* values, std::size_t count, const std::vector<double>& levels);

}  // namespace chokepoint
