// Exact quantiles (MODEL.md §10): order statistics with numpy's default `linear` rule.
#pragma once

#include <cstddef>
#include <vector>

namespace chokepoint {

// numpy.quantile(values, levels) with method="linear": h = (n−1)·q, then a lerp between the
// order statistics ⌊h⌋ and ⌊h⌋+1 written as numpy writes it. Exact order statistics found by a
// radix select in two linear passes; `values` is left as it is.
std::vector<double> exact_quantiles(const float* values, std::size_t count, const std::vector<double>& levels);

}  // namespace chokepoint
