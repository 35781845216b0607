// "Pick a variable and a year" without a script: the page stays script-free (docs/report.md), so
// a choice is a group of radio buttons and the stylesheet shows the panel whose classes match
// the checked buttons. Every panel is in the page; only the chosen one is displayed.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace chokepoint::report {

// One thing the reader picks: its name on the page ("Variable"), the choices' labels, and the
// one checked at first.
struct PickerAxis {
  std::string title;
  std::vector<std::string> labels;
  std::size_t chosen = 0;
};

// `id` (unique on the page, [a-z0-9-] only) names the buttons: ID-A-I is choice I of axis A.
// `panel(choice of each axis)` gives a panel's HTML ("" for a combination with nothing to show,
// which then says so). One or two axes.
std::string picker(const std::string& id, const std::vector<PickerAxis>& axes,
                   const std::function<std::string(const std::vector<std::size_t>&)>& panel);

}  // namespace chokepoint::report
