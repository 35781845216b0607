#include "argument_checks.hpp"

#include <charconv>

namespace chokepoint::cli {

namespace {

// The argument as the user typed it, cut short and with control characters made visible.
std::string shown(const std::string& text) {
  std::string out;
  for (char c : text.substr(0, 40)) out += static_cast<unsigned char>(c) < 0x20 || c == 0x7F ? '?' : c;
  return text.size() > 40 ? out + "…" : out;
}

}  // namespace

CLI::Validator whole_number(std::uint64_t low, std::uint64_t high, const std::string& what) {
  const std::string range = std::to_string(low) + " to " + std::to_string(high);
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        std::uint64_t value = 0;
        const char* end = text.data() + text.size();
        const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
        const auto [stop, error] = std::from_chars(text.data(), end, value);
        if (digits && error == std::errc() && stop == end && value >= low && value <= high) return {};
        return "expected " + what + ", a whole number from " + range + ", found \"" + shown(text) + "\"";
      },
      "INT in [" + range + "]");
}

}  // namespace chokepoint::cli
