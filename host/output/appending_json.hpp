// JSON for reading chokepoint's own result files (summary.json, diff.json, calibration.json) in
// time linear in their size. nlohmann::ordered_json keeps keys in file order, but its parser
// inserts each key through operator[], which first searches every key before it: an object of
// n keys (thousands of quantile levels) costs n²/2 comparisons to parse. Here the parser's
// insertion appends; readers iterate objects in order and check the keys they expect. A
// duplicate key stays a duplicate, where ordered_json would keep the first value.
#pragma once

#include <nlohmann/json.hpp>

namespace chokepoint {

template <class Key, class T, class IgnoredLess = std::less<Key>,
          class Allocator = std::allocator<std::pair<const Key, T>>>
struct AppendingMap : nlohmann::ordered_map<Key, T, IgnoredLess, Allocator> {
  using Base = nlohmann::ordered_map<Key, T, IgnoredLess, Allocator>;
  using Base::Base;

  // Hides ordered_map's searching operator[]: the parser (json_sax_dom_parser::key) is its only
  // caller on a value being read.
  T& operator[](const Key& key) {
    static_cast<typename Base::Container&>(*this).emplace_back(key, T());
    return this->back().second;
  }
};

using ReadJson = nlohmann::basic_json<AppendingMap>;

}  // namespace chokepoint
