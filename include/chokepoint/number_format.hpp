// Numbers as people read them: three significant digits with an SI prefix, and quantities in the
// unit a risk analyst thinks in (25.1 M units, 61.2 GW, $312 B). The terminal table, the CLI
// commands and the HTML report all format through these, so a figure reads the same everywhere.
#pragma once

#include <string>

namespace chokepoint {

// 25.1 M, 61.2 G, 312 k, 0.42: three significant digits with an SI prefix (k M G T P E Z Y).
// Values that round to zero print as "0"; NaN and infinities as "n/a".
std::string si_number(double value);

// A value in its unit, scaled for reading: USD → "$312 B" (k, M, B, T, as in finance);
// MW, kW, W or GW → watts with an SI prefix ("61.2 GW"); anything else → "25.1 M units".
std::string quantity_text(double value, const std::string& unit);

// A band "low–high" sharing one prefix, the larger end's: "1.19–5.25 M units", "$225–425 B".
std::string quantity_range_text(double low, double high, const std::string& unit);

// An axis label: as short as it can be ("2 M", "2.5 M", "$200 B", "10 GW"); no unit word, which
// the chart's heading carries.
std::string tick_text(double value, const std::string& unit);

// The unit to print beside each number where a heading already names the unit: money and power
// keep theirs ("$312 B", "61.2 GW" read better than "312 B"), counts drop theirs ("25.1 M").
std::string unit_in_cells(const std::string& unit);

// A probability as a percentage: "42%", "0.4%", "0%", "100%".
std::string percent_text(double probability);

// A standard error of a probability in percentage points: "± 0.3 pp".
std::string percentage_points_text(double probability_se);

}  // namespace chokepoint
