// Ingest throughput, next to `wc -l` on the same file, two ways of reading a corpus into Instances:
//  - one pass (mpi::read_corpus_once, as `because corpus stats` reads): each rank reads the rows
//    of its 1/N of the bytes, no index pass before;
//  - index + chunks (as the pipeline's stages read on a first run): the row index built in
//    parallel, then every chunk read by seeking (ranks take chunks in turn).
// Prints MB/s and rows/s per rank and the peak RSS of each rank. Usage: bench_corpus_ingest FILE ROWS
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "corpus/synth.h"
#include "mpi/corpus_index.h"
#include "util/proc.h"

using namespace because;
using clk = std::chrono::steady_clock;

static double seconds_since(clk::time_point t) { return std::chrono::duration<double>(clk::now() - t).count(); }

int main(int argc, char** argv) {
  proc::tune_allocator();  // as the `because` command does (util/proc.h)
  mpi::Environment env(&argc, &argv);
  const auto comm = mpi::Comm::world();
  if (argc != 3) {
    if (comm.root()) std::fprintf(stderr, "usage: %s FILE ROWS\n", argv[0]);
    return 2;
  }
  const std::string file = argv[1];
  const int64_t rows = std::stoll(argv[2]);
  if (comm.root() && !std::filesystem::exists(file)) {
    const auto t = clk::now();
    const auto r = corpus::write_synthetic(file, rows, 1);
    std::printf("synth: %lld rows, %.1f MB in %.1f s\n", (long long)r.rows, r.bytes / 1e6, seconds_since(t));
  }
  comm.barrier();
  const double mb = std::filesystem::file_size(file) / 1e6;
  // Every measurement is the best of five on a warm page cache, and each repetition runs them
  // back to back (wc -l, one pass, index + chunks), so a slow spell of the machine (other
  // processes, other tenants) hits all of them alike rather than one side of the comparison.
  constexpr int kRepeats = 5;
  const std::string wc_cmd = "wc -l < '" + file + "' > /dev/null";
  // The page cache holds the file in the state of a corpus read from disk: dropped, then read back
  // once. How the file got into the cache changes how fast it is copied out: read back from disk
  // `wc -l` runs at ~5.5 GB/s here, just written by the synthesizer at ~3 GB/s (probably large
  // versus small page-cache folios). Every run starts from the same state, the one users meet.
  if (comm.root()) {
    const int fd = ::open(file.c_str(), O_RDONLY);
    if (fd < 0 || ::fdatasync(fd) != 0 || ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) != 0) {
      std::fprintf(stderr, "%s: cannot drop from the page cache\n", file.c_str());
      return 1;
    }
    ::close(fd);
    if (std::system(wc_cmd.c_str()) != 0) return 1;  // read it back
  }
  config::CorpusConfig cfg;
  cfg.path = file;
  cfg.dataset = "sample";
  double wc_s = 1e300, wc_all_s = 1e300, once_s = 1e300;
  double index_s = 1e300, read_s = 1e300, slowest = 0;
  int64_t once_good = 0, once_bad = 0, once_rows = 0;
  int64_t total_good = 0, total_bad = 0, n_rows = 0;
  for (int rep = 0; rep < kRepeats; ++rep) {
    comm.barrier();
    if (comm.root()) {
      const auto t = clk::now();
      if (std::system(wc_cmd.c_str()) != 0) return 1;
      wc_s = std::min(wc_s, seconds_since(t));
    }
    // With several ranks, also `wc -l` run by every rank at once: the rate one process gets
    // while the others work too (shared cores, caches and memory bandwidth).
    if (comm.size() > 1) {
      comm.barrier();
      const auto t = clk::now();
      if (std::system(wc_cmd.c_str()) != 0) return 1;
      wc_all_s = std::min(wc_all_s, comm.max(seconds_since(t)));
    }
    {
      comm.barrier();
      const auto t = clk::now();
      int64_t good = 0, bad = 0;
      const auto pass = mpi::read_corpus_once(comm, cfg, "", false, [&](corpus::ChunkRead& r, bool) {
        good += static_cast<int64_t>(r.rows.size());
        bad += static_cast<int64_t>(r.bad.size());
      });
      comm.barrier();
      once_s = std::min(once_s, seconds_since(t));
      once_good = comm.sum(good);
      once_bad = comm.sum(bad);
      once_rows = pass.n_rows;
    }
    comm.barrier();
    auto t = clk::now();
    const auto c = mpi::open_corpus(comm, cfg, "");  // no cache: the index is built every time
    comm.barrier();
    const double idx_s = seconds_since(t);
    t = clk::now();
    int64_t good = 0, bad = 0;
    corpus::ChunkRead r;
    for (int64_t k = comm.rank(); k < c.n_chunks(); k += comm.size()) {
      c.read_chunk(k, r);
      good += static_cast<int64_t>(r.rows.size());
      bad += static_cast<int64_t>(r.bad.size());
    }
    const double read_local_s = seconds_since(t);
    comm.barrier();
    const double rd_s = seconds_since(t);
    const double slowest_rank = comm.max(read_local_s);
    if (idx_s + rd_s < index_s + read_s) {
      index_s = idx_s;
      read_s = rd_s;
      slowest = slowest_rank;
    }
    total_good = comm.sum(good);
    total_bad = comm.sum(bad);
    n_rows = c.n_rows();
  }
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  const int64_t rss_max_kb = comm.max(static_cast<int64_t>(ru.ru_maxrss));
  if (comm.root()) {
    const int p = comm.size();
    const double total_s = index_s + read_s;
    std::printf("file %s: %.1f MB, %lld rows (%lld good, %lld bad), ranks %d\n", file.c_str(), mb,
                (long long)n_rows, (long long)total_good, (long long)total_bad, p);
    std::printf("  wc -l (best of 5)   : %.3f s  %.0f MB/s  %.0f rows/s\n", wc_s, mb / wc_s, rows / wc_s);
    if (p > 1)
      std::printf("  wc -l, %d at once   : %.3f s  %.0f MB/s each (slowest of the %d)\n", p, wc_all_s, mb / wc_all_s, p);
    std::printf("  one pass            : %.3f s  (best of 5; %lld good, %lld bad)\n", once_s, (long long)once_good,
                (long long)once_bad);
    std::printf("  ingest per rank     : %.0f MB/s  %.0f rows/s  (%.1f%% of wc -l per rank)\n", mb / p / once_s,
                rows / p / once_s, 100.0 * (mb / p / once_s) / (mb / wc_s));
    if (p > 1)
      std::printf("  ingest per rank     : %.1f%% of wc -l per process when %d run at once\n",
                  100.0 * (mb / p / once_s) / (mb / wc_all_s), p);
    std::printf("  index + chunks:\n");
    std::printf("  index (parallel)    : %.3f s  (best of 5 ingests)\n", index_s);
    std::printf("  read all chunks     : %.3f s (slowest rank %.3f s)\n", read_s, slowest);
    std::printf("  ingest per rank     : %.0f MB/s  %.0f rows/s  (%.1f%% of wc -l per rank)\n", mb / p / total_s,
                rows / p / total_s, 100.0 * (mb / p / total_s) / (mb / wc_s));
    if (p > 1)
      std::printf("  ingest per rank     : %.1f%% of wc -l per process when %d run at once\n",
                  100.0 * (mb / p / total_s) / (mb / wc_all_s), p);
    std::printf("  ingest total        : %.0f MB/s  %.0f rows/s\n", mb / total_s, rows / total_s);
    std::printf("  peak RSS per rank (max over ranks): %.1f MB\n", rss_max_kb / 1024.0);
  }
  const bool complete = total_good + total_bad == n_rows && once_rows == n_rows && once_good == total_good &&
                        once_bad == total_bad;
  return complete ? 0 : 1;
}
