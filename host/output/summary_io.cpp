#include "chokepoint/summary_io.hpp"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "chokepoint/csv.hpp"
#include "chokepoint/errors.hpp"
#include "chokepoint/output_files.hpp"
#include "output/appending_json.hpp"
#include "output/summary_distributions.hpp"
#include "output/stages_json.hpp"
#include "output/writing_json.hpp"

namespace chokepoint {

namespace fs = std::filesystem;
using OrderedJson = nlohmann::ordered_json;

std::string shortest_decimal(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

static bool has_intervals(const Summary& summary, const YearStatistics& stats) {
  return stats.quantile_ci_low.size() == summary.quantile_levels.size() &&
         stats.quantile_ci_high.size() == summary.quantile_levels.size();
}

// "sensitivity" (docs/sensitivity.md): first_order.<output>.<year> = [{input, index, se}, …];
// binding_by_decile.<stage>.<year>.<input> = [p₁ … p₁₀]; binding_by_firings likewise, [p₀, p₁, p₂₊].
static OrderedJson sensitivity_json(const SensitivitySection& section) {
  OrderedJson first_order = OrderedJson::object();
  for (const OutputSensitivity& output : section.first_order) {
    OrderedJson indices = OrderedJson::array();
    for (const FirstOrderIndex& index : output.indices)
      indices.push_back(OrderedJson{{"input", index.input}, {"index", json_number(index.index)}, {"se", json_number(index.se)}});
    first_order[output.output][std::to_string(output.year)] = std::move(indices);
  }
  const auto by_input = [](const std::vector<BindingByInput>& rows) {
    OrderedJson out = OrderedJson::object();
    for (const BindingByInput& row : rows) {
      OrderedJson p = OrderedJson::array();
      for (double value : row.p) p.push_back(json_number(value));
      out[row.stage][std::to_string(row.year)][row.input] = std::move(p);
    }
    return out;
  };
  return OrderedJson{{"bins", section.bins},
                     {"inputs", section.inputs},
                     {"input_kinds", section.input_kinds},
                     {"out_of_range", section.out_of_range},
                     {"first_order", std::move(first_order)},
                     {"binding_by_decile", by_input(section.binding_by_decile)},
                     {"binding_by_firings", by_input(section.binding_by_firings)}};
}

std::string summary_json_text(const Summary& summary) {
  OrderedJson root;
  root["scenario"] = summary.scenario;
  root["paths"] = summary.paths;
  root["seed"] = summary.seed;
  root["backend"] = summary.backend;
  root["precision"] = summary.precision;
  root["device"] = summary.device;
  root["threads"] = summary.threads;
  root["seconds"] = summary.seconds;
  root["scenario_digest"] = summary.scenario_digest;
  root["years"] = summary.years;
  OrderedJson levels = OrderedJson::array();
  for (double q : summary.quantile_levels) levels.push_back(q);
  root["quantile_levels"] = levels;
  if (!summary.quantile_ci_coverage.empty()) {
    OrderedJson coverage = OrderedJson::object();
    for (std::size_t i = 0; i < summary.quantile_levels.size() && i < summary.quantile_ci_coverage.size(); ++i)
      coverage[shortest_decimal(summary.quantile_levels[i])] = json_number(summary.quantile_ci_coverage[i]);
    root["quantile_ci_coverage"] = coverage;
  }
  OrderedJson variables = OrderedJson::object();
  for (const VariableSummary& variable : summary.variables) {
    OrderedJson years = OrderedJson::array();
    for (const YearStatistics& stats : variable.years) {
      OrderedJson year{{"year", stats.year}, {"mean", json_number(stats.mean)}, {"sd", json_number(stats.sd)},
                       {"se", json_number(stats.se)}, {"quantiles", values_by_level(summary.quantile_levels, stats.quantiles)}};
      if (has_intervals(summary, stats)) {
        OrderedJson intervals = OrderedJson::object();
        for (std::size_t i = 0; i < summary.quantile_levels.size(); ++i)
          append_new_key(intervals, shortest_decimal(summary.quantile_levels[i]),
                         OrderedJson::array({json_number(stats.quantile_ci_low[i]), json_number(stats.quantile_ci_high[i])}));
        year["quantile_ci"] = std::move(intervals);
      }
      years.push_back(std::move(year));
    }
    variables[variable.name] = OrderedJson{{"unit", variable.unit}, {"kind", variable.kind}, {"years", years}};
  }
  root["variables"] = variables;
  root["stages"] = stages_json(summary.stages);
  OrderedJson thresholds = OrderedJson::array();
  for (const ThresholdResult& t : summary.thresholds)
    thresholds.push_back(OrderedJson{{"variable", t.variable}, {"year", t.year}, {"at_least", json_number(t.at_least)},
                                     {"p", json_number(t.p)}, {"se", json_number(t.se)}});
  root["thresholds"] = thresholds;
  write_distribution_sections(root, summary);
  OrderedJson nonfinite = OrderedJson::array();
  for (const NonfiniteCount& count : summary.nonfinite)
    nonfinite.push_back(OrderedJson{{"variable", count.variable}, {"year", count.year},
                                    {"nonfinite_paths", count.nonfinite_paths}, {"saturated_paths", count.saturated_paths}});
  root["nonfinite"] = nonfinite;
  root["notes"] = summary.notes;
  if (summary.sensitivity.bins > 0) root["sensitivity"] = sensitivity_json(summary.sensitivity);
  if (summary.target_se) {
    const TargetSeRecord& target = *summary.target_se;
    OrderedJson batches = OrderedJson::array();
    for (const TargetSeStep& step : target.batches)
      batches.push_back(OrderedJson{{"paths", step.paths}, {"estimate", json_number(step.estimate)},
                                    {"se", json_number(step.se)}});
    root["target_se"] = OrderedJson{{"for", target.for_spec}, {"statistic", target.statistic},
                                    {"target", json_number(target.target)}, {"achieved", json_number(target.achieved)},
                                    {"estimate", json_number(target.estimate)}, {"paths", target.paths},
                                    {"met", target.met}, {"batches", std::move(batches)}};
  }
  // Names come from the scenario; invalid UTF-8 in one must not abort the write (dump throws).
  return root.dump(1, ' ', false, OrderedJson::error_handler_t::replace) + "\n";
}

// One row of summary.csv. `quantile` is the level for quantile rows and empty otherwise, so the
// column reads as numbers.
struct CsvRow {
  const std::string& scenario;
  const std::string& variable;
  const std::string& unit;
};

static void csv_row(std::string& out, const CsvRow& row, int year, const std::string& stat, double quantile, double value) {
  out += csv_text(row.scenario);
  out += ',';
  out += csv_text(row.variable);
  out += ',';
  out += csv_text(row.unit);
  out += ',';
  out += std::to_string(year);
  out += ',';
  out += csv_text(stat);
  out += ',';
  out += csv_number(quantile);
  out += ',';
  out += csv_number(value);
  out += '\n';
}

// "q0.05"; appended rather than "q" + …, which trips a GCC 12 -Wrestrict false positive.
static std::string quantile_stat(double level) {
  std::string stat = "q";
  stat += shortest_decimal(level);
  return stat;
}

std::string summary_csv_text(const Summary& summary) {
  constexpr double kNone = std::numeric_limits<double>::quiet_NaN();
  std::string out = "scenario,variable,unit,year,stat,quantile,value\n";
  for (const VariableSummary& variable : summary.variables) {
    const CsvRow row{summary.scenario, variable.name, variable.unit};
    for (const YearStatistics& stats : variable.years) {
      csv_row(out, row, stats.year, "mean", kNone, stats.mean);
      csv_row(out, row, stats.year, "sd", kNone, stats.sd);
      csv_row(out, row, stats.year, "se", kNone, stats.se);
      for (std::size_t i = 0; i < summary.quantile_levels.size(); ++i)
        csv_row(out, row, stats.year, quantile_stat(summary.quantile_levels[i]), summary.quantile_levels[i],
                stats.quantiles[i]);
      // After the quantiles, so readers of the older table find every row where it was.
      if (has_intervals(summary, stats))
        for (std::size_t i = 0; i < summary.quantile_levels.size(); ++i) {
          const std::string stat = quantile_stat(summary.quantile_levels[i]);
          csv_row(out, row, stats.year, stat + "_ci_low", summary.quantile_levels[i], stats.quantile_ci_low[i]);
          csv_row(out, row, stats.year, stat + "_ci_high", summary.quantile_levels[i], stats.quantile_ci_high[i]);
        }
    }
  }
  const std::string share = "share", probability = "probability";
  for (const StageSummary& stage : summary.stages) {
    const std::string name = "stage." + stage.name;
    for (const StageYear& y : stage.years) {
      csv_row(out, CsvRow{summary.scenario, name, share}, y.year, "binding_share", kNone, y.binding_share);
      csv_row(out, CsvRow{summary.scenario, name, share}, y.year, "binding_share_se", kNone, y.binding_share_se);
      csv_row(out, CsvRow{summary.scenario, name, probability}, y.year, "binding_any", kNone, y.binding_any);
      csv_row(out, CsvRow{summary.scenario, name, probability}, y.year, "binding_any_se", kNone, y.binding_any_se);
    }
  }
  for (const ThresholdResult& t : summary.thresholds) {
    const std::string stat = "p_at_least_" + shortest_decimal(t.at_least);
    csv_row(out, CsvRow{summary.scenario, t.variable, probability}, t.year, stat, kNone, t.p);
    csv_row(out, CsvRow{summary.scenario, t.variable, probability}, t.year, stat + "_se", kNone, t.se);
  }
  for (const OutputSensitivity& output : summary.sensitivity.first_order)
    for (const FirstOrderIndex& index : output.indices) {
      csv_row(out, CsvRow{summary.scenario, output.output, "index"}, output.year, "first_order." + index.input, kNone,
              index.index);
      csv_row(out, CsvRow{summary.scenario, output.output, "index"}, output.year, "first_order_se." + index.input, kNone,
              index.se);
    }
  return out;
}

static void create_directory(const std::string& directory) {
  std::error_code error;
  fs::create_directories(directory, error);
  if (error || !fs::is_directory(directory))
    throw ResourceError("cannot create the output directory " + directory + (error ? ": " + error.message() : ""));
}

void write_summary(const std::string& directory, const Summary& summary) {
  create_directory(directory);
  // Build both texts before writing either, so a failure in one leaves neither half-updated.
  const std::string json = summary_json_text(summary);
  const std::string csv = summary_csv_text(summary);
  write_file_atomically((fs::path(directory) / "summary.csv").string(), csv);
  write_file_atomically((fs::path(directory) / "summary.json").string(), json);
}

void write_run_directory(const std::string& directory, const Scenario& scenario, const Summary& summary) {
  create_directory(directory);
  const std::string scenario_text = scenario.resolved_json + "\n";
  write_file_atomically((fs::path(directory) / "scenario.json").string(), scenario_text);
  // summary.json last: its presence marks a complete run directory. It names the scenario.json
  // beside it by digest, so that a reader can tell when the two come from different runs.
  Summary stamped = summary;
  stamped.scenario_digest = content_digest(scenario_text);
  write_summary(directory, stamped);
}

namespace {

// summary.json is at most this large: 64 MiB holds ~10⁵ variable-years with 50 quantiles each.
constexpr std::uint64_t kMaxSummaryBytes = std::uint64_t{64} << 20;

// null (written for NaN) reads back as NaN.
double read_number(const ReadJson& value) {
  return value.is_number() ? value.get<double>() : std::numeric_limits<double>::quiet_NaN();
}

// The checks a summary.json must pass before anything relies on its shape: `diff` re-simulates
// `paths` paths, and the report indexes every variable's years by the summary's year list.
class SummaryReader {
 public:
  explicit SummaryReader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const std::string& path, const std::string& expected, const std::string& found) const {
    throw InputError({InputProblem{file_, path, expected, found}});
  }

  const ReadJson& member(const ReadJson& object, const std::string& key, const std::string& path) const {
    if (!object.is_object()) fail(path, "an object", object.type_name());
    const auto found = object.find(key);
    if (found == object.end()) fail(path.empty() ? key : path + "." + key, "a value", "nothing");
    return *found;
  }

  // The years of a variable or stage must be the summary's years, in order.
  void require_years(const ReadJson& years, const std::vector<int>& expected, const std::string& path) const {
    if (!years.is_array() || years.size() != expected.size())
      fail(path, "one entry per year of the run (" + std::to_string(expected.size()) + ")",
           years.is_array() ? std::to_string(years.size()) + " entries" : years.type_name());
    for (std::size_t y = 0; y < expected.size(); ++y) {
      const ReadJson& year = member(years[y], "year", path + "[" + std::to_string(y) + "]");
      if (!year.is_number_integer() || year.get<long long>() != expected[y])
        fail(path + "[" + std::to_string(y) + "].year", "the run's year " + std::to_string(expected[y]), year.dump());
    }
  }

  // Quantiles by level, in the order of quantile_levels; one pass, no lookup per level.
  std::vector<double> quantiles(const ReadJson& object, const std::vector<double>& levels, const std::string& path) const {
    if (!object.is_object() || object.size() != levels.size())
      fail(path, "one value per quantile level (" + std::to_string(levels.size()) + ")",
           object.is_object() ? std::to_string(object.size()) + " values" : object.type_name());
    std::vector<double> values;
    values.reserve(levels.size());
    std::size_t i = 0;
    for (const auto& item : object.items()) {
      if (item.key() != shortest_decimal(levels[i]))
        fail(path, "the levels of quantile_levels in order", "\"" + item.key() + "\" where \"" + shortest_decimal(levels[i]) + "\" belongs");
      values.push_back(read_number(item.value()));
      ++i;
    }
    return values;
  }

  // Each quantile's [low, high] interval, by level in the order of quantile_levels.
  void intervals(const ReadJson& object, const std::vector<double>& levels, const std::string& path,
                 YearStatistics& stats) const {
    if (!object.is_object() || object.size() != levels.size())
      fail(path, "one interval per quantile level (" + std::to_string(levels.size()) + ")",
           object.is_object() ? std::to_string(object.size()) + " intervals" : object.type_name());
    std::size_t i = 0;
    for (const auto& item : object.items()) {
      if (item.key() != shortest_decimal(levels[i]))
        fail(path, "the levels of quantile_levels in order", "\"" + item.key() + "\" where \"" + shortest_decimal(levels[i]) + "\" belongs");
      if (!item.value().is_array() || item.value().size() != 2)
        fail(path + "." + item.key(), "an interval [low, high]", item.value().type_name());
      stats.quantile_ci_low.push_back(read_number(item.value()[0]));
      stats.quantile_ci_high.push_back(read_number(item.value()[1]));
      ++i;
    }
  }

  // The "sensitivity" section as summary_json_text writes it (absent from older summaries).
  int year_key(const std::string& key, const std::string& path) const {
    int year = 0;
    const auto [end, error] = std::from_chars(key.data(), key.data() + key.size(), year);
    if (error != std::errc() || end != key.data() + key.size()) fail(path, "a calendar year", "\"" + key + "\"");
    return year;
  }

  SensitivitySection sensitivity(const ReadJson& object) const {
    SensitivitySection section;
    section.bins = member(object, "bins", "sensitivity").get<int>();
    section.inputs = member(object, "inputs", "sensitivity").get<std::vector<std::string>>();
    section.input_kinds = member(object, "input_kinds", "sensitivity").get<std::vector<std::string>>();
    section.out_of_range = object.value("out_of_range", std::uint64_t{0});
    for (const auto& output : member(object, "first_order", "sensitivity").items())
      for (const auto& year : output.value().items()) {
        OutputSensitivity row{output.key(), year_key(year.key(), "sensitivity.first_order." + output.key()), {}};
        for (const ReadJson& index : year.value())
          row.indices.push_back(FirstOrderIndex{index.at("input").get<std::string>(), read_number(index.at("index")),
                                                read_number(index.at("se"))});
        section.first_order.push_back(std::move(row));
      }
    const auto by_input = [&](const char* key, std::vector<BindingByInput>& rows) {
      if (!object.contains(key)) return;
      for (const auto& stage : object[key].items())
        for (const auto& year : stage.value().items())
          for (const auto& input : year.value().items()) {
            BindingByInput row{stage.key(), year_key(year.key(), std::string("sensitivity.") + key + "." + stage.key()),
                               input.key(), {}};
            for (const ReadJson& p : input.value()) row.p.push_back(read_number(p));
            rows.push_back(std::move(row));
          }
    };
    by_input("binding_by_decile", section.binding_by_decile);
    by_input("binding_by_firings", section.binding_by_firings);
    return section;
  }

  Summary read(const ReadJson& root) const {
    Summary summary;
    summary.scenario = member(root, "scenario", "").get<std::string>();
    const ReadJson& paths = member(root, "paths", "");
    if (!paths.is_number_unsigned() || paths.get<std::uint64_t>() == 0)
      fail("paths", "a whole number of paths ≥ 1", paths.dump());
    summary.paths = paths.get<std::uint64_t>();
    const ReadJson& seed = member(root, "seed", "");
    if (!seed.is_number_unsigned()) fail("seed", "a whole number in [0, 2⁶⁴)", seed.dump());
    summary.seed = seed.get<std::uint64_t>();
    summary.backend = member(root, "backend", "").get<std::string>();
    summary.device = root.value("device", "");
    summary.precision = root.value("precision", "");
    summary.threads = root.value("threads", 0);
    summary.seconds = root.value("seconds", 0.0);
    summary.scenario_digest = root.value("scenario_digest", "");
    summary.years = member(root, "years", "").get<std::vector<int>>();
    for (std::size_t y = 1; y < summary.years.size(); ++y)
      if (summary.years[y] <= summary.years[y - 1]) fail("years", "increasing calendar years", "years out of order");
    summary.quantile_levels = member(root, "quantile_levels", "").get<std::vector<double>>();
    for (std::size_t i = 0; i < summary.quantile_levels.size(); ++i)
      if (!(summary.quantile_levels[i] >= 0.0 && summary.quantile_levels[i] <= 1.0) ||
          (i > 0 && summary.quantile_levels[i] <= summary.quantile_levels[i - 1]))
        fail("quantile_levels", "increasing levels in [0, 1]", shortest_decimal(summary.quantile_levels[i]));
    if (root.contains("quantile_ci_coverage"))  // absent from summaries written before intervals
      summary.quantile_ci_coverage = quantiles(root["quantile_ci_coverage"], summary.quantile_levels, "quantile_ci_coverage");
    for (const auto& item : member(root, "variables", "").items()) {
      const std::string path = "variables." + item.key();
      VariableSummary variable;
      variable.name = item.key();
      variable.unit = member(item.value(), "unit", path).get<std::string>();
      variable.kind = member(item.value(), "kind", path).get<std::string>();
      const ReadJson& years = member(item.value(), "years", path);
      require_years(years, summary.years, path + ".years");
      for (std::size_t y = 0; y < years.size(); ++y) {
        const ReadJson& year = years[y];
        const std::string at = path + ".years[" + std::to_string(y) + "]";
        YearStatistics stats;
        stats.year = summary.years[y];
        stats.mean = read_number(member(year, "mean", at));
        stats.sd = read_number(member(year, "sd", at));
        stats.se = read_number(member(year, "se", at));
        stats.quantiles = quantiles(member(year, "quantiles", at), summary.quantile_levels, at + ".quantiles");
        if (year.contains("quantile_ci"))  // absent from summaries written before intervals
          intervals(year["quantile_ci"], summary.quantile_levels, at + ".quantile_ci", stats);
        variable.years.push_back(stats);
      }
      summary.variables.push_back(variable);
    }
    for (const auto& item : member(root, "stages", "").items()) {
      const std::string path = "stages." + item.key();
      StageSummary stage;
      stage.name = item.key();
      const ReadJson& years = member(item.value(), "years", path);
      require_years(years, summary.years, path + ".years");
      for (const ReadJson& year : years)
        stage.years.push_back(StageYear{year.at("year").get<int>(), read_number(member(year, "binding_share", path)),
                                        read_number(member(year, "binding_share_se", path)),
                                        read_number(member(year, "binding_any", path)),
                                        read_number(member(year, "binding_any_se", path))});
      summary.stages.push_back(stage);
    }
    for (const ReadJson& t : member(root, "thresholds", ""))
      summary.thresholds.push_back(ThresholdResult{t.at("variable").get<std::string>(), t.at("year").get<int>(),
                                                   read_number(t.at("at_least")), read_number(t.at("p")),
                                                   read_number(t.at("se"))});
    read_distribution_sections(root, file_, summary);
    if (root.contains("nonfinite"))
      for (const ReadJson& n : root["nonfinite"])
        summary.nonfinite.push_back(NonfiniteCount{n.at("variable").get<std::string>(), n.at("year").get<int>(),
                                                   n.at("nonfinite_paths").get<std::uint64_t>(),
                                                   n.at("saturated_paths").get<std::uint64_t>()});
    if (root.contains("notes")) summary.notes = root["notes"].get<std::vector<std::string>>();
    if (root.contains("sensitivity")) summary.sensitivity = sensitivity(root["sensitivity"]);
    return summary;
  }

 private:
  std::string file_;
};

}  // namespace

Summary read_summary(const std::string& directory) {
  const std::string file = (fs::path(directory) / "summary.json").string();
  const std::string text =
      read_regular_file(file, kMaxSummaryBytes, "a run directory with summary.json (from chokepoint run)");
  const SummaryReader reader(file);
  try {
    return reader.read(ReadJson::parse(text));
  } catch (const ReadJson::exception& error) {
    // nlohmann's message names the byte offset, never the text around it.
    throw InputError({InputProblem{file, "", "a chokepoint summary.json", std::string("malformed: ") + error.what()}});
  }
}

Scenario read_run_scenario(const std::string& directory, const Summary& summary) {
  const std::string file = (fs::path(directory) / "scenario.json").string();
  const std::string text = read_regular_file(file, kMaxSummaryBytes, "the run's scenario.json (from chokepoint run)");
  if (summary.scenario_digest.empty() || content_digest(text) != summary.scenario_digest)
    throw InputError({InputProblem{file, "", "the scenario.json of the run whose summary.json is beside it (digest " +
                                              (summary.scenario_digest.empty() ? std::string("missing") : summary.scenario_digest) + ")",
                                   "digest " + content_digest(text) + ": the two files come from different runs; re-run"}});
  return load_scenario_text(text, file);
}

}  // namespace chokepoint
