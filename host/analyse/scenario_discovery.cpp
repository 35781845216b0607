#include "analyse/scenario_discovery.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "analyse/per_path_table.hpp"
#include "chokepoint/errors.hpp"
#include "chokepoint/summary_io.hpp"

namespace chokepoint {

namespace {

void check_options(const PrimOptions& options) {
  std::vector<InputProblem> problems;
  const auto share = [&](double value, const char* flag, const char* what) {
    if (!(value > 0.0 && value < 1.0))
      problems.push_back(InputProblem{"discover", flag, std::string(what) + " strictly between 0 and 1", shortest_decimal(value)});
  };
  share(options.peel_alpha, "--alpha", "a share of the box to peel per step");
  share(options.paste_alpha, "--paste-alpha", "a share of the box to paste per step");
  share(options.min_mass, "--min-mass", "the least share of all paths a box may hold");
  share(options.threshold, "--threshold", "the least density of a chosen box");
  if (options.max_boxes < 1)
    problems.push_back(InputProblem{"discover", "--boxes", "at least 1", std::to_string(options.max_boxes)});
  if (!problems.empty()) throw InputError(problems);
}

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", value);
  return text;
}

}  // namespace

Discovery discover(const DiscoveryRequest& request) {
  check_options(request.options);
  Discovery discovery;
  discovery.file = request.file;
  discovery.outcome = parse_outcome_expression(request.outcome, "--outcome");
  const PerPathTable table = read_per_path_table(request.file);
  const std::vector<std::uint8_t> outcome = evaluate_outcome(discovery.outcome, table);

  std::vector<int> columns;
  std::vector<InputProblem> problems;
  if (request.inputs.empty()) {
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      const PerPathColumn& column = table.columns[c];
      if (column.name == discovery.outcome.column || column.name == "path") continue;
      if (column.numeric) columns.push_back(static_cast<int>(c));
      else discovery.skipped_columns.push_back(column.name);
    }
    if (columns.empty())
      problems.push_back(InputProblem{request.file, "header", "at least one numeric input column besides the outcome's",
                                      "none"});
  } else {
    for (const std::string& name : request.inputs) {
      const int c = table.column_index(name);
      if (c < 0) {
        problems.push_back(InputProblem{request.file, "header", "a column \"" + name + "\" named in --inputs", "none"});
      } else if (!table.columns[c].numeric) {
        const PerPathColumn& column = table.columns[c];
        problems.push_back(InputProblem{request.file, "row " + std::to_string(column.first_non_number + 1) + ", column " + name,
                                        "a number", "\"" + column.first_non_number_text + "\""});
      } else {
        columns.push_back(c);
      }
    }
  }
  if (!problems.empty()) throw InputError(problems);

  PrimData data;
  data.inputs = static_cast<int>(columns.size());
  data.x.reserve(table.rows * columns.size());
  for (int c : columns) discovery.inputs.push_back(table.columns[c].name);
  for (std::size_t r = 0; r < table.rows; ++r)
    for (int c : columns) data.x.push_back(table.columns[c].numbers[r]);
  data.y = outcome;
  discovery.result = prim(data, request.options);
  return discovery;
}

std::string discovery_json_text(const Discovery& d) {
  using nlohmann::ordered_json;
  const PrimResult& r = d.result;
  const auto describe = [&](const PrimBox& box) {
    ordered_json limits = ordered_json::object();
    for (int i : box.restricted(r.data_lower, r.data_upper))
      limits[d.inputs[i]] = {{"lower", box.lower[i]}, {"upper", box.upper[i]}};
    return ordered_json{{"coverage", box.coverage}, {"density", box.density}, {"mass", box.mass},
                        {"paths", box.points},      {"outcomes", box.outcomes}, {"limits", limits}};
  };
  ordered_json json;
  json["file"] = d.file;
  json["outcome"] = d.outcome.text;
  json["paths"] = r.points;
  json["outcomes"] = r.outcomes;
  json["inputs"] = d.inputs;
  ordered_json ranges = ordered_json::object();
  for (std::size_t i = 0; i < d.inputs.size(); ++i) ranges[d.inputs[i]] = {{"lower", r.data_lower[i]}, {"upper", r.data_upper[i]}};
  json["input_ranges"] = ranges;
  json["boxes"] = ordered_json::array();
  for (const PrimSearch& search : r.boxes) {
    ordered_json box = describe(search.box);
    box["chosen_peel"] = search.chosen;
    ordered_json trajectory = ordered_json::array();
    for (const PrimBox& step : search.trajectory) trajectory.push_back(describe(step));
    box["trajectory"] = trajectory;
    json["boxes"].push_back(box);
  }
  return json.dump(2) + "\n";
}

std::string discovery_text(const Discovery& d) {
  const PrimResult& r = d.result;
  std::string out = d.file + ": " + std::to_string(r.points) + " paths, " + std::to_string(r.outcomes) + " with " +
                    d.outcome.text + " (" + number(100.0 * static_cast<double>(r.outcomes) / static_cast<double>(r.points)) +
                    "%), over " + std::to_string(d.inputs.size()) + " inputs\n";
  if (!d.skipped_columns.empty()) {
    out += "not used as inputs (not numeric):";
    for (const std::string& name : d.skipped_columns) out += " " + name;
    out += "\n";
  }
  for (std::size_t b = 0; b < r.boxes.size(); ++b) {
    const PrimBox& box = r.boxes[b].box;
    out += "\nbox " + std::to_string(b + 1) + ": coverage " + number(box.coverage) + ", density " + number(box.density) +
           ", mass " + number(box.mass) + " (" + std::to_string(box.points) + " paths, chosen at peel " +
           std::to_string(r.boxes[b].chosen) + " of " + std::to_string(r.boxes[b].trajectory.size() - 1) + ", then pasted)\n";
    const std::vector<int> restricted = box.restricted(r.data_lower, r.data_upper);
    if (restricted.empty()) out += "  no input is restricted: the outcome is not concentrated anywhere\n";
    for (int i : restricted) {
      const bool cuts_lower = box.lower[i] > r.data_lower[i], cuts_upper = box.upper[i] < r.data_upper[i];
      const std::string limits = cuts_lower && cuts_upper ? " in [" + number(box.lower[i]) + ", " + number(box.upper[i]) + "]"
                                 : cuts_lower             ? " ≥ " + number(box.lower[i])
                                                          : " ≤ " + number(box.upper[i]);
      out += "  " + d.inputs[i] + limits + "   (all paths: " + number(r.data_lower[i]) + " to " + number(r.data_upper[i]) +
             ")\n";
    }
  }
  out += "\npeeling trajectory of box 1 (coverage, density, mass, inputs restricted):\n";
  const auto& trajectory = r.boxes.front().trajectory;
  const std::size_t stride = trajectory.size() > 12 ? trajectory.size() / 12 : 1;
  for (std::size_t k = 0; k < trajectory.size(); k = k + stride < trajectory.size() || k + 1 == trajectory.size()
                                                         ? k + stride
                                                         : trajectory.size() - 1) {
    const PrimBox& step = trajectory[k];
    out += "  " + std::to_string(k) + ": " + number(step.coverage) + ", " + number(step.density) + ", " +
           number(step.mass) + ", " + std::to_string(step.restricted(r.data_lower, r.data_upper).size()) + "\n";
  }
  return out;
}

}  // namespace chokepoint
