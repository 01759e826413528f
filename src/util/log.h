// Logging with levels and a rank prefix: `[because r1 info] message` on stderr.
#pragma once

#include <sstream>
#include <string>

namespace because::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };

/// Parses "debug|info|warn|error|off"; throws ConfigError naming the value.
Level parse_level(const std::string& text);
void set_level(Level level);
Level level();
/// Rank shown in the prefix (-1 hides it, the default for single-process commands).
void set_rank(int rank, int n_ranks);
int rank();

void write(Level level, const std::string& message);

template <class... Args>
std::string cat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}

template <class... Args>
void debug(const Args&... a) { if (level() <= Level::kDebug) write(Level::kDebug, cat(a...)); }
template <class... Args>
void info(const Args&... a) { if (level() <= Level::kInfo) write(Level::kInfo, cat(a...)); }
template <class... Args>
void warn(const Args&... a) { if (level() <= Level::kWarn) write(Level::kWarn, cat(a...)); }
template <class... Args>
void error(const Args&... a) { if (level() <= Level::kError) write(Level::kError, cat(a...)); }
/// Info on rank 0 only (or in single-process commands): summaries.
template <class... Args>
void info0(const Args&... a) { if (rank() <= 0) info(a...); }

}  // namespace because::log
