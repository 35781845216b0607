// The outcome `chokepoint discover` looks for, written as COLUMN OP VALUE: OP is one of
// >= > <= < == !=, VALUE a number (compared as numbers) or a word (== and != only, compared as
// text, e.g. `binding==power`). A bare COLUMN means "the number is not 0".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analyse/per_path_table.hpp"

namespace chokepoint {

struct OutcomeExpression {
  std::string text;  // as the user wrote it
  std::string column;
  std::string op;     // "" for a bare column
  std::string value;  // as written
  bool numeric = true;
  double number = 0.0;
};

// Throws InputError naming `argument` when the text is not of that form.
OutcomeExpression parse_outcome_expression(const std::string& text, const std::string& argument);

// 1 where the row satisfies the expression. Throws InputError naming the table's file when the
// column is missing or, for a numeric comparison, holds a cell that is not a number.
std::vector<std::uint8_t> evaluate_outcome(const OutcomeExpression& outcome, const PerPathTable& table);

}  // namespace chokepoint
