// Record scanning and reading for line and CSV files (see records.h).
#include "corpus/records.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "util/error.h"

namespace because::corpus {

CsvState csv_step(CsvState s, char c, char delim) {
  switch (s) {
    case CsvState::kRecordStart:
    case CsvState::kFieldStart:
      if (c == '"') return CsvState::kQuoted;
      if (c == delim) return CsvState::kFieldStart;
      if (c == '\n') return CsvState::kRecordStart;
      return CsvState::kUnquoted;
    case CsvState::kUnquoted:
      if (c == delim) return CsvState::kFieldStart;
      if (c == '\n') return CsvState::kRecordStart;
      return CsvState::kUnquoted;
    case CsvState::kQuoted:
      return c == '"' ? CsvState::kQuoteInQuoted : CsvState::kQuoted;
    case CsvState::kQuoteInQuoted:
      if (c == '"') return CsvState::kQuoted;
      if (c == delim) return CsvState::kFieldStart;
      if (c == '\n') return CsvState::kRecordStart;
      return CsvState::kUnquoted;
  }
  return s;
}

// ---- File -----------------------------------------------------------------------------------

File::File(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw InputError(path + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    ::close(fd_);
    throw InputError(path + ": cannot stat: " + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd_);
    throw InputError(path + ": is a directory, expected a file");
  }
  size_ = static_cast<uint64_t>(st.st_size);
#ifdef POSIX_FADV_SEQUENTIAL
  ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
}

File::~File() {
  if (fd_ >= 0) ::close(fd_);
}

File::File(File&& o) noexcept : path_(std::move(o.path_)), fd_(o.fd_), size_(o.size_) { o.fd_ = -1; }

size_t File::read_at(uint64_t offset, char* out, size_t n) const {
  size_t done = 0;
  while (done < n) {
    const ssize_t r = ::pread(fd_, out + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      throw InputError(path_ + ": read error at byte " + std::to_string(offset + done) + ": " +
                       std::strerror(errno));
    }
    if (r == 0) break;
    done += static_cast<size_t>(r);
  }
  return done;
}

int bom_length(const File& file) {
  char b[3] = {0, 0, 0};
  if (file.read_at(0, b, 3) == 3 && static_cast<unsigned char>(b[0]) == 0xEF &&
      static_cast<unsigned char>(b[1]) == 0xBB && static_cast<unsigned char>(b[2]) == 0xBF)
    return 3;
  return 0;
}

// ---- scanning -------------------------------------------------------------------------------

namespace {

constexpr size_t kBlock = 1 << 20;

// Byte at `pos` (reads the file when it lies outside the block); -1 past the end of the file.
int peek(const File& f, const char* block, uint64_t block_off, size_t block_len, uint64_t pos) {
  if (pos >= block_off && pos < block_off + block_len) return static_cast<unsigned char>(block[pos - block_off]);
  char c;
  if (f.read_at(pos, &c, 1) != 1) return -1;
  return static_cast<unsigned char>(c);
}

// Line files: walks one block [b, b + len) read at file offset `off`, calling on_start(offset,
// line) at every record start (a line start that is not a blank line) until it returns false.
// `at_start` (at a line start) and `line` carry over from block to block. False when stopped.
template <class F>
bool walk_lines(const File& file, const char* b, uint64_t off, size_t len, bool& at_start, int64_t& line, F&& on_start) {
  size_t i = 0;
  while (i < len) {
    if (at_start) {
      const int c0 = static_cast<unsigned char>(b[i]);
      const bool blank = c0 == '\n' || (c0 == '\r' && peek(file, b, off, len, off + i + 1) == '\n');
      at_start = false;
      if (!blank && !on_start(off + i, line)) return false;
    }
    const void* nl = std::memchr(b + i, '\n', len - i);
    if (!nl) break;
    i = static_cast<size_t>(static_cast<const char*>(nl) - b) + 1;
    ++line;
    at_start = true;
  }
  return true;
}

}  // namespace

RangeScan scan_range(const File& file, const Dialect& d, uint64_t begin, uint64_t end, CsvState state,
                     int64_t line0, const RecordStartFn& on_start) {
  RangeScan res;
  end = std::min(end, file.size());
  std::vector<char> block(kBlock);
  int64_t line = line0;
  bool at_start = state == CsvState::kRecordStart;
  for (uint64_t off = begin; off < end;) {
    const size_t len = file.read_at(off, block.data(), std::min<uint64_t>(kBlock, end - off));
    if (len == 0) break;
    const char* b = block.data();
    if (d.kind == RecordKind::kLines) {
      walk_lines(file, b, off, len, at_start, line, [&](uint64_t o, int64_t l) {
        ++res.n_records;
        if (on_start) on_start(o, l);
        return true;
      });
    } else {
      for (size_t i = 0; i < len; ++i) {
        const char c = b[i];
        if (state == CsvState::kRecordStart) {
          const bool blank = c == '\n' || (c == '\r' && peek(file, b, off, len, off + i + 1) == '\n');
          if (!blank) {
            ++res.n_records;
            if (on_start) on_start(off + i, line);
          }
        }
        if (c == '\n') {
          ++line;
          ++res.n_newlines;
        }
        state = csv_step(state, c, d.delimiter);
      }
    }
    off += len;
  }
  if (d.kind == RecordKind::kLines) res.n_newlines = line - line0;
  res.end_state = d.kind == RecordKind::kLines ? (at_start ? CsvState::kRecordStart : CsvState::kUnquoted) : state;
  return res;
}

std::pair<uint64_t, int64_t> skip_line_records(const File& file, uint64_t offset, int64_t line, int64_t count,
                                               uint64_t end) {
  end = std::min(end, file.size());
  constexpr size_t kStep = 32 << 10;
  std::vector<char> block(kStep);
  bool at_start = false;  // `offset` is record 0; look for the end of its line first
  std::pair<uint64_t, int64_t> found{0, 0};
  for (uint64_t off = offset; off < end;) {
    const size_t len = file.read_at(off, block.data(), std::min<uint64_t>(kStep, end - off));
    if (len == 0) break;
    const bool more = walk_lines(file, block.data(), off, len, at_start, line, [&](uint64_t o, int64_t l) {
      found = {o, l};
      return --count > 0;
    });
    if (!more) return found;
    off += len;
  }
  throw InputError(file.path() + ": fewer records than indexed after byte " + std::to_string(offset) +
                   " (file changed while it was indexed?)");
}

// ---- reading --------------------------------------------------------------------------------

namespace {
std::vector<std::vector<char>>& buffer_pool() {
  thread_local std::vector<std::vector<char>> pool;
  return pool;
}
}  // namespace

RecordReader::RecordReader(const File& file, Dialect d, uint64_t begin, uint64_t end, int64_t line0,
                           uint64_t max_bytes)
    : file_(file), d_(d), end_(std::min(end, file.size())), max_bytes_(max_bytes), pos_(begin), line_(line0) {
  auto& pool = buffer_pool();
  if (!pool.empty()) {
    buf_ = std::move(pool.back());
    pool.pop_back();
  }
  // Never read far past the range: a chunk of 256 short rows is tens of KB, not the full buffer.
  const uint64_t span = end_ > begin ? end_ - begin : 0;
  cap_ = static_cast<size_t>(std::min<uint64_t>(256u << 10, span + 1));
  if (buf_.size() > cap_ + kPadding) cap_ = buf_.size() - kPadding;  // use what the pool gave
  if (buf_.size() < cap_ + kPadding) buf_.resize(cap_ + kPadding);
}

RecordReader::~RecordReader() {
  auto& pool = buffer_pool();
  // Keep a few ordinary-sized buffers; a buffer grown for a huge record is released.
  if (pool.size() < 8 && buf_.size() <= (1u << 20) + kPadding) pool.push_back(std::move(buf_));
}

bool RecordReader::fill() {
  // Compact: move unread bytes to the front.
  if (lo_ > 0) {
    std::memmove(buf_.data(), buf_.data() + lo_, hi_ - lo_);
    pos_ += lo_;
    hi_ -= lo_;
    lo_ = 0;
  }
  if (hi_ == cap_) {  // a record longer than the buffer (but not over max_bytes): grow
    cap_ *= 2;
    buf_.resize(cap_ + kPadding);
  }
  const uint64_t file_pos = pos_ + hi_;
  if (file_pos >= end_) return false;
  const size_t want = static_cast<size_t>(std::min<uint64_t>(cap_ - hi_, end_ - file_pos));
  const size_t got = file_.read_at(file_pos, buf_.data() + hi_, want);
  hi_ += got;
  std::memset(buf_.data() + hi_, 0, kPadding);
  return got > 0;
}

bool RecordReader::next(RawRecord& out) {
  // Skip blank lines.
  for (;;) {
    if (lo_ == hi_ && !fill()) return false;
    const char c = buf_[lo_];
    if (c == '\n') {
      ++lo_;
      ++line_;
      continue;
    }
    if (c == '\r') {
      if (lo_ + 1 == hi_) fill();
      if (lo_ + 1 < hi_ && buf_[lo_ + 1] == '\n') {
        lo_ += 2;
        ++line_;
        continue;
      }
    }
    break;
  }
  out.offset = pos_ + lo_;
  out.line = line_;
  out.oversize = false;
  size_t scan = lo_;         // next byte to examine
  uint64_t skipped = 0;      // bytes of an oversize record already discarded
  int64_t inner_newlines = 0;
  CsvState st = CsvState::kRecordStart;
  bool found = false;
  size_t rec_end = 0;        // index one past the record's last byte (before '\n')
  for (;;) {
    if (d_.kind == RecordKind::kLines) {
      const void* nl = std::memchr(buf_.data() + scan, '\n', hi_ - scan);
      if (nl) {
        rec_end = static_cast<size_t>(static_cast<const char*>(nl) - buf_.data());
        found = true;
      } else {
        scan = hi_;
      }
    } else {
      for (; scan < hi_; ++scan) {
        const char c = buf_[scan];
        const CsvState ns = csv_step(st, c, d_.delimiter);
        if (c == '\n') {
          if (ns == CsvState::kRecordStart) {
            rec_end = scan;
            found = true;
            break;
          }
          ++inner_newlines;
        }
        st = ns;
      }
    }
    if (found) break;
    // Need more bytes. An oversize record is discarded as it streams past.
    const uint64_t have = skipped + (hi_ - lo_);
    if (have > max_bytes_) {
      out.oversize = true;
      skipped += hi_ - lo_;
      pos_ += hi_;
      lo_ = hi_ = scan = 0;
    }
    const size_t scan_rel = scan - lo_;
    if (!fill()) {  // end of range: the last record has no newline
      rec_end = hi_;
      scan = hi_;
      break;
    }
    scan = lo_ + scan_rel;
  }
  const uint64_t n_total = skipped + (rec_end - lo_);
  out.n_bytes = n_total;
  if (n_total > max_bytes_) out.oversize = true;
  if (out.oversize) {
    out.bytes = std::string_view();
  } else {
    size_t e = rec_end;
    if (e > lo_ && buf_[e - 1] == '\r') --e;
    out.bytes = std::string_view(buf_.data() + lo_, e - lo_);
  }
  line_ += inner_newlines;
  if (found) {
    lo_ = rec_end + 1;
    ++line_;
  } else {
    lo_ = rec_end;
  }
  return true;
}

// ---- fields ---------------------------------------------------------------------------------

void split_csv(std::string_view r, char delim, std::vector<std::string>& fields) {
  fields.clear();
  fields.emplace_back();
  CsvState st = CsvState::kFieldStart;
  for (size_t i = 0; i < r.size(); ++i) {
    const char c = r[i];
    switch (st) {
      case CsvState::kRecordStart:
      case CsvState::kFieldStart:
        if (c == '"') st = CsvState::kQuoted;
        else if (c == delim) fields.emplace_back();
        else { fields.back().push_back(c); st = CsvState::kUnquoted; }
        break;
      case CsvState::kUnquoted:
        if (c == delim) { fields.emplace_back(); st = CsvState::kFieldStart; }
        else fields.back().push_back(c);
        break;
      case CsvState::kQuoted:
        if (c == '"') st = CsvState::kQuoteInQuoted;
        else fields.back().push_back(c);
        break;
      case CsvState::kQuoteInQuoted:
        if (c == '"') { fields.back().push_back('"'); st = CsvState::kQuoted; }
        else if (c == delim) { fields.emplace_back(); st = CsvState::kFieldStart; }
        else { fields.back().push_back(c); st = CsvState::kUnquoted; }
        break;
    }
  }
  if (st == CsvState::kQuoted) throw InputError("unterminated quoted field");
  // CRLF inside quoted fields is kept as written; a trailing '\r' was removed by the reader.
}

void split_plain(std::string_view r, char delim, std::vector<std::string>& fields) {
  fields.clear();
  size_t s = 0;
  for (;;) {
    const size_t p = r.find(delim, s);
    if (p == std::string_view::npos) {
      fields.emplace_back(r.substr(s));
      return;
    }
    fields.emplace_back(r.substr(s, p - s));
    s = p + 1;
  }
}

bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    // Fast path over ASCII, 8 bytes at a time.
    while (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      if (w & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= n) break;
    const unsigned char c = p[i];
    if (c < 0x80) { ++i; continue; }
    int len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
    else return false;
    if (i + len > n) return false;
    for (int k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return false;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

}  // namespace because::corpus
