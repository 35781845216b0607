// Scenario values (docs/scenario-format.md, "Values"): plain numbers, distributions drawn once per path, schedules by
// calendar year. Each problem is reported with its JSON path; reading continues after one.
#pragma once

#include <limits>
#include <string>
#include <vector>

#include "chokepoint/model.hpp"
#include "scenario/input_problems.hpp"

namespace chokepoint {

// The values a quantity may take, for checking numbers and the support of distributions.
struct ValueRange {
  double low = -std::numeric_limits<double>::infinity();
  bool low_inclusive = false;
  double high = std::numeric_limits<double>::infinity();
  bool high_inclusive = false;
  const char* meaning = "a number";  // e.g. "a capacity > 0", used in messages

  bool contains(double x) const;
};

ValueRange positive(const char* meaning);
ValueRange non_negative(const char* meaning);
ValueRange fraction_closed(const char* meaning);    // [0, 1]
ValueRange fraction_positive(const char* meaning);  // (0, 1]
ValueRange growth_rate(const char* meaning);        // > −1

struct UncertainParameter {
  std::string name;   // stream name and the name used by parameter_correlations
  std::string path;   // JSON path, for messages
  Distribution distribution;
};

class ValueReader {
 public:
  ValueReader(Model& model, ProblemList& problems) : model_(model), problems_(problems) {}

  // A number or a distribution drawn once per path. `stream_name` names its random stream
  // unless the distribution carries its own "name".
  ParamRef value(const Json& json, const std::string& path, const ValueRange& range);

  // A distribution (or a number) drawn afresh at every use, e.g. an event's severity.
  Distribution distribution(const Json& json, const std::string& path, const ValueRange& range);

  // A value per calendar year, resolved into model.schedule_table (see scenario-format.md).
  ScheduleRef schedule(const Json& json, const std::string& path, const ValueRange& range);

  const std::vector<UncertainParameter>& uncertain() const { return uncertain_; }

 private:
  bool read_distribution(const Json& json, const std::string& path, const ValueRange& range,
                         Distribution& out);
  Model& model_;
  ProblemList& problems_;
  std::vector<UncertainParameter> uncertain_;
};

}  // namespace chokepoint
