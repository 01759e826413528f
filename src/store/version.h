// Version of the HDF5 library in use.
#pragma once

#include <string>

namespace because::store {

/// "1.10.8 (parallel)" from H5get_libversion.
std::string hdf5_version();

}  // namespace because::store
