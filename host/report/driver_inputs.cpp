#include "report/driver_inputs.hpp"

#include <cmath>
#include <limits>

#include "chokepoint/errors.hpp"
#include "chokepoint/output_files.hpp"
#include "output/appending_json.hpp"

namespace chokepoint::report {

namespace {

// Far above any tornado or summary the engine writes, far below what would exhaust memory.
constexpr std::uint64_t kMaxBytes = std::uint64_t{64} << 20;

class JsonChecker {
 public:
  explicit JsonChecker(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const std::string& path, const std::string& expected, const std::string& found) const {
    throw InputError({InputProblem{file_, path, expected, found}});
  }
  [[noreturn]] void reject(const std::string& path, const std::string& expected, const ReadJson& found) const {
    fail(path, expected, found.is_primitive() ? found.dump() : std::string(found.type_name()));
  }

  ReadJson parse(const std::string& text) const {
    try {
      return ReadJson::parse(text);
    } catch (const ReadJson::exception& error) {
      fail("", "JSON", std::string("malformed: ") + error.what());
    }
  }

  const ReadJson& member(const ReadJson& object, const std::string& key, const std::string& path) const {
    if (!object.is_object()) reject(path, "an object", object);
    const auto found = object.find(key);
    const std::string at = path.empty() ? key : path + "." + key;
    if (found == object.end()) fail(at, "a value", "nothing");
    return *found;
  }
  const ReadJson& object(const ReadJson& value, const std::string& path) const {
    if (!value.is_object()) reject(path, "an object", value);
    return value;
  }
  const ReadJson& array(const ReadJson& value, const std::string& path) const {
    if (!value.is_array()) reject(path, "an array", value);
    return value;
  }
  std::string text(const ReadJson& value, const std::string& path) const {
    if (!value.is_string()) reject(path, "a string", value);
    return value.get<std::string>();
  }
  // null stands for a number the writer could not give (NaN).
  double number(const ReadJson& value, const std::string& path) const {
    if (value.is_null()) return std::numeric_limits<double>::quiet_NaN();
    if (!value.is_number()) reject(path, "a number", value);
    return value.get<double>();
  }
  std::uint64_t whole(const ReadJson& value, const std::string& path) const {
    if (!value.is_number_unsigned()) reject(path, "a whole number ≥ 0", value);
    return value.get<std::uint64_t>();
  }
  int year(const ReadJson& value, const std::string& path) const {
    if (!value.is_number_integer() || value.get<long long>() < 1000 || value.get<long long>() > 9999)
      reject(path, "a calendar year", value);
    return value.get<int>();
  }
  int year_key(const std::string& key, const std::string& path) const {
    const ReadJson parsed = ReadJson::parse(key, nullptr, false);
    if (parsed.is_discarded()) fail(path, "a calendar year as the key", "\"" + key + "\"");
    return year(parsed, path);
  }

  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

TornadoSetting tornado_end(const JsonChecker& check, const ReadJson& json, const std::string& path) {
  return TornadoSetting{check.number(check.member(json, "percentile", path), path + ".percentile"),
                    check.number(check.member(json, "value", path), path + ".value"),
                    check.number(check.member(json, "median", path), path + ".median")};
}

}  // namespace

TornadoFile read_tornado_file(const std::string& file) {
  const JsonChecker check(file);
  const ReadJson root = check.parse(read_regular_file(file, kMaxBytes, "a tornado.json written by chokepoint run --report"));
  TornadoFile data;
  check.object(root, "");
  data.paths = check.whole(check.member(root, "paths", ""), "paths");
  data.seed = check.whole(check.member(root, "seed", ""), "seed");
  const ReadJson& charts = check.array(check.member(root, "charts", ""), "charts");
  for (std::size_t c = 0; c < charts.size(); ++c) {
    const std::string at = "charts[" + std::to_string(c) + "]";
    TornadoPanel chart;
    chart.variable = check.text(check.member(charts[c], "variable", at), at + ".variable");
    chart.unit = check.text(check.member(charts[c], "unit", at), at + ".unit");
    chart.year = check.year(check.member(charts[c], "year", at), at + ".year");
    chart.baseline_median = check.number(check.member(charts[c], "baseline_median", at), at + ".baseline_median");
    const ReadJson& bars = check.array(check.member(charts[c], "bars", at), at + ".bars");
    for (std::size_t b = 0; b < bars.size(); ++b) {
      const std::string bar_at = at + ".bars[" + std::to_string(b) + "]";
      TornadoRow bar;
      bar.input = check.text(check.member(bars[b], "input", bar_at), bar_at + ".input");
      bar.low = tornado_end(check, check.member(bars[b], "low", bar_at), bar_at + ".low");
      bar.high = tornado_end(check, check.member(bars[b], "high", bar_at), bar_at + ".high");
      bar.swing = check.number(check.member(bars[b], "swing", bar_at), bar_at + ".swing");
      chart.bars.push_back(bar);
    }
    data.charts.push_back(std::move(chart));
  }
  return data;
}

std::optional<SensitivityFile> read_sensitivity_section(const std::string& summary_file) {
  const JsonChecker check(summary_file);
  const ReadJson root = check.parse(read_regular_file(summary_file, kMaxBytes, "a run directory with summary.json"));
  const auto found = root.is_object() ? root.find("sensitivity") : root.end();
  if (!root.is_object() || found == root.end()) return std::nullopt;
  const ReadJson& section = check.object(*found, "sensitivity");
  SensitivityFile data;
  const ReadJson& bins = check.member(section, "bins", "sensitivity");
  if (!bins.is_number_unsigned() || bins.get<std::uint64_t>() < 2 || bins.get<std::uint64_t>() > 100000)
    check.reject("sensitivity.bins", "a whole number of bins ≥ 2", bins);
  data.bins = bins.get<int>();
  const ReadJson& inputs = check.array(check.member(section, "inputs", "sensitivity"), "sensitivity.inputs");
  for (std::size_t i = 0; i < inputs.size(); ++i)
    data.inputs.push_back(check.text(inputs[i], "sensitivity.inputs[" + std::to_string(i) + "]"));

  if (const auto first = section.find("first_order"); first != section.end())
    for (const auto& output : check.object(*first, "sensitivity.first_order").items()) {
      const std::string at = "sensitivity.first_order." + output.key();
      for (const auto& year : check.object(output.value(), at).items()) {
        const std::string year_at = at + "." + year.key();
        OutputIndices row{output.key(), check.year_key(year.key(), year_at), {}};
        const ReadJson& list = check.array(year.value(), year_at);
        for (std::size_t i = 0; i < list.size(); ++i) {
          const std::string item_at = year_at + "[" + std::to_string(i) + "]";
          row.indices.push_back(InputIndex{check.text(check.member(list[i], "input", item_at), item_at + ".input"),
                                                check.number(check.member(list[i], "index", item_at), item_at + ".index"),
                                                check.number(check.member(list[i], "se", item_at), item_at + ".se")});
        }
        data.first_order.push_back(std::move(row));
      }
    }

  if (const auto deciles = section.find("binding_by_decile"); deciles != section.end())
    for (const auto& stage : check.object(*deciles, "sensitivity.binding_by_decile").items()) {
      const std::string at = "sensitivity.binding_by_decile." + stage.key();
      for (const auto& year : check.object(stage.value(), at).items()) {
        const std::string year_at = at + "." + year.key();
        const int calendar_year = check.year_key(year.key(), year_at);
        for (const auto& input : check.object(year.value(), year_at).items()) {
          const std::string input_at = year_at + "." + input.key();
          const ReadJson& values = check.array(input.value(), input_at);
          // Deciles by the schema; any number of equal-probability bins ≥ 2 draws as well.
          if (values.size() < 2) check.fail(input_at, "a probability per decile (10)", std::to_string(values.size()) + " values");
          BindingCurve curve{stage.key(), calendar_year, input.key(), {}};
          for (std::size_t d = 0; d < values.size(); ++d) {
            const double p = check.number(values[d], input_at + "[" + std::to_string(d) + "]");
            if (std::isfinite(p) && (p < 0.0 || p > 1.0))
              check.reject(input_at + "[" + std::to_string(d) + "]", "a probability in [0, 1]", values[d]);
            curve.probability.push_back(p);
          }
          data.binding_by_decile.push_back(std::move(curve));
        }
      }
    }
  return data;
}

}  // namespace chokepoint::report
