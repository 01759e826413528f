// HDF5 library version.
#include "store/version.h"

#include <hdf5.h>

namespace because::store {

std::string hdf5_version() {
  unsigned maj = 0, min = 0, rel = 0;
  H5get_libversion(&maj, &min, &rel);
  std::string s = std::to_string(maj) + "." + std::to_string(min) + "." + std::to_string(rel);
#ifdef H5_HAVE_PARALLEL
  s += " (parallel)";
#endif
  return s;
}

}  // namespace because::store
