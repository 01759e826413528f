// Registration of the [store] options.
#include "config/store.h"

namespace because::config {

void add_options(Options& o, StoreConfig& c) {
  o.add("store.compression", &c.compression, "chunk compression: deflate, zstd, none");
  o.add("store.compression_level", &c.compression_level, "compression level");
  o.add("store.chunk_rows", &c.chunk_rows, "HDF5 chunk size along rows for numeric columns");
  o.add("store.chunk_bytes", &c.chunk_bytes, "HDF5 chunk size of ragged byte columns (bytes)");
}

}  // namespace because::config
