// Corpus: adapter + row index + chunked reading (see corpus.h).
#include "corpus/corpus.h"

#include <algorithm>
#include <cstring>

#include "util/error.h"
#include "util/files.h"

namespace because::corpus {

std::unique_ptr<Adapter> open_adapter(const config::CorpusConfig& cfg, std::vector<SourceLayout>* layout) {
  if (cfg.chunk_rows <= 0) throw ConfigError("--corpus.chunk_rows must be positive, not " + std::to_string(cfg.chunk_rows));
  if (cfg.max_row_bytes <= 0) throw ConfigError("--corpus.max_row_bytes must be positive");
  if (cfg.limit < 0) throw ConfigError("--corpus.limit must be >= 0");
  auto adapter = make_adapter(cfg);
  const auto& paths = adapter->sources().paths;
  for (size_t k = 0; k < paths.size(); ++k) {
    File f(paths[k]);
    SourceLayout l;
    l.path = paths[k];
    l.dialect = adapter->dialect();
    l.data_begin = static_cast<uint64_t>(bom_length(f));
    l.data_line = 1;
    if (k == 0 && adapter->has_header()) {
      RecordReader rr(f, l.dialect, l.data_begin, f.size(), 1, static_cast<uint64_t>(cfg.max_row_bytes));
      RawRecord rec;
      if (!rr.next(rec)) throw InputError(paths[k] + ": empty file (no header)");
      if (rec.oversize) throw InputError(paths[k] + ": header longer than --corpus.max_row_bytes");
      std::vector<std::string> cols;
      try {
        if (l.dialect.kind == RecordKind::kCsv) split_csv(rec.bytes, l.dialect.delimiter, cols);
        else split_plain(rec.bytes, l.dialect.delimiter, cols);
      } catch (const InputError& e) {
        throw InputError(paths[k] + ": line " + std::to_string(rec.line) + ": header: " + e.what());
      }
      adapter->set_header(cols);
      l.data_begin = rr.position();
      l.data_line = rr.line();
    }
    if (layout) layout->push_back(l);
  }
  return adapter;
}

std::vector<SourceLayout> Corpus::layout(const config::CorpusConfig& cfg) {
  std::vector<SourceLayout> l;
  open_adapter(cfg, &l);
  return l;
}

Corpus Corpus::open(const config::CorpusConfig& cfg, const std::string& index_path) {
  std::vector<SourceLayout> layout;
  auto adapter = open_adapter(cfg, &layout);
  std::vector<RowIndex> idx;
  for (size_t k = 0; k < layout.size(); ++k) {
    File f(layout[k].path);
    const std::string cache = index_path.empty() ? "" : (k == 0 ? index_path : index_path + "." + std::to_string(k));
    const std::string key = index_key(f, layout[k].dialect, layout[k].data_begin, cfg.chunk_rows);
    RowIndex ri;
    if (cache.empty() || !load_index(cache, key, ri)) {
      ri = build_index(f, layout[k].dialect, layout[k].data_begin, layout[k].data_line, cfg.chunk_rows);
      if (!cache.empty()) save_index(cache, key, ri);
    }
    idx.push_back(std::move(ri));
  }
  Corpus c;
  c.init(cfg, std::move(adapter), std::move(idx));
  return c;
}

Corpus Corpus::from_indexes(const config::CorpusConfig& cfg, std::vector<RowIndex> indexes) {
  auto adapter = open_adapter(cfg, nullptr);
  Corpus c;
  c.init(cfg, std::move(adapter), std::move(indexes));
  return c;
}

void Corpus::init(const config::CorpusConfig& cfg, std::unique_ptr<Adapter> adapter, std::vector<RowIndex> idx) {
  adapter_ = std::move(adapter);
  paths_ = adapter_->sources().paths;
  if (idx.size() != paths_.size()) throw InputError("corpus index does not match the source files of " + cfg.path);
  chunk_rows_ = cfg.chunk_rows;
  max_row_bytes_ = static_cast<uint64_t>(cfg.max_row_bytes);
  for (size_t k = 0; k < paths_.size(); ++k) {
    files_.push_back(std::make_unique<File>(paths_[k]));
    if (idx[k].chunk_rows != chunk_rows_) throw InputError(paths_[k] + ": index made for another chunk size");
    if (idx[k].data_end != files_[k]->size())
      throw InputError(paths_[k] + ": file changed since it was indexed (size " + std::to_string(files_[k]->size()) +
                       ", indexed " + std::to_string(idx[k].data_end) + ")");
    if (idx[k].n_rows != idx[0].n_rows)
      throw InputError(paths_[k] + ": " + std::to_string(idx[k].n_rows) + " rows, but " + paths_[0] + " has " +
                       std::to_string(idx[0].n_rows) + " (per-field files must be line-aligned)");
  }
  indexes_ = std::move(idx);
  n_rows_ = indexes_.empty() ? 0 : indexes_[0].n_rows;
  if (cfg.limit > 0) n_rows_ = std::min(n_rows_, cfg.limit);
}

Corpus::Corpus(Corpus&&) noexcept = default;
Corpus& Corpus::operator=(Corpus&&) noexcept = default;
Corpus::~Corpus() = default;

const LabelSet& Corpus::labels() const { return adapter_->labels(); }
std::string Corpus::dataset() const { return adapter_->name(); }

namespace {

bool blank_text(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

}  // namespace

ChunkRead Corpus::read_chunk(int64_t chunk) const {
  ChunkRead out;
  read_chunk(chunk, out);
  return out;
}

namespace {
// Empties an instance for reuse, keeping the capacity of its strings and vectors; its
// explanations' strings go back to the adapter, which fills the next rows' explanations with them.
void reset(Instance& x, Adapter& adapter) {
  x.row = -1;
  x.uid.clear();
  x.dataset.clear();
  x.split.clear();
  x.text_a.clear();
  x.text_b.clear();
  x.gold = -1;
  x.label_counts.clear();
  adapter.recycle_explanations(x);
  x.source_file.clear();
  x.source_line = 0;
}

// Adapts one row read from every source into out.rows[used] (returns true) or records it in
// out.bad with the file and line of the source at fault. Shared by chunk and range reading.
bool adapt_row(Adapter& adapter, const std::vector<std::string>& paths, uint64_t max_row_bytes,
               const std::vector<RawRecord>& recs, std::vector<std::string_view>& views, int64_t row, Instance& inst,
               RowProblem& problem, std::vector<BadRow>& bad) {
  problem.reason.clear();
  problem.detail.clear();
  const bool check_utf8 = !adapter.validates_utf8();
  const size_t n_src = recs.size();
  size_t bad_src = 0;
  for (size_t k = 0; k < n_src && problem.reason.empty(); ++k) {
    views[k] = recs[k].bytes;
    bad_src = k;
    if (recs[k].oversize) {
      problem.reason = "oversize";
      problem.detail = std::to_string(recs[k].n_bytes) + " bytes > --corpus.max_row_bytes=" + std::to_string(max_row_bytes);
    } else if (check_utf8 && !valid_utf8(recs[k].bytes)) {
      problem.reason = "invalid_utf8";
      problem.detail = "the row is not valid UTF-8";
    }
  }
  reset(inst, adapter);
  if (problem.reason.empty()) {
    inst.row = row;
    if (adapter.adapt(views, inst, problem)) {
      if (blank_text(inst.text_a)) {
        problem.reason = "empty_text";
        problem.detail = "text_a (premise/text) is empty";
      } else if (adapter.needs_text_b() && blank_text(inst.text_b)) {
        problem.reason = "empty_text";
        problem.detail = "text_b (hypothesis/evidence) is empty";
      }
    } else if (problem.reason.empty()) {
      problem.reason = "unsupported_row";
    }
    bad_src = 0;
  }
  if (problem.reason.empty()) {
    inst.row = row;
    inst.dataset = adapter.name();
    inst.source_file = paths[0];
    inst.source_line = recs[0].line;
    return true;
  }
  bad.push_back(BadRow{row, paths[bad_src], recs[bad_src].line, problem.reason, problem.detail});
  return false;
}

}  // namespace

void Corpus::read_chunk(int64_t chunk, ChunkRead& out) const {
  if (chunk < 0 || chunk >= n_chunks())
    throw InputError("chunk " + std::to_string(chunk) + " out of range (corpus has " + std::to_string(n_chunks()) + ")");
  const int64_t first = chunk * chunk_rows_;
  const int64_t count = std::min(chunk_rows_, n_rows_ - first);
  const size_t n_src = files_.size();
  std::vector<std::unique_ptr<RecordReader>> readers;
  for (size_t k = 0; k < n_src; ++k) {
    // The chunk's bytes end where the next chunk starts (or at the end of the file).
    const auto& idx = indexes_[k];
    const uint64_t end = chunk + 1 < idx.n_chunks() ? idx.chunk_offset[chunk + 1] : files_[k]->size();
    readers.push_back(std::make_unique<RecordReader>(*files_[k], adapter_->dialect(), idx.chunk_offset[chunk], end,
                                                     idx.chunk_line[chunk], max_row_bytes_));
  }
  // Rows fill out.rows[0, used) in place; bad rows leave their slot for the next row.
  size_t used = 0;
  out.bad.clear();
  if (out.rows.size() < static_cast<size_t>(count)) out.rows.resize(static_cast<size_t>(count));
  std::vector<RawRecord> recs(n_src);
  std::vector<std::string_view> views(n_src);
  RowProblem problem;
  for (int64_t i = 0; i < count; ++i) {
    const int64_t row = first + i;
    for (size_t k = 0; k < n_src; ++k)
      if (!readers[k]->next(recs[k]))
        throw InputError(paths_[k] + ": ended before row " + std::to_string(row) + " (file changed since it was indexed?)");
    if (adapt_row(*adapter_, paths_, max_row_bytes_, recs, views, row, out.rows[used], problem, out.bad)) ++used;
  }
  out.rows.resize(used);
}

// ---- one pass over a byte range -----------------------------------------------------------------

bool RangeReader::supported(const config::CorpusConfig& cfg, const std::vector<SourceLayout>& layout) {
  return layout.size() == 1 && layout[0].dialect.kind == RecordKind::kLines && cfg.limit == 0;
}

uint64_t RangeReader::line_start_at_or_after(const File& file, uint64_t data_begin, uint64_t pos) {
  if (pos <= data_begin) return data_begin;
  if (pos >= file.size()) return file.size();
  constexpr size_t kStep = 64 << 10;
  std::vector<char> block(kStep);
  for (uint64_t off = pos - 1; off < file.size();) {  // the byte before `pos` may end a line
    const size_t len = file.read_at(off, block.data(), std::min<uint64_t>(kStep, file.size() - off));
    if (len == 0) break;
    if (const void* nl = std::memchr(block.data(), '\n', len))
      return off + static_cast<uint64_t>(static_cast<const char*>(nl) - block.data()) + 1;
    off += len;
  }
  return file.size();
}

RangeReader::RangeReader(const config::CorpusConfig& cfg, uint64_t begin, uint64_t end) {
  std::vector<SourceLayout> layout;
  adapter_ = open_adapter(cfg, &layout);
  if (!supported(cfg, layout))
    throw ConfigError(cfg.path + ": a one-pass range read needs one line-per-row file (JSONL/TSV) and no --corpus.limit");
  paths_ = adapter_->sources().paths;
  file_ = std::make_unique<File>(paths_[0]);
  max_row_bytes_ = static_cast<uint64_t>(cfg.max_row_bytes);
  begin_ = line_start_at_or_after(*file_, layout[0].data_begin, std::max(begin, layout[0].data_begin));
  end_ = line_start_at_or_after(*file_, layout[0].data_begin, std::max(end, layout[0].data_begin));
  end_ = std::max(end_, begin_);
  reader_ = std::make_unique<RecordReader>(*file_, adapter_->dialect(), begin_, end_, 0, max_row_bytes_);
}

RangeReader::~RangeReader() = default;

const LabelSet& RangeReader::labels() const { return adapter_->labels(); }
std::string RangeReader::dataset() const { return adapter_->name(); }

bool RangeReader::next(int64_t max_rows, ChunkRead& out) {
  size_t used = 0;
  out.bad.clear();
  if (out.rows.size() < static_cast<size_t>(max_rows)) out.rows.resize(static_cast<size_t>(max_rows));
  std::vector<RawRecord> recs(1);
  std::vector<std::string_view> views(1);
  int64_t n = 0;
  for (; n < max_rows; ++n) {
    if (!reader_->next(recs[0])) break;
    if (n_rows_ % SpeculativeScan::kSampleStride == 0) samples_.emplace_back(recs[0].offset, recs[0].line);
    if (adapt_row(*adapter_, paths_, max_row_bytes_, recs, views, n_rows_, out.rows[used], problem_, out.bad)) ++used;
    ++n_rows_;
  }
  out.rows.resize(used);
  return n > 0;
}

int64_t RangeReader::newlines() const { return reader_->line(); }

}  // namespace because::corpus
