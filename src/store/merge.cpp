// Merge of shard sets into a store, for any number of processes (see merge.h).
#include "store/merge.h"

#include <algorithm>
#include <filesystem>
#include <list>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "store/h5.h"
#include "store/shard.h"
#include "util/error.h"
#include "util/files.h"
#include "util/log.h"

namespace because::store {

namespace fs = std::filesystem;

void SerialMergeComm::make_access(h5::Access& a) const {
  a.rank = 0;
  a.size = 1;
}

namespace {

// Columns whose name table is fixed by the schema (codes are enum values).
bool fixed_names(const std::string& table, const std::string& column) {
  return table == kExplanations && column == "finish";
}

struct Segment {
  h5::Handle file;
  Table chunks;                                   // the segment's /chunks table
  std::map<std::string, Table> schema;            // per table: columns + name tables
  std::map<std::string, std::map<std::string, std::vector<uint64_t>>> offsets;  // table -> string column -> offsets
};

struct Plan {
  std::vector<std::string> tables;                // tables merged, in order
  std::map<std::string, Table> schema;            // merged schema (global name tables)
};

// Open segments, least recently used closed first: an explain run writes a segment per rank and
// interval, so a long run has hundreds, and each open HDF5 file holds its metadata caches (keeping
// them all open made the merge's memory grow with the run's length). A reference from get() stays
// valid across the next kMaxOpen - 1 calls.
class SegmentCache {
 public:
  static constexpr size_t kMaxOpen = 32;
  Segment& get(const std::string& path, const std::vector<std::string>& tables) {
    auto it = cache_.find(path);
    if (it != cache_.end()) {
      order_.splice(order_.begin(), order_, it->second.second);
      return *it->second.first;
    }
    if (cache_.size() >= kMaxOpen) {
      cache_.erase(order_.back());
      order_.pop_back();
    }
    auto s = std::make_unique<Segment>();
    s->file = h5::open_file(path, false);
    s->chunks = h5::read_rows(s->file.get(), "chunks", 0, -1);
    for (const auto& t : tables) {
      if (!h5::exists(s->file.get(), t)) throw StoreError(path + ": segment has no table /" + t);
      Table sc = h5::read_schema(s->file.get(), t);
      const int64_t n = h5::table_rows(s->file.get(), t);
      for (const auto& c : sc.columns)
        if (c.is_string()) s->offsets[t][c.name] = h5::read_offsets(s->file.get(), t, c.name, 0, n);
      s->schema[t] = std::move(sc);
    }
    order_.push_front(path);
    auto& slot = cache_[path];
    slot = {std::move(s), order_.begin()};
    return *slot.first;
  }
  void clear() {
    cache_.clear();
    order_.clear();
  }

 private:
  std::list<std::string> order_;  // most recently used first
  std::map<std::string, std::pair<std::unique_ptr<Segment>, std::list<std::string>::iterator>> cache_;
};

// Row range of a chunk within a segment table.
std::pair<int64_t, int64_t> chunk_rows(const Segment& s, int64_t index, const std::string& table) {
  std::string key = table == kInstances ? "instances" : table == kExplanations ? "explanations" : "judgments";
  return {s.chunks.col(key + "_begin").at<int64_t>(index), s.chunks.col(key + "_end").at<int64_t>(index)};
}

// Counters per table: rows, then bytes of every string column.
std::vector<int64_t> counters_of(const Segment& s, int64_t index, const Plan& plan) {
  std::vector<int64_t> v;
  for (const auto& t : plan.tables) {
    auto [b, e] = chunk_rows(s, index, t);
    v.push_back(e - b);
    for (const auto& c : plan.schema.at(t).columns)
      if (c.is_string()) {
        const auto& off = s.offsets.at(t).at(c.name);
        v.push_back(static_cast<int64_t>(off[e] - off[b]));
      }
  }
  return v;
}

// A companion set is a second `explain` set over the same corpus: its human explanations repeat
// the base set's and are left out. Rows of `source` (a chunk's source column) that are model
// explanations.
std::vector<int64_t> model_rows(const Column& source) {
  const auto human = std::find(source.names.begin(), source.names.end(), kHumanSource);
  const int64_t human_code = human == source.names.end() ? -1 : human - source.names.begin();
  std::vector<int64_t> keep;
  for (int64_t r = 0; r < source.rows(); ++r)
    if (source.get_i64(r) != human_code) keep.push_back(r);
  return keep;
}

// The model explanations of one companion chunk, all columns (write pass).
Table companion_rows(Segment& s, int64_t index) {
  auto [b, e] = chunk_rows(s, index, kExplanations);
  const Table all = h5::read_rows(s.file.get(), kExplanations, b, e);
  Table out = all.empty_like();
  for (int64_t r : model_rows(all.col("source"))) out.append_rows(all, r, r + 1);
  return out;
}

// Rows and string bytes of the same (plan pass): reads the source column only and takes the
// byte counts from the segment's cached offsets.
void add_companion_counts(Segment& s, int64_t index, const Table& schema, int64_t& rows,
                          std::vector<int64_t>::iterator bytes) {
  auto [b, e] = chunk_rows(s, index, kExplanations);
  const Table src = h5::read_rows(s.file.get(), kExplanations, b, e, {"source"});
  const auto keep = model_rows(src.col("source"));
  rows += static_cast<int64_t>(keep.size());
  for (const auto& c : schema.columns) {
    if (!c.is_string()) continue;
    const auto& off = s.offsets.at(kExplanations).at(c.name);
    for (int64_t r : keep) *bytes += static_cast<int64_t>(off[b + r + 1] - off[b + r]);
    ++bytes;
  }
}

// Appends rows [b, e) of `src` to `dst`, recoding coded columns to dst's name tables and turning
// chunk-local instance references ([ib, ie) in the shard) into store rows from `inst_pos`.
// Returns the bytes copied.
int64_t append_fixed(Table& dst, const Table& src, int64_t b, int64_t e, const std::string& t, bool local,
                     int64_t ib, int64_t ie, int64_t inst_pos, const std::string& path) {
  const int64_t r0 = dst.rows();
  dst.append_rows(src, b, e);
  const int64_t r1 = dst.rows();
  int64_t bytes = 0;
  for (size_t ci = 0; ci < dst.columns.size(); ++ci) {
    Column& dc = dst.columns[ci];
    const Column& sc = src.col(dc.name);
    if (sc.is_string()) bytes += static_cast<int64_t>(sc.offsets[e] - sc.offsets[b]);
    else bytes += (e - b) * static_cast<int64_t>(sc.row_bytes());
    if (dc.is_coded() && !fixed_names(t, dc.name)) {
      std::vector<int64_t> remap(sc.names.size());
      for (size_t q = 0; q < sc.names.size(); ++q)
        remap[q] = std::lower_bound(dc.names.begin(), dc.names.end(), sc.names[q]) - dc.names.begin();
      for (int64_t row = r0; row < r1; ++row) {
        const int64_t code = dc.get_i64(row);
        if (code < 0 || code >= static_cast<int64_t>(remap.size()))
          throw StoreError(path + ": /" + t + "/" + dc.name + " code outside its name table");
        const int64_t v = remap[static_cast<size_t>(code)];
        if (dc.dtype == DType::kU16) dc.values<uint16_t>()[row] = static_cast<uint16_t>(v);
        else if (dc.dtype == DType::kU8) dc.values<uint8_t>()[row] = static_cast<uint8_t>(v);
        else throw StoreError("coded column /" + t + "/" + dc.name + " has an unsupported type");
      }
    }
    if (dc.name == "instance" && local && t != kInstances) {
      int64_t* v = dc.values<int64_t>();
      for (int64_t row = r0; row < r1; ++row) {
        if (v[row] < ib || v[row] >= ie) throw StoreError(path + ": /" + t + " row refers outside its chunk");
        v[row] = inst_pos + (v[row] - ib);
      }
    }
  }
  return bytes;
}

// Stable sort of dst's rows [r0, end) by their instance column.
void sort_rows_by_instance(Table& dst, int64_t r0) {
  const int64_t n = dst.rows() - r0;
  const int64_t* inst = dst.col("instance").values<int64_t>() + r0;
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return inst[a] < inst[b]; });
  bool sorted = true;
  for (int64_t k = 0; k < n && sorted; ++k) sorted = order[k] == k;
  if (sorted) return;
  Table tail = dst.empty_like();
  for (int64_t k = 0; k < n; ++k) tail.append_rows(dst, r0 + order[k], r0 + order[k] + 1);
  dst.truncate_rows(r0);
  dst.append_rows(tail, 0, tail.rows());
}

// Companion sets of the base set, indexed by chunk id.
struct Companion {
  std::string set;
  std::map<int64_t, CommittedChunk> by_chunk;
};

// Merges one shard set. `into_existing`: add its tables to `out` (a copy of the store).
// `companions` (base merges only): further explain sets whose model explanations join the
// base set's, per instance after the base set's rows, in companion order.
void merge_set(const MergeComm& comm, const MergeOptions& o, const std::string& set, bool base,
               const std::string& out, MergeResult& res, const std::vector<std::string>& companions = {}) {
  const auto all = list_committed(o.run_dir, set);
  if (all.empty()) throw StoreError("shard set '" + set + "' in " + o.run_dir + " has no committed chunks");
  std::vector<Companion> comps;
  for (const auto& c : companions) {
    Companion cp{c, {}};
    for (auto& cc : list_committed(o.run_dir, c)) cp.by_chunk.emplace(cc.entry.chunk, std::move(cc));
    int64_t matched = 0;
    for (const auto& b : all) {
      auto it = cp.by_chunk.find(b.entry.chunk);
      if (it == cp.by_chunk.end()) continue;
      if (it->second.entry.n_instances != b.entry.n_instances)
        throw StoreError("shard sets '" + set + "' and '" + c + "': chunk " + std::to_string(b.entry.chunk) + " holds " +
                         std::to_string(b.entry.n_instances) + " and " + std::to_string(it->second.entry.n_instances) +
                         " instances; explain sets merged together must read the same corpus with the same chunk_rows");
      ++matched;
    }
    if (comm.rank() == 0 && matched < static_cast<int64_t>(all.size()))
      log::warn("merge: set '", c, "' has ", matched, " of the ", all.size(), " chunks of '", set,
                "' (the rest are not done yet; their explanations from '", c, "' are not in this store)");
    if (comm.rank() == 0 && static_cast<int64_t>(cp.by_chunk.size()) > matched)
      log::warn("merge: set '", c, "' has ", cp.by_chunk.size() - matched, " chunks that '", set,
                "' has not done; they join the store once '", set, "' has them");
    comps.push_back(std::move(cp));
  }
  // Tables of the set, from its first segment (all segments of a set share the schema).
  Plan plan;
  {
    h5::Handle f = h5::open_file(all.front().segment_path, false);
    for (const auto& t : h5::list_tables(f.get())) {
      if (t == "chunks") continue;
      // A set merged into an existing store carries no instances or explanations of its own
      // (checked per chunk below): those tables are not merged from it.
      if (!base && (t == kInstances || t == kExplanations)) continue;
      plan.tables.push_back(t);
      plan.schema[t] = h5::read_schema(f.get(), t);
    }
  }
  const int64_t C = static_cast<int64_t>(all.size());
  const int R = comm.size(), r = comm.rank();
  const int64_t c0 = C * r / R, c1 = C * (r + 1) / R;

  // Plan pass: counters of my chunks and the name tables of my segments.
  SegmentCache cache;
  std::vector<std::string> read_tables = plan.tables;
  if (!base) read_tables.insert(read_tables.begin(), {kInstances, kExplanations});
  std::vector<std::vector<int64_t>> counters;
  std::vector<int64_t> mine;
  nlohmann::json names = nlohmann::json::object();
  for (int64_t i = c0; i < c1; ++i) {
    Segment& s = cache.get(all[i].segment_path, read_tables);
    if (!base) {
      auto [ib, ie] = chunk_rows(s, all[i].entry.index, kInstances);
      auto [eb, ee] = chunk_rows(s, all[i].entry.index, kExplanations);
      if (ie > ib || ee > eb)
        throw StoreError(all[i].segment_path + ": chunk " + std::to_string(all[i].entry.chunk) +
                         " of set '" + set + "' carries instances or explanations; only one set with instances can be "
                         "merged into a store, and sets added later may carry judgments only");
    }
    counters.push_back(counters_of(s, all[i].entry.index, plan));
    for (const auto& cp : comps) {
      auto it = cp.by_chunk.find(all[i].entry.chunk);
      if (it == cp.by_chunk.end()) continue;
      Segment& cs = cache.get(it->second.segment_path, read_tables);
      // Its rows and bytes go to the explanations counters of this chunk.
      size_t q = 0;
      for (const auto& t : plan.tables) {
        if (t == kExplanations)
          add_companion_counts(cs, it->second.entry.index, plan.schema.at(t), counters.back()[q],
                               counters.back().begin() + static_cast<std::ptrdiff_t>(q + 1));
        ++q;
        for (const auto& c : plan.schema.at(t).columns) q += c.is_string();
      }
      for (const auto& c : cs.schema.at(kExplanations).columns)
        if (c.is_coded() && !fixed_names(kExplanations, c.name))
          for (const auto& n : c.names) names[kExplanations][c.name][n] = 1;
    }
    if (mine.empty()) mine.assign(counters.back().size(), 0);
    for (size_t k = 0; k < mine.size(); ++k) mine[k] += counters.back()[k];
    for (const auto& t : plan.tables)
      for (const auto& c : s.schema.at(t).columns)
        if (c.is_coded() && !fixed_names(t, c.name))
          for (const auto& n : c.names) names[t][c.name][n] = 1;
  }
  size_t K = 0;
  for (const auto& t : plan.tables) {
    ++K;
    for (const auto& c : plan.schema.at(t).columns) K += c.is_string();
  }
  if (mine.empty()) mine.assign(K, 0);
  const auto gathered = comm.allgather(mine);
  std::vector<int64_t> base_of(K, 0), total(K, 0);
  for (int q = 0; q < R; ++q)
    for (size_t k = 0; k < K; ++k) {
      if (q < r) base_of[k] += gathered[q * K + k];
      total[k] += gathered[q * K + k];
    }
  // Global name tables: sorted union over every segment of the set (independent of rank count).
  for (const auto& js : comm.allgather(names.dump())) {
    const auto j = nlohmann::json::parse(js);
    for (auto& [t, cols] : j.items())
      for (auto& [c, ns] : cols.items())
        for (auto& [n, v] : ns.items()) names[t][c][n] = 1;
  }
  for (const auto& t : plan.tables)
    for (auto& c : plan.schema[t].columns)
      if (c.is_coded() && !fixed_names(t, c.name)) {
        c.names.clear();
        if (names.contains(t) && names[t].contains(c.name))
          for (auto& [n, v] : names[t][c.name].items()) c.names.push_back(n);  // json objects iterate sorted
      }

  // Open the output together and create the tables at their final size.
  h5::Access a;
  comm.make_access(a);
  h5::Handle f = base ? h5::create_file(out, &a) : h5::open_file(out, true, &a);
  if (base) {
    StoreInfo info = o.info;
    info.created = comm.allgather(iso_now()).front();
    {
      h5::Handle seg = h5::open_file(all.front().segment_path, false);
      const StoreInfo si = h5::read_info(seg.get());
      info.label_set = si.label_set;
      info.labels = si.labels;
    }
    h5::write_info(f.get(), info);
  }
  {
    size_t k = 0;
    for (const auto& t : plan.tables) {
      h5::Extent ext;
      ext.rows = total[k++];
      for (const auto& c : plan.schema.at(t).columns) ext.bytes.push_back(c.is_string() ? static_cast<uint64_t>(total[k++]) : 0);
      if (!base && h5::exists(f.get(), t)) {
        log::info("merge: replacing /", t, " in ", out);
        BECAUSE_H5(H5Ldelete(f.get(), t.c_str(), H5P_DEFAULT));
      }
      h5::create_table(f.get(), plan.schema.at(t), ext, o.write, &a);
    }
  }
  // Rows go out chunk-aligned: a chunk that two rounds share is compressed once, not twice.
  std::map<std::string, h5::ChunkAlignedWriter> writers;
  for (const auto& t : plan.tables) writers.emplace(std::piecewise_construct, std::forward_as_tuple(t),
                                                    std::forward_as_tuple(f.get(), plan.schema.at(t), &a));

  // Rounds of at most batch_rows instances (rows of the first table) per rank.
  std::vector<std::pair<int64_t, int64_t>> rounds;  // my chunk index ranges
  for (int64_t i = c0; i < c1;) {
    int64_t j = i, rows = 0;
    while (j < c1 && (j == i || rows + counters[j - c0][0] <= o.batch_rows)) rows += counters[j++ - c0][0];
    rounds.emplace_back(i, j);
    i = j;
  }
  const auto n_rounds_all = comm.allgather(std::vector<int64_t>{static_cast<int64_t>(rounds.size())});
  const int64_t n_rounds = *std::max_element(n_rounds_all.begin(), n_rounds_all.end());
  std::vector<int64_t> pos = base_of;  // next global position per counter
  int64_t bytes_read = 0;
  for (int64_t k = 0; k < n_rounds; ++k) {
    std::map<std::string, Table> slice;
    for (const auto& t : plan.tables) slice[t] = plan.schema.at(t).empty_like();
    if (k < static_cast<int64_t>(rounds.size())) {
      // Exact sizes of this round (from the plan's counters): the slice never reallocates.
      std::vector<int64_t> need(K, 0);
      for (int64_t i = rounds[k].first; i < rounds[k].second; ++i)
        for (size_t q = 0; q < K; ++q) need[q] += counters[i - c0][q];
      size_t q = 0;
      for (const auto& t : plan.tables) {
        Table& dst = slice[t];
        const int64_t rows = need[q++];
        for (auto& c : dst.columns) {
          c.reserve_rows(rows);
          if (c.is_string()) c.reserve_bytes(static_cast<uint64_t>(need[q++]));
        }
      }
    }
    if (k < static_cast<int64_t>(rounds.size())) {
      // Read each segment's rows of this round with one read per table (the covering row range),
      // then cut the chunks out of memory: per-chunk reads would decompress each HDF5 chunk again.
      std::map<std::string, std::map<std::string, std::pair<int64_t, int64_t>>> cover;
      for (int64_t i = rounds[k].first; i < rounds[k].second; ++i) {
        Segment& s = cache.get(all[i].segment_path, read_tables);
        for (const auto& t : plan.tables) {
          auto [b, e] = chunk_rows(s, all[i].entry.index, t);
          auto it = cover[all[i].segment_path].find(t);
          if (it == cover[all[i].segment_path].end()) cover[all[i].segment_path][t] = {b, e};
          else it->second = {std::min(it->second.first, b), std::max(it->second.second, e)};
        }
      }
      std::map<std::string, std::map<std::string, Table>> loaded;
      for (const auto& [path, tables] : cover) {
        Segment& s = cache.get(path, read_tables);
        for (const auto& [t, range] : tables) loaded[path][t] = h5::read_rows(s.file.get(), t, range.first, range.second);
      }
      int64_t inst_pos = pos[0];  // global store row of the next instance (base merge: instances first)
      for (int64_t i = rounds[k].first; i < rounds[k].second; ++i) {
        Segment& s = cache.get(all[i].segment_path, read_tables);
        const int64_t idx = all[i].entry.index;
        const bool local = s.chunks.col("local_refs").at<uint8_t>(idx) != 0;
        auto [ib, ie] = chunk_rows(s, idx, kInstances);
        for (const auto& t : plan.tables) {
          auto [b, e] = chunk_rows(s, idx, t);
          const Table& src = loaded[all[i].segment_path][t];
          const int64_t base_row = cover[all[i].segment_path][t].first;
          Table& dst = slice[t];
          // Append the chunk's rows straight into the slice, then fix codes and row references
          // of the appended range [r0, r1) in place.
          const int64_t r0 = dst.rows();
          bytes_read += append_fixed(dst, src, b - base_row, e - base_row, t, local, ib, ie, inst_pos,
                                     all[i].segment_path);
          if (t != kExplanations || comps.empty()) continue;
          // Companion sets: their model explanations of the same chunk, then one stable sort of
          // the chunk's rows by instance (human, base model, companion rows per instance).
          bool added = false;
          for (const auto& cp : comps) {
            auto it = cp.by_chunk.find(all[i].entry.chunk);
            if (it == cp.by_chunk.end()) continue;
            Segment& cs = cache.get(it->second.segment_path, read_tables);
            const Table extra = companion_rows(cs, it->second.entry.index);
            auto [cib, cie] = chunk_rows(cs, it->second.entry.index, kInstances);
            const bool clocal = cs.chunks.col("local_refs").at<uint8_t>(it->second.entry.index) != 0;
            bytes_read += append_fixed(dst, extra, 0, extra.rows(), t, clocal, cib, cie, inst_pos,
                                       it->second.segment_path);
            added = added || extra.rows() > 0;
          }
          if (added) sort_rows_by_instance(dst, r0);
        }
        inst_pos += ie - ib;
      }
    }
    size_t q = 0;
    for (const auto& t : plan.tables) {
      const Table& sl = slice[t];
      const int64_t row_base = pos[q];
      std::vector<uint64_t> byte_base;
      size_t qq = q + 1;
      for (const auto& c : sl.columns) byte_base.push_back(c.is_string() ? static_cast<uint64_t>(pos[qq++]) : 0);
      writers.at(t).write(sl, row_base, byte_base);
      pos[q] += sl.rows();
      qq = q + 1;
      for (const auto& c : sl.columns)
        if (c.is_string()) pos[qq++] += static_cast<int64_t>(c.bytes.size());
      q = qq;
    }
  }
  for (const auto& t : plan.tables) writers.at(t).finish();  // collective, in the same order on every rank
  writers.clear();
  cache.clear();
  f.close();
  const auto br = comm.allgather(std::vector<int64_t>{bytes_read});
  for (int64_t v : br) res.bytes_read += v;
  res.n_chunks += C;
  size_t k = 0;
  for (const auto& t : plan.tables) {
    if (t == kInstances) res.n_instances = total[k];
    else if (t == kExplanations) res.n_explanations = total[k];
    else if (t.rfind(kJudgments, 0) == 0) res.n_judgments[t.substr(std::string(kJudgments).size() + 1)] = total[k];
    ++k;
    for (const auto& c : plan.schema.at(t).columns) k += c.is_string();
  }
  log::info0("merge: set '", set, "': ", C, " chunks");
}

// Appends to /provenance the rows of the stage runs that wrote the merged sets (those the store
// does not hold yet: a store copied from an earlier merge has its sets' rows), then the merge's.
void append_stage_provenance(hid_t f, const MergeOptions& o, const std::vector<std::string>& sets) {
  Table p = provenance_table();
  std::set<std::string> have;
  if (h5::exists(f, kProvenance))
    for (const auto& r : to_provenance(h5::read_rows(f, kProvenance, 0, -1))) have.insert(provenance_to_json(r).dump());
  for (const auto& s : sets)
    for (const auto& r : read_set_provenance(o.run_dir, s))
      if (have.insert(provenance_to_json(r).dump()).second) append_provenance_row(p, r);
  if (!o.provenance.command.empty()) append_provenance_row(p, o.provenance);
  if (p.rows() > 0) h5::append_table(f, p, o.write);
}

// A string member of a JSON object, or null.
nlohmann::json string_or_null(const nlohmann::json& o, const char* key) {
  return o.is_object() && o.contains(key) && o[key].is_string() ? o[key] : nlohmann::json(nullptr);
}

// Records in the root attribute explanation_sources what made each explanation source of the
// merged explain sets (their RUN/SET.json), keeping those of a copied store.
void record_explanation_sources(hid_t f, const std::string& run_dir, const std::vector<std::string>& sets) {
  h5::Handle root = h5::open_group(f, "/");
  nlohmann::json sources = nlohmann::json::object();
  if (h5::has_attr(root.get(), kSourcesAttr))
    sources = nlohmann::json::parse(h5::get_attr(root.get(), kSourcesAttr), nullptr, false);
  if (!sources.is_object()) sources = nlohmann::json::object();
  const size_t known = sources.size();
  for (const auto& s : sets) {
    const std::string path = set_record_path(run_dir, s);
    if (!is_explain_set(s) || !fs::exists(path)) continue;
    const auto j = nlohmann::json::parse(files::read_text(path), nullptr, false);
    if (!j.is_object() || !j.contains("source")) {
      log::warn("merge: ", path, " does not describe an explanation set; its source is left undescribed");
      continue;
    }
    const auto tmpl = j.value("template", nlohmann::json::object());
    sources[j["source"].get<std::string>()] = {
        {"set", s},
        {"backend", string_or_null(j, "backend")},
        {"model", string_or_null(j, "model")},
        {"model_hash", string_or_null(j, "model_hash")},
        {"prompt", string_or_null(tmpl, "name")},
        {"prompt_hash", string_or_null(tmpl, "hash")},
        {"mode", string_or_null(j, "mode")},
        {"guide", string_or_null(j, "guide")}};
  }
  if (sources.size() > 0 || known > 0) h5::set_attr(root.get(), kSourcesAttr, sources.dump());
}

}  // namespace

MergeResult merge_shards(const MergeComm& comm, const MergeOptions& o) {
  o.write.validate();
  MergeResult res;
  res.output = o.output.empty() ? o.run_dir + "/store.h5" : o.output;
  std::vector<std::string> sets = o.sets.empty() ? list_shard_sets(o.run_dir) : o.sets;
  if (sets.empty()) throw StoreError("no shard sets under " + o.run_dir + "/shards to merge");
  // The base set carries instances; the others (judgments) are added afterwards.
  std::vector<std::string> base, extra;
  for (const auto& s : sets) {
    const auto chunks = list_committed(o.run_dir, s);
    int64_t n = 0;
    for (const auto& c : chunks) n += c.entry.n_instances;
    (n > 0 ? base : extra).push_back(s);
  }
  // Several sets with instances: explain sets over the same corpus ("explain", "explain-NAME"
  // from --explain.name). The first is the base; the others add their model explanations.
  std::vector<std::string> companions;
  if (base.size() > 1) {
    for (const auto& b : base)
      if (!is_explain_set(b))
        throw StoreError("shard sets " + base[0] + " and " + base[1] + " both carry instances, and only explain sets "
                         "(explain, explain-NAME) merge together; merge one of them (--sets), then add the other "
                         "stage's results by running it on the merged store");
    companions.assign(base.begin() + 1, base.end());
    base.resize(1);
  }
  const std::string tmp = res.output + ".tmp";
  if (!base.empty()) {
    if (comm.rank() == 0 && fs::exists(tmp)) fs::remove(tmp);
    comm.barrier();
    merge_set(comm, o, base[0], true, tmp, res, companions);
  } else {
    if (!fs::exists(res.output))
      throw StoreError(res.output + " does not exist; merge the shard set with instances first");
    if (comm.rank() == 0) fs::copy_file(res.output, tmp, fs::copy_options::overwrite_existing);
    comm.barrier();
  }
  for (const auto& s : extra) merge_set(comm, o, s, false, tmp, res);
  comm.barrier();
  if (comm.rank() == 0) {
    h5::Handle f = h5::open_file(tmp, true);
    std::vector<std::string> merged = base;
    merged.insert(merged.end(), companions.begin(), companions.end());
    merged.insert(merged.end(), extra.begin(), extra.end());
    append_stage_provenance(f.get(), o, merged);
    record_explanation_sources(f.get(), o.run_dir, merged);
    f.close();
    fs::rename(tmp, res.output);
    res.file_bytes = static_cast<int64_t>(fs::file_size(res.output));
  }
  comm.barrier();
  return res;
}

}  // namespace because::store
