// INTERNAL to src/store and mpi/store_*: RAII over the HDF5 C API, checked calls whose errors
// carry the HDF5 error stack, and the table layout in a file (create, write a row slice, read).
// Everything else uses the record APIs (shard.h, reader.h, update.h, check.h).
// Parallel access: mpi/store_access.cpp builds MPI-IO property lists (H5Pset_fapl_mpio,
// collective transfer) and hands them in as Handle; this header never includes <mpi.h>.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "store/schema.h"
#include "store/table.h"

namespace because::store::h5 {

/// Turns HDF5's automatic error printing off for the process (idempotent, thread-unsafe once).
void quiet();
/// The calling thread's HDF5 error stack as text (and clears it).
std::string error_stack();
/// Throws StoreError("what: <HDF5 error stack>") — the stack of the calling thread.
[[noreturn]] void fail(const std::string& what);
/// Checks a herr_t / hid_t / htri_t result (< 0 is an error) of `call` at file:line.
int64_t check(int64_t rc, const char* call, const char* file, int line);
#define BECAUSE_H5(call) ::because::store::h5::check(static_cast<int64_t>(call), #call, __FILE__, __LINE__)

/// Owns one hid_t and closes it with the right H5?close (never throws).
class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id) : id_(id) {}
  ~Handle() { reset(); }
  Handle(Handle&& o) noexcept : id_(o.id_) { o.id_ = -1; }
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) { reset(); id_ = o.id_; o.id_ = -1; }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  void reset();
  /// Closes now and reports failure (files: the flush on close can fail).
  void close();

 private:
  hid_t id_ = -1;
};

/// Property lists for a (possibly parallel) file.
struct Access {
  Handle fapl;   ///< file access; invalid: default (sec2)
  Handle dxpl;   ///< transfer; invalid: default (independent); MPI-IO collective in parallel
  int rank = 0;  ///< this process among those that opened the file together
  int size = 1;
  bool parallel() const { return size > 1 || fapl.valid(); }
};

/// Opens (H5F_ACC_RDONLY / RDWR) or creates (truncating) a file. Errors name the path.
Handle open_file(const std::string& path, bool write, const Access* a = nullptr);
Handle create_file(const std::string& path, const Access* a = nullptr);
void flush(const Handle& file);

bool exists(hid_t loc, const std::string& path);
Handle open_group(hid_t loc, const std::string& path);
/// Creates every missing group along `path`.
Handle require_group(hid_t loc, const std::string& path);
/// Names of the links of a group, sorted.
std::vector<std::string> list(hid_t group);
/// Copies object `name` (a group with everything below it, or a dataset) of file `src` to the
/// same name in file `dst` (H5Ocopy: chunks are copied as stored, attributes with them).
void copy_object(hid_t src, hid_t dst, const std::string& name);

// Attributes: UTF-8 strings (scalar) and string lists, read back exactly.
void set_attr(hid_t obj, const std::string& name, const std::string& value);
void set_attr_list(hid_t obj, const std::string& name, const std::vector<std::string>& values);
std::string get_attr(hid_t obj, const std::string& name, const std::string& fallback = "");
bool has_attr(hid_t obj, const std::string& name);
std::vector<std::string> get_attr_list(hid_t obj, const std::string& name);
std::map<std::string, std::string> get_string_attrs(hid_t obj);

hid_t native_type(DType t);
hid_t file_type(DType t);
DType dtype_of_dataset(hid_t dset);

// ---- tables in a file --------------------------------------------------------------------------

/// Rows of a table and bytes of each string column (in column order; 0 for numeric columns).
struct Extent {
  int64_t rows = 0;
  std::vector<uint64_t> bytes;
};
Extent extent_of(const Table& t);

/// Creates group `t.name` with one dataset per column (string columns: NAME.bytes, NAME.offsets)
/// sized `total`, chunked, compressed, fletcher32; writes name tables and attrs. Collective in
/// parallel (every rank passes the same schema and total). Offsets get their last value here.
void create_table(hid_t file, const Table& schema, const Extent& total, const WriteOptions& w,
                  const Access* a = nullptr);
/// Writes the rows of `slice` at row `base` (and string bytes at `byte_base`, per column) into a
/// table made by create_table. Collective in parallel (a rank with nothing passes an empty slice).
void write_rows(hid_t file, const Table& slice, int64_t base, const std::vector<uint64_t>& byte_base,
                const Access* a = nullptr);
/// Writes a rank's rows of a table made by create_table in consecutive slices, so that every
/// chunk is filtered once: per dataset, the elements after the last chunk boundary a slice reaches
/// are held back and written with the next slice (or by finish()). write_rows on slices that end
/// inside chunks makes HDF5 compress such a chunk, then read, inflate and compress it again when
/// the next slice fills it. Collective in parallel like write_rows: every rank calls write() as
/// often as the others (empty slices allowed) and then finish(). Memory: at most a chunk per dataset.
class ChunkAlignedWriter {
 public:
  ChunkAlignedWriter(hid_t file, const Table& schema, const Access* a = nullptr);
  /// Rows of `slice` at row `base`, string bytes at byte_base (per column), as write_rows; a rank's
  /// slices must follow each other (base = the previous base + rows, bytes likewise).
  void write(const Table& slice, int64_t base, const std::vector<uint64_t>& byte_base);
  /// Writes everything held back. Collective.
  void finish();

 private:
  struct Dataset {
    Handle d;
    std::string what;            // TABLE/DATASET, for errors
    hid_t mtype = -1;
    std::vector<int64_t> inner;  // shape of an element (a row) beyond dim 0
    size_t elem_bytes = 0;
    int64_t chunk = 1;           // elements along dim 0 per chunk
    int64_t next = -1;           // where the next slice must start; -1: no slice yet
    std::vector<char> held;      // elements [next - held, next) not written yet
  };
  void put(Dataset& ds, int64_t at, const char* p, int64_t n);
  const Access* a_;
  std::vector<Dataset> sets_;  // per column: the dataset; string columns: bytes, then offsets
};

/// Serial append to an existing table (extends every dataset).
void append_table(hid_t file, const Table& rows, const WriteOptions& w);
/// Replaces (unlinks and re-creates) a table with `t`'s rows. Serial.
void replace_table(hid_t file, const Table& t, const WriteOptions& w);

/// Reads the schema of a table: columns (no rows), name tables, attrs.
Table read_schema(hid_t file, const std::string& name);
/// Row count of a table (from its first column).
int64_t table_rows(hid_t file, const std::string& name);
/// Reads rows [begin, end) of the named columns (all when empty). end < 0: to the end.
Table read_rows(hid_t file, const std::string& name, int64_t begin, int64_t end,
                const std::vector<std::string>& columns = {}, const Access* a = nullptr);
/// Reads the byte offsets of a string column for rows [begin, end] (end+1-begin values).
std::vector<uint64_t> read_offsets(hid_t file, const std::string& table, const std::string& column,
                                   int64_t begin, int64_t end);

/// Table paths present in a file in canonical order: instances, explanations, judgments/*,
/// predictions/*, metrics, provenance (and chunks in shard segments).
std::vector<std::string> list_tables(hid_t file);

/// Root attributes of a store.
void write_info(hid_t file, const StoreInfo& info);
StoreInfo read_info(hid_t file);

}  // namespace because::store::h5
