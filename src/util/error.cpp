// Helpers of the error hierarchy.
#include "util/error.h"

#include <cerrno>
#include <cstring>

namespace because {

void throw_errno(const std::string& what) {
  const int e = errno;
  throw Error(what + ": " + std::strerror(e));
}

}  // namespace because
