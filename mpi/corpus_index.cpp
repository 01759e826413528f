// Parallel row-index build, distributed corpus open, quarantine files, duplicate uids.
#include "mpi/corpus_index.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "util/error.h"
#include "util/files.h"
#include "util/log.h"

namespace because::mpi {

using corpus::BadRow;
using corpus::RowIndex;

namespace {

// Where a run caches the row index of a file with cache key `key`.
std::string index_cache_path(const std::string& run_dir, const std::string& key) {
  return run_dir + "/index/" + key.substr(0, 24) + ".idx";
}

// Appends one line (a newline is added) to `f`; `what` names the file in the error.
void append_line(std::FILE* f, const std::string& line, const std::string& what) {
  if (std::fwrite(line.data(), 1, line.size(), f) != line.size() || std::fputc('\n', f) == EOF)
    throw_errno("cannot write " + what);
}

// Collective: the full index from every rank's chunk starts (offset, line), in rank order.
RowIndex gather_index(const Comm& comm, const corpus::SourceLayout& l, uint64_t file_size, int64_t chunk_rows,
                      int64_t n_rows, const std::vector<std::pair<uint64_t, int64_t>>& mine) {
  std::string bytes(mine.size() * 16, '\0');
  for (size_t i = 0; i < mine.size(); ++i) {
    std::memcpy(&bytes[16 * i], &mine[i].first, 8);
    std::memcpy(&bytes[16 * i + 8], &mine[i].second, 8);
  }
  const auto gathered = comm.allgather(bytes);
  RowIndex idx;
  idx.data_begin = l.data_begin;
  idx.data_line = l.data_line;
  idx.data_end = file_size;
  idx.chunk_rows = chunk_rows;
  idx.n_rows = n_rows;
  for (const auto& g : gathered)
    for (size_t i = 0; i + 16 <= g.size(); i += 16) {
      uint64_t off;
      int64_t line;
      std::memcpy(&off, &g[i], 8);
      std::memcpy(&line, &g[i + 8], 8);
      idx.chunk_offset.push_back(off);
      idx.chunk_line.push_back(line);
    }
  return idx;
}

}  // namespace

corpus::RowIndex build_index_parallel(const Comm& comm, const corpus::SourceLayout& l, int64_t chunk_rows) {
  corpus::File f(l.path);
  const auto ranges = corpus::split_ranges(l.data_begin, f.size(), comm.size());
  const auto [b, e] = ranges[comm.rank()];
  const corpus::SpeculativeScan mine = corpus::scan_speculative(f, l.dialect, b, e);
  // Allgather the speculative results: 3 numbers per start state per rank.
  constexpr int kPer = 3 * corpus::kNumCsvStates;
  std::vector<int64_t> all(static_cast<size_t>(kPer) * comm.size(), 0);
  for (int s = 0; s < corpus::kNumCsvStates; ++s) {
    int64_t* p = &all[static_cast<size_t>(comm.rank()) * kPer + 3 * s];
    p[0] = mine.by_state[s].n_records;
    p[1] = mine.by_state[s].n_newlines;
    p[2] = static_cast<int64_t>(mine.by_state[s].end_state);
  }
  comm.sum_inplace(all);
  std::vector<corpus::SpeculativeScan> scans(comm.size());
  for (int r = 0; r < comm.size(); ++r)
    for (int s = 0; s < corpus::kNumCsvStates; ++s) {
      const int64_t* p = &all[static_cast<size_t>(r) * kPer + 3 * s];
      scans[r].by_state[s] = corpus::RangeScan{p[0], p[1], static_cast<corpus::CsvState>(p[2])};
    }
  const auto starts = corpus::resolve_ranges(l.dialect, scans);
  const auto mine_chunks =
      corpus::chunk_starts(f, l.dialect, b, e, starts[comm.rank()], l.data_line, chunk_rows, &mine);
  const auto& last = scans.back().by_state[int(starts.back().state)];
  return gather_index(comm, l, f.size(), chunk_rows, starts.back().rows_before + last.n_records, mine_chunks);
}

corpus::Corpus open_corpus(const Comm& comm, const config::CorpusConfig& cfg, const std::string& run_dir) {
  const auto layout = corpus::Corpus::layout(cfg);
  std::vector<RowIndex> idx;
  for (const auto& l : layout) {
    corpus::File f(l.path);
    const std::string key = corpus::index_key(f, l.dialect, l.data_begin, cfg.chunk_rows);
    const std::string cache = run_dir.empty() ? "" : index_cache_path(run_dir, key);
    RowIndex ri;
    bool loaded = !cache.empty() && corpus::load_index(cache, key, ri);
    if (!comm.all(loaded)) {
      ri = build_index_parallel(comm, l, cfg.chunk_rows);
      if (!cache.empty() && comm.root()) {
        files::make_dirs(run_dir + "/index");
        corpus::save_index(cache, key, ri);
      }
      log::debug("corpus: indexed ", l.path, ": ", ri.n_rows, " rows, ", ri.n_chunks(), " chunks");
    }
    idx.push_back(std::move(ri));
  }
  comm.barrier();
  return corpus::Corpus::from_indexes(cfg, std::move(idx));
}

CorpusPass read_corpus_once(const Comm& comm, const config::CorpusConfig& cfg, const std::string& run_dir, bool strict,
                            const std::function<void(corpus::ChunkRead&, bool local)>& fn) {
  const auto layout = corpus::Corpus::layout(cfg);
  CorpusPass pass;
  corpus::ChunkRead chunk;  // reused: rows keep their string capacity from batch to batch
  if (strict || !corpus::RangeReader::supported(cfg, layout)) {
    const auto c = open_corpus(comm, cfg, run_dir);
    for (int64_t k = comm.rank(); k < c.n_chunks(); k += comm.size()) {
      c.read_chunk(k, chunk);
      fn(chunk, false);
    }
    pass.n_rows = c.n_rows();
    pass.n_chunks = c.n_chunks();
    return pass;
  }
  const auto& l = layout[0];
  corpus::File f(l.path);
  const auto ranges = corpus::split_ranges(l.data_begin, f.size(), comm.size());
  corpus::RangeReader rr(cfg, ranges[comm.rank()].first, ranges[comm.rank()].second);
  while (rr.next(cfg.chunk_rows, chunk)) fn(chunk, true);
  pass.one_pass = true;
  pass.row_base = comm.exscan(rr.rows());
  pass.line_base = l.data_line + comm.exscan(rr.newlines());
  pass.n_rows = comm.sum(rr.rows());
  pass.n_chunks = (pass.n_rows + cfg.chunk_rows - 1) / cfg.chunk_rows;
  if (run_dir.empty()) return pass;
  // Leave the row index for later stages: chunk starts from the pass's row samples.
  const std::string key = corpus::index_key(f, l.dialect, l.data_begin, cfg.chunk_rows);
  const std::string cache = index_cache_path(run_dir, key);
  corpus::RowIndex cached;
  if (comm.all(corpus::load_index(cache, key, cached))) return pass;
  corpus::SpeculativeScan scanned;
  scanned.by_state[int(corpus::CsvState::kRecordStart)].n_records = rr.rows();
  scanned.samples = rr.samples();
  corpus::RangeStart start;
  start.rows_before = pass.row_base;
  start.newlines_before = pass.line_base - l.data_line;
  const auto mine = corpus::chunk_starts(rr.file(), l.dialect, rr.begin(), rr.end(), start, l.data_line,
                                         cfg.chunk_rows, &scanned);
  const auto idx = gather_index(comm, l, f.size(), cfg.chunk_rows, pass.n_rows, mine);
  if (comm.root()) {
    files::make_dirs(run_dir + "/index");
    corpus::save_index(cache, key, idx);
  }
  comm.barrier();
  return pass;
}

// ---- quarantine ---------------------------------------------------------------------------------

Quarantine::Quarantine(const Comm& comm, const std::string& run_dir, bool strict)
    : comm_(comm), run_dir_(run_dir), strict_(strict) {
  if (run_dir_.empty()) return;
  if (comm.root()) files::make_dirs(run_dir_ + "/quarantine");
  comm.barrier();
  char name[32];
  std::snprintf(name, sizeof name, "/rank-%05d.jsonl", comm.rank());
  const std::string path = run_dir_ + "/quarantine" + name;
  out_ = std::fopen(path.c_str(), "a");
  if (!out_) throw_errno("cannot open " + path);
  local_path_ = path.substr(0, path.size() - 6) + ".local";
}

Quarantine::~Quarantine() {
  if (out_) std::fclose(out_);
  if (local_) std::fclose(local_);
}

std::string Quarantine::to_json_line(const BadRow& b) {
  nlohmann::json j;
  j["row"] = b.row;
  j["file"] = b.file;
  j["line"] = b.line;
  j["reason"] = b.reason;
  j["detail"] = b.detail;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void Quarantine::add(const std::vector<BadRow>& bad) {
  for (const auto& b : bad) {
    if (strict_)
      throw InputError(b.file + ":" + std::to_string(b.line) + ": bad row " + std::to_string(b.row) + " (" + b.reason +
                       ": " + b.detail + "); --strict makes bad rows errors, drop it to quarantine them instead");
    ++counts_[b.reason];
    log::debug("quarantine: ", b.file, ":", b.line, ": ", b.reason, ": ", b.detail);
    if (out_) append_line(out_, to_json_line(b), "the quarantine file");
  }
}

void Quarantine::add_local(const std::vector<BadRow>& bad) {
  if (bad.empty()) return;
  for (const auto& b : bad) {
    ++counts_[b.reason];
    log::debug("quarantine: ", b.file, ": rank-local row ", b.row, ": ", b.reason, ": ", b.detail);
  }
  if (run_dir_.empty()) return;
  if (!local_) {
    local_ = std::fopen(local_path_.c_str(), "w+");
    if (!local_) throw_errno("cannot open " + local_path_);
  }
  for (const auto& b : bad) append_line(local_, to_json_line(b), local_path_);
}

void Quarantine::renumber(int64_t row_base, int64_t line_base) {
  if (!local_) return;
  if (std::fflush(local_) != 0 || std::fseek(local_, 0, SEEK_SET) != 0) throw_errno("cannot reread " + local_path_);
  // One line at a time: the rows kept aside are never all in memory.
  std::string line;
  char buf[1 << 16];
  while (std::fgets(buf, sizeof buf, local_)) {
    line += buf;
    if (line.back() != '\n' && !std::feof(local_)) continue;
    auto j = nlohmann::json::parse(line);
    j["row"] = j["row"].get<int64_t>() + row_base;
    j["line"] = j["line"].get<int64_t>() + line_base;
    append_line(out_, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "the quarantine file");
    line.clear();
  }
  std::fclose(local_);
  local_ = nullptr;
  std::remove(local_path_.c_str());
}

std::map<std::string, int64_t> Quarantine::finish() {
  if (out_) {
    std::fclose(out_);
    out_ = nullptr;
  }
  comm_.barrier();
  if (!run_dir_.empty() && comm_.root()) {
    namespace fs = std::filesystem;
    std::vector<std::pair<int64_t, std::string>> lines;
    for (const auto& entry : fs::directory_iterator(run_dir_ + "/quarantine")) {
      if (entry.path().extension() != ".jsonl") continue;
      std::ifstream in(entry.path());
      std::string s;
      while (std::getline(in, s)) {
        if (s.empty()) continue;
        const auto j = nlohmann::json::parse(s, nullptr, false);
        if (j.is_discarded() || !j.contains("row")) continue;  // a line cut by a crash: rewritten on resume
        lines.emplace_back(j["row"].get<int64_t>(), s);
      }
    }
    std::sort(lines.begin(), lines.end());
    lines.erase(std::unique(lines.begin(), lines.end(), [](const auto& a, const auto& b) { return a.first == b.first; }),
                lines.end());
    std::string all;
    for (const auto& l : lines) all += l.second + "\n";
    files::write_atomic(run_dir_ + "/quarantine.jsonl", all);
  }
  auto total = sum_counts(comm_, counts_);
  comm_.barrier();
  return total;
}

int64_t total_count(const std::map<std::string, int64_t>& counts) {
  int64_t n = 0;
  for (const auto& [key, c] : counts) n += c;
  return n;
}

std::map<std::string, int64_t> sum_counts(const Comm& comm, const std::map<std::string, int64_t>& local) {
  const auto all = comm.allgather(nlohmann::json(local).dump());
  std::map<std::string, int64_t> out;
  for (const auto& s : all) {
    const auto j = nlohmann::json::parse(s);
    for (auto it = j.begin(); it != j.end(); ++it) out[it.key()] += it.value().get<int64_t>();
  }
  return out;
}

Duplicates find_duplicate_uids(const Comm& comm, std::vector<std::pair<uint64_t, int64_t>> local, int max_examples) {
  const int p = comm.size();
  std::sort(local.begin(), local.end(),
            [p](const auto& a, const auto& b) { return std::make_pair(a.first % p, a) < std::make_pair(b.first % p, b); });
  std::vector<int> send_counts(p, 0), recv_counts(p), sdispl(p, 0), rdispl(p, 0);
  for (const auto& x : local) send_counts[x.first % p] += 16;
  BECAUSE_MPI_CHECK(MPI_Alltoall(send_counts.data(), 1, MPI_INT, recv_counts.data(), 1, MPI_INT, comm.get()));
  for (int r = 1; r < p; ++r) {
    sdispl[r] = sdispl[r - 1] + send_counts[r - 1];
    rdispl[r] = rdispl[r - 1] + recv_counts[r - 1];
  }
  std::vector<char> recv(static_cast<size_t>(rdispl[p - 1] + recv_counts[p - 1]));
  BECAUSE_MPI_CHECK(MPI_Alltoallv(local.data(), send_counts.data(), sdispl.data(), MPI_BYTE, recv.data(),
                                  recv_counts.data(), rdispl.data(), MPI_BYTE, comm.get()));
  std::vector<std::pair<uint64_t, int64_t>> mine(recv.size() / 16);
  std::memcpy(static_cast<void*>(mine.data()), recv.data(), recv.size());
  std::sort(mine.begin(), mine.end());
  int64_t repeated = 0;
  std::vector<std::string> examples;
  for (size_t i = 0; i < mine.size();) {
    size_t j = i + 1;
    while (j < mine.size() && mine[j].first == mine[i].first) ++j;
    if (j - i > 1) {
      repeated += static_cast<int64_t>(j - i - 1);
      if (static_cast<int>(examples.size()) < max_examples) {
        std::string e;
        for (size_t k = i; k < j && k < i + 5; ++k) e += (k > i ? "," : "") + std::to_string(mine[k].second);
        examples.push_back(e);
      }
    }
    i = j;
  }
  Duplicates d;
  d.n_repeated = comm.sum(repeated);
  for (const auto& s : comm.allgather(nlohmann::json(examples).dump()))
    for (const auto& e : nlohmann::json::parse(s))
      if (static_cast<int>(d.examples.size()) < max_examples) d.examples.push_back(e.get<std::string>());
  return d;
}

}  // namespace because::mpi
