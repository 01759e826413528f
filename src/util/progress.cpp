// Progress bar / periodic progress line.
#include "util/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace because {

Progress::Progress(std::string what, uint64_t total, double interval_s)
    : what_(std::move(what)),
      total_(total),
      interval_s_(interval_s),
      tty_(::isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

std::string Progress::format_duration(double s) {
  char buf[64];
  if (!std::isfinite(s) || s < 0) return "?";
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%.1fs", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
  } else {
    const int t = static_cast<int>(s);
    std::snprintf(buf, sizeof buf, "%dh%02dm%02ds", t / 3600, (t / 60) % 60, t % 60);
  }
  return buf;
}

std::string Progress::line(uint64_t done, const std::string& extra) const {
  const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = el > 0 ? done / el : 0.0;
  char buf[256];
  if (total_ > 0) {
    const double frac = static_cast<double>(done) / static_cast<double>(total_);
    const double eta = rate > 0 ? (total_ - std::min(done, total_)) / rate : NAN;
    std::string bar;
    if (tty_) {
      const int w = 24, fill = static_cast<int>(frac * w);
      bar = "[" + std::string(std::min(fill, w), '#') + std::string(w - std::min(fill, w), '.') + "] ";
    }
    std::snprintf(buf, sizeof buf, "%s%llu/%llu %s (%.1f%%) %.1f/s elapsed %s ETA %s", bar.c_str(),
                  static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_),
                  what_.c_str(), 100.0 * frac, rate, format_duration(el).c_str(),
                  format_duration(eta).c_str());
  } else {
    std::snprintf(buf, sizeof buf, "%llu %s %.1f/s elapsed %s", static_cast<unsigned long long>(done),
                  what_.c_str(), rate, format_duration(el).c_str());
  }
  std::string s = buf;
  if (!extra.empty()) s += " " + extra;
  return s;
}

void Progress::update(uint64_t done, const std::string& extra) {
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_).count();
  if (since < (tty_ ? 0.2 : interval_s_)) return;
  last_ = now;
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s", line(done, extra).c_str());
  } else {
    std::fprintf(stderr, "[because progress] %s\n", line(done, extra).c_str());
  }
  std::fflush(stderr);
}

void Progress::finish(uint64_t done, const std::string& extra) {
  if (tty_) std::fprintf(stderr, "\r\033[K");
  std::fprintf(stderr, "[because progress] %s\n", line(done, extra).c_str());
  std::fflush(stderr);
}

}  // namespace because
