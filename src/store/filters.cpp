// deflate on libdeflate, zstd on libzstd and a vectorised fletcher32 as HDF5 filters (see
// filters.h for the formats).
//
// A filter gets the chunk in *buf (allocated by HDF5, *buf_size bytes, nbytes of them valid),
// replaces it with a buffer from H5allocate_memory and returns the valid byte count, or 0 on
// failure (HDF5 then reports the chunk as unreadable / unwritable with its own error stack).
#include "store/filters.h"

#include <dlfcn.h>
#include <hdf5.h>
#include <libdeflate.h>
#include <zstd.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

// ---- fletcher32 --------------------------------------------------------------------------------
//
// HDF5's checksum (H5_checksum_fletcher32): big-endian 16-bit words w_0, w_1, ... summed as
//   sum1 += w; sum2 += sum1   (uint32, wrapping)
// in blocks of 360 words, both sums folded ((s & 0xffff) + (s >> 16)) after each block; a last odd
// byte is a word with a zero low byte, folded on its own; then one more fold and (sum2 << 16) | sum1.
// The folds make the result depend on the block structure, so that is kept exactly. Within a block
// of t words starting from (s1, s2):
//   s1' = s1 + sum_j w_j,   s2' = s2 + t * s1 + sum_j (t - j) w_j   (mod 2^32),
// the same integers modulo 2^32 as the sequential loop. With 8 words a vector (word j = 8k + l,
// t = 8K), sum_j (t - j) w_j = 8 * sum_l B_l - sum_l l * A_l, where A = sum_k v_k (lane sums) and
// B = sum_k (K - k) v_k, which a running A added into B once per vector gives: two vector adds
// per 8 words instead of a multiply per word.

uint32_t fold(uint32_t s) { return (s & 0xffff) + (s >> 16); }

// One block of t words from p, sequentially (HDF5's loop).
void fletcher_block_scalar(const unsigned char* p, size_t t, uint32_t& s1, uint32_t& s2) {
  for (size_t j = 0; j < t; ++j, p += 2) {
    s1 += (static_cast<uint32_t>(p[0]) << 8) | p[1];
    s2 += s1;
  }
}

#if defined(__SSE2__)
// One block of 8K words (K vectors of 8 big-endian words).
void fletcher_block_sse2(const unsigned char* p, size_t K, uint32_t& s1, uint32_t& s2) {
  const __m128i zero = _mm_setzero_si128();
  __m128i a_lo = zero, a_hi = zero, b_lo = zero, b_hi = zero;  // lanes 0-3 and 4-7, 32 bits
  for (size_t k = 0; k < K; ++k, p += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i w = _mm_or_si128(_mm_slli_epi16(x, 8), _mm_srli_epi16(x, 8));  // big-endian words
    a_lo = _mm_add_epi32(a_lo, _mm_unpacklo_epi16(w, zero));
    a_hi = _mm_add_epi32(a_hi, _mm_unpackhi_epi16(w, zero));
    b_lo = _mm_add_epi32(b_lo, a_lo);
    b_hi = _mm_add_epi32(b_hi, a_hi);
  }
  alignas(16) uint32_t A[8], B[8];
  _mm_store_si128(reinterpret_cast<__m128i*>(A), a_lo);
  _mm_store_si128(reinterpret_cast<__m128i*>(A + 4), a_hi);
  _mm_store_si128(reinterpret_cast<__m128i*>(B), b_lo);
  _mm_store_si128(reinterpret_cast<__m128i*>(B + 4), b_hi);
  uint32_t sum_a = 0, sum_b = 0, lane_weighted = 0;
  for (uint32_t l = 0; l < 8; ++l) {
    sum_a += A[l];
    sum_b += B[l];
    lane_weighted += l * A[l];
  }
  s2 += static_cast<uint32_t>(8 * K) * s1 + 8 * sum_b - lane_weighted;
  s1 += sum_a;
}
#endif

}  // namespace

uint32_t fletcher32(const void* data, size_t len) {
  const auto* p = static_cast<const unsigned char*>(data);
  constexpr size_t kBlock = 360;  // words between folds, as HDF5 has it
  size_t words = len / 2;
  uint32_t s1 = 0, s2 = 0;
  while (words) {
    const size_t t = std::min(words, kBlock);
#if defined(__SSE2__)
    if (t == kBlock) fletcher_block_sse2(p, kBlock / 8, s1, s2);
    else fletcher_block_scalar(p, t, s1, s2);
#else
    fletcher_block_scalar(p, t, s1, s2);
#endif
    p += 2 * t;
    words -= t;
    s1 = fold(s1);
    s2 = fold(s2);
  }
  if (len % 2) {
    s1 += static_cast<uint32_t>(*p) << 8;
    s2 += s1;
    s1 = fold(s1);
    s2 = fold(s2);
  }
  s1 = fold(s1);
  s2 = fold(s2);
  return (s2 << 16) | s1;
}

namespace {

// HDF5's fletcher32 filter, without its copy of every chunk: the checksum is appended in place
// (the buffer grown with H5resize_memory when it has no room) as 4 little-endian bytes; a read
// checks it (or the byte-swapped form HDF5 before 1.6.3 wrote) and drops it.
size_t fletcher32_filter(unsigned flags, size_t, const unsigned[], size_t nbytes, size_t* buf_size, void** buf) {
  constexpr size_t kLen = 4;
  if (flags & H5Z_FLAG_REVERSE) {
    if (nbytes < kLen) return 0;
    const size_t n = nbytes - kLen;
    if (!(flags & H5Z_FLAG_SKIP_EDC)) {
      const auto* p = static_cast<const unsigned char*>(*buf);
      const uint32_t stored = static_cast<uint32_t>(p[n]) | static_cast<uint32_t>(p[n + 1]) << 8 |
                              static_cast<uint32_t>(p[n + 2]) << 16 | static_cast<uint32_t>(p[n + 3]) << 24;
      const uint32_t sum = fletcher32(p, n);
      const uint32_t swapped = ((sum & 0x00ff00ffu) << 8) | ((sum >> 8) & 0x00ff00ffu);
      if (stored != sum && stored != swapped) return 0;  // HDF5: "data error detected by Fletcher32 checksum"
    }
    return n;
  }
  const uint32_t sum = fletcher32(*buf, nbytes);
  if (*buf_size < nbytes + kLen) {
    void* grown = H5resize_memory(*buf, nbytes + kLen);
    if (!grown) return 0;
    *buf = grown;
    *buf_size = nbytes + kLen;
  }
  auto* q = static_cast<unsigned char*>(*buf) + nbytes;
  for (int i = 0; i < 4; ++i) q[i] = static_cast<unsigned char>(sum >> (8 * i));
  return nbytes + kLen;
}

const H5Z_class2_t kFletcher32Class = {
    H5Z_CLASS_T_VERS, H5Z_FILTER_FLETCHER32, 1, 1, "fletcher32 (vectorised)", nullptr, nullptr, fletcher32_filter};
const H5Z_class2_t kDeflateClass = {
    H5Z_CLASS_T_VERS, H5Z_FILTER_DEFLATE, 1, 1, "deflate (libdeflate)", nullptr, nullptr, deflate_filter};
const H5Z_class2_t kZstdClass = {H5Z_CLASS_T_VERS, kZstdFilter, 1, 1, "zstd (libzstd)", nullptr, nullptr, zstd_filter};

bool g_libdeflate_registered = false;
bool g_fletcher32_registered = false;

}  // namespace

bool deflate_is_libdeflate() {
  register_filters();
  return g_libdeflate_registered;
}

bool fletcher32_is_ours() {
  register_filters();
  return g_fletcher32_registered;
}

void register_filters() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (H5open() < 0) throw StoreError("cannot initialise the HDF5 library");
    // HDF5's public H5Zregister refuses the predefined filter ids (below 256), deflate and
    // fletcher32 among them; the library's internal registration (exported by Debian's libhdf5)
    // replaces the table entry. Looked up at run time: an HDF5 without it keeps its zlib-based
    // deflate and its own fletcher32, which read and write the same formats, only slower.
    using RegisterFn = herr_t (*)(const H5Z_class2_t*);
    if (auto internal = reinterpret_cast<RegisterFn>(dlsym(RTLD_DEFAULT, "H5Z_register"))) {
      g_libdeflate_registered = internal(&kDeflateClass) >= 0;
      g_fletcher32_registered = internal(&kFletcher32Class) >= 0;
    }
    if (H5Zregister(&kZstdClass) < 0) throw StoreError("cannot register the zstd filter (32015) with HDF5");
  });
}

}  // namespace because::store::h5
