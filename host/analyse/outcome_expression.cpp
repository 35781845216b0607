#include "analyse/outcome_expression.hpp"

#include <charconv>
#include <cmath>

#include "chokepoint/errors.hpp"

namespace chokepoint {

namespace {

std::string trimmed(const std::string& text) {
  const std::size_t first = text.find_first_not_of(' ');
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(' ') - first + 1);
}

}  // namespace

OutcomeExpression parse_outcome_expression(const std::string& text, const std::string& argument) {
  OutcomeExpression outcome;
  outcome.text = text;
  // Two-character operators first, so that ">=" is not read as ">" followed by "=…".
  static const char* const kOperators[] = {">=", "<=", "==", "!=", ">", "<"};
  std::size_t at = std::string::npos;
  for (const char* op : kOperators) {
    at = text.find(op);
    if (at != std::string::npos) {
      outcome.op = op;
      break;
    }
  }
  const auto bad = [&](const std::string& found) {
    return InputError({InputProblem{"discover", argument,
                                    "COLUMN, or COLUMN OP VALUE with OP one of >= > <= < == != (e.g. "
                                    "\"power_binding_share_2028>0.5\")",
                                    found}});
  };
  if (at == std::string::npos) {
    outcome.column = trimmed(text);
    if (outcome.column.empty()) throw bad("\"" + text + "\"");
    return outcome;
  }
  outcome.column = trimmed(text.substr(0, at));
  outcome.value = trimmed(text.substr(at + outcome.op.size()));
  if (outcome.column.empty() || outcome.value.empty()) throw bad("\"" + text + "\"");
  const char* begin = outcome.value.data() + (outcome.value.front() == '+' ? 1 : 0);
  const char* end = outcome.value.data() + outcome.value.size();
  const auto [rest, error] = std::from_chars(begin, end, outcome.number);
  outcome.numeric = error == std::errc() && rest == end && std::isfinite(outcome.number);
  if (!outcome.numeric && outcome.op != "==" && outcome.op != "!=")
    throw bad("\"" + outcome.value + "\", which is not a number, after " + outcome.op);
  return outcome;
}

std::vector<std::uint8_t> evaluate_outcome(const OutcomeExpression& outcome, const PerPathTable& table) {
  const int index = table.column_index(outcome.column);
  if (index < 0) {
    std::string names;
    for (const PerPathColumn& column : table.columns) names += (names.empty() ? "" : ", ") + column.name;
    throw InputError({InputProblem{table.file, "header", "a column \"" + outcome.column + "\" for --outcome", names}});
  }
  const PerPathColumn& column = table.columns[index];
  std::vector<std::uint8_t> result(table.rows);
  if (!outcome.numeric) {
    // A word never equals a number, so on a numeric column == is false and != true everywhere.
    for (std::size_t r = 0; r < table.rows; ++r)
      result[r] = (!column.numeric && column.text[r] == outcome.value) == (outcome.op == "==");
    return result;
  }
  if (!column.numeric)
    throw InputError({InputProblem{table.file, "row " + std::to_string(column.first_non_number + 1) + ", column " + column.name,
                                   "a number", "\"" + column.first_non_number_text + "\""}});
  const std::string& op = outcome.op;
  const double x = outcome.number;
  for (std::size_t r = 0; r < table.rows; ++r) {
    const double v = column.numbers[r];
    result[r] = op.empty() ? v != 0.0
                : op == ">=" ? v >= x
                : op == ">"  ? v > x
                : op == "<=" ? v <= x
                : op == "<"  ? v < x
                : op == "==" ? v == x
                             : v != x;
  }
  return result;
}

}  // namespace chokepoint
