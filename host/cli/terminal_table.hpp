// The short human summary printed after a run: a few headline variables by year (median and
// 90% band) and the likeliest bottleneck of each year.
#pragma once

#include <string>

#include "chokepoint/summary.hpp"

namespace chokepoint {

// 25.1 M, 61.2 G, 312 k: three significant digits with an SI prefix.
std::string si_number(double value);

std::string terminal_table(const Summary& summary);

}  // namespace chokepoint
