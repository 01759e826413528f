// Physical records of a corpus file: line records (JSONL, TSV, `text;label`) and RFC 4180 CSV
// records (quoted fields may hold delimiters, quotes and newlines). Scanning is streaming (fixed
// buffers, never the whole file) and knows the 1-based line of every record start.
//
// Blank lines (empty or a lone "\r") are not records: they carry no data and are skipped by every
// scanner alike, so the index, the readers and `wc -l`-style counts agree on what a row is.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace because::corpus {

/// How a file splits into records.
enum class RecordKind { kLines, kCsv };

/// Record layout plus field delimiter (',' CSV, '\t' TSV, ';' emotion txt).
struct Dialect {
  RecordKind kind = RecordKind::kLines;
  char delimiter = '\t';
};

/// CSV scanner state between two bytes. kRecordStart is "at the start of a record".
enum class CsvState : uint8_t { kRecordStart = 0, kFieldStart, kUnquoted, kQuoted, kQuoteInQuoted };
constexpr int kNumCsvStates = 5;

/// One step of the CSV state machine (lenient: text after a closing quote is kept literally).
CsvState csv_step(CsvState s, char c, char delimiter);

/// An open file read with pread (no mmap, so resident memory stays bounded).
class File {
 public:
  explicit File(const std::string& path);
  ~File();
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  File(File&& o) noexcept;
  const std::string& path() const { return path_; }
  uint64_t size() const { return size_; }
  /// Reads up to n bytes at offset; returns bytes read (0 at end). Throws InputError on error.
  size_t read_at(uint64_t offset, char* out, size_t n) const;

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

/// Callback for every record start: byte offset and 1-based line.
using RecordStartFn = std::function<void(uint64_t offset, int64_t line)>;

/// What a scan of a byte range found.
struct RangeScan {
  int64_t n_records = 0;   ///< record starts in [begin, end)
  int64_t n_newlines = 0;  ///< '\n' bytes in [begin, end)
  CsvState end_state = CsvState::kRecordStart;  ///< state after the byte end-1 (CSV only)
};

/// Scans [begin, end) of `file`, starting in `state` (kRecordStart for line files) with the
/// byte at `begin` on line `line0`. Calls `on_start` for every record that starts in the range
/// (may be null: counting only). A record start is a non-blank position after a record end;
/// `begin` itself counts when `state` is kRecordStart and the previous byte was a newline (or
/// begin is the data start); pass `begin_is_record_start=false` when the caller cannot know
/// (then the range's first byte is a record start only if the previous byte is '\n').
RangeScan scan_range(const File& file, const Dialect& d, uint64_t begin, uint64_t end, CsvState state,
                     int64_t line0, const RecordStartFn& on_start);

/// Line files: from the record starting at `offset` on `line`, the start (offset, line) of the
/// record `count` (>= 1) records later (blank lines are not records). Reads only the bytes walked.
std::pair<uint64_t, int64_t> skip_line_records(const File& file, uint64_t offset, int64_t line, int64_t count,
                                               uint64_t end);

/// One record as read: its bytes without the terminating newline (and '\r').
struct RawRecord {
  uint64_t offset = 0;     ///< byte offset of the record start
  int64_t line = 0;        ///< 1-based line of the record start
  std::string_view bytes;  ///< valid until the next call of next(); empty if oversize
  uint64_t n_bytes = 0;    ///< full length of the record (also when oversize)
  bool oversize = false;   ///< longer than the reader's max_bytes: bytes not kept
};

/// Sequential reader of records from a record start. Memory: a buffer of max(256 KiB, longest
/// kept record), uninitialised and grown on demand (a chunk of short rows never touches more);
/// records over `max_bytes` are skipped (reported oversize), never buffered.
class RecordReader {
 public:
  RecordReader(const File& file, Dialect d, uint64_t begin, uint64_t end, int64_t line0, uint64_t max_bytes);
  ~RecordReader();
  RecordReader(const RecordReader&) = delete;
  RecordReader& operator=(const RecordReader&) = delete;
  /// Next record or false at `end`. The bytes are followed by at least kPadding readable bytes
  /// (simdjson may read them).
  bool next(RawRecord& out);
  /// File offset and line of the next unread byte.
  uint64_t position() const { return pos_ + lo_; }
  int64_t line() const { return line_; }
  static constexpr size_t kPadding = 64;

 private:
  bool fill();  // appends more of the file to the buffer; false at end
  const File& file_;
  Dialect d_;
  uint64_t end_;
  uint64_t max_bytes_;
  // Buffers are recycled through a per-thread pool: reading chunk after chunk allocates (and
  // page-faults) nothing new, which was a third of the ingest time.
  std::vector<char> buf_;
  size_t cap_ = 0;          // usable bytes of buf_ (kPadding more are allocated)
  size_t lo_ = 0, hi_ = 0;  // unread data buf_[lo_, hi_) starts at file offset pos_
  uint64_t pos_;
  int64_t line_;
};

/// Splits a CSV record into fields, removing quotes and undoubling "" (RFC 4180).
void split_csv(std::string_view record, char delimiter, std::vector<std::string>& fields);
/// Splits a plain delimited line (TSV) into fields; no quoting.
void split_plain(std::string_view record, char delimiter, std::vector<std::string>& fields);

/// True if `s` is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool valid_utf8(std::string_view s);

/// Length in bytes of a UTF-8 byte-order mark at the start of the file (0 or 3).
int bom_length(const File& file);

}  // namespace because::corpus
