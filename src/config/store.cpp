// Registration of the [store] options.
#include "config/store.h"

namespace because::config {

void add_options(Options& o, StoreConfig& c) {
  o.add("store.compression", &c.compression, "chunk compression: deflate (libdeflate, readable by any HDF5), zstd (filter 32015; other readers need its plugin), none");
  o.add("store.compression_level", &c.compression_level, "compression level of the store (deflate 0-9, zstd 1-22)");
  o.add("store.shard_compression", &c.shard_compression,
        "compression of shard files (deflate, zstd, none; empty: as store.compression). none writes shards ~2.5x "
        "faster and the merge reads them without inflating, for ~5x their deflate size on scratch disk");
  o.add("store.shard_compression_level", &c.shard_compression_level,
        "compression level of shard files (working files: level 1 writes ~2x faster than 4 for ~1.1x the size)");
  o.add("store.chunk_rows", &c.chunk_rows, "HDF5 chunk size along rows for numeric columns");
  o.add("store.chunk_bytes", &c.chunk_bytes, "HDF5 chunk size of ragged byte columns (bytes)");
  o.add("store.commit_rows", &c.commit_rows, "shard writers commit a segment once this many rows are buffered (rows)");
  o.add("store.commit_seconds", &c.commit_seconds, "... or this long after the oldest uncommitted chunk (seconds)");
  o.add("store.merge_batch_rows", &c.merge_batch_rows, "instances each rank holds in memory per merge round (rows)");
}

}  // namespace because::config
