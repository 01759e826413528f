// Options of the [store] section of a job file (--store.KEY on the command line).
#pragma once

#include <cstdint>
#include <string>

#include "config/options.h"

namespace because::config {

struct StoreConfig {
  std::string compression = "deflate";  ///< chunk compression: deflate, zstd, none
  int compression_level = 4;  ///< compression level
  std::string shard_compression;  ///< compression of shard files: deflate, zstd, none; empty: as `compression`
  int shard_compression_level = 1;  ///< compression level of shard files (working files: speed first)
  int64_t chunk_rows = 4096;  ///< HDF5 chunk size along rows for numeric columns
  int64_t chunk_bytes = 1048576;  ///< HDF5 chunk size of ragged byte columns (bytes)
  int64_t commit_rows = 65536;  ///< shard writers commit a segment once this many rows are buffered (rows)
  double commit_seconds = 60;  ///< ... or this long after the oldest uncommitted chunk (seconds)
  int64_t merge_batch_rows = 65536;  ///< instances each rank holds in memory per merge round (rows)
};

void add_options(Options& o, StoreConfig& c);

}  // namespace because::config
