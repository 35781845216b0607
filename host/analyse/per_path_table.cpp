#include "analyse/per_path_table.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <set>

#include "chokepoint/errors.hpp"

namespace chokepoint {

namespace {

void split_fields(std::string& line, std::vector<std::string>& fields) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  fields.clear();
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = line.find(',', start);
    std::string field = line.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (field.size() >= 2 && field.front() == '"' && field.back() == '"') field = field.substr(1, field.size() - 2);
    fields.push_back(std::move(field));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
}

// Calls `row(fields, line_number)` for every data row; returns the header.
template <class OnRow>
std::vector<std::string> read_rows(const std::string& file, std::vector<InputProblem>& problems, OnRow row) {
  std::ifstream in(file);
  if (!in) throw InputError({InputProblem{file, "", "a readable CSV file", "none could be opened"}});
  std::vector<std::string> header, fields;
  std::string line;
  std::size_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty() || line == "\r") continue;
    split_fields(line, fields);
    if (header.empty()) {
      header = fields;
      continue;
    }
    if (fields.size() != header.size()) {
      if (problems.size() < 20)
        problems.push_back(InputProblem{file, "line " + std::to_string(line_number),
                                        std::to_string(header.size()) + " fields as in the header",
                                        std::to_string(fields.size())});
      continue;
    }
    row(fields);
  }
  return header;
}

}  // namespace

bool parse_finite_number(const std::string& text, double& value) {
  std::size_t begin = 0, end = text.size();
  while (begin < end && text[begin] == ' ') ++begin;
  while (end > begin && text[end - 1] == ' ') --end;
  if (begin < end && text[begin] == '+') ++begin;
  const auto [rest, error] = std::from_chars(text.data() + begin, text.data() + end, value);
  return error == std::errc() && rest == text.data() + end && begin < end && std::isfinite(value);
}

int PerPathTable::column_index(const std::string& name) const {
  for (std::size_t c = 0; c < columns.size(); ++c)
    if (columns[c].name == name) return static_cast<int>(c);
  return -1;
}

PerPathTable read_per_path_table(const std::string& file) {
  PerPathTable table;
  table.file = file;
  std::vector<InputProblem> problems;
  // Pass 1: the header, the row count, and which columns hold only numbers.
  double value = 0.0;
  const std::vector<std::string> header = read_rows(file, problems, [&](const std::vector<std::string>& fields) {
    if (table.columns.empty())
      for (std::size_t c = 0; c < fields.size(); ++c) table.columns.push_back(PerPathColumn{});
    for (std::size_t c = 0; c < fields.size(); ++c) {
      PerPathColumn& column = table.columns[c];
      if (column.numeric && !parse_finite_number(fields[c], value)) {
        column.numeric = false;
        column.first_non_number = table.rows;
        column.first_non_number_text = fields[c];
      }
    }
    ++table.rows;
  });
  std::set<std::string> seen;
  for (const std::string& name : header)
    if (name.empty() || !seen.insert(name).second)
      problems.push_back(InputProblem{file, "header", "distinct, non-empty column names",
                                      name.empty() ? "an empty name" : "\"" + name + "\" twice"});
  if (header.empty()) problems.push_back(InputProblem{file, "line 1", "a header row of column names", "an empty file"});
  else if (table.rows == 0 && problems.empty())
    problems.push_back(InputProblem{file, "line 2", "at least one row of values", "none"});
  if (!problems.empty()) throw InputError(problems);

  // Pass 2: the values.
  for (std::size_t c = 0; c < header.size(); ++c) {
    table.columns[c].name = header[c];
    if (table.columns[c].numeric) table.columns[c].numbers.reserve(table.rows);
    else table.columns[c].text.reserve(table.rows);
  }
  std::vector<InputProblem> second_pass_problems;
  read_rows(file, second_pass_problems, [&](const std::vector<std::string>& fields) {
    for (std::size_t c = 0; c < fields.size(); ++c) {
      PerPathColumn& column = table.columns[c];
      if (column.numeric) {
        parse_finite_number(fields[c], value);
        column.numbers.push_back(value);
      } else {
        column.text.push_back(fields[c]);
      }
    }
  });
  return table;
}

}  // namespace chokepoint
