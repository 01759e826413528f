// In-memory columnar tables: the unit every part of the store reads, writes, merges, digests and
// exports. A column is fixed-size numeric (a row is `inner` elements of one dtype) or a ragged
// UTF-8 string column (`bytes` + `offsets`, n+1). A numeric column may carry a name table
// (`names`): its values are then codes into that table (dataset, split, source, ...).
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace because::store {

enum class DType : uint8_t { kI8, kU8, kU16, kU32, kI32, kI64, kU64, kF32, kF64, kString };

/// "int8", ..., "float64", "string".
const char* dtype_name(DType t);
/// Bytes of one element (0 for kString).
size_t dtype_size(DType t);
/// Maps a C++ element type to its DType (compile time).
template <class T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<int8_t>() { return DType::kI8; }
template <> constexpr DType dtype_of<uint8_t>() { return DType::kU8; }
template <> constexpr DType dtype_of<uint16_t>() { return DType::kU16; }
template <> constexpr DType dtype_of<uint32_t>() { return DType::kU32; }
template <> constexpr DType dtype_of<int32_t>() { return DType::kI32; }
template <> constexpr DType dtype_of<int64_t>() { return DType::kI64; }
template <> constexpr DType dtype_of<uint64_t>() { return DType::kU64; }
template <> constexpr DType dtype_of<float>() { return DType::kF32; }
template <> constexpr DType dtype_of<double>() { return DType::kF64; }

/// One column of a table, held in memory.
struct Column {
  std::string name;
  DType dtype = DType::kI64;
  std::vector<int64_t> inner;       ///< shape of one row (empty: scalar per row); numeric only
  std::vector<std::string> names;   ///< name table of a coded column (empty: not coded)
  std::vector<char> data;           ///< numeric: rows * row_bytes() bytes, row-major
  std::vector<uint64_t> offsets{0}; ///< string: n+1 offsets into bytes (offsets[0] == 0)
  std::string bytes;                ///< string: concatenated UTF-8

  Column() = default;
  Column(std::string n, DType t, std::vector<int64_t> in = {}) : name(std::move(n)), dtype(t), inner(std::move(in)) {}

  bool is_string() const { return dtype == DType::kString; }
  bool is_coded() const { return !names.empty(); }
  /// Elements per row (product of inner; 1 for scalars and strings).
  int64_t row_elems() const;
  size_t row_bytes() const { return dtype_size(dtype) * static_cast<size_t>(row_elems()); }
  int64_t rows() const;
  /// Drops all rows, keeps name, dtype, shape and name table.
  void clear_rows();
  void reserve_rows(int64_t n);
  /// Keeps the first `n` rows.
  void truncate_rows(int64_t n);
  /// String columns: room for `n` more bytes of text.
  void reserve_bytes(uint64_t n) { bytes.reserve(bytes.size() + n); }

  /// Typed element access (throws StoreError when T does not match dtype).
  template <class T> T* values();
  template <class T> const T* values() const;
  template <class T> T at(int64_t row, int64_t k = 0) const { return values<T>()[row * row_elems() + k]; }
  /// Appends one row of row_elems() values.
  template <class T> void push(const T* row);
  template <class T> void push(T v) { push<T>(static_cast<const T*>(&v)); }
  /// Appends `n` zeroed rows at once and returns their first element, for callers that fill many
  /// rows (one resize instead of one per push).
  template <class T> T* extend(int64_t n);
  void push_string(std::string_view s);
  std::string_view str(int64_t row) const {
    return std::string_view(bytes).substr(offsets[row], offsets[row + 1] - offsets[row]);
  }
  /// Code of `name` in the name table, adding it when absent.
  int64_t code_of(const std::string& name);
  /// Numeric value of element k of `row` converted to int64 / double (any numeric dtype).
  int64_t get_i64(int64_t row, int64_t k = 0) const;
  double get_f64(int64_t row, int64_t k = 0) const;
  /// Appends rows [begin, end) of `o` (same dtype and shape; codes are copied as they are).
  void append_rows(const Column& o, int64_t begin, int64_t end);
  /// A copy of the column without rows.
  Column empty_like() const;
};

/// A named group of columns with equal row counts, plus string attributes.
struct Table {
  std::string name;                          ///< path in the file: "instances", "judgments/mjd"
  std::vector<Column> columns;
  std::map<std::string, std::string> attrs;  ///< group attributes (UTF-8 strings; JSON where structured)

  int64_t rows() const { return columns.empty() ? 0 : columns.front().rows(); }
  /// Keeps the first `n` rows of every column.
  void truncate_rows(int64_t n) {
    for (auto& c : columns) c.truncate_rows(n);
  }
  Column& col(const std::string& n);
  const Column& col(const std::string& n) const;
  bool has(const std::string& n) const;
  /// Throws StoreError naming the table when column lengths differ.
  void check_lengths() const;
  /// Appends rows [begin, end) of `o` (same columns in the same order).
  void append_rows(const Table& o, int64_t begin, int64_t end);
  Table empty_like() const;
};

// ---- template implementation ------------------------------------------------------------------

[[noreturn]] void throw_dtype_mismatch(const Column& c, DType want);

template <class T>
T* Column::values() {
  if (dtype != dtype_of<T>()) throw_dtype_mismatch(*this, dtype_of<T>());
  return reinterpret_cast<T*>(data.data());
}
template <class T>
const T* Column::values() const {
  if (dtype != dtype_of<T>()) throw_dtype_mismatch(*this, dtype_of<T>());
  return reinterpret_cast<const T*>(data.data());
}
template <class T>
T* Column::extend(int64_t n) {
  if (dtype != dtype_of<T>()) throw_dtype_mismatch(*this, dtype_of<T>());
  const size_t old = data.size();
  data.resize(old + static_cast<size_t>(n) * row_bytes());
  return reinterpret_cast<T*>(data.data() + old);
}
template <class T>
void Column::push(const T* row) {
  if (dtype != dtype_of<T>()) throw_dtype_mismatch(*this, dtype_of<T>());
  const char* p = reinterpret_cast<const char*>(row);
  data.insert(data.end(), p, p + row_bytes());  // no zero fill before the copy (resize + memcpy)
}

}  // namespace because::store
