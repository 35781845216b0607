#include "analyse/tornado.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>

#include "analyse/sensitivity_outputs.hpp"
#include "chokepoint/cuda_backend.hpp"
#include "chokepoint/distributions.hpp"
#include "chokepoint/errors.hpp"
#include "reduce/quantiles.hpp"
#include "simulate/backend_choice.hpp"

namespace chokepoint {

namespace {

void require(bool ok, const std::string& argument, const std::string& expected, const std::string& found) {
  if (!ok) throw InputError({InputProblem{"(arguments)", argument, expected, found}});
}

PathResults simulate(const Scenario& scenario, const TornadoRequest& request, bool use_cuda, int threads) {
  cuda::LaunchOptions launch;
  launch.precision = request.precision;
  PathResults results = use_cuda ? cuda::simulate_cuda(scenario, request.paths, request.seed, launch)
                                 : simulate_cpu(scenario, request.paths, request.seed, threads, {}, request.precision);
  add_derived_outputs(scenario, results, request.seed, threads);
  return results;
}

// medians[variable][year] of the headline variables.
std::vector<std::vector<double>> headline_medians(const PathResults& results, const std::vector<int>& variables) {
  std::vector<std::vector<double>> medians;
  for (int variable : variables) {
    std::vector<double> by_year;
    for (int year = 0; year < results.years; ++year)
      by_year.push_back(exact_quantiles(results.column(variable, year), results.paths, {0.5}).front());
    medians.push_back(by_year);
  }
  return medians;
}

}  // namespace

Scenario with_parameter_pinned(const Scenario& scenario, int index, double value) {
  auto model = std::make_shared<Model>(*scenario.model);
  UncertainSpec& spec = model->uncertain[index];
  spec.distribution = Distribution{DistributionKind::constant, {value, 0, 0, 0}};
  spec.table = -1;  // read the constant, not the tabulated quantile function
  Scenario copy = scenario;
  copy.model = std::move(model);
  return copy;
}

double parameter_percentile(const Model& model, int index, double level) {
  return quantile(model.uncertain[index].distribution, level);
}

Tornado compute_tornado(const Scenario& scenario, const TornadoRequest& request) {
  require(request.paths >= 1, "--tornado-paths", "at least 1 path", "0");
  require(request.low > 0.0 && request.low < request.high && request.high < 1.0, "(tornado percentiles)",
          "0 < low < high < 1", std::to_string(request.low) + ", " + std::to_string(request.high));
  const bool use_cuda = use_cuda_backend(request.backend);
  const int threads = request.threads;

  const Model& model = *scenario.model;
  const std::vector<std::string> names = headline_variable_names(scenario);
  std::vector<int> variables;
  for (const std::string& name : names) variables.push_back(scenario.variable_index(name));
  const int parameters = model.uncertain_count;
  const double runs = 1.0 + 2.0 * parameters;
  const auto report = [&](int done) {
    if (request.progress) request.progress(done / runs);
  };

  const std::vector<std::vector<double>> baseline = headline_medians(simulate(scenario, request, use_cuda, threads), variables);
  report(1);
  // [parameter][end][variable][year]
  std::vector<std::array<std::vector<std::vector<double>>, 2>> pinned(static_cast<std::size_t>(parameters));
  std::vector<std::array<double, 2>> values(static_cast<std::size_t>(parameters));
  for (int i = 0; i < parameters; ++i)
    for (int end = 0; end < 2; ++end) {
      const double value = parameter_percentile(model, i, end == 0 ? request.low : request.high);
      values[static_cast<std::size_t>(i)][static_cast<std::size_t>(end)] = value;
      pinned[static_cast<std::size_t>(i)][static_cast<std::size_t>(end)] =
          headline_medians(simulate(with_parameter_pinned(scenario, i, value), request, use_cuda, threads), variables);
      report(2 + 2 * i + end);
    }

  Tornado tornado;
  tornado.paths = request.paths;
  tornado.seed = request.seed;
  for (std::size_t v = 0; v < variables.size(); ++v)
    for (int year = 0; year < model.years; ++year) {
      TornadoChart chart;
      chart.variable = names[v];
      chart.unit = scenario.variables[static_cast<std::size_t>(variables[v])].unit;
      chart.year = model.start_year + year;
      chart.baseline_median = baseline[v][static_cast<std::size_t>(year)];
      for (int i = 0; i < parameters; ++i) {
        const auto p = static_cast<std::size_t>(i);
        TornadoBar bar;
        bar.input = scenario.parameter_names[p];
        bar.low = TornadoEnd{request.low * 100.0, values[p][0], pinned[p][0][v][static_cast<std::size_t>(year)]};
        bar.high = TornadoEnd{request.high * 100.0, values[p][1], pinned[p][1][v][static_cast<std::size_t>(year)]};
        bar.swing = bar.high.median - bar.low.median;
        chart.bars.push_back(bar);
      }
      std::stable_sort(chart.bars.begin(), chart.bars.end(), [](const TornadoBar& a, const TornadoBar& b) {
        return std::isnan(b.swing) ? !std::isnan(a.swing) : std::fabs(a.swing) > std::fabs(b.swing);
      });
      tornado.charts.push_back(chart);
    }
  return tornado;
}

std::string tornado_json_text(const Tornado& tornado) {
  using OrderedJson = nlohmann::ordered_json;
  const auto end_json = [](const TornadoEnd& end) {
    // 0.9 · 100 is 90.00000000000001 in double: written as the whole number it stands for.
    const double percent = std::round(end.percentile * 1e6) / 1e6;
    const OrderedJson percentile = percent == std::round(percent) ? OrderedJson(std::lround(percent)) : OrderedJson(percent);
    return OrderedJson{{"percentile", percentile}, {"value", end.value}, {"median", end.median}};
  };
  OrderedJson charts = OrderedJson::array();
  for (const TornadoChart& chart : tornado.charts) {
    OrderedJson bars = OrderedJson::array();
    for (const TornadoBar& bar : chart.bars)
      bars.push_back(OrderedJson{{"input", bar.input}, {"low", end_json(bar.low)}, {"high", end_json(bar.high)},
                                 {"swing", bar.swing}});
    charts.push_back(OrderedJson{{"variable", chart.variable}, {"unit", chart.unit}, {"year", chart.year},
                                 {"baseline_median", chart.baseline_median}, {"bars", bars}});
  }
  const OrderedJson root{{"paths", tornado.paths}, {"seed", tornado.seed}, {"charts", charts}};
  return root.dump(1, ' ', false, OrderedJson::error_handler_t::replace) + "\n";
}

}  // namespace chokepoint
