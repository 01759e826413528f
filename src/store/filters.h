// INTERNAL to src/store: the chunk compression filters, registered in-process.
//
// deflate (HDF5 filter 1) runs on libdeflate instead of HDF5's zlib-based filter: the same zlib
// stream format and the same single parameter (the level), so every HDF5 reader (h5py, h5dump,
// HDF5 without this code) reads the chunks, while compression is 1.4-2.4x and decompression
// about 6x faster than zlib's on store data. zstd (HDF5 filter 32015, the registered Zstandard
// filter) runs on libzstd in the format of the community HDF5 zstd plugin (one zstd frame per
// chunk, cd_values[0] = level), so `store.compression=zstd` needs no plugin to write or read
// here, and the files read wherever that plugin is installed.
#pragma once

namespace because::store::h5 {

/// Registers both filters with HDF5 (once per process; later calls return at once). Called by
/// every file open and create in h5.cpp, before any chunk is read or written.
void register_filters();

/// True when chunks of filter 1 go through libdeflate (false: HDF5's own zlib filter, when
/// this HDF5 does not export its filter registration; same format, slower).
bool deflate_is_libdeflate();

}  // namespace because::store::h5
