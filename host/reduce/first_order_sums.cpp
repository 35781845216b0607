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

// The bin of a standard normal z: how many of the B − 1 edges Φ⁻¹(b/B) lie at or below it, the
// bin of u = Φ(z) without an erfc per input and path. Counted without branches and vectorised over
// the paths (a binary search mispredicts about every other step on random z); restrict on the
// parameters lets GCC see that the bytes written do not alias the normals.
void bins_of_standard_normals(const double* __restrict z, int count, const double* __restrict edges,
                              std::uint8_t* __restrict bin) {
  for (int k = 0; k < count; ++k) {
    int below = 0;
    for (int e = 0; e < kFirstOrderBins - 1; ++e) below += z[k] >= edges[e];
    bin[k] = static_cast<std::uint8_t>(below);
  }
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
  std::vector<int> exponents;
  for (int y = 0; y < years; ++y) {
    exponents.insert(exponents.end(), scales.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(y) * variables),
                     scales.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(y + 1) * variables));
    exponents.resize(exponents.size() + static_cast<std::size_t>(layout_.outputs_of_year(y)) - variables, 0);  // counts
    group_ends_.push_back(static_cast<int>(exponents.size()));
  }
  for (int b = 1; b < kFirstOrderBins; ++b) bin_edges_.push_back(normal_quantile(static_cast<double>(b) / kFirstOrderBins));
  rows_.emplace_back(layout_.input_count(), kFirstOrderBins, exponents, group_ends_,
                     static_cast<int>(layout_.events.size()));
}

void FirstOrderSums::add(const PathInputs& inputs, const PathResults& results, std::uint64_t first_slot) {
  if (empty()) return;
  FirstOrderRows& rows = rows_.front();
  const std::size_t years = group_ends_.size();
  constexpr int kBlock = FirstOrderRows::kBlockPaths;
  FirstOrderRows::Block block(rows);
  const auto bins_of_normals = [this](const double* z, int count, std::uint8_t* bin) {
    bins_of_standard_normals(z, count, bin_edges_.data(), bin);
  };
  for (std::uint64_t first = 0; first < inputs.paths; first += kBlock) {
    const int count = static_cast<int>(std::min<std::uint64_t>(kBlock, inputs.paths - first));
    block.set_paths(count);
    int slot = 0;
    for (int parameter : layout_.parameters) bins_of_normals(inputs.z_of(parameter) + first, count, block.bins_of_slot(slot++));
    for (int factor : layout_.factors) bins_of_normals(inputs.trend_z_of(factor) + first, count, block.bins_of_slot(slot++));
    for (int event : layout_.events) {
      std::uint8_t fired[kBlock] = {};
      for (std::size_t y = 0; y < years; ++y) {
        const std::uint8_t* fires = inputs.fires_of(event, static_cast<int>(y)) + first;
        std::uint8_t* bin = block.bins_of_slot(slot++);
        for (int k = 0; k < count; ++k) {
          fired[k] = static_cast<std::uint8_t>(std::min(fired[k] + fires[k], 2));  // bins 0, 1, 2+
          bin[k] = fired[k];
        }
      }
    }
    // Column by column into the block's [path][output] rows.
    const std::uint64_t slot_of_first = first_slot + first;
    int o = 0;
    for (std::size_t y = 0; y < years; ++y) {
      const int year = static_cast<int>(y);
      for (int v : layout_.variables) block.quantise_column(o++, results.column(v, year) + slot_of_first);
      for (int code = 0; code < layout_.binding_codes; ++code, ++o) {
        const std::uint8_t* column = results.binding_column(code, year) + slot_of_first;
        for (int k = 0; k < count; ++k) block.outputs_of_path(k)[o] = column[k];  // steps: scale 1
      }
      for (int code = 0; code < layout_.binding_codes; ++code, ++o) {
        const std::uint8_t* column = results.binding_column(code, year) + slot_of_first;
        for (int k = 0; k < count; ++k) block.outputs_of_path(k)[o] = column[k] > 0 ? 1 : 0;
      }
      for (int t : layout_.thresholds_of_year[y]) {
        const ThresholdRequest& request = layout_.thresholds[static_cast<std::size_t>(t)];
        const float* column = results.column(request.variable, year) + slot_of_first;
        for (int k = 0; k < count; ++k)
          block.outputs_of_path(k)[o] = static_cast<double>(column[k]) >= request.at_least ? 1 : 0;
        ++o;
      }
    }
    rows.add_block(block);
  }
}

void FirstOrderSums::merge(const FirstOrderSums& other) {
  if (other.empty()) return;
  if (empty()) {
    *this = other;
    return;
  }
  rows_.front().merge(other.rows_.front());
}

std::vector<std::uint64_t> FirstOrderSums::words() const { return empty() ? std::vector<std::uint64_t>{} : rows_.front().words(); }

void FirstOrderSums::set_words(const std::vector<std::uint64_t>& words) {
  if (empty()) {
    if (!words.empty()) throw std::invalid_argument("first-order sums: words for an accumulator with no inputs");
    return;
  }
  rows_.front().set_words(words);
}

SensitivitySection FirstOrderSums::section(const Scenario& scenario) const {
  SensitivitySection section;
  if (empty()) return section;
  const FirstOrderRows& rows = rows_.front();
  section.bins = kFirstOrderBins;
  section.inputs = layout_.input_names;
  section.input_kinds = layout_.input_kinds;
  section.out_of_range = rows.out_of_range();
  const std::vector<int> years = scenario.calendar_years();
  const int scalar_inputs = static_cast<int>(layout_.parameters.size() + layout_.factors.size());
  for (std::size_t y = 0; y < group_ends_.size(); ++y) {
    const int first = y == 0 ? 0 : group_ends_[y - 1];
    std::vector<std::string> names;
    for (int v : layout_.variables) names.push_back(scenario.variables[static_cast<std::size_t>(v)].name);
    for (int code = 0; code < layout_.binding_codes; ++code) names.push_back(code_name(scenario, code) + ".binding_share");
    for (int code = 0; code < layout_.binding_codes; ++code) names.push_back(code_name(scenario, code) + ".binding_any");
    for (int t : layout_.thresholds_of_year[y]) {
      const ThresholdRequest& request = layout_.thresholds[static_cast<std::size_t>(t)];
      names.push_back(scenario.variables[static_cast<std::size_t>(request.variable)].name + ">=" + shortest(request.at_least));
    }
    for (std::size_t k = 0; k < names.size(); ++k) {
      OutputSensitivity output{names[k], years[y], {}};
      for (int i = 0; i < rows.inputs(); ++i) {
        const FirstOrderEstimate estimate = rows.estimate(i, first + static_cast<int>(k));
        output.indices.push_back(FirstOrderIndex{layout_.input_names[static_cast<std::size_t>(i)], estimate.index,
                                                 estimate.standard_error});
      }
      section.first_order.push_back(std::move(output));
    }
    // P(binds at least once | group): the bin means of the 0/1 "any" output of each code.
    const int first_any = first + static_cast<int>(layout_.variables.size()) + layout_.binding_codes;
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
  compute_path_inputs(scenario, seed, first_path, batch.paths, inputs, false);
  sums.add(inputs, batch, 0);
}

}  // namespace chokepoint
