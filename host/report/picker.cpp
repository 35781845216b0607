#include "report/picker.hpp"

#include <stdexcept>

#include "report/html_report.hpp"

namespace chokepoint::report {

namespace {

std::string button_id(const std::string& id, std::size_t axis, std::size_t choice) {
  return id + "-" + std::to_string(axis) + "-" + std::to_string(choice);
}

// The panels of axis `axis` inside the chosen combination `chosen` so far; nested, so that a
// panel shows only when every level above it shows.
std::string panels(const std::string& id, const std::vector<PickerAxis>& axes, std::vector<std::size_t>& chosen,
                   const std::function<std::string(const std::vector<std::size_t>&)>& panel) {
  const std::size_t axis = chosen.size();
  std::string out;
  for (std::size_t choice = 0; choice < axes[axis].labels.size(); ++choice) {
    chosen.push_back(choice);
    std::string inner;
    if (chosen.size() == axes.size()) {
      inner = panel(chosen);
      if (inner.empty()) inner = "<p class=\"note\">Nothing to show for this choice.</p>\n";
    } else {
      inner = panels(id, axes, chosen, panel);
    }
    out += "<div class=\"pick-panel " + button_id(id, axis, choice) + "\">\n" + inner + "</div>\n";
    chosen.pop_back();
  }
  return out;
}

}  // namespace

std::string picker(const std::string& id, const std::vector<PickerAxis>& axes,
                   const std::function<std::string(const std::vector<std::size_t>&)>& panel) {
  if (axes.empty() || axes.size() > 2) throw std::logic_error("picker: one or two axes");
  for (const PickerAxis& axis : axes)
    if (axis.labels.empty()) return "";
  std::string out = "<div class=\"picker\" id=\"" + id + "\">\n";
  std::string style;
  // The buttons come first: CSS reaches the labels and panels after them as siblings (~).
  for (std::size_t a = 0; a < axes.size(); ++a)
    for (std::size_t c = 0; c < axes[a].labels.size(); ++c) {
      const std::string button = button_id(id, a, c);
      out += "<input type=\"radio\" class=\"pick\" name=\"" + id + "-" + std::to_string(a) + "\" id=\"" + button + "\"" +
             (c == axes[a].chosen ? " checked" : "") + ">\n";
      style += "#" + button + ":checked~.picked ." + button + "{display:block}#" + button +
               ":checked~.pick-row label[for=\"" + button + "\"]{background:var(--fan-median);color:#fff;border-color:var(--fan-median)}\n";
    }
  for (std::size_t a = 0; a < axes.size(); ++a) {
    out += "<div class=\"pick-row\"><span class=\"pick-title\">" + html(axes[a].title) + "</span>";
    for (std::size_t c = 0; c < axes[a].labels.size(); ++c)
      out += "<label for=\"" + button_id(id, a, c) + "\">" + html(axes[a].labels[c]) + "</label>";
    out += "</div>\n";
  }
  std::vector<std::size_t> chosen;
  out += "<style>\n" + style + "</style>\n<div class=\"picked\">\n" + panels(id, axes, chosen, panel) + "</div>\n";
  return out + "</div>\n";
}

}  // namespace chokepoint::report
