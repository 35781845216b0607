// Floats as unsigned integers in the same order: what the exact quantiles select on and what
// the value distributions bucket (docs/scale.md). Host and device use this one definition, so
// a value falls in the same bucket on both.
#pragma once

#include <cstdint>
#include <cstring>

#include "chokepoint/macros.hpp"

namespace chokepoint {

// Flip all bits of negatives, the sign bit of the rest: −0.0 comes just before +0.0, NaNs
// beyond the infinities on their sign's side.
CHOKEPOINT_HD inline std::uint32_t order_key(float value) {
  std::uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
}

CHOKEPOINT_HD inline float value_of_key(std::uint32_t key) {
  const std::uint32_t bits = (key & 0x80000000u) ? (key & 0x7fffffffu) : ~key;
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

}  // namespace chokepoint
