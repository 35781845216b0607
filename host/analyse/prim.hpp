// PRIM, the patient rule induction method (Friedman & Fisher, "Bump hunting in high-dimensional
// data", Statistics and Computing 9, 1999), as scenario discovery uses it (Bryant & Lempert 2010;
// the EMA Workbench): find boxes in input space, lower ≤ x ≤ upper, where a bad outcome is
// concentrated, trading coverage against density.
//
//   mass     = points in the box / all points
//   density  = outcomes in the box / points in the box          (how reliably the box means trouble)
//   coverage = outcomes in the box / all outcomes                (how much of the trouble it explains)
//
// Peeling: from the box holding every point, each step tries, on every input, cutting away the
// `peel_alpha` share of the box's points with the lowest or the highest values, and keeps the cut
// that leaves the highest density (Friedman & Fisher's criterion); it stops when no cut leaves at
// least `min_mass`. Every box along the way is the peeling trajectory. A box is chosen from it: the
// one with the highest coverage whose density reaches `threshold` (else the densest), and is then
// pasted: its limits are widened by `paste_alpha` of its points at a time while that raises density.
// Covering: the points of a chosen box are removed and the search repeats, for up to `max_boxes`
// boxes, stopping early when a box does not reach the threshold. With ties (integer inputs such as
// event counts) a cut takes all points at the cut value, so it may remove more than alpha.
#pragma once

#include <cstdint>
#include <vector>

namespace chokepoint {

struct PrimData {
  int inputs = 0;
  std::vector<double> x;         // row-major, points × inputs; NaN is not allowed
  std::vector<std::uint8_t> y;   // 1 where the outcome of interest happened
};

struct PrimOptions {
  double peel_alpha = 0.05;
  double paste_alpha = 0.05;
  double min_mass = 0.05;
  double threshold = 0.8;  // the least density a chosen box should have
  int max_boxes = 1;
};

struct PrimBox {
  std::vector<double> lower;  // per input; equal to the data's minimum where the box does not restrict it
  std::vector<double> upper;
  std::uint64_t points = 0;
  std::uint64_t outcomes = 0;
  double mass = 0.0;
  double density = 0.0;
  double coverage = 0.0;
  // Inputs whose limits cut into the data's range, lowest first.
  std::vector<int> restricted(const std::vector<double>& data_lower, const std::vector<double>& data_upper) const;
};

struct PrimSearch {
  std::vector<PrimBox> trajectory;  // [0] holds all the points still in play
  std::size_t chosen = 0;           // index into trajectory before pasting
  PrimBox box;                      // the chosen box after pasting
};

struct PrimResult {
  std::vector<double> data_lower;  // per input, over all points
  std::vector<double> data_upper;
  std::uint64_t points = 0;
  std::uint64_t outcomes = 0;
  std::vector<PrimSearch> boxes;   // one per covering round
};

// Throws std::invalid_argument on inconsistent data or options outside (0, 1).
PrimResult prim(const PrimData& data, const PrimOptions& options = {});

}  // namespace chokepoint
