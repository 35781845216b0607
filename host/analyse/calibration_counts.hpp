// How many calibration checks were judged and met, for calibrate's table and the report's
// calibration section alike. A skipped row (its year outside the run) is neither met nor missed.
#pragma once

#include <cstddef>
#include <vector>

#include "chokepoint/calibration.hpp"

namespace chokepoint {

struct CheckCounts {
  std::size_t checked = 0;  // the rows not skipped
  std::size_t passed = 0;
  std::size_t skipped = 0;

  std::size_t missed() const { return checked - passed; }
};

// Of CalibrationReport::rows or CalibrationReport::tails.
template <class Row>
CheckCounts count_checks(const std::vector<Row>& rows) {
  CheckCounts counts;
  for (const Row& row : rows) {
    if (row.skipped) {
      ++counts.skipped;
      continue;
    }
    ++counts.checked;
    counts.passed += row.passed;
  }
  return counts;
}

// The years a tail check missed (of one, or of every year of the run).
inline std::size_t missed_years(const TailRow& row) {
  std::size_t missed = 0;
  for (const TailYear& year : row.years) missed += !year.passed;
  return missed;
}

}  // namespace chokepoint
