#include "chokepoint/number_format.hpp"

#include <cmath>
#include <algorithm>
#include <cstdio>
#include <vector>

namespace chokepoint {

namespace {

const std::vector<const char*> kSiPrefixes{"", " k", " M", " G", " T", " P", " E", " Z", " Y"};
// Money is read in thousands, millions, billions, trillions: "$312 B", not "$312 G".
const std::vector<const char*> kMoneyPrefixes{"", " k", " M", " B", " T"};

// The prefix whose scaled value lies in [1, 1000) after rounding to three digits.
std::size_t prefix_for(double magnitude, std::size_t prefix_count) {
  std::size_t prefix = 0;
  while (magnitude >= 999.5 && prefix + 1 < prefix_count) {
    magnitude /= 1000.0;
    ++prefix;
  }
  return prefix;
}

// Three significant digits of an already scaled value: 312, 61.2, 2.81, 0.88.
std::string three_digits(double scaled) {
  const double magnitude = std::fabs(scaled);
  const int decimals = magnitude >= 99.95 ? 0 : magnitude >= 9.995 ? 1 : 2;
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, scaled);
  const std::string text = buffer;
  // "-0.00" and "0.00" are both just zero to a reader.
  if (text.find_first_not_of("-0.") == std::string::npos) return "0";
  return text;
}

// As short as possible: 2, 2.5, 0.25, 200.
std::string short_digits(double scaled) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.3g", scaled);
  const std::string text = buffer;
  if (text.find_first_not_of("-0.") == std::string::npos) return "0";
  return text;
}

struct DisplayUnit {
  std::string before;  // "$"
  std::string after;   // " W", " units"
  double multiplier = 1.0;
  const std::vector<const char*>* prefixes = &kSiPrefixes;
  bool unit_joins_prefix = false;  // "GW": the prefix and the unit are one word
};

DisplayUnit display_unit(const std::string& unit) {
  DisplayUnit display;
  if (unit == "USD" || unit == "$") {
    display.before = "$";
    display.prefixes = &kMoneyPrefixes;
  } else if (unit == "W" || unit == "kW" || unit == "MW" || unit == "GW") {
    display.multiplier = unit == "W" ? 1.0 : unit == "kW" ? 1e3 : unit == "MW" ? 1e6 : 1e9;
    display.after = "W";
    display.unit_joins_prefix = true;
  } else if (!unit.empty()) {
    display.after = " " + unit;
  }
  return display;
}

// "2.81", " M", " units" → "2.81 M units"; "61.2", " G", "W" → "61.2 GW"; "312", " B" → "$312 B".
std::string assemble(const std::string& sign, const DisplayUnit& display, const std::string& digits,
                     const std::string& prefix, bool with_unit) {
  std::string text = sign + display.before + digits + prefix;
  if (!with_unit) return text;
  if (display.unit_joins_prefix) return text + (prefix.empty() ? " " : "") + display.after;
  return text + display.after;
}

}  // namespace

std::string si_number(double value) {
  if (!std::isfinite(value)) return "n/a";
  const std::size_t prefix = prefix_for(std::fabs(value), kSiPrefixes.size());
  return three_digits(value / std::pow(1000.0, static_cast<double>(prefix))) +
         (three_digits(value) == "0" ? "" : kSiPrefixes[prefix]);
}

std::string quantity_text(double value, const std::string& unit) {
  if (!std::isfinite(value)) return "n/a";
  const DisplayUnit display = display_unit(unit);
  const double scaled_value = value * display.multiplier;
  const std::size_t prefix = prefix_for(std::fabs(scaled_value), display.prefixes->size());
  const std::string digits = three_digits(std::fabs(scaled_value) / std::pow(1000.0, static_cast<double>(prefix)));
  const std::string sign = value < 0 && digits != "0" ? "−" : "";
  return assemble(sign, display, digits, digits == "0" ? "" : (*display.prefixes)[prefix], true);
}

std::string quantity_range_text(double low, double high, const std::string& unit) {
  if (!std::isfinite(low) || !std::isfinite(high)) return "n/a";
  const DisplayUnit display = display_unit(unit);
  const double scaled_low = low * display.multiplier, scaled_high = high * display.multiplier;
  const std::size_t prefix =
      prefix_for(std::max(std::fabs(scaled_low), std::fabs(scaled_high)), display.prefixes->size());
  const double divisor = std::pow(1000.0, static_cast<double>(prefix));
  const auto end = [&](double scaled, const std::string& before) {
    const std::string digits = three_digits(std::fabs(scaled) / divisor);
    return (scaled < 0 && digits != "0" ? "−" : "") + before + digits;
  };
  // The prefix and unit follow the upper end only: "$225–425 B", "1.19–5.25 M units". A lower end
  // far below the upper keeps its own prefix, so it does not read as zero: "2.26 E–4.53 Z".
  std::string low_text = end(scaled_low, display.before);
  std::string high_before;  // "$225–425 B": one currency sign for the band …
  if (scaled_low != 0.0 && std::fabs(scaled_low) / divisor < 0.1) {
    high_before = display.before;  // … but "$42.8 B–$1.09 T" when each end has its own prefix
    const std::size_t low_prefix = prefix_for(std::fabs(scaled_low), display.prefixes->size());
    low_text = (scaled_low < 0 ? "−" : "") + display.before +
               three_digits(std::fabs(scaled_low) / std::pow(1000.0, static_cast<double>(low_prefix))) +
               (*display.prefixes)[low_prefix] + (display.unit_joins_prefix ? display.after : "");
  }
  return assemble("", DisplayUnit{"", display.after, 1.0, display.prefixes, display.unit_joins_prefix},
                  low_text + "–" + end(scaled_high, high_before), (*display.prefixes)[prefix], true);
}

std::string tick_text(double value, const std::string& unit) {
  if (!std::isfinite(value)) return "n/a";
  const DisplayUnit display = display_unit(unit);
  const double scaled_value = value * display.multiplier;
  const std::size_t prefix = prefix_for(std::fabs(scaled_value), display.prefixes->size());
  const std::string digits = short_digits(std::fabs(scaled_value) / std::pow(1000.0, static_cast<double>(prefix)));
  const std::string sign = value < 0 && digits != "0" ? "−" : "";
  const std::string prefix_text = digits == "0" ? "" : (*display.prefixes)[prefix];
  // Watts keep their unit on the axis ("10 GW" reads better than "10 G"); other units are in
  // the chart's heading.
  return assemble(sign, display, digits, prefix_text, display.unit_joins_prefix);
}

std::string unit_in_cells(const std::string& unit) {
  return unit == "USD" || unit == "$" || unit == "W" || unit == "kW" || unit == "MW" || unit == "GW" ? unit : "";
}

std::string percent_text(double probability) {
  if (!std::isfinite(probability)) return "n/a";
  const double percent = probability * 100.0;
  char buffer[32];
  if (percent == 0.0) return "0%";
  if (percent < 0.95 && percent > -0.95) {
    std::snprintf(buffer, sizeof buffer, "%.1f%%", percent);
  } else if (percent > 99.0 && percent < 99.95) {
    std::snprintf(buffer, sizeof buffer, "%.1f%%", percent);  // 99.6%, not a misleading 100%
  } else {
    std::snprintf(buffer, sizeof buffer, "%.0f%%", percent);
  }
  return buffer;
}

std::string percentage_points_text(double probability_se) {
  if (!std::isfinite(probability_se)) return "n/a";
  char buffer[32];
  const double points = probability_se * 100.0;
  std::snprintf(buffer, sizeof buffer, "± %.*f pp", points < 0.095 ? 2 : 1, points);
  return buffer;
}

}  // namespace chokepoint
