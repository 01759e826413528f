// Progress reporting: a live bar with rate and ETA on a terminal, a plain line every N seconds
// otherwise. The count source is a callback so that mpi/ can feed it a global (all-rank) count.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace because {

class Progress {
 public:
  /// `what` names the unit ("instances"); `total` 0 means unknown. `interval_s` is the plain
  /// line period when stderr is not a terminal.
  Progress(std::string what, uint64_t total, double interval_s = 10.0);
  /// Shows `done` if enough time passed since the last line (cheap to call often).
  void update(uint64_t done, const std::string& extra = "");
  /// Prints the final line (always).
  void finish(uint64_t done, const std::string& extra = "");
  /// Formats seconds as 1h02m03s / 2m03s / 3.2s.
  static std::string format_duration(double seconds);
  /// The text of one report line (without the terminal control characters).
  std::string line(uint64_t done, const std::string& extra) const;

 private:
  std::string what_;
  uint64_t total_;
  double interval_s_;
  bool tty_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace because
