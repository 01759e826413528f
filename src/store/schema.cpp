// Schema because/1: record <-> table conversions and write options.
#include "store/schema.h"

#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>

#include <nlohmann/json.hpp>

#include "config/store.h"
#include "store/filters.h"
#include "util/error.h"

namespace because::store {

const char* finish_name(Finish f) {
  switch (f) {
    case Finish::kStop: return "stop";
    case Finish::kLength: return "length";
    case Finish::kError: return "error";
  }
  return "?";
}

Finish parse_finish(const std::string& s) {
  if (s == "stop") return Finish::kStop;
  if (s == "length") return Finish::kLength;
  if (s == "error") return Finish::kError;
  throw InputError("unknown finish reason '" + s + "' (stop, length, error)");
}

std::string iso_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

WriteOptions WriteOptions::from(const config::StoreConfig& c) {
  WriteOptions w;
  w.compression = c.compression;
  w.level = c.compression_level;
  w.chunk_rows = c.chunk_rows;
  w.chunk_bytes = c.chunk_bytes;
  return w;
}

WriteOptions WriteOptions::for_shards(const config::StoreConfig& c) {
  WriteOptions w = from(c);
  if (!c.shard_compression.empty()) w.compression = c.shard_compression;
  w.level = c.shard_compression_level;
  w.option = "store.shard_compression";
  return w;
}

bool zstd_available() {
  // The zstd filter is built in (store/filters.cpp): registered here before anyone asks HDF5.
  h5::register_filters();
  return H5Zfilter_avail(32015) > 0;
}

void WriteOptions::validate() const {
  if (compression != "deflate" && compression != "zstd" && compression != "none")
    throw ConfigError(option + ": unknown value '" + compression + "' (deflate, zstd, none)");
  if (compression == "zstd" && !zstd_available())
    throw ConfigError(option + "=zstd: HDF5 does not have the built-in zstd filter (id 32015); use deflate");
  if (compression == "zstd" && (level < 1 || level > 22))
    throw ConfigError(option + "_level: zstd levels are 1..22, not " + std::to_string(level));
  if (compression == "deflate" && (level < 0 || level > 9))
    throw ConfigError(option + "_level: deflate levels are 0..9, not " + std::to_string(level));
  if (chunk_rows < 1) throw ConfigError("store.chunk_rows must be >= 1");
  if (chunk_bytes < 1) throw ConfigError("store.chunk_bytes must be >= 1");
}

namespace {
const std::vector<std::string>& finish_names() {
  static const std::vector<std::string> n{"stop", "length", "error"};
  return n;
}
int64_t end_of(const Table& t, int64_t end) { return end < 0 ? t.rows() : std::min(end, t.rows()); }
}  // namespace

Table instances_table(int n_labels) {
  Table t;
  t.name = kInstances;
  t.columns = {Column("row", DType::kI64),        Column("uid", DType::kString),
               Column("dataset", DType::kU16),    Column("split", DType::kU16),
               Column("text_a", DType::kString),  Column("text_b", DType::kString),
               Column("gold", DType::kI8),        Column("label_counts", DType::kU16, {n_labels}),
               Column("source_file", DType::kU16), Column("source_line", DType::kI64)};
  return t;
}

void append_instances(Table& t, const std::vector<corpus::Instance>& rows) {
  // Columns looked up once, not by name per row.
  auto& row = t.col("row");
  auto& uid = t.col("uid");
  auto& ds = t.col("dataset");
  auto& sp = t.col("split");
  auto& text_a = t.col("text_a");
  auto& text_b = t.col("text_b");
  auto& gold = t.col("gold");
  auto& lc = t.col("label_counts");
  auto& sf = t.col("source_file");
  auto& line = t.col("source_line");
  const int64_t L = lc.row_elems();
  // Checked first, so that a bad row leaves the table as it was.
  for (const auto& in : rows) {
    if (in.gold < -1 || in.gold >= L)
      throw StoreError("instance '" + in.uid + "': gold label " + std::to_string(in.gold) + " outside the " +
                       std::to_string(L) + " labels");
    if (!in.label_counts.empty() && static_cast<int64_t>(in.label_counts.size()) != L)
      throw StoreError("instance '" + in.uid + "': " + std::to_string(in.label_counts.size()) +
                       " label counts for " + std::to_string(L) + " labels");
  }
  // Numeric columns grow once for all rows (zeroed: label counts left empty stay 0).
  const int64_t n = static_cast<int64_t>(rows.size());
  int64_t* row_v = row.extend<int64_t>(n);
  uint16_t* ds_v = ds.extend<uint16_t>(n);
  uint16_t* sp_v = sp.extend<uint16_t>(n);
  int8_t* gold_v = gold.extend<int8_t>(n);
  uint16_t* lc_v = lc.extend<uint16_t>(n);
  uint16_t* sf_v = sf.extend<uint16_t>(n);
  int64_t* line_v = line.extend<int64_t>(n);
  for (size_t i = 0; i < rows.size(); ++i) {
    const corpus::Instance& in = rows[i];
    row_v[i] = in.row;
    uid.push_string(in.uid);
    ds_v[i] = static_cast<uint16_t>(ds.code_of(in.dataset));
    sp_v[i] = static_cast<uint16_t>(sp.code_of(in.split));
    text_a.push_string(in.text_a);
    text_b.push_string(in.text_b);
    gold_v[i] = static_cast<int8_t>(in.gold);
    std::copy(in.label_counts.begin(), in.label_counts.end(), lc_v + i * static_cast<size_t>(L));
    sf_v[i] = static_cast<uint16_t>(sf.code_of(in.source_file));
    line_v[i] = in.source_line;
  }
}

static std::string name_at(const Column& c, int64_t row) {
  const int64_t code = c.get_i64(row);
  if (code < 0 || code >= static_cast<int64_t>(c.names.size()))
    throw StoreError("column '" + c.name + "': code " + std::to_string(code) + " outside its name table");
  return c.names[static_cast<size_t>(code)];
}

std::vector<corpus::Instance> to_instances(const Table& t, int64_t begin, int64_t end) {
  end = end_of(t, end);
  std::vector<corpus::Instance> out;
  out.reserve(static_cast<size_t>(std::max<int64_t>(0, end - begin)));
  // Columns looked up once, not per row.
  const auto& lc = t.col("label_counts");
  const int64_t L = lc.row_elems();
  const auto& row = t.col("row");
  const auto& uid = t.col("uid");
  const auto& dataset = t.col("dataset");
  const auto& split = t.col("split");
  const auto& text_a = t.col("text_a");
  const auto& text_b = t.col("text_b");
  const auto& gold = t.col("gold");
  const auto& source_file = t.col("source_file");
  const auto& source_line = t.col("source_line");
  for (int64_t i = begin; i < end; ++i) {
    corpus::Instance in;
    in.row = row.at<int64_t>(i);
    in.uid = std::string(uid.str(i));
    in.dataset = name_at(dataset, i);
    in.split = name_at(split, i);
    in.text_a = std::string(text_a.str(i));
    in.text_b = std::string(text_b.str(i));
    in.gold = gold.at<int8_t>(i);
    bool any = false;
    for (int64_t k = 0; k < L; ++k) any |= lc.at<uint16_t>(i, k) != 0;
    if (any)
      for (int64_t k = 0; k < L; ++k) in.label_counts.push_back(lc.at<uint16_t>(i, k));
    in.source_file = name_at(source_file, i);
    in.source_line = source_line.at<int64_t>(i);
    out.push_back(std::move(in));
  }
  return out;
}

Table explanations_table() {
  Table t;
  t.name = kExplanations;
  t.columns = {Column("instance", DType::kI64), Column("label", DType::kI8),      Column("sample", DType::kU16),
               Column("source", DType::kU16),   Column("text", DType::kString),   Column("n_tokens", DType::kU32),
               Column("logprob", DType::kF32),  Column("finish", DType::kU8),     Column("error", DType::kString)};
  t.col("finish").names = finish_names();
  return t;
}

namespace {

// `get(row)` gives a row's explanation and the instance to store for it.
template <class Rows, class Get>
void append_explanation_rows(Table& t, const Rows& rows, Get get) {
  auto& instance = t.col("instance");
  auto& label = t.col("label");
  auto& sample = t.col("sample");
  auto& src = t.col("source");
  auto& text = t.col("text");
  auto& n_tokens = t.col("n_tokens");
  auto& logprob = t.col("logprob");
  auto& finish = t.col("finish");
  auto& error = t.col("error");
  // Checked first, so that a bad row leaves the table as it was.
  for (const auto& row : rows) {
    const Explanation& e = *get(row).second;
    if (e.label < -1 || e.label > 127) throw StoreError("explanation label " + std::to_string(e.label) + " out of range");
    if (e.sample < 0 || e.sample > 65535) throw StoreError("explanation sample " + std::to_string(e.sample) + " out of range");
  }
  // Numeric columns grow once for all rows.
  const int64_t n = static_cast<int64_t>(rows.size());
  int64_t* instance_v = instance.extend<int64_t>(n);
  int8_t* label_v = label.extend<int8_t>(n);
  uint16_t* sample_v = sample.extend<uint16_t>(n);
  uint16_t* src_v = src.extend<uint16_t>(n);
  uint32_t* n_tokens_v = n_tokens.extend<uint32_t>(n);
  float* logprob_v = logprob.extend<float>(n);
  uint8_t* finish_v = finish.extend<uint8_t>(n);
  // Sources repeat ("human", one model): the last one's code is reused without a lookup.
  const std::string* last_source = nullptr;
  uint16_t last_code = 0;
  size_t i = 0;
  for (const auto& row : rows) {
    const auto [stored_instance, ep] = get(row);
    const Explanation& e = *ep;
    instance_v[i] = stored_instance;
    label_v[i] = static_cast<int8_t>(e.label);
    sample_v[i] = static_cast<uint16_t>(e.sample);
    if (!last_source || e.source != *last_source) {
      last_code = static_cast<uint16_t>(src.code_of(e.source));
      last_source = &e.source;
    }
    src_v[i] = last_code;
    text.push_string(e.text);
    n_tokens_v[i] = e.n_tokens;
    logprob_v[i] = e.logprob;
    finish_v[i] = static_cast<uint8_t>(e.finish);
    error.push_string(e.error);
    ++i;
  }
}

}  // namespace

void append_explanations(Table& t, const std::vector<Explanation>& rows) {
  append_explanation_rows(t, rows, [](const Explanation& e) { return std::make_pair(e.instance, &e); });
}

void append_explanations(Table& t, const std::vector<std::pair<int64_t, const Explanation*>>& rows) {
  append_explanation_rows(t, rows, [](const std::pair<int64_t, const Explanation*>& r) { return r; });
}

std::vector<Explanation> to_explanations(const Table& t, int64_t begin, int64_t end) {
  end = end_of(t, end);
  std::vector<Explanation> out;
  out.reserve(static_cast<size_t>(std::max<int64_t>(0, end - begin)));
  // Columns looked up once, not per row.
  const auto& instance = t.col("instance");
  const auto& label = t.col("label");
  const auto& sample = t.col("sample");
  const auto& source = t.col("source");
  const auto& text = t.col("text");
  const auto& n_tokens = t.col("n_tokens");
  const auto& logprob = t.col("logprob");
  const auto& finish = t.col("finish");
  const auto& error = t.col("error");
  for (int64_t i = begin; i < end; ++i) {
    Explanation e;
    e.instance = instance.at<int64_t>(i);
    e.label = label.at<int8_t>(i);
    e.sample = sample.at<uint16_t>(i);
    e.source = name_at(source, i);
    e.text = std::string(text.str(i));
    e.n_tokens = n_tokens.at<uint32_t>(i);
    e.logprob = logprob.at<float>(i);
    const auto f = finish.at<uint8_t>(i);
    if (f > 2) throw StoreError("explanation row " + std::to_string(i) + ": finish code " + std::to_string(f));
    e.finish = static_cast<Finish>(f);
    e.error = std::string(error.str(i));
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<Explanation> human_explanations(const std::vector<corpus::Instance>& rows) {
  std::vector<Explanation> out;
  size_t n = 0;
  for (const auto& in : rows) n += in.human_explanations.size();
  out.reserve(n);
  for (const auto& in : rows) {
    int sample = 0;
    for (const auto& h : in.human_explanations) {
      Explanation e;
      e.instance = in.row;
      e.label = h.label;
      e.sample = sample++;
      e.source = kHumanSource;
      e.text = h.text;
      out.push_back(std::move(e));
    }
  }
  return out;
}

Table judgments_table(const std::string& name, int n_labels, int n_perms, const std::string& method_json) {
  Table t;
  t.name = std::string(kJudgments) + "/" + name;
  t.columns = {Column("instance", DType::kI64), Column("probs", DType::kF32, {n_labels}),
               Column("scores", DType::kF32, {n_perms, n_labels})};
  t.attrs["method"] = method_json;
  return t;
}

void append_judgments(Table& t, const std::vector<Judgment>& rows) {
  const int64_t L = t.col("probs").row_elems();
  const int64_t PL = t.col("scores").row_elems();
  for (const auto& j : rows) {
    if (static_cast<int64_t>(j.probs.size()) != L || static_cast<int64_t>(j.scores.size()) != PL)
      throw StoreError("judgment of instance " + std::to_string(j.instance) + ": " + std::to_string(j.probs.size()) +
                       " probs and " + std::to_string(j.scores.size()) + " scores, expected " + std::to_string(L) +
                       " and " + std::to_string(PL));
    t.col("instance").push<int64_t>(j.instance);
    t.col("probs").push<float>(j.probs.data());
    t.col("scores").push<float>(j.scores.data());
  }
}

static std::vector<float> floats_of(const Column& c) {
  const float* p = c.values<float>();
  return std::vector<float>(p, p + c.rows() * c.row_elems());
}
static std::vector<int64_t> ints_of(const Column& c) {
  const int64_t* p = c.values<int64_t>();
  return std::vector<int64_t>(p, p + c.rows());
}

JudgmentSet to_judgment_set(const Table& t) {
  JudgmentSet j;
  j.name = t.name.substr(t.name.find('/') + 1);
  auto it = t.attrs.find("method");
  if (it != t.attrs.end()) j.method = it->second;
  const auto& sc = t.col("scores");
  j.n_labels = static_cast<int>(t.col("probs").row_elems());
  j.n_perms = sc.inner.empty() ? 1 : static_cast<int>(sc.inner[0]);
  j.instance = ints_of(t.col("instance"));
  j.probs = floats_of(t.col("probs"));
  j.scores = floats_of(sc);
  return j;
}

Table predictions_table(const PredictionSet& p) {
  Table t;
  t.name = std::string(kPredictions) + "/" + p.name;
  t.columns = {Column("instance", DType::kI64), Column("probs", DType::kF32, {p.n_labels})};
  t.attrs["attrs"] = p.attrs;
  const size_t n = p.instance.size();
  if (p.probs.size() != n * static_cast<size_t>(p.n_labels))
    throw StoreError("predictions '" + p.name + "': " + std::to_string(p.probs.size()) + " probabilities for " +
                     std::to_string(n) + " rows of " + std::to_string(p.n_labels) + " labels");
  for (size_t i = 0; i < n; ++i) {
    t.col("instance").push<int64_t>(p.instance[i]);
    t.col("probs").push<float>(p.probs.data() + i * p.n_labels);
  }
  return t;
}

PredictionSet to_prediction_set(const Table& t) {
  PredictionSet p;
  p.name = t.name.substr(t.name.find('/') + 1);
  auto it = t.attrs.find("attrs");
  if (it != t.attrs.end()) p.attrs = it->second;
  p.n_labels = static_cast<int>(t.col("probs").row_elems());
  p.instance = ints_of(t.col("instance"));
  p.probs = floats_of(t.col("probs"));
  return p;
}

Table provenance_table() {
  Table t;
  t.name = kProvenance;
  for (const char* n : {"command", "command_line", "config", "config_hash", "start", "end", "hosts", "versions"})
    t.columns.emplace_back(n, DType::kString);
  t.columns.emplace_back("ranks", DType::kI32);
  return t;
}

void append_provenance_row(Table& t, const ProvenanceRow& r) {
  t.col("command").push_string(r.command);
  t.col("command_line").push_string(r.command_line);
  t.col("config").push_string(r.config_json);
  t.col("config_hash").push_string(r.config_hash);
  t.col("start").push_string(r.start);
  t.col("end").push_string(r.end.empty() ? iso_now() : r.end);  // empty: the row is written as the run ends
  t.col("hosts").push_string(r.hosts);
  t.col("versions").push_string(r.versions);
  t.col("ranks").push<int32_t>(r.ranks);
}

std::vector<ProvenanceRow> to_provenance(const Table& t) {
  std::vector<ProvenanceRow> out;
  for (int64_t i = 0; i < t.rows(); ++i) {
    ProvenanceRow r;
    r.command = t.col("command").str(i);
    r.command_line = t.col("command_line").str(i);
    r.config_json = t.col("config").str(i);
    r.config_hash = t.col("config_hash").str(i);
    r.start = t.col("start").str(i);
    r.end = t.col("end").str(i);
    r.hosts = t.col("hosts").str(i);
    r.versions = t.col("versions").str(i);
    r.ranks = t.col("ranks").at<int32_t>(i);
    out.push_back(std::move(r));
  }
  return out;
}

nlohmann::json provenance_to_json(const ProvenanceRow& r) {
  return {{"command", r.command}, {"command_line", r.command_line}, {"config", r.config_json},
          {"config_hash", r.config_hash}, {"start", r.start}, {"end", r.end},
          {"ranks", r.ranks}, {"hosts", r.hosts}, {"versions", r.versions}};
}

ProvenanceRow provenance_from_json(const nlohmann::json& j) {
  ProvenanceRow r;
  r.command = j.at("command").get<std::string>();
  r.command_line = j.at("command_line").get<std::string>();
  r.config_json = j.at("config").get<std::string>();
  r.config_hash = j.at("config_hash").get<std::string>();
  r.start = j.at("start").get<std::string>();
  r.end = j.at("end").get<std::string>();
  r.ranks = j.at("ranks").get<int32_t>();
  r.hosts = j.at("hosts").get<std::string>();
  r.versions = j.at("versions").get<std::string>();
  return r;
}

}  // namespace because::store
