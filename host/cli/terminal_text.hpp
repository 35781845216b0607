// Everything the CLI prints goes through emit(): names come from scenario and summary files, and
// a control character in one (an escape sequence, a carriage return) must not reach the terminal
// raw, where it could rewrite what the user sees. C0 controls other than newline, DEL and the C1
// controls (U+0080–U+009F) are shown escaped: \x1b, \x7f, \u009b.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace chokepoint::cli {

std::string terminal_safe(std::string_view text);

// Writes terminal_safe(text) to `stream`.
void emit(std::FILE* stream, std::string_view text);

}  // namespace chokepoint::cli
