// The short human summary printed after a run: a few headline variables by year (median and
// 90% band) and the likeliest bottleneck of each year.
#pragma once

#include <string>

#include "chokepoint/number_format.hpp"  // si_number, quantity_text: one formatting for CLI and report
#include "chokepoint/summary.hpp"

namespace chokepoint {

std::string terminal_table(const Summary& summary);

}  // namespace chokepoint
