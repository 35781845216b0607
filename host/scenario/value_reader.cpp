#include "scenario/value_reader.hpp"

#include <cmath>
#include <sstream>

namespace chokepoint {

bool ValueRange::contains(double x) const {
  if (!std::isfinite(x)) return false;
  const bool above = low_inclusive ? x >= low : x > low;
  const bool below = high_inclusive ? x <= high : x < high;
  return above && below;
}

ValueRange positive(const char* meaning) { return {0.0, false, INFINITY, false, meaning}; }
ValueRange non_negative(const char* meaning) { return {0.0, true, INFINITY, false, meaning}; }
ValueRange fraction_closed(const char* meaning) { return {0.0, true, 1.0, true, meaning}; }
ValueRange fraction_positive(const char* meaning) { return {0.0, false, 1.0, true, meaning}; }
ValueRange growth_rate(const char* meaning) { return {-1.0, false, INFINITY, false, meaning}; }

static std::string number_text(double x) {
  std::ostringstream text;
  text.precision(12);
  text << x;
  return text.str();
}

// True when the distribution's whole support [low, high] lies inside the range.
static bool support_inside(double low, double high, const ValueRange& range) {
  const bool low_ok = std::isinf(range.low) || (range.low_inclusive ? low >= range.low : low > range.low);
  const bool high_ok = std::isinf(range.high) || (range.high_inclusive ? high <= range.high : high < range.high);
  return low_ok && high_ok;
}

namespace {

// Reads the numeric fields of one distribution object, reporting missing and wrong ones.
class DistributionFields {
 public:
  DistributionFields(const Json& json, const std::string& path, ProblemList& problems)
      : json_(json), path_(path), problems_(problems) {}

  bool has(const char* key) const { return json_.contains(key); }

  double number(const char* key) {
    const std::string path = join_path(path_, key);
    if (!json_.contains(key)) {
      problems_.add(path, "a number (required for this distribution)", "nothing");
      ok = false;
      return NAN;
    }
    const Json& value = json_[key];
    if (!value.is_number() || !std::isfinite(value.get<double>())) {
      problems_.add(path, "a finite number", describe(value));
      ok = false;
      return NAN;
    }
    return value.get<double>();
  }

  void require(bool condition, const char* key, const std::string& expected, double found) {
    if (condition) return;
    problems_.add(join_path(path_, key), expected, "the number " + number_text(found));
    ok = false;
  }

  bool ok = true;

 private:
  const Json& json_;
  const std::string& path_;
  ProblemList& problems_;
};

}  // namespace

bool ValueReader::read_distribution(const Json& json, const std::string& path, const ValueRange& range,
                                    Distribution& out) {
  if (json.is_number()) {
    const double x = json.get<double>();
    if (!range.contains(x)) {
      problems_.add(path, range.meaning, describe(json));
      return false;
    }
    out = Distribution{DistributionKind::constant, {x, 0, 0, 0}};
    return true;
  }
  if (!json.is_object()) {
    problems_.add(path, std::string(range.meaning) + ", or a distribution {\"dist\": …}", describe(json));
    return false;
  }
  if (!json.contains("dist") || !json["dist"].is_string()) {
    problems_.add(join_path(path, "dist"),
                  "one of \"normal\", \"lognormal\", \"uniform\", \"triangular\", \"pert\"",
                  json.contains("dist") ? describe(json["dist"]) : "nothing");
    return false;
  }
  const std::string kind = json["dist"].get<std::string>();
  DistributionFields fields(json, path, problems_);
  double low = NAN, high = NAN;  // support, for the range check
  if (kind == "normal") {
    reject_unknown_keys(json, path, {"dist", "name", "mean", "sd", "min", "max"}, problems_);
    const double mean = fields.number("mean"), sd = fields.number("sd");
    fields.require(!(sd <= 0), "sd", "a standard deviation > 0", sd);
    low = fields.has("min") ? fields.number("min") : -INFINITY;
    high = fields.has("max") ? fields.number("max") : INFINITY;
    if (!fields.ok) return false;
    if (fields.has("min") || fields.has("max")) {
      fields.require(low < high, "max", "max > min", high);
      const double lower_cdf = normal_cdf((low - mean) / sd), upper_cdf = normal_cdf((high - mean) / sd);
      fields.require(upper_cdf - lower_cdf > 1e-9, "min",
                     "bounds that keep some probability (within about 6 sd of the mean)", low);
      out = Distribution{DistributionKind::truncated_normal, {mean, sd, lower_cdf, upper_cdf}};
    } else {
      out = Distribution{DistributionKind::normal, {mean, sd, 0, 0}};
    }
  } else if (kind == "lognormal") {
    reject_unknown_keys(json, path, {"dist", "name", "median", "p95", "mean", "sd"}, problems_);
    double mu = NAN, sigma = NAN;
    const bool by_quantiles = fields.has("median") || fields.has("p95");
    if (by_quantiles && (fields.has("mean") || fields.has("sd"))) {
      // Either pair fixes the distribution; given both, one would be ignored without a word.
      problems_.add(path, "a lognormal by median and p95, or by mean and sd, not both",
                    "both (" + std::string(fields.has("median") ? "median" : "p95") + " and " +
                        (fields.has("mean") ? "mean" : "sd") + ")");
      return false;
    }
    if (by_quantiles) {
      const double median = fields.number("median"), p95 = fields.number("p95");
      fields.require(!(median <= 0), "median", "a median > 0", median);
      fields.require(!(p95 <= median), "p95", "p95 > median", p95);
      mu = std::log(median);
      sigma = (std::log(p95) - mu) / 1.6448536269514722;
    } else {
      const double mean = fields.number("mean"), sd = fields.number("sd");
      fields.require(!(mean <= 0), "mean", "a mean > 0", mean);
      fields.require(!(sd <= 0), "sd", "a standard deviation > 0", sd);
      sigma = std::sqrt(std::log1p(sd * sd / (mean * mean)));
      mu = std::log(mean) - 0.5 * sigma * sigma;
    }
    low = std::numeric_limits<double>::denorm_min();  // the support is (0, ∞), open at 0
    high = INFINITY;
    out = Distribution{DistributionKind::lognormal, {mu, sigma, 0, 0}};
  } else if (kind == "uniform") {
    reject_unknown_keys(json, path, {"dist", "name", "min", "max"}, problems_);
    low = fields.number("min");
    high = fields.number("max");
    fields.require(!(high <= low), "max", "max > min", high);
    out = Distribution{DistributionKind::uniform, {low, high, 0, 0}};
  } else if (kind == "triangular" || kind == "pert") {
    reject_unknown_keys(json, path, {"dist", "name", "min", "mode", "max"}, problems_);
    low = fields.number("min");
    const double mode = fields.number("mode");
    high = fields.number("max");
    fields.require(!(high <= low), "max", "max > min", high);
    fields.require(!(mode < low || mode > high), "mode", "min ≤ mode ≤ max", mode);
    if (kind == "triangular") {
      out = Distribution{DistributionKind::triangular, {low, mode, high, 0}};
    } else {
      const double width = high - low;
      out = Distribution{DistributionKind::pert,
                         {low, high, 1.0 + 4.0 * (mode - low) / width, 1.0 + 4.0 * (high - mode) / width}};
    }
  } else {
    problems_.add(join_path(path, "dist"),
                  "one of \"normal\", \"lognormal\", \"uniform\", \"triangular\", \"pert\"",
                  describe(json["dist"]));
    return false;
  }
  if (!fields.ok) return false;
  if (!support_inside(low, high, range)) {
    problems_.add(path, std::string("a distribution whose values are all ") + range.meaning +
                            " (bound it with min/max, or use lognormal)",
                  "values from " + number_text(low) + " to " + number_text(high));
    return false;
  }
  return true;
}

Distribution ValueReader::distribution(const Json& json, const std::string& path, const ValueRange& range) {
  Distribution result;
  if (json.is_object() && json.contains("name"))
    problems_.add(join_path(path, "name"), "no name (this value is drawn afresh at every use)", describe(json["name"]));
  read_distribution(json, path, range, result);
  return result;
}

ParamRef ValueReader::value(const Json& json, const std::string& path, const ValueRange& range) {
  Distribution distribution;
  if (!read_distribution(json, path, range, distribution)) return ParamRef{NAN, -1};
  if (distribution.kind == DistributionKind::constant) return ParamRef{distribution.p[0], -1};
  std::string name = path;
  if (json.contains("name")) {
    if (json["name"].is_string() && !json["name"].get<std::string>().empty()) {
      name = json["name"].get<std::string>();
    } else {
      problems_.add(join_path(path, "name"), "a non-empty string naming the parameter", describe(json["name"]));
    }
  }
  for (const UncertainParameter& other : uncertain_) {
    if (other.name == name) {
      problems_.add(path, "a parameter name used once", "\"" + name + "\", also used at " + other.path);
      return ParamRef{NAN, -1};
    }
  }
  if (static_cast<int>(uncertain_.size()) >= kMaxUncertain) {
    problems_.add(path, "at most " + std::to_string(kMaxUncertain) + " uncertain parameters", "one more");
    return ParamRef{NAN, -1};
  }
  uncertain_.push_back(UncertainParameter{name, path, distribution});
  return ParamRef{NAN, static_cast<std::int32_t>(uncertain_.size() - 1)};
}

ScheduleRef ValueReader::schedule(const Json& json, const std::string& path, const ValueRange& range) {
  const int years = model_.years;
  ScheduleRef schedule{model_.schedule_entry_count};
  const bool has_room = years > 0 && model_.schedule_entry_count + years <= kMaxScheduleEntries;
  if (years > 0 && !has_room)
    problems_.add(path, "fewer schedules (the scenario holds " + std::to_string(kMaxScheduleEntries) +
                            " year entries at most)", "one more");
  if (has_room) model_.schedule_entry_count += years;

  const bool by_year = json.is_object() && !json.contains("dist");
  if (!by_year) {
    const ParamRef constant = value(json, path, range);
    for (int y = 0; has_room && y < years; ++y) model_.schedule_table[schedule.offset + y] = constant;
    return schedule;
  }
  if (json.empty()) {
    problems_.add(path, "a value, or an object of values by year such as {\"2025\": 1.5}", "an empty object");
    return schedule;
  }
  int previous_year = -1;
  bool first = true;
  for (const auto& entry : json.items()) {
    const std::string entry_path = join_path(path, entry.key());
    char* end = nullptr;
    const long year = std::strtol(entry.key().c_str(), &end, 10);
    if (entry.key().empty() || *end != '\0' || year < 1000 || year > 9999) {
      problems_.add(entry_path, "a calendar year as the key (\"2026\")", "the key \"" + entry.key() + "\"");
      continue;
    }
    if (year <= previous_year) {
      problems_.add(entry_path, "years in increasing order", "year " + entry.key() + " after " + std::to_string(previous_year));
      continue;
    }
    if (first && years > 0 && year > model_.start_year) {
      problems_.add(entry_path, "a first year at or before time.start_year (" + std::to_string(model_.start_year) + ")",
                    "year " + entry.key());
    }
    const ParamRef entry_value = value(entry.value(), entry_path, range);
    const int first_index = std::max(0, static_cast<int>(year) - model_.start_year);
    for (int y = first_index; has_room && y < years; ++y) model_.schedule_table[schedule.offset + y] = entry_value;
    previous_year = static_cast<int>(year);
    first = false;
  }
  return schedule;
}

}  // namespace chokepoint
