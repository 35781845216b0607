// The Sobol sums of a range of base samples (one PickFreezeSums per output, sobol_run.hpp) as
// bytes: what an MPI rank sends to rank 0 and a shard stores (docs/scale.md). The output count,
// then per output the count of its words() (pick_freeze_sobol.hpp) and the words, each as its
// difference from the one before, a run of equal words as 0 and its length (LEB128 numbers).
#pragma once

#include <string>
#include <vector>

#include "analyse/pick_freeze_sobol.hpp"

namespace chokepoint {

std::string sobol_sums_bytes(const std::vector<PickFreezeSums>& sums);

// Throws std::invalid_argument on bytes that are cut short, run long or hold damaged sums.
std::vector<PickFreezeSums> sobol_sums_from_bytes(const std::string& bytes);

}  // namespace chokepoint
