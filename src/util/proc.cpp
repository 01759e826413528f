#include "util/proc.h"

#include <malloc.h>
#include <sys/resource.h>

#include <cstdlib>

namespace because::proc {

int64_t peak_rss_bytes() {
  rusage ru{};
  if (getrusage(RUSAGE_SELF, &ru) != 0) return -1;
  return static_cast<int64_t>(ru.ru_maxrss) * 1024;  // Linux reports KiB
}

void tune_allocator() {
  const char* user = std::getenv("GLIBC_TUNABLES");
  if (user != nullptr && *user != '\0') return;
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

}  // namespace because::proc
