// A progress bar on stderr for long runs: only on a terminal, and only once a run has taken
// more than a second, so short runs and logs stay clean.
#pragma once

#include <chrono>
#include <string>

namespace chokepoint {

class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  ~ProgressBar();
  void update(double fraction);

 private:
  std::string label_;
  std::chrono::steady_clock::time_point start_;
  bool enabled_;
  bool drawn_ = false;
  int last_permille_ = -1;
};

}  // namespace chokepoint
