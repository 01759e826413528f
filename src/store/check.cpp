// verify, digest and inspect of stores and shard segments.
#include "store/check.h"

#include <algorithm>
#include <sstream>

#include "store/h5.h"
#include "store/schema.h"
#include "util/error.h"
#include "util/hash.h"

namespace because::store {

namespace {

constexpr int64_t kBatch = 1 << 16;

std::string first_line(const std::string& s) { return s.substr(0, s.find(';')); }

bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const int n = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
    if (n < 0) return false;
    for (int k = 1; k <= n; ++k)
      if (i + k >= s.size() || (static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    i += static_cast<size_t>(n) + 1;
  }
  return true;
}

}  // namespace

VerifyReport verify_store(const std::string& path) {
  VerifyReport rep;
  auto fault = [&](const std::string& where, const std::string& what) { rep.faults.push_back({where, what}); };
  h5::Handle f;
  try {
    f = h5::open_file(path, false);
  } catch (const StoreError& e) {
    fault(path, e.what());
    return rep;
  }
  StoreInfo info;
  try {
    info = h5::read_info(f.get());
  } catch (const StoreError& e) {
    fault("/", first_line(e.what()));
  }
  if (info.schema != kSchema) fault("/", "schema attribute is '" + info.schema + "', expected " + kSchema);
  const int64_t L = static_cast<int64_t>(info.labels.size());
  h5::Handle root = h5::open_group(f.get(), "/");
  const bool segment = h5::get_attr(root.get(), "kind") == "segment";
  int64_t n_inst = -1;
  for (const auto& tn : h5::list_tables(f.get())) {
    Table schema;
    int64_t rows = 0;
    try {
      schema = h5::read_schema(f.get(), tn);
      rows = h5::table_rows(f.get(), tn);
    } catch (const StoreError& e) {
      fault("/" + tn, first_line(e.what()));
      continue;
    }
    if (tn == kInstances) n_inst = rows;
    for (const auto& sc : schema.columns) {
      ++rep.n_datasets;
      const std::string where = "/" + tn + "/" + sc.name;
      int64_t last = INT64_MIN;
      if (sc.is_string()) {
        try {
          auto ends = h5::read_offsets(f.get(), tn, sc.name, 0, 0);
          if (ends[0] != 0) fault(where + ".offsets", "first offset is " + std::to_string(ends[0]) + ", not 0");
          auto lastv = h5::read_offsets(f.get(), tn, sc.name, rows, rows);
          h5::Handle g = h5::open_group(f.get(), tn);
          h5::Handle d(H5Dopen2(g.get(), (sc.name + ".bytes").c_str(), H5P_DEFAULT));
          h5::Handle sp(H5Dget_space(d.get()));
          hsize_t nb = 0;
          H5Sget_simple_extent_dims(sp.get(), &nb, nullptr);
          if (lastv[0] != nb)
            fault(where + ".offsets", "last offset " + std::to_string(lastv[0]) + " differs from the " + std::to_string(nb) + " bytes");
        } catch (const StoreError& e) {
          fault(where + ".offsets", first_line(e.what()));
        }
      }
      for (int64_t b = 0; b < rows; b += kBatch) {
        const int64_t e = std::min(rows, b + kBatch);
        const std::string range = where + " rows " + std::to_string(b) + ".." + std::to_string(e - 1);
        Table t;
        try {
          t = h5::read_rows(f.get(), tn, b, e, {sc.name});
        } catch (const StoreError& ex) {
          fault(range, first_line(ex.what()));
          continue;
        }
        const Column& c = t.columns.front();
        rep.n_values += c.is_string() ? static_cast<int64_t>(c.bytes.size()) : c.rows() * c.row_elems();
        if (c.rows() != e - b) fault(range, "column has " + std::to_string(c.rows()) + " rows");
        if (c.is_string()) {
          for (int64_t i = 0; i < c.rows(); ++i)
            if (!valid_utf8(c.str(i))) {
              fault(where, "row " + std::to_string(b + i) + " is not valid UTF-8");
              break;
            }
          continue;
        }
        for (int64_t i = 0; i < c.rows(); ++i) {
          const int64_t row = b + i;
          if (c.is_coded() && (c.get_i64(i) < 0 || c.get_i64(i) >= static_cast<int64_t>(c.names.size()))) {
            fault(where, "row " + std::to_string(row) + ": code " + std::to_string(c.get_i64(i)) + " outside its " +
                             std::to_string(c.names.size()) + " names");
            break;
          }
          if ((c.name == "gold" || (c.name == "label" && tn == kExplanations)) && (c.get_i64(i) < -1 || c.get_i64(i) >= L)) {
            fault(where, "row " + std::to_string(row) + ": label " + std::to_string(c.get_i64(i)) + " outside [-1, " + std::to_string(L) + ")");
            break;
          }
          if (c.name == "instance") {
            const int64_t v = c.get_i64(i);
            const bool store_refs = segment && tn != kExplanations && tn.rfind(kJudgments, 0) != 0;
            if (!store_refs && n_inst >= 0 && !segment && (v < 0 || v >= n_inst)) {
              fault(where, "row " + std::to_string(row) + ": instance " + std::to_string(v) + " not below n_instances = " + std::to_string(n_inst));
              break;
            }
            if (!segment && v < last) {
              fault(where, "row " + std::to_string(row) + ": instance rows not sorted");
              break;
            }
            last = v;
          }
        }
      }
    }
  }
  if (!h5::exists(f.get(), kInstances)) fault("/", "no /instances table");
  return rep;
}

std::string digest_store(const std::string& path) {
  h5::Handle f = h5::open_file(path, false);
  const StoreInfo info = h5::read_info(f.get());
  hash::Hasher h;
  h.update_framed(info.schema);
  h.update_framed(info.label_set);
  for (const auto& l : info.labels) h.update_framed(l);
  for (const auto& tn : h5::list_tables(f.get())) {
    if (tn == kProvenance || tn == "chunks") continue;
    Table schema = h5::read_schema(f.get(), tn);
    const int64_t rows = h5::table_rows(f.get(), tn);
    h.update_framed("table:" + tn);
    h.update_pod(rows);
    for (const auto& [k, v] : schema.attrs) {
      h.update_framed(k);
      h.update_framed(v);
    }
    std::vector<std::string> names;
    for (const auto& c : schema.columns) names.push_back(c.name);
    std::sort(names.begin(), names.end());
    for (const auto& cn : names) {
      const Column& sc = schema.col(cn);
      h.update_framed("column:" + cn);
      h.update_framed(dtype_name(sc.dtype));
      h.update_pod(static_cast<uint8_t>(sc.is_coded()));
      for (int64_t d : sc.inner) h.update_pod(d);
      for (int64_t b = 0; b < rows; b += kBatch) {
        Table t = h5::read_rows(f.get(), tn, b, std::min(rows, b + kBatch), {cn});
        const Column& c = t.columns.front();
        if (c.is_string()) {
          for (int64_t i = 0; i < c.rows(); ++i) h.update_framed(c.str(i));
        } else if (c.is_coded()) {
          for (int64_t i = 0; i < c.rows(); ++i) {
            const int64_t code = c.get_i64(i);
            if (code < 0 || code >= static_cast<int64_t>(c.names.size()))
              throw StoreError(path + ": /" + tn + "/" + cn + " row " + std::to_string(b + i) + ": code outside its name table");
            h.update_framed(c.names[static_cast<size_t>(code)]);
          }
        } else {
          h.update(c.data.data(), c.data.size());
        }
      }
    }
  }
  return h.hex();
}

std::string inspect_store(const std::string& path) {
  h5::Handle f = h5::open_file(path, false);
  const StoreInfo info = h5::read_info(f.get());
  std::ostringstream os;
  os << path << "\n  schema: " << info.schema << "\n  label set: " << info.label_set << " (";
  for (size_t i = 0; i < info.labels.size(); ++i) os << (i ? ", " : "") << info.labels[i];
  os << ")\n  created: " << info.created << "\n  because: " << info.because_version
     << "\n  config hash: " << info.config_hash << "\n";
  for (const auto& tn : h5::list_tables(f.get())) {
    Table schema = h5::read_schema(f.get(), tn);
    os << "/" << tn << ": " << h5::table_rows(f.get(), tn) << " rows\n";
    h5::Handle g = h5::open_group(f.get(), tn);
    for (const auto& c : schema.columns) {
      uint64_t stored = 0, logical = 0;
      for (const std::string& dn : c.is_string() ? std::vector<std::string>{c.name + ".bytes", c.name + ".offsets"}
                                                 : std::vector<std::string>{c.name}) {
        h5::Handle d(BECAUSE_H5(H5Dopen2(g.get(), dn.c_str(), H5P_DEFAULT)));
        stored += H5Dget_storage_size(d.get());
        h5::Handle sp(BECAUSE_H5(H5Dget_space(d.get())));
        h5::Handle ty(BECAUSE_H5(H5Dget_type(d.get())));
        logical += static_cast<uint64_t>(H5Sget_simple_extent_npoints(sp.get())) * H5Tget_size(ty.get());
      }
      os << "  " << c.name << ": " << dtype_name(c.dtype);
      for (int64_t d : c.inner) os << "[" << d << "]";
      if (c.is_coded()) os << " coded (" << c.names.size() << " names)";
      os << ", " << stored << " bytes stored, " << logical << " logical\n";
    }
    for (const auto& [k, v] : schema.attrs) os << "  @" << k << " = " << v.substr(0, 200) << "\n";
  }
  if (h5::exists(f.get(), kProvenance)) {
    for (const auto& p : to_provenance(h5::read_rows(f.get(), kProvenance, 0, -1)))
      os << "provenance: " << p.command << " " << p.start << " .. " << p.end << " ranks=" << p.ranks
         << " config=" << p.config_hash << "\n    " << p.command_line << "\n";
  }
  return os.str();
}

}  // namespace because::store
