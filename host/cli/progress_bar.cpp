#include "progress_bar.hpp"

#include <unistd.h>

#include <cstdio>

#include "terminal_text.hpp"

namespace chokepoint {

ProgressBar::ProgressBar(std::string label)
    : label_(cli::terminal_safe(label)), start_(std::chrono::steady_clock::now()), enabled_(::isatty(STDERR_FILENO) != 0) {}

ProgressBar::~ProgressBar() {
  if (drawn_) std::fputs("\r\033[K", stderr);
}

void ProgressBar::update(double fraction) {
  if (!enabled_) return;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (elapsed < 1.0) return;
  const int permille = static_cast<int>(fraction * 1000.0);
  if (permille == last_permille_) return;
  last_permille_ = permille;
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(fraction * kWidth);
  const double remaining = fraction > 0.0 ? elapsed * (1.0 - fraction) / fraction : 0.0;
  std::fprintf(stderr, "\r%s [%.*s%*s] %5.1f%%  %.0f s left ", label_.c_str(), filled,
               "##############################", kWidth - filled, "", fraction * 100.0, remaining);
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace chokepoint
