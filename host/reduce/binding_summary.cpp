#include "reduce/binding_summary.hpp"

#include <string>

#include "reduce/statistics.hpp"

namespace chokepoint {

std::vector<StageSummary> binding_summary(const Scenario& scenario, std::uint64_t paths,
                                          const std::vector<BindingCounts>& binding) {
  const std::vector<int> years = scenario.calendar_years();
  std::vector<std::string> codes{"demand"};
  codes.insert(codes.end(), scenario.stage_names.begin(), scenario.stage_names.end());
  const double n = static_cast<double>(paths);
  const double per_year = scenario.model->steps_per_year;
  std::vector<StageSummary> stages;
  for (std::size_t code = 0; code < codes.size(); ++code) {
    StageSummary stage;
    stage.name = codes[code];
    for (std::size_t y = 0; y < years.size(); ++y) {
      const BindingCounts& counts = binding[code * years.size() + y];
      StageYear out;
      out.year = years[y];
      out.binding_share = static_cast<double>(counts.steps) / (n * per_year);
      out.binding_share_se =
          standard_error_from_sums(static_cast<double>(counts.steps), static_cast<double>(counts.squares), paths) /
          per_year;
      out.binding_any = static_cast<double>(counts.any) / n;
      out.binding_any_se =
          standard_error_from_sums(static_cast<double>(counts.any), static_cast<double>(counts.any), paths);
      stage.years.push_back(out);
    }
    stages.push_back(stage);
  }
  return stages;
}

}  // namespace chokepoint
