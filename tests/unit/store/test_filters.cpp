// The in-process chunk filters (store/filters.h): deflate chunks are plain zlib streams in both
// directions (what HDF5's own zlib filter writes reads through libdeflate, and what libdeflate
// writes inflates with zlib), zstd chunks are single zstd frames, fletcher32 is HDF5's checksum
// exactly, corrupt chunks fail the read.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "store/filters.h"
#include "store/h5.h"
#include "store/schema.h"

namespace because::store {
namespace {

namespace fs = std::filesystem;
using h5::Handle;

constexpr hsize_t kChunk = 64 << 10;

std::vector<unsigned char> text_bytes(size_t n, unsigned seed) {
  const char* words[] = {"the ", "premise ", "entails ", "a ", "hypothesis ", "because ", "cat ", "sat ", "on ", "mat "};
  std::vector<unsigned char> out;
  unsigned x = seed;
  while (out.size() < n) {
    x = x * 1103515245u + 12345u;
    const char* w = words[(x >> 16) % 10];
    for (const char* p = w; *p && out.size() < n; ++p) out.push_back(static_cast<unsigned char>(*p));
    if ((x >> 8) % 17 == 0 && out.size() < n) out.push_back(static_cast<unsigned char>('0' + x % 10));
  }
  return out;
}

// A 1-D uint8 dataset of `n` bytes in kChunk chunks with `filter` (level as its one parameter).
Handle make_dataset(hid_t file, const std::string& name, hsize_t n, H5Z_filter_t filter, unsigned level) {
  Handle space(H5Screate_simple(1, &n, nullptr));
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE));
  const hsize_t chunk = kChunk;
  H5Pset_chunk(dcpl.get(), 1, &chunk);
  EXPECT_GE(H5Pset_filter(dcpl.get(), filter, H5Z_FLAG_MANDATORY, 1, &level), 0);
  Handle d(H5Dcreate2(file, name.c_str(), H5T_NATIVE_UCHAR, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT));
  EXPECT_TRUE(d.valid());
  return d;
}

std::vector<unsigned char> raw_chunk(hid_t d, hsize_t index) {
  const hsize_t off = index * kChunk;
  hsize_t size = 0;
  EXPECT_GE(H5Dget_chunk_storage_size(d, &off, &size), 0);
  std::vector<unsigned char> raw(size);
  uint32_t mask = 0;
  EXPECT_GE(H5Dread_chunk(d, H5P_DEFAULT, &off, &mask, raw.data()), 0);
  EXPECT_EQ(mask, 0u);
  return raw;
}

struct TempFile {
  std::string path = (fs::temp_directory_path() / ("because_filters_" + std::to_string(::getpid()) + ".h5")).string();
  ~TempFile() { fs::remove(path); }
};

TEST(Filters, DeflateChunksAreZlibStreamsInBothDirections) {
  EXPECT_TRUE(h5::deflate_is_libdeflate()) << "this HDF5 does not export H5Z_register: deflate stays on zlib";
  TempFile tmp;
  Handle f = h5::create_file(tmp.path);
  // Text, then a long run of zeros (ratio ~1000: the decompressor's buffer has to grow).
  std::vector<unsigned char> data = text_bytes(3 * kChunk, 7);
  data.resize(5 * kChunk, 0);
  const hsize_t n = data.size();
  Handle d = make_dataset(f.get(), "ours", n, H5Z_FILTER_DEFLATE, 4);
  ASSERT_GE(H5Dwrite(d.get(), H5T_NATIVE_UCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), 0);
  // What the filter wrote inflates with zlib.
  for (hsize_t c = 0; c < 5; ++c) {
    const auto raw = raw_chunk(d.get(), c);
    std::vector<unsigned char> back(kChunk);
    uLongf len = back.size();
    ASSERT_EQ(uncompress(back.data(), &len, raw.data(), raw.size()), Z_OK) << "chunk " << c;
    ASSERT_EQ(len, kChunk);
    EXPECT_TRUE(std::equal(back.begin(), back.end(), data.begin() + c * kChunk)) << "chunk " << c;
  }
  std::vector<unsigned char> read(n);
  ASSERT_GE(H5Dread(d.get(), H5T_NATIVE_UCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, read.data()), 0);
  EXPECT_EQ(read, data);

  // zlib's chunks (as HDF5's own deflate filter writes them) read through the filter.
  Handle z = make_dataset(f.get(), "zlib", n, H5Z_FILTER_DEFLATE, 6);
  for (hsize_t c = 0; c < 5; ++c) {
    std::vector<unsigned char> comp(compressBound(kChunk));
    uLongf len = comp.size();
    ASSERT_EQ(compress2(comp.data(), &len, data.data() + c * kChunk, kChunk, 6), Z_OK);
    const hsize_t off = c * kChunk;
    ASSERT_GE(H5Dwrite_chunk(z.get(), H5P_DEFAULT, 0, &off, len, comp.data()), 0);
  }
  std::fill(read.begin(), read.end(), 0xAA);
  ASSERT_GE(H5Dread(z.get(), H5T_NATIVE_UCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, read.data()), 0);
  EXPECT_EQ(read, data);

  // A corrupt chunk fails the read instead of returning wrong bytes (zlib's adler32 is checked).
  auto raw = raw_chunk(d.get(), 1);
  raw[raw.size() / 2] ^= 0x5A;
  const hsize_t off1 = kChunk;
  ASSERT_GE(H5Dwrite_chunk(d.get(), H5P_DEFAULT, 0, &off1, raw.size(), raw.data()), 0);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  EXPECT_LT(H5Dread(d.get(), H5T_NATIVE_UCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, read.data()), 0);
}

TEST(Filters, ZstdChunksAreZstdFrames) {
  ASSERT_TRUE(zstd_available());
  TempFile tmp;
  Handle f = h5::create_file(tmp.path);
  const std::vector<unsigned char> data = text_bytes(3 * kChunk + 1000, 11);  // a partial last chunk
  const hsize_t n = data.size();
  Handle d = make_dataset(f.get(), "z", n, 32015, 3);
  ASSERT_GE(H5Dwrite(d.get(), H5T_NATIVE_UCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), 0);
  for (hsize_t c = 0; c < 4; ++c) {
    const auto raw = raw_chunk(d.get(), c);
    EXPECT_LT(raw.size(), kChunk / 2) << "chunk " << c << " not compressed";
    std::vector<unsigned char> back(kChunk);
    const size_t len = ZSTD_decompress(back.data(), back.size(), raw.data(), raw.size());
    ASSERT_FALSE(ZSTD_isError(len)) << ZSTD_getErrorName(len);
    ASSERT_EQ(len, kChunk);  // HDF5 filters whole chunks, the last one padded
    const size_t valid = std::min<size_t>(kChunk, n - c * kChunk);
    EXPECT_TRUE(std::equal(back.begin(), back.begin() + valid, data.begin() + c * kChunk)) << "chunk " << c;
  }
  std::vector<unsigned char> read(n);
  ASSERT_GE(H5Dread(d.get(), H5T_NATIVE_UCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, read.data()), 0);
  EXPECT_EQ(read, data);
  auto raw = raw_chunk(d.get(), 0);
  raw.resize(raw.size() - 3);  // truncated frame
  const hsize_t off0 = 0;
  ASSERT_GE(H5Dwrite_chunk(d.get(), H5P_DEFAULT, 0, &off0, raw.size(), raw.data()), 0);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  EXPECT_LT(H5Dread(d.get(), H5T_NATIVE_UCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, read.data()), 0);
}

// HDF5's own checksum function (exported by Debian's libhdf5; the test skips without it).
using ChecksumFn = uint32_t (*)(const void*, size_t);
ChecksumFn hdf5_fletcher32() { return reinterpret_cast<ChecksumFn>(dlsym(RTLD_DEFAULT, "H5_checksum_fletcher32")); }

TEST(Filters, Fletcher32IsHdf5sChecksum) {
  const ChecksumFn ref = hdf5_fletcher32();
  if (!ref) GTEST_SKIP() << "this HDF5 does not export H5_checksum_fletcher32";
  std::mt19937 rng(5);
  std::vector<unsigned char> buf(3 * 720 * 8 + 64);
  // Every length around the 360-word block and 8-word vector boundaries, odd lengths, random bytes;
  // then all 0xff (the largest sums: sum2 wraps past 2^32 inside a block) and all zero.
  for (const int fill : {-1, 0xff, 0}) {
    for (auto& b : buf) b = static_cast<unsigned char>(fill < 0 ? rng() : fill);
    for (size_t len = 0; len <= buf.size(); len += (len < 2200 ? 1 : 37)) {
      const size_t off = len % 7;  // unaligned starts too
      if (off + len > buf.size()) continue;
      ASSERT_EQ(h5::fletcher32(buf.data() + off, len), len ? ref(buf.data() + off, len) : 0u)
          << "length " << len << " fill " << fill;
    }
  }
  std::vector<unsigned char> big(1 << 22);
  for (auto& b : big) b = static_cast<unsigned char>(rng() >> 7);
  EXPECT_EQ(h5::fletcher32(big.data(), big.size()), ref(big.data(), big.size()));
  EXPECT_EQ(h5::fletcher32(big.data(), big.size() - 1), ref(big.data(), big.size() - 1));
}

TEST(Filters, Fletcher32ChunksCarryHdf5sChecksumAndCorruptionFailsTheRead) {
  EXPECT_TRUE(h5::fletcher32_is_ours()) << "this HDF5 does not export H5Z_register: fletcher32 stays HDF5's";
  const ChecksumFn ref = hdf5_fletcher32();
  TempFile tmp;
  Handle f = h5::create_file(tmp.path);
  const std::vector<unsigned char> data = text_bytes(3 * kChunk + 999, 3);  // a partial last chunk
  const hsize_t n = data.size();
  Handle space(H5Screate_simple(1, &n, nullptr));
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE));
  const hsize_t chunk = kChunk;
  H5Pset_chunk(dcpl.get(), 1, &chunk);
  ASSERT_GE(H5Pset_fletcher32(dcpl.get()), 0);
  Handle d(H5Dcreate2(f.get(), "sum", H5T_NATIVE_UCHAR, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT));
  ASSERT_TRUE(d.valid());
  ASSERT_GE(H5Dwrite(d.get(), H5T_NATIVE_UCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), 0);
  for (hsize_t c = 0; c < 4; ++c) {
    const auto raw = raw_chunk(d.get(), c);
    ASSERT_EQ(raw.size(), kChunk + 4) << "chunk " << c;  // the chunk, then 4 bytes of checksum
    std::vector<unsigned char> body(raw.begin(), raw.end() - 4);
    const size_t valid = std::min<size_t>(kChunk, n - c * kChunk);
    EXPECT_TRUE(std::equal(body.begin(), body.begin() + valid, data.begin() + c * kChunk)) << "chunk " << c;
    const uint32_t stored =
        raw[kChunk] | raw[kChunk + 1] << 8 | raw[kChunk + 2] << 16 | uint32_t(raw[kChunk + 3]) << 24;
    EXPECT_EQ(stored, h5::fletcher32(body.data(), body.size())) << "chunk " << c;
    if (ref) {
      EXPECT_EQ(stored, ref(body.data(), body.size())) << "chunk " << c;
    }
  }
  std::vector<unsigned char> read(n);
  ASSERT_GE(H5Dread(d.get(), H5T_NATIVE_UCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, read.data()), 0);
  EXPECT_EQ(read, data);
  // The byte-swapped checksum of HDF5 before 1.6.3 is accepted, as HDF5 accepts it.
  auto raw = raw_chunk(d.get(), 2);
  const uint32_t sum = h5::fletcher32(raw.data(), kChunk);
  const uint32_t swapped = ((sum & 0x00ff00ffu) << 8) | ((sum >> 8) & 0x00ff00ffu);
  ASSERT_NE(sum, swapped);
  for (int i = 0; i < 4; ++i) raw[kChunk + i] = static_cast<unsigned char>(swapped >> (8 * i));
  const hsize_t off2 = 2 * kChunk;
  ASSERT_GE(H5Dwrite_chunk(d.get(), H5P_DEFAULT, 0, &off2, raw.size(), raw.data()), 0);
  std::fill(read.begin(), read.end(), 0);
  ASSERT_GE(H5Dread(d.get(), H5T_NATIVE_UCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, read.data()), 0);
  EXPECT_EQ(read, data);
  // One flipped byte fails the read.
  raw[100] ^= 0x10;
  ASSERT_GE(H5Dwrite_chunk(d.get(), H5P_DEFAULT, 0, &off2, raw.size(), raw.data()), 0);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  EXPECT_LT(H5Dread(d.get(), H5T_NATIVE_UCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, read.data()), 0);
}

}  // namespace
}  // namespace because::store
