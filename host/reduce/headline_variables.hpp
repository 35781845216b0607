// The variables a reader asks about first, in this order. The HTML report's headline, the
// convergence traces the summary keeps for it, and the default outputs of sensitivity and the
// tornado all lead with those of them that a run reports, so they share this one list.
#pragma once

#include <array>

namespace chokepoint {

inline constexpr std::array<const char*, 6> kHeadlineVariables{
    "token_demand", "tokens_served", "produced_units", "installed_base", "power.capacity", "revenue"};

}  // namespace chokepoint
