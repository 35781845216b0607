// A per-path CSV table as analysts hand it to `chokepoint discover`: a header row of column
// names, then one row per path. Cells are kept as text; a column is numeric when every cell
// parses as a finite number.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace chokepoint {

struct PerPathTable {
  std::string file;
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  // rows[r][c]

  // Index of a column by name, or -1.
  int column_index(const std::string& name) const;
  // The column's values, or nullopt when some cell is not a finite number.
  std::optional<std::vector<double>> numeric_column(int column) const;
  // The first row whose cell in `column` is not a finite number, or nullopt.
  std::optional<std::size_t> first_non_number(int column) const;
};

// Reads FILE. Fields are separated by commas; a field wrapped in double quotes loses them (quoted
// commas are not supported); blank lines and a trailing '\r' are ignored. Throws InputError (exit 2)
// naming the file and row when the file cannot be read, has no header or no rows, repeats a
// column name, or has a row with the wrong number of fields.
PerPathTable read_per_path_table(const std::string& file);

}  // namespace chokepoint
