#include "terminal_table.hpp"

#include <cmath>
#include <cstdio>
#include <vector>

namespace chokepoint {

std::string si_number(double value) {
  if (!std::isfinite(value)) return "n/a";
  static const char* prefixes[] = {"", " k", " M", " G", " T", " P", " E", " Z", " Y"};
  double scaled = value;
  int prefix = 0;
  while (std::fabs(scaled) >= 999.5 && prefix < 8) {
    scaled /= 1000.0;
    ++prefix;
  }
  char buffer[32];
  const int decimals = std::fabs(scaled) >= 99.95 ? 0 : std::fabs(scaled) >= 9.995 ? 1 : 2;
  std::snprintf(buffer, sizeof buffer, "%.*f%s", decimals, scaled, prefixes[prefix]);
  return buffer;
}

// Index of the quantile level closest to q.
static std::size_t level_index(const Summary& summary, double q) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < summary.quantile_levels.size(); ++i)
    if (std::fabs(summary.quantile_levels[i] - q) < std::fabs(summary.quantile_levels[best] - q)) best = i;
  return best;
}

std::string terminal_table(const Summary& summary) {
  const std::vector<const char*> headline{"token_demand", "produced_units", "deployed_units", "installed_base",
                                          "revenue"};
  const std::size_t low = level_index(summary, 0.05), mid = level_index(summary, 0.5), high = level_index(summary, 0.95);
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "%s: %llu paths, seed %llu, %s, %.2f s (%s paths/s)\n", summary.scenario.c_str(),
                static_cast<unsigned long long>(summary.paths), static_cast<unsigned long long>(summary.seed),
                summary.device.c_str(), summary.seconds,
                si_number(summary.seconds > 0 ? static_cast<double>(summary.paths) / summary.seconds : 0.0).c_str());
  out += line;
  std::snprintf(line, sizeof line, "median [q%g – q%g]\n", summary.quantile_levels[low] * 100,
                summary.quantile_levels[high] * 100);
  out += line;
  std::snprintf(line, sizeof line, "%-6s", "year");
  out += line;
  for (const char* name : headline) {
    const VariableSummary* variable = summary.find_variable(name);
    if (!variable) continue;
    std::snprintf(line, sizeof line, "  %-28s", (std::string(name) + " (" + variable->unit + ")").c_str());
    out += line;
  }
  out += "  bottleneck (share)\n";
  for (std::size_t y = 0; y < summary.years.size(); ++y) {
    std::snprintf(line, sizeof line, "%-6d", summary.years[y]);
    out += line;
    for (const char* name : headline) {
      const VariableSummary* variable = summary.find_variable(name);
      if (!variable) continue;
      const YearStatistics& stats = variable->years[y];
      const std::string cell = si_number(stats.quantiles[mid]) + " [" + si_number(stats.quantiles[low]) + " – " +
                               si_number(stats.quantiles[high]) + "]";
      std::snprintf(line, sizeof line, "  %-28s", cell.c_str());
      out += line;
    }
    const StageSummary* likeliest = nullptr;
    for (const StageSummary& stage : summary.stages)
      if (!likeliest || stage.years[y].binding_share > likeliest->years[y].binding_share) likeliest = &stage;
    if (likeliest) {
      std::snprintf(line, sizeof line, "  %s (%.0f%%)", likeliest->name.c_str(), likeliest->years[y].binding_share * 100);
      out += line;
    }
    out += '\n';
  }
  for (const std::string& note : summary.notes) out += "note: " + note + "\n";
  return out;
}

}  // namespace chokepoint
