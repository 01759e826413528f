// Shard writers, ledgers and shard sets (see shard.h and docs/store.md "Shards and ledgers").
#include "store/shard.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <sstream>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "store/h5.h"
#include "util/error.h"
#include "util/files.h"
#include "util/hash.h"
#include "util/log.h"

namespace because::store {

namespace fs = std::filesystem;

namespace {

constexpr const char* kLedger = "ledger";

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string ledger_line(const LedgerEntry& e) {
  std::ostringstream os;
  os << "chunk=" << e.chunk << " seg=" << e.segment << " idx=" << e.index << " ni=" << e.n_instances
     << " ne=" << e.n_explanations << " nj=" << e.n_judgments << " cfg=" << (e.config_hash.empty() ? "-" : e.config_hash);
  const std::string body = os.str();
  return body + " x=" + hash::hex64(hash::xxh64(body)) + "\n";
}

bool parse_line(const std::string& line, LedgerEntry& e) {
  const size_t x = line.rfind(" x=");
  if (x == std::string::npos) return false;
  const std::string body = line.substr(0, x);
  if (line.substr(x + 3) != hash::hex64(hash::xxh64(body))) return false;
  std::istringstream is(body);
  std::string kv;
  std::map<std::string, std::string> m;
  while (is >> kv) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos) return false;
    m[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  try {
    e.chunk = std::stoll(m.at("chunk"));
    e.segment = m.at("seg");
    e.index = std::stoll(m.at("idx"));
    e.n_instances = std::stoll(m.at("ni"));
    e.n_explanations = std::stoll(m.at("ne"));
    e.n_judgments = std::stoll(m.at("nj"));
    e.config_hash = m.at("cfg") == "-" ? "" : m.at("cfg");
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

void fsync_path(const std::string& path, bool dir) {
  const int fd = ::open(path.c_str(), (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) throw_errno("cannot open " + path + " to fsync");
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw_errno("cannot fsync " + path);
}

void append_durably(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw_errno("cannot open ledger " + path);
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      throw_errno("cannot append to ledger " + path);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    throw_errno("cannot fsync ledger " + path);
  }
  ::close(fd);
}

int64_t segment_number(const std::string& name) {
  // seg-000012.h5
  if (name.rfind("seg-", 0) != 0) return -1;
  try {
    return std::stoll(name.substr(4));
  } catch (const std::exception&) {
    return -1;
  }
}

}  // namespace

std::vector<LedgerEntry> read_ledger(const std::string& path, int64_t* valid_bytes) {
  std::vector<LedgerEntry> out;
  if (valid_bytes) *valid_bytes = 0;
  if (!fs::exists(path)) return out;
  const std::string text = files::read_text(path);
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) break;  // torn last line
    LedgerEntry e;
    if (!parse_line(text.substr(pos, nl - pos), e)) {
      log::warn(path, ": ignoring a corrupt ledger line at byte ", pos, " and everything after it");
      break;
    }
    out.push_back(std::move(e));
    pos = nl + 1;
    if (valid_bytes) *valid_bytes = static_cast<int64_t>(pos);
  }
  return out;
}

std::string shard_set_dir(const std::string& run_dir, const std::string& set) { return run_dir + "/shards/" + set; }
std::string set_record_path(const std::string& run_dir, const std::string& set) { return run_dir + "/" + set + ".json"; }

namespace {
constexpr const char* kSetProvenance = "provenance.jsonl";
}  // namespace

void append_set_provenance(const std::string& run_dir, const std::string& set, const ProvenanceRow& row) {
  const std::string dir = shard_set_dir(run_dir, set);
  files::make_dirs(dir);
  ProvenanceRow r = row;
  if (r.end.empty()) r.end = iso_now();  // as append_provenance_row: the run ends as its row is written
  append_durably(dir + "/" + kSetProvenance, provenance_to_json(r).dump() + "\n");
}

std::vector<ProvenanceRow> read_set_provenance(const std::string& run_dir, const std::string& set) {
  std::vector<ProvenanceRow> out;
  const std::string path = shard_set_dir(run_dir, set) + "/" + kSetProvenance;
  if (!fs::exists(path)) return out;
  std::string text = files::read_text(path);
  if (!text.empty() && text.back() != '\n') {  // a run that died while appending: its row is not there
    log::warn(path, ": ignoring a torn last line (", text.size() - text.rfind('\n') - 1, " bytes)");
    text.erase(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
  }
  std::istringstream in(text);
  std::string line;
  for (int64_t n = 1; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    try {
      out.push_back(provenance_from_json(nlohmann::json::parse(line)));
    } catch (const std::exception& e) {
      throw StoreError(path + ":" + std::to_string(n) + ": not a provenance row: " + e.what());
    }
  }
  return out;
}

std::vector<std::string> list_shard_sets(const std::string& run_dir) {
  std::vector<std::string> out;
  const fs::path p = fs::path(run_dir) / "shards";
  if (!fs::exists(p)) return out;
  for (const auto& e : fs::directory_iterator(p))
    if (e.is_directory()) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<CommittedChunk> list_committed(const std::string& run_dir, const std::string& set) {
  std::vector<CommittedChunk> all;
  const fs::path dir = shard_set_dir(run_dir, set);
  if (!fs::exists(dir)) return all;
  std::vector<std::pair<int, fs::path>> ranks;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string n = e.path().filename().string();
    if (!e.is_directory() || n.rfind("rank-", 0) != 0) continue;
    try {
      ranks.emplace_back(std::stoi(n.substr(5)), e.path());
    } catch (const std::exception&) {
    }
  }
  std::sort(ranks.begin(), ranks.end());
  for (const auto& [r, p] : ranks)
    for (auto& e : read_ledger((p / kLedger).string())) {
      CommittedChunk c;
      c.segment_path = (p / e.segment).string();
      c.entry = std::move(e);
      c.rank = r;
      all.push_back(std::move(c));
    }
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.entry.chunk < b.entry.chunk; });
  std::vector<CommittedChunk> out;
  for (auto& c : all) {
    if (!out.empty() && out.back().entry.chunk == c.entry.chunk) {
      log::warn("shard set ", set, ": chunk ", c.entry.chunk, " is committed by rank directories ", out.back().rank,
                " and ", c.rank, "; using the first");
      continue;
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::set<int64_t> completed_chunks(const std::string& run_dir, const std::string& set) {
  std::set<int64_t> out;
  for (const auto& c : list_committed(run_dir, set)) out.insert(c.entry.chunk);
  return out;
}

std::set<int64_t> prepare_shard_set(const std::string& run_dir, const std::string& set, const std::string& config_hash,
                                    bool restart) {
  std::string other;
  for (const auto& c : list_committed(run_dir, set))
    if (c.entry.config_hash != config_hash) other = c.entry.config_hash;
  if (!other.empty()) {
    if (!restart)
      throw ConfigError("shard set '" + set + "' in " + run_dir + " was written with config hash " + other +
                        ", this run has " + config_hash +
                        ": the configuration changed. Pass --restart to discard that work, or use another --run");
    log::warn("restart: discarding shard set ", shard_set_dir(run_dir, set), " (config hash ", other, ")");
    try {
      files::remove_tree(shard_set_dir(run_dir, set));
    } catch (const Error& e) {
      throw StoreError(e.what());
    }
  }
  return completed_chunks(run_dir, set);
}

// ---- ShardWriter --------------------------------------------------------------------------------

ShardWriter::ShardWriter(ShardOptions o) : o_(std::move(o)) {
  o_.write.validate();
  if (o_.labels.empty()) throw StoreError("shard writer for set '" + o_.set + "': no labels given");
  dir_ = shard_set_dir(o_.run_dir, o_.set) + "/rank-" + std::to_string(o_.rank);
  files::make_dirs(dir_);
  const std::string ledger = dir_ + "/" + kLedger;
  int64_t valid = 0;
  const auto entries = read_ledger(ledger, &valid);
  if (fs::exists(ledger) && static_cast<int64_t>(fs::file_size(ledger)) > valid) {
    log::warn(ledger, ": truncating a torn last record (", fs::file_size(ledger) - valid, " bytes)");
    if (::truncate(ledger.c_str(), valid) != 0) throw_errno("cannot truncate " + ledger);
  }
  std::set<std::string> referenced;
  for (const auto& e : entries) {
    if (e.config_hash != o_.config_hash)
      throw StoreError(ledger + ": written with config hash " + e.config_hash + ", this run has " + o_.config_hash +
                       " (call prepare_shard_set first; --restart discards the old work)");
    committed_.insert(e.chunk);
    referenced.insert(e.segment);
    next_segment_ = std::max(next_segment_, segment_number(e.segment) + 1);
  }
  // Segments written but never recorded (a crash between rename and ledger) and temporaries.
  for (const auto& f : fs::directory_iterator(dir_)) {
    const std::string n = f.path().filename().string();
    if (n == kLedger || referenced.count(n)) continue;
    if (n.rfind("seg-", 0) == 0) {
      log::debug("removing unrecorded segment ", f.path().string());
      fs::remove(f.path());
    }
  }
}

ShardWriter::~ShardWriter() {
  try {
    commit();
  } catch (const std::exception& e) {
    log::error("shard writer ", dir_, ": could not commit ", pending_.size(), " chunks: ", e.what());
    try {
      wait_published();  // commit() threw before waiting for the background commit
    } catch (const std::exception& e2) {
      log::error("shard writer ", dir_, ": ", e2.what());
    }
  }
}

void ShardWriter::append(ShardChunk chunk) {
  if (publish_failed_.load()) wait_published();  // rethrows what the background commit threw
  if (committed_.count(chunk.id)) throw StoreError("chunk " + std::to_string(chunk.id) + " is already committed in " + dir_);
  for (const auto& p : pending_)
    if (p.id == chunk.id) throw StoreError("chunk " + std::to_string(chunk.id) + " appended twice");
  for (const int64_t id : publishing_)
    if (id == chunk.id) throw StoreError("chunk " + std::to_string(chunk.id) + " is already committed in " + dir_);
  if (!chunk.judgments.empty() && o_.judgments_name.empty())
    throw StoreError("chunk " + std::to_string(chunk.id) + " carries judgments but the writer has no judgments_name");
  if (pending_.empty()) pending_since_ = now_s();
  pending_rows_ += static_cast<int64_t>(chunk.instances.size() + chunk.explanations.size() + chunk.judgments.size());
  pending_.push_back(std::move(chunk));
  if (pending_rows_ >= o_.commit_rows || now_s() - pending_since_ >= o_.commit_seconds) start_commit();
}

void ShardWriter::commit() {
  if (!pending_.empty()) start_commit();
  wait_published();
}

void ShardWriter::start_commit() {
  // This segment is written while the last one may still be on its way to the disk.
  publish_async(write_segment());
}

namespace {

// The durable half of a commit: the segment's bytes, its name, then its ledger lines.
void publish(const std::string& tmp, const std::string& final_path, const std::string& dir, const std::string& lines) {
  fsync_path(tmp, false);
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) throw_errno("cannot rename " + tmp);
  fsync_path(dir, true);
  append_durably(dir + "/" + kLedger, lines);
}

}  // namespace

void ShardWriter::publish_async(WrittenSegment seg) {
  wait_published();  // ledger lines in segment order; one segment in flight
  publishing_ = std::move(seg.ids);
  publisher_ = std::thread([this, seg = std::move(seg)]() mutable {
    try {
      publish(seg.tmp, seg.final_path, dir_, seg.lines);
    } catch (...) {
      publish_error_ = std::current_exception();
      publish_failed_.store(true);
    }
    // The written rows are freed here too, off the writer's thread: millions of strings, about
    // a sixth of the samples of a 1M-instance shard write when append() freed them.
    seg = WrittenSegment{};
  });
}

void ShardWriter::wait_published() {
  if (publisher_.joinable()) publisher_.join();
  if (publish_error_) {
    std::exception_ptr e = publish_error_;
    publish_error_ = nullptr;
    publish_failed_.store(false);
    // The chunks are not durable: they count as neither pending nor committed (a resume redoes
    // them; the segment file, if renamed, has no ledger line and is removed then).
    publishing_.clear();
    std::rethrow_exception(e);
  }
  for (const int64_t id : publishing_) committed_.insert(id);
  if (!publishing_.empty()) log::debug("shard ", dir_, ": ", publishing_.size(), " chunks durable");
  publishing_.clear();
}

ShardWriter::WrittenSegment ShardWriter::write_segment() {
  const int L = static_cast<int>(o_.labels.size());
  Table inst = instances_table(L);
  Table expl = explanations_table();
  Table judg = judgments_table(o_.judgments_name.empty() ? "-" : o_.judgments_name, L, o_.n_perms, o_.judgments_method);
  Table chunks;
  chunks.name = "chunks";
  for (const char* n : {"id", "instances_begin", "instances_end", "explanations_begin", "explanations_end",
                        "judgments_begin", "judgments_end"})
    chunks.columns.emplace_back(n, DType::kI64);
  chunks.columns.emplace_back("local_refs", DType::kU8);

  // Room for every pending row and byte at once: the columns never grow by reallocation.
  {
    int64_t n_inst = 0, n_expl = 0;
    uint64_t uid = 0, text_a = 0, text_b = 0, text = 0, error = 0;
    for (const auto& c : pending_) {
      n_inst += static_cast<int64_t>(c.instances.size());
      n_expl += static_cast<int64_t>(c.explanations.size());
      for (const auto& in : c.instances) {
        uid += in.uid.size();
        text_a += in.text_a.size();
        text_b += in.text_b.size();
        n_expl += static_cast<int64_t>(in.human_explanations.size());
        for (const auto& h : in.human_explanations) text += h.text.size();
      }
      for (const auto& e : c.explanations) {
        text += e.text.size();
        error += e.error.size();
      }
    }
    for (auto& col : inst.columns) col.reserve_rows(n_inst);
    for (auto& col : expl.columns) col.reserve_rows(n_expl);
    inst.col("uid").reserve_bytes(uid);
    inst.col("text_a").reserve_bytes(text_a);
    inst.col("text_b").reserve_bytes(text_b);
    expl.col("text").reserve_bytes(text);
    expl.col("error").reserve_bytes(error);
  }
  std::vector<LedgerEntry> entries;
  for (size_t ci = 0; ci < pending_.size(); ++ci) {
    ShardChunk& c = pending_[ci];
    const int64_t ib = inst.rows(), eb = expl.rows(), jb = judg.rows();
    append_instances(inst, c.instances);
    const bool local = !c.instances.empty();
    // Rows of a chunk are consecutive as the readers give them (unless a quarantined row left a
    // gap): a reference is then an offset, checked against the range; otherwise a lookup table.
    const int64_t first = local ? c.instances.front().row : 0;
    bool consecutive = true;
    for (size_t i = 0; i < c.instances.size() && consecutive; ++i)
      consecutive = c.instances[i].row == first + static_cast<int64_t>(i);
    std::unordered_map<int64_t, int64_t> local_of;
    if (!consecutive)
      for (size_t i = 0; i < c.instances.size(); ++i)
        local_of[c.instances[i].row] = ib + static_cast<int64_t>(i);
    const int64_t n_local = static_cast<int64_t>(c.instances.size());
    auto ref = [&](int64_t row, const char* what) {
      if (!local) return row;
      if (consecutive && row >= first && row - first < n_local) return ib + (row - first);
      auto it = local_of.find(row);  // empty when the rows are consecutive: out of range
      if (it == local_of.end())
        throw StoreError("chunk " + std::to_string(c.id) + ": " + what + " refers to row " + std::to_string(row) +
                         ", which is not an instance of the chunk");
      return it->second;
    };
    // Human explanations first, then the model's, ordered by the instance they refer to (stable:
    // per instance, human before model, each in its given order). Sorted as (instance, pointer)
    // pairs: the rows never move, and the pending chunk is left as it was (a commit that fails
    // can be retried).
    const std::vector<Explanation> human = human_explanations(c.instances);
    std::vector<std::pair<int64_t, const Explanation*>> ex;
    ex.reserve(human.size() + c.explanations.size());
    auto add = [&](const std::vector<Explanation>& part) {
      for (const auto& e : part) {
        if (e.label < -1 || e.label >= L)
          throw StoreError("chunk " + std::to_string(c.id) + ": explanation label " +
                           std::to_string(e.label) + " outside the " + std::to_string(L) + " labels");
        ex.emplace_back(ref(e.instance, "an explanation"), &e);
      }
    };
    add(human);
    add(c.explanations);
    const auto by_instance = [](const auto& a, const auto& b) { return a.first < b.first; };
    if (!std::is_sorted(ex.begin(), ex.end(), by_instance))
      std::stable_sort(ex.begin(), ex.end(), by_instance);
    append_explanations(expl, ex);
    // Judgments: references of a chunk with instances are mapped in a copy (see above); those of a
    // chunk without (a judge set, global rows) are only put in order, which a retry repeats alike.
    std::vector<Judgment> mapped;
    std::vector<Judgment>& js = local ? mapped : c.judgments;
    if (local) {
      mapped = c.judgments;
      for (auto& j : mapped) j.instance = ref(j.instance, "a judgment");
    }
    std::stable_sort(js.begin(), js.end(),
                     [](const auto& a, const auto& b) { return a.instance < b.instance; });
    append_judgments(judg, js);
    const int64_t vals[7] = {c.id, ib, inst.rows(), eb, expl.rows(), jb, judg.rows()};
    for (int k = 0; k < 7; ++k) chunks.columns[k].push<int64_t>(vals[k]);
    chunks.columns[7].push<uint8_t>(local ? 1 : 0);
    LedgerEntry le;
    le.chunk = c.id;
    le.index = static_cast<int64_t>(ci);
    le.n_instances = inst.rows() - ib;
    le.n_explanations = expl.rows() - eb;
    le.n_judgments = judg.rows() - jb;
    le.config_hash = o_.config_hash;
    entries.push_back(le);
  }

  char name[32];
  std::snprintf(name, sizeof name, "seg-%06lld.h5", static_cast<long long>(next_segment_));
  const std::string final_path = dir_ + "/" + name;
  const std::string tmp = final_path + ".tmp";
  {
    h5::Handle f = h5::create_file(tmp);
    StoreInfo info;
    info.label_set = o_.label_set;
    info.labels = o_.labels;
    info.created = iso_now();
    info.config_hash = o_.config_hash;
    h5::write_info(f.get(), info);
    h5::Handle root = h5::open_group(f.get(), "/");
    h5::set_attr(root.get(), "kind", "segment");
    std::vector<const Table*> tables{&inst, &expl, &chunks};
    if (!o_.judgments_name.empty()) tables.push_back(&judg);
    WriteOptions w = o_.write;
    w.even_chunks = true;  // written once at its final size: no padded last chunks
    for (const Table* t : tables) {
      h5::create_table(f.get(), *t, h5::extent_of(*t), w);
      h5::write_rows(f.get(), *t, 0, std::vector<uint64_t>(t->columns.size(), 0));
    }
    h5::flush(f);
    f.close();
  }
  WrittenSegment seg;
  seg.tmp = tmp;
  seg.final_path = final_path;
  for (auto& e : entries) {
    e.segment = name;
    seg.lines += ledger_line(e);
    seg.ids.push_back(e.chunk);
  }
  log::debug("shard ", dir_, ": wrote ", entries.size(), " chunks to ", name);
  ++next_segment_;
  seg.chunks = std::move(pending_);
  pending_.clear();
  pending_rows_ = 0;
  for (Table* t : {&inst, &expl, &judg, &chunks}) seg.tables.push_back(std::move(*t));
  return seg;
}

}  // namespace because::store
