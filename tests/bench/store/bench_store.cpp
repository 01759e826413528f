// Store benchmark driver (run by bench_store.sh):
//   bench_store write RUN N K    one rank writes N synthetic instances with K explanations each
//   bench_store merge RUN        (under mpiexec -n R) merges RUN/shards into RUN/store.h5
//   bench_store export RUN       JSONL export of RUN/store.h5 to standard output
//   bench_store floor RUN [shards]  the compression floor of the merge: seconds libdeflate (one thread)
//                                takes to compress every column of RUN/store.h5 in the store's chunks at
//                                the store's level; with `shards`, the same for the shard writes (every
//                                shard file, at the shard level)
#include <libdeflate.h>
#include <mpi.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "../../unit/store/store_test_util.h"
#include "config/store.h"
#include "mpi/comm.h"
#include "mpi/store_merge.h"
#include "store/export.h"
#include "store/h5.h"
#include "store/shard.h"
#include "util/proc.h"

namespace fs = std::filesystem;
using namespace because;

static uint64_t tree_bytes(const std::string& dir) {
  uint64_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) n += e.file_size();
  return n;
}

// The store options as the stages take them, with the bench's shard overrides
// (BECAUSE_BENCH_SHARD_COMPRESSION, BECAUSE_BENCH_SHARD_LEVEL).
static config::StoreConfig bench_store_config() {
  config::StoreConfig sc;
  if (const char* c = std::getenv("BECAUSE_BENCH_SHARD_COMPRESSION")) sc.shard_compression = c;
  if (const char* l = std::getenv("BECAUSE_BENCH_SHARD_LEVEL")) sc.shard_compression_level = std::atoi(l);
  return sc;
}

int main(int argc, char** argv) {
  proc::tune_allocator();  // as the `because` command does (util/proc.h)
  mpi::Environment env(&argc, &argv);
  auto comm = mpi::Comm::world();
  if (argc < 3) return 2;
  const std::string mode = argv[1], run = argv[2];
  const auto t0 = std::chrono::steady_clock::now();
  auto secs = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  if (mode == "write") {
    const int64_t n = std::stoll(argv[3]);
    const int k = std::stoi(argv[4]);
    store::ShardOptions o;
    o.run_dir = run;
    o.config_hash = "bench";
    o.label_set = "nli";
    o.labels = store::synth::nli();
    o.commit_rows = 65536;
    // Shards as the stages write them (store.shard_compression, store.shard_compression_level),
    // with the bench's overrides.
    const config::StoreConfig sc = bench_store_config();
    o.write = store::WriteOptions::for_shards(sc);
    std::printf("shards: compression %s level %d\n", o.write.compression.c_str(), o.write.level);
    // The chunks are made before the clock starts (1.4 GB peak RSS for 1M instances): only the
    // writer is timed.
    std::vector<store::ShardChunk> chunks;
    uint64_t logical = 0;
    const int64_t rows = 256;
    for (int64_t c = 0; c * rows < n; ++c) {
      chunks.push_back(store::synth::synth_chunk(c, std::min(rows, n - c * rows), k, 80));
      for (const auto& in : chunks.back().instances) logical += in.uid.size() + in.text_a.size() + in.text_b.size() + 40;
      for (const auto& e : chunks.back().explanations) logical += e.text.size() + 24;
    }
    // Best of three writes (the same chunks, copied before each, untimed), as dd is best of three:
    // this machine's speed swings by 2x from minute to minute.
    double s = 1e300;
    for (int rep = 0; rep < 3; ++rep) {
      if (rep > 0) fs::remove_all(run + "/shards");
      std::vector<store::ShardChunk> copy = rep < 2 ? chunks : std::move(chunks);
      ::sync();
      const auto w0 = std::chrono::steady_clock::now();
      {
        store::ShardWriter w(o);
        for (auto& ch : copy) w.append(std::move(ch));
      }
      s = std::min(s, std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count());
    }
    const uint64_t bytes = tree_bytes(run + "/shards");
    std::printf("write: %lld instances x %d explanations: %.2f s, shards %.1f MB on disk (%.1f MB logical), %.1f MB/s on disk, %.1f MB/s logical\n",
                static_cast<long long>(n), k, s, bytes / 1e6, logical / 1e6, bytes / 1e6 / s, logical / 1e6 / s);
    std::printf("SHARD_BYTES %llu\nSHARD_SECONDS %.6f\n", static_cast<unsigned long long>(bytes), s);
  } else if (mode == "merge") {
    store::MergeOptions o;
    o.run_dir = run;
    // The store's compression and level (store.compression, store.compression_level) to try others.
    if (const char* c = std::getenv("BECAUSE_BENCH_STORE_COMPRESSION")) o.write.compression = c;
    if (const char* l = std::getenv("BECAUSE_BENCH_STORE_LEVEL")) o.write.level = std::atoi(l);
    o.write.validate();
    if (const char* b = std::getenv("BECAUSE_BENCH_MERGE_BATCH"))
      o.batch_rows = std::atoll(b);  // store.merge_batch_rows
    const auto res = mpi::merge_store(comm, o);
    const double s = comm.max(secs());
    if (comm.root()) {
      const uint64_t shards = tree_bytes(run + "/shards");
      std::printf("merge with %d ranks: %.2f s, %lld instances, %lld explanations, store %.1f MB; %.1f MB/s of shards read, %.1f MB/s of store written\n",
                  comm.size(), s, static_cast<long long>(res.n_instances), static_cast<long long>(res.n_explanations),
                  res.file_bytes / 1e6, shards / 1e6 / s, res.file_bytes / 1e6 / s);
      std::printf("MERGE_SECONDS %.6f\n", s);
    }
  } else if (mode == "floor") {
    // What any merge must spend however it reads, sorts and writes: compressing the store's content,
    // chunk by chunk, byte-shuffled as the store's multi-byte columns are, with the store's deflate
    // level (the shuffle, fletcher32 and HDF5 left out of the time). A merge on R ranks can at best
    // split this R ways.
    const bool shards = argc > 3 && std::string(argv[3]) == "shards";
    const config::StoreConfig sc = bench_store_config();
    const store::WriteOptions w =
        shards ? store::WriteOptions::for_shards(sc) : store::WriteOptions::from(sc);
    if (w.compression != "deflate") {
      std::printf("compression floor: none (%s)\nFLOOR_SECONDS 0\n", w.compression.c_str());
      return 0;
    }
    auto* c = libdeflate_alloc_compressor(w.level);
    std::vector<char> out, shuffled;
    double s = 0;
    uint64_t logical = 0, packed = 0;
    auto compress = [&](const char* p, size_t n, size_t chunk, size_t elem) {
      for (size_t off = 0; off < n; off += chunk) {
        const size_t len = std::min(chunk, n - off);
        const char* src = p + off;
        if (elem > 1) {  // HDF5's shuffle filter: byte k of every element, then byte k + 1, ...
          const size_t m = len / elem;
          shuffled.assign(src, src + len);
          for (size_t i = 0; i < m; ++i)
            for (size_t k = 0; k < elem; ++k) shuffled[k * m + i] = src[i * elem + k];
          src = shuffled.data();
        }
        out.resize(libdeflate_zlib_compress_bound(c, len));
        const auto t = std::chrono::steady_clock::now();
        const size_t z = libdeflate_zlib_compress(c, src, len, out.data(), out.size());
        s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
        logical += len;
        packed += z;
      }
    };
    std::vector<std::string> files;
    if (shards) {
      for (const auto& e : fs::recursive_directory_iterator(run + "/shards"))
        if (e.is_regular_file() && e.path().extension() == ".h5") files.push_back(e.path().string());
    } else {
      files.push_back(run + "/store.h5");
    }
    for (const auto& file : files) {
      auto f = store::h5::open_file(file, false);
      for (const auto& t : store::h5::list_tables(f.get())) {
        const store::Table tab = store::h5::read_rows(f.get(), t, 0, -1);
        for (const auto& col : tab.columns) {
          if (col.is_string()) {
            compress(col.bytes.data(), col.bytes.size(), static_cast<size_t>(w.chunk_bytes), 1);
            compress(reinterpret_cast<const char*>(col.offsets.data()), col.offsets.size() * sizeof(uint64_t),
                     static_cast<size_t>(w.chunk_rows) * sizeof(uint64_t), sizeof(uint64_t));
          } else {
            compress(col.data.data(), col.data.size(), static_cast<size_t>(w.chunk_rows) * col.row_bytes(),
                     store::dtype_size(col.dtype));
          }
        }
      }
    }
    libdeflate_free_compressor(c);
    std::printf(
        "compression floor (%s): deflate level %d, %.1f MB -> %.1f MB in %.2f s (%.1f MB/s, one thread)\n",
        shards ? "shards" : "store", w.level, logical / 1e6, packed / 1e6, s, logical / 1e6 / s);
    std::printf("FLOOR_SECONDS %.6f\n", s);
  } else if (mode == "export") {
    if (comm.root()) store::export_store(run + "/store.h5", std::cout, store::Format::kJsonl);
  }
  return 0;
}
