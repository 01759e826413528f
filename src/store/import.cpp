// `because store import`: explanations from CSV / JSONL added to a store.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "corpus/records.h"
#include "store/export.h"
#include "store/h5.h"
#include "store/reader.h"
#include "util/error.h"
#include "util/log.h"

namespace because::store {
namespace {

namespace fs = std::filesystem;

// The fields a row may carry, as text (absent: nullopt).
enum Field { kUid, kDataset, kText, kLabel, kSource, kSample, kNTokens, kLogprob, kFinish, kError, kNumFields };
const char* const kFieldNames[kNumFields] = {"uid",    "dataset",  "explanation", "label", "source",
                                             "sample", "n_tokens", "logprob",     "finish", "error"};
using Fields = std::array<std::optional<std::string>, kNumFields>;

// The field a column or key names: explanation and text are the same field.
int field_of(const std::string& name) {
  if (name == "text") return kText;
  for (int f = 0; f < kNumFields; ++f)
    if (name == kFieldNames[f]) return f;
  return -1;
}

// Where a row came from, for errors: "FILE:LINE".
struct Where {
  const std::string& file;
  int64_t line;
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(file + ":" + std::to_string(line) + ": " + what);
  }
};

// A JSON value as a field's text: strings as they are, numbers as written, null as absent.
std::optional<std::string> json_field(const nlohmann::json& v, const char* key, const Where& at) {
  if (v.is_null()) return std::nullopt;
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return v.dump();
  at.fail(std::string("field '") + key + "' must be a string or a number, not " + v.type_name());
}

// An integer field in [lo, hi].
int64_t integer(const std::string& s, const char* key, int64_t lo, int64_t hi, const Where& at) {
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || errno != 0 || v < lo || v > hi)
    at.fail(std::string("field '") + key + "': '" + s + "' is not an integer in " + std::to_string(lo) + ".." +
            std::to_string(hi));
  return v;
}

// Label: a name of the label set (any case), an index, or empty for label-free.
int parse_label(const std::optional<std::string>& s, const std::vector<std::string>& labels, const Where& at) {
  if (!s || s->empty()) return -1;
  const bool digits = std::all_of(s->begin(), s->end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits) return static_cast<int>(integer(*s, "label", 0, static_cast<int64_t>(labels.size()) - 1, at));
  auto lower = [](std::string x) {
    for (char& c : x) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return x;
  };
  const std::string want = lower(*s);
  for (size_t i = 0; i < labels.size(); ++i)
    if (lower(labels[i]) == want) return static_cast<int>(i);
  std::string names;
  for (const auto& l : labels) names += (names.empty() ? "" : ", ") + l;
  at.fail("label '" + *s + "' is not one of the store's labels (" + names + ") or an index");
}

// The instances of a store by uid and by (dataset, uid). A key held by several instances maps
// to -1 - (the first of them), so that a row naming it can say which.
class InstanceIndex {
 public:
  explicit InstanceIndex(const StoreReader& r) : dataset_(r.column(kInstances, "dataset")) {
    const Column uid = r.column(kInstances, "uid");
    for (int64_t i = 0; i < uid.rows(); ++i) {
      const std::string u(uid.str(i));
      add(by_uid_, u, i);
      add(by_key_, key(dataset_of(i), u), i);
    }
  }
  /// The store row of the row's instance; fails naming the uid when none or several match.
  int64_t find(const std::optional<std::string>& dataset, const std::string& uid, const Where& at) const {
    const auto& map = dataset ? by_key_ : by_uid_;
    const auto it = map.find(dataset ? key(*dataset, uid) : uid);
    const std::string what = "uid '" + uid + "'" + (dataset ? " of dataset '" + *dataset + "'" : std::string());
    if (it == map.end()) at.fail(what + " is not an instance of the store");
    if (it->second < 0) {
      const int64_t first = -1 - it->second;
      at.fail(what + " is on several instances (rows " + std::to_string(first) + ", ...)" +
              (dataset ? std::string() : "; give the dataset field (the first is of dataset '" +
                                             dataset_of(first) + "')"));
    }
    return it->second;
  }

 private:
  static std::string key(const std::string& dataset, const std::string& uid) { return dataset + '\x1f' + uid; }
  const std::string& dataset_of(int64_t row) const { return dataset_.names.at(static_cast<size_t>(dataset_.get_i64(row))); }
  static void add(std::unordered_map<std::string, int64_t>& m, const std::string& k, int64_t row) {
    const auto [it, fresh] = m.emplace(k, row);
    if (!fresh && it->second >= 0) it->second = -1 - it->second;
  }
  Column dataset_;  // coded: a name table and each instance's code
  std::unordered_map<std::string, int64_t> by_uid_, by_key_;
};

// Calls fn(fields, where) for every row of the input.
template <class Fn>
void read_rows(const std::string& path, Format format, Fn&& fn) {
  const corpus::File file(path);
  constexpr uint64_t kMaxRow = uint64_t{1} << 30;
  const uint64_t begin = static_cast<uint64_t>(corpus::bom_length(file));
  corpus::Dialect d;
  d.kind = format == Format::kCsv ? corpus::RecordKind::kCsv : corpus::RecordKind::kLines;
  d.delimiter = ',';
  corpus::RecordReader reader(file, d, begin, file.size(), 1, kMaxRow);
  corpus::RawRecord rec;
  std::vector<int> column_field;  // CSV: the field of each column (-1: not one of ours)
  std::vector<std::string> cells;
  bool header = format == Format::kCsv;
  while (reader.next(rec)) {
    const Where at{path, rec.line};
    if (rec.oversize) at.fail("row of " + std::to_string(rec.n_bytes) + " bytes is longer than the 1 GiB limit");
    Fields f;
    if (format == Format::kCsv) {
      try {
        corpus::split_csv(rec.bytes, ',', cells);
      } catch (const InputError& e) {
        at.fail(e.what());  // a quote never closed: the record runs to the end of the file
      }
      if (header) {
        for (const auto& c : cells) {
          const int k = field_of(c);
          if (k >= 0 && std::count(column_field.begin(), column_field.end(), k))
            at.fail("column '" + c + "' names a field given by an earlier column");
          column_field.push_back(k);
        }
        for (const int need : {kUid, kText})
          if (!std::count(column_field.begin(), column_field.end(), need))
            at.fail(std::string("the header has no column '") + kFieldNames[need] + "'" +
                    (need == kText ? " (or 'text')" : ""));
        header = false;
        continue;
      }
      if (cells.size() != column_field.size())
        at.fail(std::to_string(cells.size()) + " fields where the header has " + std::to_string(column_field.size()));
      for (size_t c = 0; c < cells.size(); ++c)
        if (column_field[c] >= 0) f[static_cast<size_t>(column_field[c])] = std::move(cells[c]);
    } else {
      nlohmann::json j;
      try {
        j = nlohmann::json::parse(rec.bytes);
      } catch (const std::exception& e) {
        at.fail(std::string("malformed JSON: ") + e.what());
      }
      if (!j.is_object()) at.fail("not a JSON object");
      for (const auto& [key, value] : j.items()) {
        const int k = field_of(key);
        if (k < 0) continue;
        if (f[static_cast<size_t>(k)]) at.fail("fields 'explanation' and 'text' both given");
        f[static_cast<size_t>(k)] = json_field(value, key.c_str(), at);
        if (k == kText && !f[kText]) f[kText] = std::string();  // null text: an empty explanation
      }
    }
    fn(f, at);
  }
  if (header) throw InputError(path + ": empty CSV (no header row)");
}

}  // namespace

int64_t import_explanations(const std::string& store_path, const std::string& input, const ImportOptions& o) {
  o.write.validate();
  std::vector<Explanation> old, added;
  StoreInfo info;
  {
    StoreReader r(store_path);
    info = r.info();
    const InstanceIndex index(r);
    read_rows(input, o.format, [&](Fields& f, const Where& at) {
      if (!f[kUid] || f[kUid]->empty()) at.fail("no uid");
      if (!f[kText]) at.fail("no explanation (field 'explanation' or 'text')");
      Explanation e;
      e.instance = index.find(f[kDataset], *f[kUid], at);
      e.label = parse_label(f[kLabel], info.labels, at);
      e.source = f[kSource] && !f[kSource]->empty() ? *f[kSource] : o.source;
      e.text = std::move(*f[kText]);
      for (const std::string* s : {&e.text, &e.source, &*f[kUid]})
        if (!corpus::valid_utf8(*s)) at.fail("invalid UTF-8");
      e.sample = f[kSample] && !f[kSample]->empty() ? static_cast<int>(integer(*f[kSample], "sample", 0, 65535, at)) : -1;
      if (f[kNTokens] && !f[kNTokens]->empty())
        e.n_tokens = static_cast<uint32_t>(integer(*f[kNTokens], "n_tokens", 0, UINT32_MAX, at));
      if (f[kLogprob] && !f[kLogprob]->empty()) {
        char* end = nullptr;
        e.logprob = std::strtof(f[kLogprob]->c_str(), &end);
        if (*end != '\0') at.fail("field 'logprob': '" + *f[kLogprob] + "' is not a number");
      }
      if (f[kFinish] && !f[kFinish]->empty()) {
        try {
          e.finish = parse_finish(*f[kFinish]);
        } catch (const InputError& err) {
          at.fail(err.what());
        }
      }
      if (f[kError]) e.error = std::move(*f[kError]);
      added.push_back(std::move(e));
    });
    old = r.read_explanations();
  }
  // Samples not given: the next index of (instance, label, source) after the store's and the
  // earlier rows'.
  std::map<std::tuple<int64_t, int, std::string>, int> next;
  {
    std::vector<int64_t> touched;
    for (const auto& e : added) touched.push_back(e.instance);
    std::sort(touched.begin(), touched.end());
    for (const auto& e : old)
      if (std::binary_search(touched.begin(), touched.end(), e.instance)) {
        int& n = next[{e.instance, e.label, e.source}];
        n = std::max(n, e.sample + 1);
      }
    for (const auto& e : added)
      if (e.sample >= 0) {
        int& n = next[{e.instance, e.label, e.source}];
        n = std::max(n, e.sample + 1);
      }
    for (auto& e : added)
      if (e.sample < 0) {
        int& n = next[{e.instance, e.label, e.source}];
        if (n > 65535) throw InputError(input + ": more than 65536 samples of one instance, label and source");
        e.sample = n++;
      }
  }
  // The new table: both sorted by instance, an instance's existing rows before its imported ones.
  std::stable_sort(added.begin(), added.end(), [](const auto& a, const auto& b) { return a.instance < b.instance; });
  std::vector<std::pair<int64_t, const Explanation*>> rows;
  rows.reserve(old.size() + added.size());
  for (size_t i = 0, j = 0; i < old.size() || j < added.size();) {
    const bool take_old = j == added.size() || (i < old.size() && old[i].instance <= added[j].instance);
    const Explanation& e = take_old ? old[i++] : added[j++];
    rows.emplace_back(e.instance, &e);
  }
  Table expl = explanations_table();
  append_explanations(expl, rows);

  const std::string tmp = store_path + ".import.tmp";
  try {
    h5::Handle src = h5::open_file(store_path, false);
    h5::Handle dst = h5::create_file(tmp);
    h5::write_info(dst.get(), h5::read_info(src.get()));
    {
      h5::Handle from = h5::open_group(src.get(), "/"), to = h5::open_group(dst.get(), "/");
      for (const auto& [k, v] : h5::get_string_attrs(from.get()))
        if (!h5::has_attr(to.get(), k)) h5::set_attr(to.get(), k, v);
      for (const auto& name : h5::list(from.get()))
        if (name != kExplanations) h5::copy_object(src.get(), dst.get(), name);
    }
    h5::replace_table(dst.get(), expl, o.write);
    if (!o.provenance.command.empty()) {
      Table p = provenance_table();
      append_provenance_row(p, o.provenance);
      h5::append_table(dst.get(), p, o.write);
    }
    h5::flush(dst);
    dst.close();
    src.close();
    fs::rename(tmp, store_path);
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
  log::debug("import: ", added.size(), " explanations from ", input, " into ", store_path);
  return static_cast<int64_t>(added.size());
}

}  // namespace because::store
