// Parsing JSON text from a file the user gave us, in time and memory proportional to its size.
#pragma once

#include <string>

#include "scenario/input_problems.hpp"

namespace chokepoint {

// Parses `text` (named `file` in errors; `//` and `/* */` comments allowed) into a document.
// Throws InputError when the text is not JSON, when a key repeats within an object (reported
// with its JSON path; the parser would otherwise keep one of the two silently), or when the
// text exceeds kMaxScenarioBytes, kMaxNestingDepth or kMaxContainerElements.
// Syntax errors give the line, column and kind of error and never quote the text: a file that
// fails to parse may not be a scenario at all, and its bytes are not ours to print.
Json parse_bounded_json(const std::string& text, const std::string& file);

}  // namespace chokepoint
