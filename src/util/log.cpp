// Implementation of the levelled, rank-prefixed logger.
#include "util/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>

#include "util/error.h"

namespace because::log {
namespace {
std::atomic<int> g_level{static_cast<int>(Level::kInfo)};
std::atomic<int> g_rank{-1};
std::atomic<int> g_ranks{1};
std::mutex g_mutex;
const char* name(Level l) {
  switch (l) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
    default: return "";
  }
}
}  // namespace

Level parse_level(const std::string& t) {
  if (t == "debug") return Level::kDebug;
  if (t == "info") return Level::kInfo;
  if (t == "warn" || t == "warning") return Level::kWarn;
  if (t == "error") return Level::kError;
  if (t == "off" || t == "quiet") return Level::kOff;
  throw ConfigError("--log-level: '" + t + "' is not one of debug, info, warn, error, off");
}

void set_level(Level l) { g_level = static_cast<int>(l); }
Level level() { return static_cast<Level>(g_level.load()); }
void set_rank(int r, int n) { g_rank = r; g_ranks = n; }
int rank() { return g_rank; }

void write(Level l, const std::string& message) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_rank >= 0 && g_ranks > 1) {
    std::fprintf(stderr, "[because r%d %s] %s\n", g_rank.load(), name(l), message.c_str());
  } else {
    std::fprintf(stderr, "[because %s] %s\n", name(l), message.c_str());
  }
  std::fflush(stderr);
}

}  // namespace because::log
