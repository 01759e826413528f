// Ingest throughput, next to `wc -l` on the same file, two ways of reading a corpus into Instances:
//  - one pass (mpi::read_corpus_once, as `because corpus stats` reads): each rank reads the rows
//    of its 1/N of the bytes, no index pass before;
//  - index + chunks (as the pipeline's stages read on a first run): the row index built in
//    parallel, then every chunk read by seeking (ranks take chunks in turn).
// Prints MB/s and rows/s per rank and the peak RSS of each rank, and the floor of any validating
// JSON ingest on this machine: the same byte ranges read and split into lines, every line parsed by
// simdjson's DOM parser (the one the JSON adapters use) and nothing else; then the same with each
// string value copied out, the least that turning a row into an Instance costs; then that with the
// lines of a block parsed in one call (parse_many).
// Usage: bench_corpus_ingest FILE ROWS
#include <fcntl.h>
#include <simdjson.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "corpus/corpus.h"
#include "corpus/synth.h"
#include "mpi/corpus_index.h"
#include "util/proc.h"

using namespace because;
using clk = std::chrono::steady_clock;

static double seconds_since(clk::time_point t) { return std::chrono::duration<double>(clk::now() - t).count(); }

namespace {

// How the floor parses: each line on its own (as the JSON adapters do), the same copying every
// string value (of the object and of its arrays) into a reused string, or the complete lines of
// each block at once (simdjson's parse_many: one structural pass over the block) with the copy.
enum class Floor { kParse, kParseCopy, kBlockCopy };

// The floor: lines of bytes [rank's share) of `file` read in 1 MiB blocks and parsed with simdjson's
// DOM parser as `how` says. Returns the rows parsed; throws on a line that does not parse.
int64_t parse_floor(const std::string& file, int rank, int size, Floor how) {
  // The rank's lines, split as the one-pass reader splits them.
  const corpus::File f(file);
  const uint64_t bytes = f.size();
  const uint64_t begin = corpus::RangeReader::line_start_at_or_after(f, 0, bytes * rank / size),
                 end = corpus::RangeReader::line_start_at_or_after(f, 0, bytes * (rank + 1) / size);
  constexpr size_t kBlock = 1 << 20;
  std::vector<char> buf(2 * kBlock + simdjson::SIMDJSON_PADDING);
  simdjson::dom::parser parser;
  std::vector<std::string> fields(16);
  auto copy = [&](simdjson::dom::object o) {
    size_t k = 0;
    for (const auto& kv : o) {
      std::string_view sv;
      simdjson::dom::array a;
      if (!kv.value.get_string().get(sv))
        fields[k++ % fields.size()].assign(sv);
      else if (!kv.value.get_array().get(a))
        for (auto x : a)
          if (!x.get_string().get(sv)) fields[k++ % fields.size()].assign(sv);
    }
  };
  int64_t rows = 0;
  size_t have = 0;
  for (uint64_t off = begin; off < end || have > 0;) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(kBlock, end - off));
    const size_t n = want ? f.read_at(off, buf.data() + have, want) : 0;
    off += n;
    const char* p = buf.data();
    const char* e = p + have + n;
    const bool last = off >= end;
    if (how == Floor::kBlockCopy) {
      const void* lastnl = ::memrchr(p, '\n', static_cast<size_t>(e - p));
      const char* stop = last ? e : lastnl ? static_cast<const char*>(lastnl) + 1 : p;
      if (stop > p) {
        const size_t len = static_cast<size_t>(stop - p);
        simdjson::dom::document_stream docs;
        if (parser.parse_many(p, len, std::max<size_t>(len, simdjson::dom::DEFAULT_BATCH_SIZE)).get(docs))
          throw std::runtime_error(file + ": a block does not parse");
        for (auto d : docs) {
          simdjson::dom::object o;
          if (d.get_object().get(o)) throw std::runtime_error(file + ": a line does not parse");
          copy(o);
          ++rows;
        }
        p = stop;
      }
    }
    while (how != Floor::kBlockCopy) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(e - p)));
      if (!nl && !(last && p < e)) break;
      const size_t len = static_cast<size_t>((nl ? nl : e) - p);
      simdjson::dom::object o;
      if (parser.parse(p, len, false).get_object().get(o))
        throw std::runtime_error(file + ": a line does not parse");
      if (how == Floor::kParseCopy) copy(o);
      ++rows;
      p = nl ? nl + 1 : e;
    }
    have = static_cast<size_t>(e - p);
    std::memmove(buf.data(), p, have);
    if (last) break;
  }
  return rows;
}

}  // namespace

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
  double floor_s[3] = {1e300, 1e300, 1e300};  // by Floor
  int64_t floor_rows[3] = {0, 0, 0};          // rows each floor parsed (all of them)
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
    for (const Floor how : {Floor::kParse, Floor::kParseCopy, Floor::kBlockCopy}) {
      comm.barrier();
      const auto t = clk::now();
      const int64_t n = parse_floor(file, comm.rank(), comm.size(), how);
      comm.barrier();
      double& best = floor_s[static_cast<int>(how)];
      best = std::min(best, seconds_since(t));
      floor_rows[static_cast<int>(how)] = comm.sum(n);
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
    const char* floor_names[3] = {"parse each line      ", "parse + copy strings ", "block parse + copy   "};
    for (int k = 0; k < 3; ++k) {
      const double s = floor_s[k];
      std::printf("  floor: %s: %.3f s  %.0f MB/s per rank  (%.1f%% of wc -l per rank", floor_names[k], s,
                  mb / p / s, 100.0 * (mb / p / s) / (mb / wc_s));
      if (p > 1) std::printf("; %.1f%% when %d run at once", 100.0 * (mb / p / s) / (mb / wc_all_s), p);
      std::printf(")\n");
    }
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
  bool floors_complete = true;
  for (const int64_t r : floor_rows) floors_complete = floors_complete && r == n_rows;
  const bool complete = floors_complete && total_good + total_bad == n_rows && once_rows == n_rows &&
                        once_good == total_good && once_bad == total_bad;
  return complete ? 0 : 1;
}
