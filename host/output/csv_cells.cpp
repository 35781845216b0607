#include <charconv>
#include <cmath>

#include "chokepoint/csv.hpp"

namespace chokepoint {

std::string csv_text(std::string_view text) {
  std::string cell;
  if (!text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos) cell += '\'';
  cell += text;
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (const char c : cell) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string csv_number(double value) {
  if (!std::isfinite(value)) return "";
  char buffer[64];
  const auto plain = std::to_chars(buffer, buffer + sizeof buffer, value);
  const std::string_view text(buffer, static_cast<std::size_t>(plain.ptr - buffer));
  // 123456789012345680000 is as short as its exponent form, so to_chars picks it; pandas would
  // read a column of such numbers as text (beyond int64) or lose them to uint64 overflow.
  const std::size_t digits = text.size() - (text.front() == '-' ? 1 : 0);
  if (text.find_first_of(".e") != std::string_view::npos || digits <= 15) return std::string(text);
  const auto scientific = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  return std::string(buffer, scientific.ptr);
}

}  // namespace chokepoint
