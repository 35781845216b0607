#include "reduce/first_order_sums.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace chokepoint {

namespace {

std::string shortest(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::string code_name(const Scenario& scenario, int code) {
  return code == 0 ? std::string("demand") : scenario.stage_names[static_cast<std::size_t>(code - 1)];
}

// 2⁸ of headroom over the pilot's largest value: a column of 10⁶ paths may reach well past the
// largest of its first 4096 (a lognormal with σ = 1 by about 4×); the scale still resolves the
// pilot's largest value to 2¹² steps, far finer than any index needs.
constexpr double kScaleHeadroom = 256.0;

}  // namespace

FirstOrderLayout first_order_layout(const Scenario& scenario) {
  const Model& model = *scenario.model;
  FirstOrderLayout layout;
  for (int i = 0; i < model.uncertain_count; ++i) {
    layout.parameters.push_back(i);
    layout.input_names.push_back(scenario.parameter_names[static_cast<std::size_t>(i)]);
    layout.input_kinds.push_back("parameter");
  }
  // A factor without trend uncertainty has δ = 0 on every path: not an input.
  for (int f = 0; f < model.factor_count; ++f) {
    if (!(model.factors[f].trend_uncertainty > 0.0)) continue;
    layout.factors.push_back(f);
    layout.input_names.push_back(scenario.factor_names[static_cast<std::size_t>(f)] + ".trend");
    layout.input_kinds.push_back("trend");
  }
  for (int e = 0; e < model.event_count; ++e) {
    layout.events.push_back(e);
    layout.input_names.push_back(scenario.event_names[static_cast<std::size_t>(e)] + ".fires");
    layout.input_kinds.push_back("event");
  }
  for (const char* name : kFirstOrderVariables) {
    const int v = scenario.variable_index(name);
    if (v >= 0) layout.variables.push_back(v);
  }
  layout.binding_codes = 1 + model.stage_count;
  layout.thresholds = scenario.thresholds;
  layout.thresholds_of_year.resize(static_cast<std::size_t>(model.years));
  for (std::size_t t = 0; t < scenario.thresholds.size(); ++t)
    layout.thresholds_of_year[static_cast<std::size_t>(scenario.thresholds[t].year - model.start_year)].push_back(
        static_cast<int>(t));
  return layout;
}

std::vector<std::int32_t> first_order_scales(const Scenario& scenario, const PathResults& pilot) {
  const FirstOrderLayout layout = first_order_layout(scenario);
  std::vector<std::int32_t> scales;
  for (int y = 0; y < pilot.years; ++y)
    for (int v : layout.variables) {
      const float* column = pilot.column(v, y);
      double largest = 0.0;
      for (std::uint64_t p = 0; p < pilot.paths; ++p)
        if (std::isfinite(column[p])) largest = std::max(largest, std::fabs(static_cast<double>(column[p])));
      scales.push_back(FirstOrderRows::scale_exponent_for(largest * kScaleHeadroom));
    }
  return scales;
}

FirstOrderSums::FirstOrderSums(const Scenario& scenario, const std::vector<std::int32_t>& scales)
    : layout_(first_order_layout(scenario)) {
  const int years = scenario.model->years;
  const std::size_t variables = layout_.variables.size();
  if (scales.size() != variables * static_cast<std::size_t>(years))
    throw std::invalid_argument("first-order sums: " + std::to_string(scales.size()) + " scales for " +
                                std::to_string(variables * static_cast<std::size_t>(years)) + " variable-years");
  if (layout_.input_count() == 0) return;  // nothing drawn: no indices
  for (int y = 0; y < years; ++y) {
    std::vector<int> exponents(scales.begin() + static_cast<std::ptrdiff_t>(y * variables),
                               scales.begin() + static_cast<std::ptrdiff_t>((y + 1) * variables));
    exponents.resize(static_cast<std::size_t>(layout_.outputs_of_year(y)), 0);  // counts: exact, scale 1
    years_.emplace_back(layout_.input_count(), kFirstOrderBins, exponents);
  }
}

void FirstOrderSums::add(const PathInputs& inputs, const PathResults& results, std::uint64_t first_slot) {
  if (empty()) return;
  const int scalar_inputs = static_cast<int>(layout_.parameters.size() + layout_.factors.size());
  const int inputs_count = layout_.input_count();
  const FirstOrderRows& any_rows = years_.front();
  std::vector<int> bins(static_cast<std::size_t>(inputs_count));
  std::vector<int> fired(layout_.events.size());
  std::vector<double> outputs;
  for (std::uint64_t i = 0; i < inputs.paths; ++i) {
    const std::uint64_t slot = first_slot + i;
    int at = 0;
    for (int parameter : layout_.parameters) bins[static_cast<std::size_t>(at++)] = any_rows.bin_of(inputs.u_of(parameter)[i]);
    for (int factor : layout_.factors) bins[static_cast<std::size_t>(at++)] = any_rows.bin_of(inputs.trend_u_of(factor)[i]);
    std::fill(fired.begin(), fired.end(), 0);
    for (std::size_t y = 0; y < years_.size(); ++y) {
      const int year = static_cast<int>(y);
      for (std::size_t e = 0; e < layout_.events.size(); ++e) {
        fired[e] += inputs.fires_of(layout_.events[e], year)[i];
        bins[static_cast<std::size_t>(scalar_inputs) + e] = std::min(fired[e], 2);
      }
      outputs.clear();
      for (int v : layout_.variables) outputs.push_back(static_cast<double>(results.column(v, year)[slot]));
      for (int code = 0; code < layout_.binding_codes; ++code)
        outputs.push_back(static_cast<double>(results.binding_column(code, year)[slot]));
      for (int code = 0; code < layout_.binding_codes; ++code)
        outputs.push_back(results.binding_column(code, year)[slot] > 0 ? 1.0 : 0.0);
      for (int t : layout_.thresholds_of_year[y]) {
        const ThresholdRequest& request = layout_.thresholds[static_cast<std::size_t>(t)];
        outputs.push_back(static_cast<double>(results.column(request.variable, year)[slot]) >= request.at_least ? 1.0 : 0.0);
      }
      years_[y].add(bins.data(), outputs.data());
    }
  }
}

void FirstOrderSums::merge(const FirstOrderSums& other) {
  if (other.empty()) return;
  if (empty()) {
    *this = other;
    return;
  }
  if (other.years_.size() != years_.size()) throw std::invalid_argument("cannot merge first-order sums of different runs");
  for (std::size_t y = 0; y < years_.size(); ++y) years_[y].merge(other.years_[y]);
}

std::vector<std::uint64_t> FirstOrderSums::words() const {
  std::vector<std::uint64_t> out;
  for (const FirstOrderRows& rows : years_) {
    const std::vector<std::uint64_t> year = rows.words();
    out.insert(out.end(), year.begin(), year.end());
  }
  return out;
}

void FirstOrderSums::set_words(const std::vector<std::uint64_t>& words) {
  std::size_t at = 0;
  for (FirstOrderRows& rows : years_) {
    const std::size_t count = rows.words().size();
    if (words.size() - at < count) throw std::invalid_argument("first-order sums: too few words");
    rows.set_words(std::vector<std::uint64_t>(words.begin() + static_cast<std::ptrdiff_t>(at),
                                              words.begin() + static_cast<std::ptrdiff_t>(at + count)));
    at += count;
  }
  if (at != words.size()) throw std::invalid_argument("first-order sums: too many words");
}

SensitivitySection FirstOrderSums::section(const Scenario& scenario) const {
  SensitivitySection section;
  if (empty()) return section;
  section.bins = kFirstOrderBins;
  section.inputs = layout_.input_names;
  section.input_kinds = layout_.input_kinds;
  const std::vector<int> years = scenario.calendar_years();
  const int scalar_inputs = static_cast<int>(layout_.parameters.size() + layout_.factors.size());
  for (std::size_t y = 0; y < years_.size(); ++y) {
    const FirstOrderRows& rows = years_[y];
    section.out_of_range += rows.out_of_range();
    std::vector<std::string> names;
    for (int v : layout_.variables) names.push_back(scenario.variables[static_cast<std::size_t>(v)].name);
    for (int code = 0; code < layout_.binding_codes; ++code) names.push_back(code_name(scenario, code) + ".binding_share");
    for (int code = 0; code < layout_.binding_codes; ++code) names.push_back(code_name(scenario, code) + ".binding_any");
    for (int t : layout_.thresholds_of_year[y]) {
      const ThresholdRequest& request = layout_.thresholds[static_cast<std::size_t>(t)];
      names.push_back(scenario.variables[static_cast<std::size_t>(request.variable)].name + ">=" + shortest(request.at_least));
    }
    for (int o = 0; o < rows.outputs(); ++o) {
      OutputSensitivity output{names[static_cast<std::size_t>(o)], years[y], {}};
      for (int i = 0; i < rows.inputs(); ++i) {
        const FirstOrderEstimate estimate = rows.estimate(i, o);
        output.indices.push_back(FirstOrderIndex{layout_.input_names[static_cast<std::size_t>(i)], estimate.index,
                                                 estimate.standard_error});
      }
      section.first_order.push_back(std::move(output));
    }
    // P(binds at least once | group): the bin means of the 0/1 "any" output of each code.
    const int first_any = static_cast<int>(layout_.variables.size()) + layout_.binding_codes;
    for (int code = 0; code < layout_.binding_codes; ++code)
      for (int i = 0; i < rows.inputs(); ++i) {
        BindingByInput by{code_name(scenario, code), years[y], layout_.input_names[static_cast<std::size_t>(i)], {}};
        if (i < scalar_inputs) {
          by.p = rows.grouped_means(i, first_any + code, 10);
          section.binding_by_decile.push_back(std::move(by));
        } else {
          const std::vector<double> bins = rows.grouped_means(i, first_any + code, rows.bins());
          by.p.assign(bins.begin(), bins.begin() + 3);  // 0, 1, 2+ firings
          section.binding_by_firings.push_back(std::move(by));
        }
      }
  }
  return section;
}

void add_first_order_batch(const Scenario& scenario, std::uint64_t seed, std::uint64_t first_path,
                           const PathResults& batch, FirstOrderSums& sums) {
  if (sums.empty()) return;
  thread_local PathInputs inputs;
  compute_path_inputs(scenario, seed, first_path, batch.paths, inputs);
  sums.add(inputs, batch, 0);
}

}  // namespace chokepoint
