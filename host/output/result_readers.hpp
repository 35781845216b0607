// Reads back the files other commands write beside a run, for the report: diff.json (`chokepoint
// diff`) and calibration.json (`chokepoint calibrate`). Both throw std::exception with a message
// naming the file when it cannot be read; the report then skips that section with a note.
#pragma once

#include <string>

#include "chokepoint/calibration.hpp"
#include "chokepoint/paired_difference.hpp"

namespace chokepoint {

PairedDifference read_difference_file(const std::string& file);
CalibrationReport read_calibration_file(const std::string& file);

}  // namespace chokepoint
