// RAII over the HDF5 C API, error stacks, attributes and the table layout in a file.
#include "store/h5.h"

#include <algorithm>
#include <cstring>

#include "store/filters.h"
#include "util/error.h"

namespace because::store::h5 {

void quiet() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

namespace {
herr_t walk_cb(unsigned n, const H5E_error2_t* e, void* data) {
  auto* out = static_cast<std::string*>(data);
  char maj[128] = "", min[128] = "";
  H5Eget_msg(e->maj_num, nullptr, maj, sizeof maj);
  H5Eget_msg(e->min_num, nullptr, min, sizeof min);
  *out += "\n  #" + std::to_string(n) + " " + (e->func_name ? e->func_name : "?") + ": " +
          (e->desc ? e->desc : "") + " (" + maj + ": " + min + ")";
  return 0;
}
}  // namespace

std::string error_stack() {
  std::string s;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, walk_cb, &s);
  H5Eclear2(H5E_DEFAULT);
  return s;
}

void fail(const std::string& what) {
  const std::string stack = error_stack();
  throw StoreError(what + (stack.empty() ? "" : "; HDF5 error stack:" + stack));
}

int64_t check(int64_t rc, const char* call, const char* file, int line) {
  if (rc < 0) {
    const char* base = std::strrchr(file, '/');
    fail(std::string(call) + " failed at " + (base ? base + 1 : file) + ":" + std::to_string(line));
  }
  return rc;
}

void Handle::reset() {
  if (id_ < 0) return;
  switch (H5Iget_type(id_)) {
    case H5I_FILE: H5Fclose(id_); break;
    case H5I_GROUP: H5Gclose(id_); break;
    case H5I_DATASET: H5Dclose(id_); break;
    case H5I_DATASPACE: H5Sclose(id_); break;
    case H5I_DATATYPE: H5Tclose(id_); break;
    case H5I_ATTR: H5Aclose(id_); break;
    case H5I_GENPROP_LST: H5Pclose(id_); break;
    default: H5Idec_ref(id_); break;
  }
  id_ = -1;
}

void Handle::close() {
  if (id_ < 0) return;
  const hid_t id = id_;
  id_ = -1;
  herr_t rc = 0;
  switch (H5Iget_type(id)) {
    case H5I_FILE: rc = H5Fclose(id); break;
    case H5I_DATASET: rc = H5Dclose(id); break;
    case H5I_GROUP: rc = H5Gclose(id); break;
    default: { Handle h(id); } return;
  }
  if (rc < 0) fail("closing an HDF5 object failed");
}

namespace {
Handle make_fapl(const Access* a) {
  Handle fapl(a && a->fapl.valid() ? H5Pcopy(a->fapl.get()) : H5Pcreate(H5P_FILE_ACCESS));
  BECAUSE_H5(fapl.get());
  // Superblock v2 and 1.8 object formats: dense attributes (large name tables), no file-status
  // flags that would block reopening after a crash, readable by HDF5 >= 1.8 and h5py.
  BECAUSE_H5(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V18, H5F_LIBVER_V18));
  return fapl;
}
}  // namespace

Handle open_file(const std::string& path, bool write, const Access* a) {
  quiet();
  register_filters();
  Handle fapl = make_fapl(a);
  const hid_t f = H5Fopen(path.c_str(), write ? H5F_ACC_RDWR : H5F_ACC_RDONLY, fapl.get());
  if (f < 0) fail("cannot open HDF5 file " + path + (write ? " for writing" : ""));
  return Handle(f);
}

Handle create_file(const std::string& path, const Access* a) {
  quiet();
  register_filters();
  Handle fapl = make_fapl(a);
  Handle fcpl(BECAUSE_H5(H5Pcreate(H5P_FILE_CREATE)));
  BECAUSE_H5(H5Pset_link_creation_order(fcpl.get(), H5P_CRT_ORDER_TRACKED));
  const hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get());
  if (f < 0) fail("cannot create HDF5 file " + path);
  return Handle(f);
}

void flush(const Handle& file) { BECAUSE_H5(H5Fflush(file.get(), H5F_SCOPE_GLOBAL)); }

bool exists(hid_t loc, const std::string& path) {
  // Check each component so that a missing intermediate group is not an error.
  size_t pos = 0;
  while (true) {
    pos = path.find('/', pos + 1);
    const std::string part = path.substr(0, pos);
    const htri_t e = H5Lexists(loc, part.c_str(), H5P_DEFAULT);
    if (e <= 0) {
      H5Eclear2(H5E_DEFAULT);
      return false;
    }
    if (pos == std::string::npos) return true;
  }
}

Handle open_group(hid_t loc, const std::string& path) {
  const hid_t g = H5Gopen2(loc, path.c_str(), H5P_DEFAULT);
  if (g < 0) fail("cannot open group /" + path);
  return Handle(g);
}

Handle require_group(hid_t loc, const std::string& path) {
  size_t pos = 0;
  while (true) {
    pos = path.find('/', pos + 1);
    const std::string part = path.substr(0, pos);
    if (!exists(loc, part)) {
      Handle gcpl(BECAUSE_H5(H5Pcreate(H5P_GROUP_CREATE)));
      BECAUSE_H5(H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED));
      Handle g(H5Gcreate2(loc, part.c_str(), H5P_DEFAULT, gcpl.get(), H5P_DEFAULT));
      if (!g.valid()) fail("cannot create group /" + part);
    }
    if (pos == std::string::npos) break;
  }
  return open_group(loc, path);
}

namespace {
herr_t list_cb(hid_t, const char* name, const H5L_info_t*, void* data) {
  static_cast<std::vector<std::string>*>(data)->push_back(name);
  return 0;
}
}  // namespace

std::vector<std::string> list(hid_t group) {
  std::vector<std::string> out;
  hsize_t idx = 0;
  BECAUSE_H5(H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, &idx, list_cb, &out));
  std::sort(out.begin(), out.end());
  return out;
}

void copy_object(hid_t src, hid_t dst, const std::string& name) {
  BECAUSE_H5(H5Ocopy(src, name.c_str(), dst, name.c_str(), H5P_DEFAULT, H5P_DEFAULT));
}

// ---- attributes ---------------------------------------------------------------------------------

namespace {
Handle utf8_type() {
  Handle t(BECAUSE_H5(H5Tcopy(H5T_C_S1)));
  BECAUSE_H5(H5Tset_size(t.get(), H5T_VARIABLE));
  BECAUSE_H5(H5Tset_cset(t.get(), H5T_CSET_UTF8));
  return t;
}
void delete_attr(hid_t obj, const std::string& name) {
  if (H5Aexists(obj, name.c_str()) > 0) BECAUSE_H5(H5Adelete(obj, name.c_str()));
}
}  // namespace

void set_attr(hid_t obj, const std::string& name, const std::string& value) {
  delete_attr(obj, name);
  Handle type = utf8_type();
  Handle space(BECAUSE_H5(H5Screate(H5S_SCALAR)));
  Handle attr(H5Acreate2(obj, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT));
  if (!attr.valid()) fail("cannot create attribute " + name);
  const char* p = value.c_str();
  BECAUSE_H5(H5Awrite(attr.get(), type.get(), &p));
}

void set_attr_list(hid_t obj, const std::string& name, const std::vector<std::string>& values) {
  delete_attr(obj, name);
  Handle type = utf8_type();
  const hsize_t n = values.size();
  Handle space(BECAUSE_H5(n == 0 ? H5Screate(H5S_NULL) : H5Screate_simple(1, &n, nullptr)));
  Handle attr(H5Acreate2(obj, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT));
  if (!attr.valid()) fail("cannot create attribute " + name);
  if (n == 0) return;
  std::vector<const char*> ptrs;
  for (const auto& v : values) ptrs.push_back(v.c_str());
  BECAUSE_H5(H5Awrite(attr.get(), type.get(), ptrs.data()));
}

bool has_attr(hid_t obj, const std::string& name) { return H5Aexists(obj, name.c_str()) > 0; }

namespace {
std::vector<std::string> read_strings_attr(hid_t attr, const std::string& name) {
  Handle space(BECAUSE_H5(H5Aget_space(attr)));
  const H5S_class_t cls = H5Sget_simple_extent_type(space.get());
  if (cls == H5S_NULL) return {};
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  Handle ftype(BECAUSE_H5(H5Aget_type(attr)));
  if (H5Tget_class(ftype.get()) != H5T_STRING) throw StoreError("attribute " + name + " is not a string");
  std::vector<std::string> out;
  if (H5Tis_variable_str(ftype.get()) > 0) {
    Handle type = utf8_type();
    std::vector<char*> ptrs(static_cast<size_t>(n), nullptr);
    BECAUSE_H5(H5Aread(attr, type.get(), ptrs.data()));
    for (char* p : ptrs) out.emplace_back(p ? p : "");
    H5Dvlen_reclaim(type.get(), space.get(), H5P_DEFAULT, ptrs.data());
  } else {
    const size_t len = H5Tget_size(ftype.get());
    std::vector<char> buf(len * static_cast<size_t>(n) + 1, 0);
    Handle mtype(BECAUSE_H5(H5Tcopy(ftype.get())));
    BECAUSE_H5(H5Aread(attr, mtype.get(), buf.data()));
    for (hssize_t i = 0; i < n; ++i) out.emplace_back(strnlen(buf.data() + i * len, len) ? std::string(buf.data() + i * len, strnlen(buf.data() + i * len, len)) : "");
  }
  return out;
}
}  // namespace

std::string get_attr(hid_t obj, const std::string& name, const std::string& fallback) {
  if (!has_attr(obj, name)) return fallback;
  Handle attr(BECAUSE_H5(H5Aopen(obj, name.c_str(), H5P_DEFAULT)));
  auto v = read_strings_attr(attr.get(), name);
  return v.empty() ? "" : v.front();
}

std::vector<std::string> get_attr_list(hid_t obj, const std::string& name) {
  if (!has_attr(obj, name)) return {};
  Handle attr(BECAUSE_H5(H5Aopen(obj, name.c_str(), H5P_DEFAULT)));
  return read_strings_attr(attr.get(), name);
}

namespace {
herr_t attr_cb(hid_t loc, const char* name, const H5A_info_t*, void* data) {
  auto* out = static_cast<std::map<std::string, std::string>*>(data);
  Handle attr(H5Aopen(loc, name, H5P_DEFAULT));
  if (!attr.valid()) return -1;
  Handle space(H5Aget_space(attr.get()));
  Handle type(H5Aget_type(attr.get()));
  if (H5Sget_simple_extent_type(space.get()) == H5S_SCALAR && H5Tget_class(type.get()) == H5T_STRING) {
    auto v = read_strings_attr(attr.get(), name);
    (*out)[name] = v.empty() ? "" : v.front();
  }
  return 0;
}
}  // namespace

std::map<std::string, std::string> get_string_attrs(hid_t obj) {
  std::map<std::string, std::string> out;
  hsize_t idx = 0;
  BECAUSE_H5(H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, &idx, attr_cb, &out));
  return out;
}

// ---- types --------------------------------------------------------------------------------------

hid_t native_type(DType t) {
  switch (t) {
    case DType::kI8: return H5T_NATIVE_INT8;
    case DType::kU8: return H5T_NATIVE_UINT8;
    case DType::kU16: return H5T_NATIVE_UINT16;
    case DType::kU32: return H5T_NATIVE_UINT32;
    case DType::kI32: return H5T_NATIVE_INT32;
    case DType::kI64: return H5T_NATIVE_INT64;
    case DType::kU64: return H5T_NATIVE_UINT64;
    case DType::kF32: return H5T_NATIVE_FLOAT;
    case DType::kF64: return H5T_NATIVE_DOUBLE;
    case DType::kString: return H5T_NATIVE_UINT8;
  }
  return H5T_NATIVE_UINT8;
}

hid_t file_type(DType t) {
  switch (t) {
    case DType::kI8: return H5T_STD_I8LE;
    case DType::kU8: return H5T_STD_U8LE;
    case DType::kU16: return H5T_STD_U16LE;
    case DType::kU32: return H5T_STD_U32LE;
    case DType::kI32: return H5T_STD_I32LE;
    case DType::kI64: return H5T_STD_I64LE;
    case DType::kU64: return H5T_STD_U64LE;
    case DType::kF32: return H5T_IEEE_F32LE;
    case DType::kF64: return H5T_IEEE_F64LE;
    case DType::kString: return H5T_STD_U8LE;
  }
  return H5T_STD_U8LE;
}

DType dtype_of_dataset(hid_t dset) {
  Handle t(BECAUSE_H5(H5Dget_type(dset)));
  const H5T_class_t cls = H5Tget_class(t.get());
  const size_t size = H5Tget_size(t.get());
  if (cls == H5T_FLOAT) return size == 4 ? DType::kF32 : DType::kF64;
  if (cls == H5T_INTEGER) {
    const bool sign = H5Tget_sign(t.get()) == H5T_SGN_2;
    switch (size) {
      case 1: return sign ? DType::kI8 : DType::kU8;
      case 2: if (!sign) return DType::kU16; break;
      case 4: return sign ? DType::kI32 : DType::kU32;
      case 8: return sign ? DType::kI64 : DType::kU64;
      default: break;
    }
  }
  throw StoreError("dataset has a type the store does not use (class " + std::to_string(cls) + ", " +
                   std::to_string(size) + " bytes)");
}

}  // namespace because::store::h5
