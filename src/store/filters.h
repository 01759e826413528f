// INTERNAL to src/store: the chunk compression filters, registered in-process.
//
// deflate (HDF5 filter 1) runs on libdeflate instead of HDF5's zlib-based filter: the same zlib
// stream format and the same single parameter (the level), so every HDF5 reader (h5py, h5dump,
// HDF5 without this code) reads the chunks, while compression is 1.4-2.4x and decompression
// about 6x faster than zlib's on store data. zstd (HDF5 filter 32015, the registered Zstandard
// filter) runs on libzstd in the format of the community HDF5 zstd plugin (one zstd frame per
// chunk, cd_values[0] = level), so `store.compression=zstd` needs no plugin to write or read
// here, and the files read wherever that plugin is installed. fletcher32 (HDF5 filter 3) computes
// HDF5's exact checksum with SSE2 (8.7 GB/s here against HDF5's 3.2) and appends it in place
// instead of copying the chunk, so its chunks are the ones HDF5's own filter writes and checks.
#pragma once

#include <cstddef>
#include <cstdint>

namespace because::store::h5 {

/// Registers the filters with HDF5 (once per process; later calls return at once). Called by
/// every file open and create in h5.cpp, before any chunk is read or written.
void register_filters();

/// True when chunks of filter 1 go through libdeflate (false: HDF5's own zlib filter, when
/// this HDF5 does not export its filter registration; same format, slower).
bool deflate_is_libdeflate();
/// True when chunks of filter 3 go through fletcher32_filter (false: HDF5's own, as above).
bool fletcher32_is_ours();

/// HDF5's fletcher32 checksum of `len` bytes (H5_checksum_fletcher32: the same value).
uint32_t fletcher32(const void* data, size_t len);

}  // namespace because::store::h5
