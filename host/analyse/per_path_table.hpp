// A per-path CSV table as analysts hand it to `chokepoint discover`: a header row of column
// names, then one row per path. A column is numeric when every cell parses as a finite number;
// numeric columns are kept as doubles (8 bytes a cell, so 10⁶ paths × 30 inputs fit in 240 MB),
// the others as text.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace chokepoint {

struct PerPathColumn {
  std::string name;
  bool numeric = true;
  std::vector<double> numbers;     // every row, when numeric
  std::vector<std::string> text;   // every row, when not numeric
  std::size_t first_non_number = 0;  // when not numeric: the first offending row and its text
  std::string first_non_number_text;
};

struct PerPathTable {
  std::string file;
  std::vector<PerPathColumn> columns;
  std::size_t rows = 0;

  // Index of a column by name, or -1.
  int column_index(const std::string& name) const;
};

// Reads FILE in two passes (which columns are numeric, then their values). Fields are separated
// by commas; a field wrapped in double quotes loses them (quoted commas are not supported);
// blank lines and a trailing '\r' are ignored. Throws InputError (exit 2) naming the file and
// line when the file cannot be read, has no header or no rows, repeats a column name, or has a
// row with the wrong number of fields.
PerPathTable read_per_path_table(const std::string& file);

// A cell parsed as a finite number (surrounding spaces and a leading '+' allowed).
bool parse_finite_number(const std::string& text, double& value);

}  // namespace chokepoint
