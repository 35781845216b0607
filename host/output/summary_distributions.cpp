#include "output/summary_distributions.hpp"

#include <limits>

#include "chokepoint/errors.hpp"
#include "output/writing_json.hpp"

namespace chokepoint {

using OrderedJson = nlohmann::ordered_json;

void write_distribution_sections(OrderedJson& root, const Summary& summary) {
  if (!summary.distributions.empty()) {
    // A column's values fill a few dozen of its 2048 buckets, mostly side by side: each run of
    // adjacent filled buckets is [first bucket, count, count, …].
    OrderedJson variables = OrderedJson::object();
    for (const ValueHistogram& histogram : summary.distributions) {
      OrderedJson runs = OrderedJson::array();
      OrderedJson run;
      for (std::size_t b = 0; b < histogram.buckets.size(); ++b) {
        if (b == 0 || histogram.buckets[b] != histogram.buckets[b - 1] + 1) {
          if (b > 0) runs.push_back(std::move(run));
          run = OrderedJson::array({histogram.buckets[b]});
        }
        run.push_back(histogram.counts[b]);
      }
      if (!histogram.buckets.empty()) runs.push_back(std::move(run));
      variables[histogram.variable][std::to_string(histogram.year)] = std::move(runs);
    }
    root["distributions"] = OrderedJson{{"key_bits", kDistributionKeyBits}, {"variables", std::move(variables)}};
  }
  if (!summary.convergence.empty()) {
    OrderedJson traces = OrderedJson::object();
    for (const ConvergenceTrace& trace : summary.convergence) {
      OrderedJson points = OrderedJson::array();
      for (const ConvergencePoint& point : trace.points)
        points.push_back(OrderedJson{{"paths", point.paths},
                                     {"mean", json_number(point.mean)},
                                     {"mean_se", json_number(point.mean_se)},
                                     {"median", json_number(point.median)},
                                     {"median_ci", OrderedJson::array({json_number(point.median_low), json_number(point.median_high)})}});
      traces[trace.variable][std::to_string(trace.year)] = std::move(points);
    }
    root["convergence"] = std::move(traces);
  }
}

namespace {

constexpr std::uint64_t kBuckets = std::uint64_t{1} << kDistributionKeyBits;

class SectionReader {
 public:
  SectionReader(const std::string& file, const Summary& summary) : file_(file), summary_(summary) {}

  [[noreturn]] void reject(const std::string& path, const std::string& expected, const ReadJson& found) const {
    fail(path, expected, found.is_primitive() ? found.dump() : std::string(found.type_name()));
  }
  [[noreturn]] void fail(const std::string& path, const std::string& expected, const std::string& found) const {
    throw InputError({InputProblem{file_, path, expected, found}});
  }

  const ReadJson& object(const ReadJson& value, const std::string& path) const {
    if (!value.is_object()) reject(path, "an object", value);
    return value;
  }
  const ReadJson& array(const ReadJson& value, const std::string& path, std::size_t size = 0) const {
    if (!value.is_array() || (size > 0 && value.size() != size))
      reject(path, size > 0 ? "an array of " + std::to_string(size) : std::string("an array"), value);
    return value;
  }
  std::uint64_t count(const ReadJson& value, const std::string& path, const std::string& expected) const {
    if (!value.is_number_unsigned()) reject(path, expected, value);
    return value.get<std::uint64_t>();
  }
  double number(const ReadJson& value, const std::string& path) const {
    if (value.is_null()) return std::numeric_limits<double>::quiet_NaN();
    if (!value.is_number()) reject(path, "a number or null", value);
    return value.get<double>();
  }
  // A key naming a variable of this summary, or one of its years.
  void variable(const std::string& name, const std::string& path) const {
    if (!summary_.find_variable(name)) fail(path, "a variable of the summary", "\"" + name + "\"");
  }
  int year(const std::string& key, const std::string& path) const {
    for (int year : summary_.years)
      if (std::to_string(year) == key) return year;
    fail(path, "a year of the run", "\"" + key + "\"");
  }

  void distributions(const ReadJson& section, Summary& out) const {
    object(section, "distributions");
    const auto bits = section.find("key_bits");
    if (bits == section.end() || !bits->is_number_integer() || bits->get<long long>() != kDistributionKeyBits)
      fail("distributions.key_bits", std::to_string(kDistributionKeyBits),
           bits == section.end() ? std::string("nothing") : bits->dump());
    const auto variables = section.find("variables");
    if (variables == section.end()) fail("distributions.variables", "an object", "nothing");
    for (const auto& item : object(*variables, "distributions.variables").items()) {
      const std::string at = "distributions.variables." + item.key();
      variable(item.key(), at);
      for (const auto& entry : object(item.value(), at).items()) {
        const std::string path = at + "." + entry.key();
        ValueHistogram histogram{item.key(), year(entry.key(), path), {}, {}};
        const ReadJson& runs = array(entry.value(), path);
        for (std::size_t r = 0; r < runs.size(); ++r) {
          const std::string cell = path + "[" + std::to_string(r) + "]";
          const ReadJson& run = array(runs[r], cell);
          if (run.size() < 2) fail(cell, "[first bucket, count, …]", std::to_string(run.size()) + " numbers");
          const std::uint64_t first = count(run[0], cell + "[0]", "a bucket index below 2048");
          if (first + run.size() - 1 > kBuckets || (!histogram.buckets.empty() && first <= histogram.buckets.back()))
            reject(cell + "[0]", "runs of buckets below 2048, in increasing order", run[0]);
          for (std::size_t i = 1; i < run.size(); ++i) {
            histogram.buckets.push_back(static_cast<std::uint32_t>(first + i - 1));
            histogram.counts.push_back(count(run[i], cell + "[" + std::to_string(i) + "]", "a whole number of paths"));
          }
        }
        out.distributions.push_back(std::move(histogram));
      }
    }
  }

  void convergence(const ReadJson& section, Summary& out) const {
    for (const auto& item : object(section, "convergence").items()) {
      const std::string at = "convergence." + item.key();
      variable(item.key(), at);
      for (const auto& entry : object(item.value(), at).items()) {
        const std::string path = at + "." + entry.key();
        ConvergenceTrace trace{item.key(), year(entry.key(), path), {}};
        const ReadJson& points = array(entry.value(), path);
        for (std::size_t i = 0; i < points.size(); ++i) {
          const std::string cell = path + "[" + std::to_string(i) + "]";
          const ReadJson& point = object(points[i], cell);
          auto member = [&](const char* key) -> const ReadJson& {
            const auto found = point.find(key);
            if (found == point.end()) fail(cell + "." + key, "a value", "nothing");
            return *found;
          };
          ConvergencePoint p;
          p.paths = count(member("paths"), cell + ".paths", "a whole number of paths");
          p.mean = number(member("mean"), cell + ".mean");
          p.mean_se = number(member("mean_se"), cell + ".mean_se");
          p.median = number(member("median"), cell + ".median");
          const ReadJson& interval = array(member("median_ci"), cell + ".median_ci", 2);
          p.median_low = number(interval[0], cell + ".median_ci[0]");
          p.median_high = number(interval[1], cell + ".median_ci[1]");
          trace.points.push_back(p);
        }
        out.convergence.push_back(std::move(trace));
      }
    }
  }

 private:
  const std::string& file_;
  const Summary& summary_;
};

}  // namespace

void read_distribution_sections(const ReadJson& root, const std::string& file, Summary& summary) {
  const SectionReader reader(file, summary);
  if (const auto found = root.find("distributions"); found != root.end()) reader.distributions(*found, summary);
  if (const auto found = root.find("convergence"); found != root.end()) reader.convergence(*found, summary);
}

}  // namespace chokepoint
