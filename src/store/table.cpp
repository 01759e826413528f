// In-memory columns and tables.
#include "store/table.h"

#include "util/error.h"

namespace because::store {

const char* dtype_name(DType t) {
  switch (t) {
    case DType::kI8: return "int8";
    case DType::kU8: return "uint8";
    case DType::kU16: return "uint16";
    case DType::kU32: return "uint32";
    case DType::kI32: return "int32";
    case DType::kI64: return "int64";
    case DType::kU64: return "uint64";
    case DType::kF32: return "float32";
    case DType::kF64: return "float64";
    case DType::kString: return "string";
  }
  return "?";
}

size_t dtype_size(DType t) {
  switch (t) {
    case DType::kI8: case DType::kU8: return 1;
    case DType::kU16: return 2;
    case DType::kU32: case DType::kI32: case DType::kF32: return 4;
    case DType::kI64: case DType::kU64: case DType::kF64: return 8;
    case DType::kString: return 0;
  }
  return 0;
}

void throw_dtype_mismatch(const Column& c, DType want) {
  throw StoreError("column '" + c.name + "' holds " + dtype_name(c.dtype) + ", not " + dtype_name(want));
}

int64_t Column::row_elems() const {
  int64_t n = 1;
  for (int64_t d : inner) n *= d;
  return n;
}

int64_t Column::rows() const {
  if (is_string()) return static_cast<int64_t>(offsets.size()) - 1;
  const size_t rb = row_bytes();
  return rb == 0 ? 0 : static_cast<int64_t>(data.size() / rb);
}

void Column::clear_rows() {
  data.clear();
  offsets.assign(1, 0);
  bytes.clear();
}

void Column::reserve_rows(int64_t n) {
  if (is_string()) offsets.reserve(static_cast<size_t>(n) + 1);
  else data.reserve(static_cast<size_t>(n) * row_bytes());
}

void Column::truncate_rows(int64_t n) {
  if (n < 0 || n > rows()) throw StoreError("column '" + name + "': cannot keep " + std::to_string(n) + " rows");
  if (is_string()) {
    bytes.resize(offsets[static_cast<size_t>(n)]);
    offsets.resize(static_cast<size_t>(n) + 1);
  } else {
    data.resize(static_cast<size_t>(n) * row_bytes());
  }
}

void Column::push_string(std::string_view s) {
  if (!is_string()) throw StoreError("column '" + name + "' is not a string column");
  bytes.append(s.data(), s.size());
  offsets.push_back(bytes.size());
}

int64_t Column::code_of(const std::string& n) {
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == n) return static_cast<int64_t>(i);
  names.push_back(n);
  return static_cast<int64_t>(names.size()) - 1;
}

template <class R>
static R get_as(const Column& c, int64_t i) {
  const char* p = c.data.data() + static_cast<size_t>(i) * dtype_size(c.dtype);
  switch (c.dtype) {
    case DType::kI8: return static_cast<R>(*reinterpret_cast<const int8_t*>(p));
    case DType::kU8: return static_cast<R>(*reinterpret_cast<const uint8_t*>(p));
    case DType::kU16: return static_cast<R>(*reinterpret_cast<const uint16_t*>(p));
    case DType::kU32: return static_cast<R>(*reinterpret_cast<const uint32_t*>(p));
    case DType::kI32: return static_cast<R>(*reinterpret_cast<const int32_t*>(p));
    case DType::kI64: return static_cast<R>(*reinterpret_cast<const int64_t*>(p));
    case DType::kU64: return static_cast<R>(*reinterpret_cast<const uint64_t*>(p));
    case DType::kF32: return static_cast<R>(*reinterpret_cast<const float*>(p));
    case DType::kF64: return static_cast<R>(*reinterpret_cast<const double*>(p));
    case DType::kString: break;
  }
  throw StoreError("column '" + c.name + "' is not numeric");
}

int64_t Column::get_i64(int64_t row, int64_t k) const { return get_as<int64_t>(*this, row * row_elems() + k); }
double Column::get_f64(int64_t row, int64_t k) const { return get_as<double>(*this, row * row_elems() + k); }

void Column::append_rows(const Column& o, int64_t begin, int64_t end) {
  if (o.dtype != dtype || o.row_elems() != row_elems())
    throw StoreError("cannot append column '" + o.name + "' to '" + name + "': type or shape differs");
  if (end <= begin) return;
  if (is_string()) {
    const uint64_t b0 = o.offsets[begin];
    const uint64_t shift = bytes.size();
    bytes.append(o.bytes, b0, o.offsets[end] - b0);
    for (int64_t i = begin + 1; i <= end; ++i) offsets.push_back(o.offsets[i] - b0 + shift);
  } else {
    const size_t rb = row_bytes();
    data.insert(data.end(), o.data.begin() + begin * rb, o.data.begin() + end * rb);
  }
}

Column Column::empty_like() const {
  Column c(name, dtype, inner);
  c.names = names;
  return c;
}

Column& Table::col(const std::string& n) {
  for (auto& c : columns)
    if (c.name == n) return c;
  throw StoreError("table '" + name + "' has no column '" + n + "'");
}
const Column& Table::col(const std::string& n) const { return const_cast<Table*>(this)->col(n); }
bool Table::has(const std::string& n) const {
  for (auto& c : columns)
    if (c.name == n) return true;
  return false;
}

void Table::check_lengths() const {
  for (const auto& c : columns)
    if (c.rows() != rows())
      throw StoreError("table '" + name + "': column '" + c.name + "' has " + std::to_string(c.rows()) +
                       " rows, '" + columns.front().name + "' has " + std::to_string(rows()));
}

void Table::append_rows(const Table& o, int64_t begin, int64_t end) {
  if (o.columns.size() != columns.size()) throw StoreError("table '" + name + "': column sets differ");
  for (size_t i = 0; i < columns.size(); ++i) columns[i].append_rows(o.columns[i], begin, end);
}

Table Table::empty_like() const {
  Table t;
  t.name = name;
  t.attrs = attrs;
  for (const auto& c : columns) t.columns.push_back(c.empty_like());
  return t;
}

}  // namespace because::store
