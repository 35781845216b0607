#include "analyse/per_path_table.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <set>

#include "chokepoint/errors.hpp"

namespace chokepoint {

namespace {

std::vector<std::string> split_fields(std::string line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  std::vector<std::string> fields;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = line.find(',', start);
    std::string field = line.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (field.size() >= 2 && field.front() == '"' && field.back() == '"') field = field.substr(1, field.size() - 2);
    fields.push_back(field);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return fields;
}

bool parse_number(const std::string& text, double& value) {
  std::size_t begin = 0, end = text.size();
  while (begin < end && text[begin] == ' ') ++begin;
  while (end > begin && text[end - 1] == ' ') --end;
  if (begin < end && text[begin] == '+') ++begin;
  const auto [rest, error] = std::from_chars(text.data() + begin, text.data() + end, value);
  return error == std::errc() && rest == text.data() + end && begin < end && std::isfinite(value);
}

}  // namespace

int PerPathTable::column_index(const std::string& name) const {
  for (std::size_t c = 0; c < columns.size(); ++c)
    if (columns[c] == name) return static_cast<int>(c);
  return -1;
}

std::optional<std::vector<double>> PerPathTable::numeric_column(int column) const {
  std::vector<double> values(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r)
    if (!parse_number(rows[r][column], values[r])) return std::nullopt;
  return values;
}

std::optional<std::size_t> PerPathTable::first_non_number(int column) const {
  double value = 0.0;
  for (std::size_t r = 0; r < rows.size(); ++r)
    if (!parse_number(rows[r][column], value)) return r;
  return std::nullopt;
}

PerPathTable read_per_path_table(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw InputError({InputProblem{file, "", "a readable CSV file", "none could be opened"}});
  PerPathTable table;
  table.file = file;
  std::vector<InputProblem> problems;
  std::string line;
  std::size_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty() || line == "\r") continue;
    std::vector<std::string> fields = split_fields(line);
    if (table.columns.empty()) {
      std::set<std::string> seen;
      for (const std::string& name : fields)
        if (name.empty() || !seen.insert(name).second)
          problems.push_back(InputProblem{file, "line " + std::to_string(line_number),
                                          "a header of distinct, non-empty column names",
                                          name.empty() ? "an empty name" : "\"" + name + "\" twice"});
      table.columns = std::move(fields);
      continue;
    }
    if (fields.size() != table.columns.size()) {
      if (problems.size() < 20)
        problems.push_back(InputProblem{file, "line " + std::to_string(line_number),
                                        std::to_string(table.columns.size()) + " fields as in the header",
                                        std::to_string(fields.size())});
      continue;
    }
    table.rows.push_back(std::move(fields));
  }
  if (table.columns.empty()) problems.push_back(InputProblem{file, "line 1", "a header row of column names", "an empty file"});
  else if (table.rows.empty() && problems.empty())
    problems.push_back(InputProblem{file, "line 2", "at least one row of values", "none"});
  if (!problems.empty()) throw InputError(problems);
  return table;
}

}  // namespace chokepoint
