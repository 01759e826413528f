// Tables in an HDF5 file: one group per table, one chunked, compressed, fletcher32-checked
// dataset per numeric column, NAME.bytes + NAME.offsets per string column.
#include <algorithm>

#include "store/h5.h"
#include "util/error.h"

namespace because::store::h5 {

namespace {

constexpr const char* kColumnsAttr = "columns";  // column names in order (group attribute)
constexpr const char* kNamesAttr = "names";      // name table of a coded column (dataset attribute)

std::string ds_bytes(const std::string& c) { return c + ".bytes"; }
std::string ds_offsets(const std::string& c) { return c + ".offsets"; }

void add_filters(hid_t dcpl, DType t, const WriteOptions& w) {
  if (w.compression != "none" && dtype_size(t) > 1) BECAUSE_H5(H5Pset_shuffle(dcpl));
  if (w.compression == "deflate") {
    BECAUSE_H5(H5Pset_deflate(dcpl, static_cast<unsigned>(w.level)));
  } else if (w.compression == "zstd") {
    if (!zstd_available()) throw ConfigError("store.compression=zstd: HDF5 zstd filter 32015 not available");
    const unsigned level = static_cast<unsigned>(w.level);
    BECAUSE_H5(H5Pset_filter(dcpl, 32015, H5Z_FLAG_MANDATORY, 1, &level));
  }
  BECAUSE_H5(H5Pset_fletcher32(dcpl));  // last: the checksum covers the stored (compressed) bytes
}

// Creates one dataset of rank 1 + inner with `rows` rows, chunked to about chunk_bytes.
void create_dataset(hid_t group, const std::string& name, DType t, const std::vector<int64_t>& inner, int64_t rows,
                    int64_t chunk_rows, const WriteOptions& w, bool parallel) {
  const int rank = 1 + static_cast<int>(inner.size());
  std::vector<hsize_t> dims(rank), maxdims(rank), chunk(rank);
  dims[0] = static_cast<hsize_t>(rows);
  maxdims[0] = H5S_UNLIMITED;
  chunk[0] = static_cast<hsize_t>(std::max<int64_t>(1, chunk_rows));
  for (size_t i = 0; i < inner.size(); ++i) dims[i + 1] = maxdims[i + 1] = chunk[i + 1] = static_cast<hsize_t>(inner[i]);
  Handle space(BECAUSE_H5(H5Screate_simple(rank, dims.data(), maxdims.data())));
  Handle dcpl(BECAUSE_H5(H5Pcreate(H5P_DATASET_CREATE)));
  BECAUSE_H5(H5Pset_chunk(dcpl.get(), rank, chunk.data()));
  add_filters(dcpl.get(), t, w);
  BECAUSE_H5(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_NEVER));
  if (parallel) BECAUSE_H5(H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_EARLY));
  Handle d(H5Dcreate2(group, name.c_str(), file_type(t), space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT));
  if (!d.valid()) fail("cannot create dataset " + name);
}

// With even_chunks, `chunk` shrinks to split `total` into the same number of equal chunks (the
// last one at most n - 1 elements short, for n chunks) instead of leaving a padded partial tail.
int64_t even(int64_t chunk, int64_t total, const WriteOptions& w) {
  if (!w.even_chunks || total <= 0) return chunk;
  const int64_t n = (total + chunk - 1) / chunk;
  return (total + n - 1) / n;
}

int64_t numeric_chunk_rows(const Column& c, int64_t total, const WriteOptions& w) {
  const int64_t by_bytes = std::max<int64_t>(1, w.chunk_bytes / std::max<int64_t>(1, c.row_bytes()));
  return even(std::max<int64_t>(1, std::min({w.chunk_rows, by_bytes, std::max<int64_t>(total, 64)})), total, w);
}

Handle dataset(hid_t group, const std::string& name) {
  const hid_t d = H5Dopen2(group, name.c_str(), H5P_DEFAULT);
  if (d < 0) fail("cannot open dataset " + name);
  return Handle(d);
}

int64_t dim0(hid_t d) {
  Handle space(BECAUSE_H5(H5Dget_space(d)));
  hsize_t dims[8] = {0};
  const int r = BECAUSE_H5(H5Sget_simple_extent_ndims(space.get()));
  if (r < 1 || r > 8) throw StoreError("dataset of unexpected rank " + std::to_string(r));
  H5Sget_simple_extent_dims(space.get(), dims, nullptr);
  return static_cast<int64_t>(dims[0]);
}

// File and memory dataspaces selecting rows [start, start + n) of a dataset whose rows have
// shape `inner` (an empty selection when n == 0, so collective transfers still take part).
struct RowSelection {
  Handle fspace;
  Handle mspace;
};
RowSelection select_rows(hid_t d, int64_t start, int64_t n, const std::vector<int64_t>& inner) {
  RowSelection sel{Handle(BECAUSE_H5(H5Dget_space(d))), Handle()};
  const int rank = 1 + static_cast<int>(inner.size());
  std::vector<hsize_t> off(rank, 0), cnt(rank);
  off[0] = static_cast<hsize_t>(start);
  cnt[0] = static_cast<hsize_t>(n);
  for (size_t i = 0; i < inner.size(); ++i) cnt[i + 1] = static_cast<hsize_t>(inner[i]);
  if (n == 0) {
    const hsize_t one = 1;
    sel.mspace = Handle(BECAUSE_H5(H5Screate_simple(1, &one, nullptr)));
    BECAUSE_H5(H5Sselect_none(sel.mspace.get()));
    BECAUSE_H5(H5Sselect_none(sel.fspace.get()));
  } else {
    sel.mspace = Handle(BECAUSE_H5(H5Screate_simple(rank, cnt.data(), nullptr)));
    BECAUSE_H5(H5Sselect_hyperslab(sel.fspace.get(), H5S_SELECT_SET, off.data(), nullptr, cnt.data(), nullptr));
  }
  return sel;
}

// Writes `n` rows of `buf` at row `start` of a dataset (collective when a->dxpl is set).
void write_block(hid_t d, hid_t mtype, int64_t start, int64_t n, const std::vector<int64_t>& inner, const void* buf,
                 const Access* a, const std::string& what) {
  const RowSelection sel = select_rows(d, start, n, inner);
  const hid_t dxpl = a && a->dxpl.valid() ? a->dxpl.get() : H5P_DEFAULT;
  if (H5Dwrite(d, mtype, sel.mspace.get(), sel.fspace.get(), dxpl, n == 0 ? nullptr : buf) < 0)
    fail("cannot write rows " + std::to_string(start) + ".." + std::to_string(start + n) + " of " + what);
}

void read_block(hid_t d, hid_t mtype, int64_t start, int64_t n, const std::vector<int64_t>& inner, void* buf,
                const Access* a, const std::string& what) {
  if (n == 0 && !(a && a->dxpl.valid())) return;
  const RowSelection sel = select_rows(d, start, n, inner);
  const hid_t dxpl = a && a->dxpl.valid() ? a->dxpl.get() : H5P_DEFAULT;
  if (H5Dread(d, mtype, sel.mspace.get(), sel.fspace.get(), dxpl, n == 0 ? nullptr : buf) < 0)
    fail("cannot read rows " + std::to_string(start) + ".." + std::to_string(start + n) + " of " + what);
}

void set_extent(hid_t d, int64_t rows, const std::vector<int64_t>& inner) {
  std::vector<hsize_t> dims(1 + inner.size());
  dims[0] = static_cast<hsize_t>(rows);
  for (size_t i = 0; i < inner.size(); ++i) dims[i + 1] = static_cast<hsize_t>(inner[i]);
  BECAUSE_H5(H5Dset_extent(d, dims.data()));
}

// One dataset's part of a table slice: for a column, its NAME.bytes and NAME.offsets datasets
// (string) or its NAME dataset (numeric).
struct DatasetSlice {
  std::string name;                    // dataset in the table's group
  hid_t mtype;                         // memory type
  const std::vector<int64_t>* inner;   // shape of an element beyond dim 0
  size_t elem_bytes;                   // bytes per element along dim 0
  int64_t at;                          // first element written
  const void* data;
  int64_t n;                           // elements
};

// Calls f(DatasetSlice) for every dataset of `slice`, in column order: string bytes at the column's
// byte_base, its offsets (all but the terminal one, shifted by that base) and numeric rows at `base`.
template <class F>
void each_dataset_slice(const Table& slice, int64_t base, const std::vector<uint64_t>& byte_base, F&& f) {
  static const std::vector<int64_t> kScalar;
  std::vector<uint64_t> off;
  for (size_t i = 0; i < slice.columns.size(); ++i) {
    const Column& c = slice.columns[i];
    if (c.is_string()) {
      const uint64_t b0 = byte_base.at(i);
      f(DatasetSlice{ds_bytes(c.name), H5T_NATIVE_UINT8, &kScalar, 1, static_cast<int64_t>(b0), c.bytes.data(),
                     static_cast<int64_t>(c.bytes.size())});
      off.assign(c.offsets.begin(), c.offsets.end() - 1);
      for (auto& o : off) o += b0;
      f(DatasetSlice{ds_offsets(c.name), H5T_NATIVE_UINT64, &kScalar, sizeof(uint64_t), base, off.data(), c.rows()});
    } else {
      f(DatasetSlice{c.name, native_type(c.dtype), &c.inner, c.row_bytes(), base, c.data.data(), c.rows()});
    }
  }
}

}  // namespace

Extent extent_of(const Table& t) {
  Extent e;
  e.rows = t.rows();
  for (const auto& c : t.columns) e.bytes.push_back(c.is_string() ? c.bytes.size() : 0);
  return e;
}

void create_table(hid_t file, const Table& schema, const Extent& total, const WriteOptions& w, const Access* a) {
  Handle g = require_group(file, schema.name);
  std::vector<std::string> names;
  const bool parallel = a && a->parallel();
  for (size_t i = 0; i < schema.columns.size(); ++i) {
    const Column& c = schema.columns[i];
    names.push_back(c.name);
    if (c.is_string()) {
      const int64_t nb = static_cast<int64_t>(total.bytes.at(i));
      create_dataset(g.get(), ds_bytes(c.name), DType::kU8, {}, nb,
                     even(std::min<int64_t>(w.chunk_bytes, std::max<int64_t>(nb, 4096)), nb, w), w, parallel);
      Column off("offsets", DType::kU64);
      create_dataset(g.get(), ds_offsets(c.name), DType::kU64, {}, total.rows + 1,
                     numeric_chunk_rows(off, total.rows + 1, w), w, parallel);
      // The terminal offset (= bytes) belongs to no rank's slice: rank 0 writes it.
      Handle d = dataset(g.get(), ds_offsets(c.name));
      const uint64_t last = static_cast<uint64_t>(nb);
      const bool mine = !a || a->rank == 0;
      write_block(d.get(), H5T_NATIVE_UINT64, total.rows, mine ? 1 : 0, {}, &last, a, schema.name + "/" + ds_offsets(c.name));
    } else {
      create_dataset(g.get(), c.name, c.dtype, c.inner, total.rows, numeric_chunk_rows(c, total.rows, w), w, parallel);
      if (c.is_coded()) {
        Handle d = dataset(g.get(), c.name);
        set_attr_list(d.get(), kNamesAttr, c.names);
      }
    }
  }
  set_attr_list(g.get(), kColumnsAttr, names);
  for (const auto& [k, v] : schema.attrs) set_attr(g.get(), k, v);
}

void write_rows(hid_t file, const Table& slice, int64_t base, const std::vector<uint64_t>& byte_base, const Access* a) {
  Handle g = open_group(file, slice.name);
  each_dataset_slice(slice, base, byte_base, [&](const DatasetSlice& s) {
    Handle d = dataset(g.get(), s.name);
    write_block(d.get(), s.mtype, s.at, s.n, *s.inner, s.data, a, slice.name + "/" + s.name);
  });
}

ChunkAlignedWriter::ChunkAlignedWriter(hid_t file, const Table& schema, const Access* a) : a_(a) {
  Handle g = open_group(file, schema.name);
  each_dataset_slice(schema, 0, std::vector<uint64_t>(schema.columns.size(), 0), [&](const DatasetSlice& s) {
    Dataset ds;
    ds.d = dataset(g.get(), s.name);
    ds.what = schema.name + "/" + s.name;
    ds.mtype = s.mtype;
    ds.inner = *s.inner;
    ds.elem_bytes = s.elem_bytes;
    Handle dcpl(BECAUSE_H5(H5Dget_create_plist(ds.d.get())));
    hsize_t dims[8] = {0};
    if (H5Pget_layout(dcpl.get()) == H5D_CHUNKED && H5Pget_chunk(dcpl.get(), 8, dims) >= 1)
      ds.chunk = std::max<int64_t>(1, static_cast<int64_t>(dims[0]));
    sets_.push_back(std::move(ds));
  });
}

void ChunkAlignedWriter::put(Dataset& ds, int64_t at, const char* p, int64_t n) {
  if (ds.next >= 0 && at != ds.next)
    throw StoreError(ds.what + ": slice at element " + std::to_string(at) + " does not follow the last one (" +
                     std::to_string(ds.next) + ")");
  ds.next = at + n;
  const int64_t held = static_cast<int64_t>(ds.held.size() / ds.elem_bytes);
  const int64_t start = at - held;  // global element index of held[0]
  const int64_t cut = (at + n) / ds.chunk * ds.chunk;  // last chunk boundary reached
  if (cut <= start) {  // still inside the first chunk: hold everything
    ds.held.insert(ds.held.end(), p, p + n * static_cast<int64_t>(ds.elem_bytes));
    if (a_ && a_->dxpl.valid()) write_block(ds.d.get(), ds.mtype, 0, 0, ds.inner, nullptr, a_, ds.what);  // collective
    return;
  }
  const int64_t from_new = cut - at;  // elements of p written now
  const char* src = p;
  if (held > 0) {
    ds.held.insert(ds.held.end(), p, p + from_new * static_cast<int64_t>(ds.elem_bytes));
    src = ds.held.data();
  }
  write_block(ds.d.get(), ds.mtype, start, cut - start, ds.inner, src, a_, ds.what);
  ds.held.assign(p + from_new * static_cast<int64_t>(ds.elem_bytes), p + n * static_cast<int64_t>(ds.elem_bytes));
}

void ChunkAlignedWriter::write(const Table& slice, int64_t base, const std::vector<uint64_t>& byte_base) {
  size_t k = 0;
  each_dataset_slice(slice, base, byte_base, [&](const DatasetSlice& s) {
    put(sets_.at(k++), s.at, static_cast<const char*>(s.data), s.n);
  });
}

void ChunkAlignedWriter::finish() {
  for (Dataset& ds : sets_) {
    const int64_t held = static_cast<int64_t>(ds.held.size() / ds.elem_bytes);
    if (held > 0 || (a_ && a_->dxpl.valid()))
      write_block(ds.d.get(), ds.mtype, std::max<int64_t>(ds.next, 0) - held, held, ds.inner, ds.held.data(), a_, ds.what);
    ds.held.clear();
    ds.held.shrink_to_fit();
  }
}

void append_table(hid_t file, const Table& rows, const WriteOptions& w) {
  if (!exists(file, rows.name)) {
    create_table(file, rows, extent_of(rows), w);
    write_rows(file, rows, 0, std::vector<uint64_t>(rows.columns.size(), 0));
    return;
  }
  Handle g = open_group(file, rows.name);
  const int64_t old_rows = table_rows(file, rows.name);
  for (const Column& c : rows.columns) {
    const int64_t n = c.rows();
    if (c.is_string()) {
      Handle db = dataset(g.get(), ds_bytes(c.name));
      const int64_t old_bytes = dim0(db.get());
      set_extent(db.get(), old_bytes + static_cast<int64_t>(c.bytes.size()), {});
      write_block(db.get(), H5T_NATIVE_UINT8, old_bytes, static_cast<int64_t>(c.bytes.size()), {}, c.bytes.data(), nullptr,
                  rows.name + "/" + ds_bytes(c.name));
      std::vector<uint64_t> off(c.offsets.begin() + 1, c.offsets.end());
      for (auto& o : off) o += static_cast<uint64_t>(old_bytes);
      Handle dof = dataset(g.get(), ds_offsets(c.name));
      set_extent(dof.get(), old_rows + n + 1, {});
      write_block(dof.get(), H5T_NATIVE_UINT64, old_rows + 1, n, {}, off.data(), nullptr, rows.name + "/" + ds_offsets(c.name));
    } else {
      Handle d = dataset(g.get(), c.name);
      set_extent(d.get(), old_rows + n, c.inner);
      write_block(d.get(), native_type(c.dtype), old_rows, n, c.inner, c.data.data(), nullptr, rows.name + "/" + c.name);
      if (c.is_coded()) set_attr_list(d.get(), kNamesAttr, c.names);
    }
  }
}

void replace_table(hid_t file, const Table& t, const WriteOptions& w) {
  if (exists(file, t.name)) BECAUSE_H5(H5Ldelete(file, t.name.c_str(), H5P_DEFAULT));
  create_table(file, t, extent_of(t), w);
  write_rows(file, t, 0, std::vector<uint64_t>(t.columns.size(), 0));
}

Table read_schema(hid_t file, const std::string& name) {
  Handle g = open_group(file, name);
  Table t;
  t.name = name;
  const auto names = get_attr_list(g.get(), kColumnsAttr);
  if (names.empty() && !has_attr(g.get(), kColumnsAttr)) throw StoreError("/" + name + " is not a table (no 'columns' attribute)");
  for (const auto& n : names) {
    if (exists(g.get(), ds_bytes(n))) {
      t.columns.emplace_back(n, DType::kString);
      continue;
    }
    Handle d = dataset(g.get(), n);
    Column c(n, dtype_of_dataset(d.get()));
    Handle space(BECAUSE_H5(H5Dget_space(d.get())));
    const int r = H5Sget_simple_extent_ndims(space.get());
    std::vector<hsize_t> dims(static_cast<size_t>(std::max(r, 1)));
    H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    for (int i = 1; i < r; ++i) c.inner.push_back(static_cast<int64_t>(dims[i]));
    c.names = get_attr_list(d.get(), kNamesAttr);
    t.columns.push_back(std::move(c));
  }
  t.attrs = get_string_attrs(g.get());
  return t;
}

int64_t table_rows(hid_t file, const std::string& name) {
  Handle g = open_group(file, name);
  const auto names = get_attr_list(g.get(), kColumnsAttr);
  if (names.empty()) return 0;
  if (exists(g.get(), ds_offsets(names[0]))) {
    Handle d = dataset(g.get(), ds_offsets(names[0]));
    return dim0(d.get()) - 1;
  }
  Handle d = dataset(g.get(), names[0]);
  return dim0(d.get());
}

std::vector<uint64_t> read_offsets(hid_t file, const std::string& table, const std::string& column, int64_t begin,
                                   int64_t end) {
  Handle g = open_group(file, table);
  Handle d = dataset(g.get(), ds_offsets(column));
  std::vector<uint64_t> out(static_cast<size_t>(end + 1 - begin));
  read_block(d.get(), H5T_NATIVE_UINT64, begin, end + 1 - begin, {}, out.data(), nullptr, table + "/" + ds_offsets(column));
  return out;
}

Table read_rows(hid_t file, const std::string& name, int64_t begin, int64_t end, const std::vector<std::string>& columns,
                const Access* a) {
  Table schema = read_schema(file, name);
  const int64_t n_rows = table_rows(file, name);
  if (end < 0 || end > n_rows) end = n_rows;
  if (begin < 0 || begin > end)
    throw StoreError("rows " + std::to_string(begin) + ".." + std::to_string(end) + " outside /" + name + " (" +
                     std::to_string(n_rows) + " rows)");
  Handle g = open_group(file, name);
  Table t;
  t.name = name;
  t.attrs = schema.attrs;
  const int64_t n = end - begin;
  for (auto& c : schema.columns) {
    if (!columns.empty() && std::find(columns.begin(), columns.end(), c.name) == columns.end()) continue;
    if (c.is_string()) {
      Handle dof = dataset(g.get(), ds_offsets(c.name));
      std::vector<uint64_t> off(static_cast<size_t>(n + 1));
      read_block(dof.get(), H5T_NATIVE_UINT64, begin, n + 1, {}, off.data(), a, name + "/" + ds_offsets(c.name));
      Handle db = dataset(g.get(), ds_bytes(c.name));
      if (off.back() < off.front())
        throw StoreError("/" + name + "/" + ds_offsets(c.name) + ": offsets decrease between rows " + std::to_string(begin) +
                         " and " + std::to_string(end));
      const int64_t nbytes = static_cast<int64_t>(off.back() - off.front());
      if (static_cast<int64_t>(off.back()) > dim0(db.get()))
        throw StoreError("/" + name + "/" + ds_offsets(c.name) + ": offset " + std::to_string(off.back()) +
                         " beyond the " + std::to_string(dim0(db.get())) + " bytes");
      c.bytes.resize(static_cast<size_t>(nbytes));
      read_block(db.get(), H5T_NATIVE_UINT8, static_cast<int64_t>(off.front()), nbytes, {}, c.bytes.data(), a,
                 name + "/" + ds_bytes(c.name));
      const uint64_t b0 = off.front();
      for (size_t i = 0; i < off.size(); ++i) {
        if (i > 0 && off[i] < off[i - 1])
          throw StoreError("/" + name + "/" + ds_offsets(c.name) + ": offsets decrease at row " +
                           std::to_string(begin + static_cast<int64_t>(i)));
        off[i] -= b0;
      }
      c.offsets = std::move(off);
    } else {
      Handle d = dataset(g.get(), c.name);
      c.data.resize(static_cast<size_t>(n) * c.row_bytes());
      read_block(d.get(), native_type(c.dtype), begin, n, c.inner, c.data.data(), a, name + "/" + c.name);
    }
    t.columns.push_back(std::move(c));
  }
  return t;
}

std::vector<std::string> list_tables(hid_t file) {
  std::vector<std::string> out;
  auto add = [&](const std::string& n) {
    if (exists(file, n)) {
      Handle g = open_group(file, n);
      if (has_attr(g.get(), kColumnsAttr)) out.push_back(n);
    }
  };
  add(kInstances);
  add(kExplanations);
  for (const char* grp : {kJudgments, kPredictions}) {
    if (!exists(file, grp)) continue;
    Handle g = open_group(file, grp);
    for (const auto& n : list(g.get())) add(std::string(grp) + "/" + n);
  }
  add(kMetrics);
  add(kProvenance);
  add("chunks");
  return out;
}

void write_info(hid_t file, const StoreInfo& info) {
  Handle root = open_group(file, "/");
  set_attr(root.get(), "schema", info.schema);
  set_attr(root.get(), "label_set", info.label_set);
  set_attr_list(root.get(), "labels", info.labels);
  set_attr(root.get(), "created", info.created);
  set_attr(root.get(), "because_version", info.because_version);
  set_attr(root.get(), "config", info.config_json);
  set_attr(root.get(), "config_hash", info.config_hash);
  unsigned maj = 0, min = 0, rel = 0;
  H5get_libversion(&maj, &min, &rel);
  set_attr(root.get(), "hdf5_version", std::to_string(maj) + "." + std::to_string(min) + "." + std::to_string(rel));
}

StoreInfo read_info(hid_t file) {
  Handle root = open_group(file, "/");
  StoreInfo info;
  info.schema = get_attr(root.get(), "schema");
  info.label_set = get_attr(root.get(), "label_set");
  info.labels = get_attr_list(root.get(), "labels");
  info.created = get_attr(root.get(), "created");
  info.because_version = get_attr(root.get(), "because_version");
  info.config_json = get_attr(root.get(), "config", "{}");
  info.config_hash = get_attr(root.get(), "config_hash");
  return info;
}

}  // namespace because::store::h5
