// The "stages" object that summary.json and diff.json share: per stage ("demand" first), per
// year, the binding share and probability with their standard errors. summary.json holds a run's
// own values (StageSummary), diff.json the paired changes (StageDifference); the two structs
// have the same fields, so one writer keeps the two files' layouts the same.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "output/writing_json.hpp"

namespace chokepoint {

template <class Stage>
nlohmann::ordered_json stages_json(const std::vector<Stage>& stages) {
  using OrderedJson = nlohmann::ordered_json;
  OrderedJson out = OrderedJson::object();
  for (const Stage& stage : stages) {
    OrderedJson years = OrderedJson::array();
    for (const auto& y : stage.years)
      years.push_back(OrderedJson{{"year", y.year},
                                  {"binding_share", json_number(y.binding_share)},
                                  {"binding_share_se", json_number(y.binding_share_se)},
                                  {"binding_any", json_number(y.binding_any)},
                                  {"binding_any_se", json_number(y.binding_any_se)}});
    out[stage.name] = OrderedJson{{"years", years}};
  }
  return out;
}

}  // namespace chokepoint
