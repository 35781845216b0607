#include "terminal_table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace chokepoint {

namespace {

// Columns printed with printf's %-Ns misalign on "–" and "≥" (several bytes, one column): count
// what the terminal shows, the UTF-8 code points.
std::size_t display_width(const std::string& text) {
  std::size_t width = 0;
  for (const char c : text)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++width;
  return width;
}

std::string pad(const std::string& text, std::size_t width) {
  return text + std::string(width > display_width(text) ? width - display_width(text) : 0, ' ');
}

// A table of rows of cells, each column as wide as its widest cell, two spaces apart.
std::string aligned(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (widths.size() <= c) widths.push_back(0);
      widths[c] = std::max(widths[c], display_width(row[c]));
    }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) line += (c ? "  " : "") + (c + 1 < row.size() ? pad(row[c], widths[c]) : row[c]);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

// Index of the quantile level closest to q.
std::size_t level_index(const Summary& summary, double q) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < summary.quantile_levels.size(); ++i)
    if (std::fabs(summary.quantile_levels[i] - q) < std::fabs(summary.quantile_levels[best] - q)) best = i;
  return best;
}

std::string heading_unit(const std::string& unit) { return unit_in_cells(unit).empty() ? "(" + unit + ")" : ""; }

}  // namespace

std::string terminal_table(const Summary& summary) {
  const std::vector<const char*> headline{"token_demand", "produced_units", "installed_base", "power.capacity", "revenue"};
  std::vector<const VariableSummary*> shown;
  for (const char* name : headline)
    if (const VariableSummary* variable = summary.find_variable(name)) shown.push_back(variable);
  const std::size_t low = level_index(summary, 0.05), mid = level_index(summary, 0.5), high = level_index(summary, 0.95);

  std::string out;
  char line[512];
  const double rate = summary.seconds > 0 ? static_cast<double>(summary.paths) / summary.seconds : 0.0;
  std::snprintf(line, sizeof line, "%s: %llu paths, seed %llu, %s, %.2f s (%s paths/s)\n", summary.scenario.c_str(),
                static_cast<unsigned long long>(summary.paths), static_cast<unsigned long long>(summary.seed),
                summary.device.c_str(), summary.seconds, si_number(rate).c_str());
  out += line;
  std::snprintf(line, sizeof line, "median [%g–%g%% band] by year, and the stage likeliest to bind\n",
                summary.quantile_levels.empty() ? 0.0 : summary.quantile_levels[low] * 100,
                summary.quantile_levels.empty() ? 0.0 : summary.quantile_levels[high] * 100);
  out += line;

  std::vector<std::vector<std::string>> rows{{"year"}, {""}};
  for (const VariableSummary* variable : shown) {
    rows[0].push_back(variable->name);
    rows[1].push_back(heading_unit(variable->unit));
  }
  rows[0].push_back("likeliest bottleneck");
  rows[1].push_back("(share of steps)");
  for (std::size_t y = 0; y < summary.years.size(); ++y) {
    std::vector<std::string> row{std::to_string(summary.years[y])};
    for (const VariableSummary* variable : shown) {
      const YearStatistics& stats = variable->years[y];
      if (stats.quantiles.empty()) {
        row.push_back("n/a");
        continue;
      }
      const std::string unit = unit_in_cells(variable->unit);
      row.push_back(quantity_text(stats.quantiles[mid], unit) + " [" +
                    quantity_range_text(stats.quantiles[low], stats.quantiles[high], unit) + "]");
    }
    const StageSummary* likeliest = nullptr;
    for (const StageSummary& stage : summary.stages)
      if (y < stage.years.size() && (!likeliest || stage.years[y].binding_share > likeliest->years[y].binding_share))
        likeliest = &stage;
    row.push_back(likeliest ? likeliest->name + " " + percent_text(likeliest->years[y].binding_share) : "");
    rows.push_back(row);
  }
  out += aligned(rows);

  // How far to trust the last digit: the largest relative standard error of the means shown.
  double relative_se = 0.0;
  for (const VariableSummary* variable : shown)
    for (const YearStatistics& stats : variable->years)
      if (stats.mean != 0.0 && std::isfinite(stats.se)) relative_se = std::max(relative_se, stats.se / std::fabs(stats.mean));
  std::snprintf(line, sizeof line, "Monte Carlo standard error of these means: at most %.2g%% of their value\n",
                relative_se * 100);
  out += line;
  for (const std::string& note : summary.notes) out += "note: " + note + "\n";
  return out;
}

}  // namespace chokepoint
