// The cells of every CSV chokepoint writes (summary.csv, diff.csv, calibration.csv, paths.csv),
// so that every file follows the same rules (docs/errors.md, "CSV files"):
//  - text is quoted as RFC 4180 says: a cell holding a comma, a double quote, CR or LF is put in
//    double quotes, each double quote inside doubled; a name with a newline cannot forge a row;
//  - text beginning with =, +, -, @, a tab or CR gets a leading apostrophe ('=1+1), the usual
//    guard against spreadsheet formula injection; numbers are never altered;
//  - numbers are the shortest decimal that reads back to the same double, except that a whole
//    number of more than 15 digits is written in exponent form (1.2345678901234567e+20), which
//    pandas reads as a float instead of as text; NaN and infinities are empty cells.
#pragma once

#include <string>
#include <string_view>

namespace chokepoint {

std::string csv_text(std::string_view text);
std::string csv_number(double value);

}  // namespace chokepoint
