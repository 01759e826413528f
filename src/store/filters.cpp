// deflate on libdeflate and zstd on libzstd as HDF5 filters (see filters.h for the formats).
//
// A filter gets the chunk in *buf (allocated by HDF5, *buf_size bytes, nbytes of them valid),
// replaces it with a buffer from H5allocate_memory and returns the valid byte count, or 0 on
// failure (HDF5 then reports the chunk as unreadable / unwritable with its own error stack).
#include "store/filters.h"

#include <dlfcn.h>
#include <hdf5.h>
#include <libdeflate.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <memory>
#include <mutex>

#include "util/error.h"

namespace because::store::h5 {

namespace {

constexpr H5Z_filter_t kZstdFilter = 32015;
constexpr size_t kMaxChunkBytes = size_t(1) << 32;  // HDF5 chunks are < 4 GiB

struct CompressorFree {
  void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
};
struct DecompressorFree {
  void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
};

// Compressors cost up to a few hundred KB each: one per level and thread, kept for the process.
libdeflate_compressor* compressor(int level) {
  thread_local std::array<std::unique_ptr<libdeflate_compressor, CompressorFree>, 13> per_level;
  auto& c = per_level[static_cast<size_t>(level)];
  if (!c) c.reset(libdeflate_alloc_compressor(level));
  return c.get();
}

libdeflate_decompressor* decompressor() {
  thread_local std::unique_ptr<libdeflate_decompressor, DecompressorFree> d(libdeflate_alloc_decompressor());
  return d.get();
}

// Hands `out` (allocated with H5allocate_memory) to HDF5 in place of the input buffer.
size_t replace(void** buf, size_t* buf_size, void* out, size_t capacity, size_t n) {
  H5free_memory(*buf);
  *buf = out;
  *buf_size = capacity;
  return n;
}

size_t deflate_filter(unsigned flags, size_t cd_nelmts, const unsigned cd_values[], size_t nbytes, size_t* buf_size,
                      void** buf) {
  if (flags & H5Z_FLAG_REVERSE) {
    // The zlib format does not record the decompressed size: start from the largest chunk this
    // thread has seen (chunks of one dataset have one size) and double on "insufficient space".
    thread_local size_t hint = 0;
    size_t cap = std::max({hint, nbytes * 4, size_t(4096)});
    for (;;) {
      void* out = H5allocate_memory(cap, false);
      if (!out) return 0;
      size_t n = 0;
      const libdeflate_result r = libdeflate_zlib_decompress(decompressor(), *buf, nbytes, out, cap, &n);
      if (r == LIBDEFLATE_SUCCESS) {
        hint = std::max(hint, std::min(n, size_t(64) << 20));
        return replace(buf, buf_size, out, cap, n);
      }
      H5free_memory(out);
      if (r != LIBDEFLATE_INSUFFICIENT_SPACE || cap >= kMaxChunkBytes) return 0;  // corrupt stream
      cap *= 2;
    }
  }
  // HDF5's deflate takes levels 0-9 as its one parameter (H5Pset_deflate checks the range).
  const int level = cd_nelmts > 0 ? static_cast<int>(std::min(cd_values[0], 9u)) : 6;
  libdeflate_compressor* c = compressor(level);
  if (!c) return 0;
  const size_t cap = libdeflate_zlib_compress_bound(c, nbytes);
  void* out = H5allocate_memory(cap, false);
  if (!out) return 0;
  const size_t n = libdeflate_zlib_compress(c, *buf, nbytes, out, cap);
  if (n == 0) {
    H5free_memory(out);
    return 0;
  }
  return replace(buf, buf_size, out, cap, n);
}

size_t zstd_filter(unsigned flags, size_t cd_nelmts, const unsigned cd_values[], size_t nbytes, size_t* buf_size,
                   void** buf) {
  if (flags & H5Z_FLAG_REVERSE) {
    thread_local std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> dctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
    const unsigned long long size = ZSTD_getFrameContentSize(*buf, nbytes);
    if (size == ZSTD_CONTENTSIZE_UNKNOWN || size == ZSTD_CONTENTSIZE_ERROR || size > kMaxChunkBytes) return 0;
    const size_t cap = std::max<size_t>(1, static_cast<size_t>(size));
    void* out = H5allocate_memory(cap, false);
    if (!out) return 0;
    const size_t n = ZSTD_decompressDCtx(dctx.get(), out, cap, *buf, nbytes);
    if (ZSTD_isError(n) || n != size) {
      H5free_memory(out);
      return 0;
    }
    return replace(buf, buf_size, out, cap, n);
  }
  thread_local std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> cctx(ZSTD_createCCtx(), ZSTD_freeCCtx);
  int level = cd_nelmts > 0 ? static_cast<int>(cd_values[0]) : ZSTD_CLEVEL_DEFAULT;
  level = std::clamp(level, 1, ZSTD_maxCLevel());
  const size_t cap = ZSTD_compressBound(nbytes);
  void* out = H5allocate_memory(cap, false);
  if (!out) return 0;
  const size_t n = ZSTD_compressCCtx(cctx.get(), out, cap, *buf, nbytes, level);
  if (ZSTD_isError(n)) {
    H5free_memory(out);
    return 0;
  }
  return replace(buf, buf_size, out, cap, n);
}

const H5Z_class2_t kDeflateClass = {
    H5Z_CLASS_T_VERS, H5Z_FILTER_DEFLATE, 1, 1, "deflate (libdeflate)", nullptr, nullptr, deflate_filter};
const H5Z_class2_t kZstdClass = {H5Z_CLASS_T_VERS, kZstdFilter, 1, 1, "zstd (libzstd)", nullptr, nullptr, zstd_filter};

bool g_libdeflate_registered = false;

}  // namespace

bool deflate_is_libdeflate() {
  register_filters();
  return g_libdeflate_registered;
}

void register_filters() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (H5open() < 0) throw StoreError("cannot initialise the HDF5 library");
    // HDF5's public H5Zregister refuses the predefined filter ids (below 256), deflate among
    // them; the library's internal registration (exported by Debian's libhdf5) replaces the
    // table entry. Looked up at run time: an HDF5 without it keeps its zlib-based
    // deflate, which reads and writes the same format, only slower.
    using RegisterFn = herr_t (*)(const H5Z_class2_t*);
    if (auto internal = reinterpret_cast<RegisterFn>(dlsym(RTLD_DEFAULT, "H5Z_register")))
      g_libdeflate_registered = internal(&kDeflateClass) >= 0;
    if (H5Zregister(&kZstdClass) < 0) throw StoreError("cannot register the zstd filter (32015) with HDF5");
  });
}

}  // namespace because::store::h5
