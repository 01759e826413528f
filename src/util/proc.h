// Facts about this process for stage statistics.
#pragma once

#include <cstdint>

namespace because::proc {

/// Peak resident set size of this process so far (bytes; getrusage's ru_maxrss).
int64_t peak_rss_bytes();

}  // namespace because::proc
