// Options of the [store] section of a job file (--store.KEY on the command line).
#pragma once

#include <cstdint>
#include <string>

#include "config/options.h"

namespace because::config {

struct StoreConfig {
  std::string compression = "deflate";  ///< chunk compression: deflate, zstd, none
  int compression_level = 4;  ///< compression level
  int64_t chunk_rows = 4096;  ///< HDF5 chunk size along rows for numeric columns
  int64_t chunk_bytes = 1048576;  ///< HDF5 chunk size of ragged byte columns (bytes)
};

void add_options(Options& o, StoreConfig& c);

}  // namespace because::config
