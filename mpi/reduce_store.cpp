// `because reduce`: local states per group over this rank's block of instances, then keyed sums,
// n-gram set unions on rank 0 and row-blocked distance correlations.
#include "mpi/reduce_store.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <sstream>
#include <string_view>

#include "metrics/classification.h"
#include "metrics/distribution.h"
#include "metrics/diversity.h"
#include "metrics/nlg.h"
#include "metrics/wordnet.h"
#include "mpi/metrics_reduce.h"
#include "mpi/progress.h"
#include "store/reader.h"
#include "util/error.h"
#include "util/files.h"
#include "util/log.h"
#include "util/proc.h"
#include "util/worker_pool.h"

namespace because::mpi {
namespace {

constexpr char kSep = '\t';

// Group keys: kind, dataset, split, then the kind's own fields, tab-separated, into `k`.
void join_key(std::string& k, std::initializer_list<std::string_view> parts) {
  k.clear();
  for (const auto p : parts) {
    if (!k.empty()) k.push_back(kSep);
    k.append(p);
  }
}

std::string key_of(std::initializer_list<std::string_view> parts) {
  std::string k;
  join_key(k, parts);
  return k;
}

std::vector<std::string> split_key(const std::string& k) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (true) {
    const size_t t = k.find(kSep, pos);
    out.push_back(k.substr(pos, t == std::string::npos ? std::string::npos : t - pos));
    if (t == std::string::npos) break;
    pos = t + 1;
  }
  return out;
}

// The first index of the largest value (numpy argmax), without a branch on the values (which
// way a comparison of probabilities goes is anyone's guess).
template <class T>
int first_max(const T* v, size_t n) {
  int best = 0;
  T top = v[0];
  for (size_t k = 1; k < n; ++k) {
    const bool more = v[k] > top;
    best = more ? static_cast<int>(k) : best;
    top = more ? v[k] : top;
  }
  return best;
}

int argmax(const float* v, int n) { return first_max(v, static_cast<size_t>(n)); }

// Human majority label: the first label with the most votes (numpy argmax), -1 without votes.
int majority(const std::vector<uint16_t>& counts) {
  if (counts.empty()) return -1;
  int64_t total = 0;
  for (const uint16_t c : counts) total += c;
  return total > 0 ? first_max(counts.data(), counts.size()) : -1;
}

// The model, prompt and explain mode of a row's source, as the merge recorded them (null when
// unknown: human explanations, imported ones, stores merged before the record existed).
void describe_source(nlohmann::json& row, const nlohmann::json& sources) {
  const auto it = sources.find(row["source"].get<std::string>());
  const bool known = it != sources.end() && it->is_object();
  static const std::pair<const char*, const char*> kFields[] = {
      {"model", "model"}, {"prompt", "prompt"}, {"explain_mode", "mode"}};  // (row key, record key)
  for (const auto& [key, from] : kFields) row[key] = known && it->contains(from) ? (*it)[from] : nlohmann::json(nullptr);
}

nlohmann::json cls_json(const metrics::ClassificationState& s, const std::vector<std::string>& labels) {
  const metrics::ClassReport r = s.value();
  nlohmann::json j;
  j["n"] = r.n;
  j["accuracy"] = r.accuracy;
  j["macro_f1"] = r.macro_f1;
  j["weighted_f1"] = r.weighted_f1;
  nlohmann::json per = nlohmann::json::object();
  for (size_t c = 0; c < labels.size(); ++c)
    if (r.present[c])
      per[labels[c]] = {{"precision", r.precision[c]}, {"recall", r.recall[c]}, {"f1", r.f1[c]}, {"support", r.support[c]}};
  j["per_class"] = per;
  j["confusion"] = s.matrix();  // rows gold, columns predicted, every label
  return j;
}

// Per distribution key, the normalised (human, model) vectors of its items in row order.
using Pairs = std::map<std::string, std::pair<std::vector<double>, std::vector<double>>>;

// One rank's (or one scoring thread's) states for its instances.
struct Local {
  std::map<std::string, metrics::NlgState> nlg;          // nlg  ds split source mode
  std::map<std::string, metrics::DiversityState> div;    // div  ds split source mode
  std::map<std::string, metrics::DistState> dist;        // dist ds split kind name
  std::map<std::string, metrics::ClassificationState> cls;  // cls ds split kind name target
  Pairs pairs;  // dist key -> (human, model)
  int64_t nlg_no_reference = 0;
  int64_t explanation_errors = 0;
  int64_t missing_probs = 0;  // judgment/prediction rows without a distribution (judge errors: NaN)
};

// Appends o's distribution pairs after L's, key by key, and empties o.
void append_pairs(Pairs& L, Pairs& o) {
  for (auto& [k, p] : o) {
    auto& d = L[k];
    d.first.insert(d.first.end(), p.first.begin(), p.first.end());
    d.second.insert(d.second.end(), p.second.begin(), p.second.end());
  }
  o.clear();
}

// Moves the states of `from` into `into`, merging those of keys both have.
template <class Map>
void merge_map(Map& into, Map& from) {
  for (auto& [k, s] : from) {
    const auto it = into.find(k);
    if (it == into.end()) into.emplace(k, std::move(s));
    else it->second.merge(s);
  }
  from.clear();
}

// Adds o's states, pairs and counts to L's.
void merge_local(Local& L, Local& o) {
  merge_map(L.nlg, o.nlg);
  merge_map(L.div, o.div);
  merge_map(L.dist, o.dist);
  merge_map(L.cls, o.cls);
  append_pairs(L.pairs, o.pairs);
  L.nlg_no_reference += o.nlg_no_reference;
  L.explanation_errors += o.explanation_errors;
  L.missing_probs += o.missing_probs;
}

// A judgment or prediction set: the rank's block of rows, indexed by instance.
struct ProbSet {
  const char* kind;
  std::string name;
  std::vector<float> probs;
  std::vector<int64_t> at;  // per instance of the block: index into probs rows, -1 none
  int width;
};

// The explanations of one instance grouped by (source, label-free or not).
struct Group {
  size_t states;                // its (source, mode) in Worker::at.groups
  std::vector<size_t> members;  // indices into the instance's explanations
};

// One scoring thread: its scorer (token ids are local to its interner), its states, and the
// working memory of one instance.
struct Worker {
  Worker(const metrics::NlgOptions& opt, const metrics::WordNet* wordnet) : nlg_opt(opt), scorer(opt, wordnet) {}
  metrics::NlgOptions nlg_opt;
  metrics::NlgScorer scorer;
  Local L;
  std::string key;
  std::vector<std::string_view> refs;
  std::vector<const metrics::NlgTokens*> ref_toks;
  std::vector<const std::vector<uint32_t>*> group_toks;
  std::vector<metrics::NlgTokens> toks;  // each explanation tokenised once, for diversity and NLG alike
  std::vector<Group> groups;
  std::vector<double> human, model;  // one item's label distributions
  Pairs* pairs = nullptr;             // where the current chunk's distribution pairs go
  bool keep_pairs = true;             // false when no distance correlation is computed (cap 0)
  // The states of the current instance's dataset and split, found in the maps once for the run of
  // instances that share them (map nodes stay where they are when others are added); forgotten
  // at each chunk, since the maps may have been cleared or changed since (w.pairs, merge_local).
  struct GroupStates {
    std::string source;
    int mode;
    metrics::DiversityState* div;
    metrics::NlgState* nlg;  // nullptr until the group has references
  };
  struct SetStates {  // per judgment or prediction set, nullptr until needed
    metrics::ClassificationState *gold = nullptr, *majority = nullptr;
    metrics::DistState* dist = nullptr;
    Pairs::mapped_type* pairs = nullptr;
  };
  struct {
    bool valid = false;
    std::string ds, split;
    std::vector<GroupStates> groups;
    std::vector<SetStates> sets;
  } at;
};

// The state of `parts` (the group key) in `m`, created from `args` when new; w.key holds the
// key so that a lookup allocates nothing.
template <class Map, class... Args>
typename Map::mapped_type& state_at(Worker& w, Map& m, std::initializer_list<std::string_view> parts, Args&&... args) {
  join_key(w.key, parts);
  auto it = m.find(w.key);
  if (it == m.end()) it = m.try_emplace(w.key, std::forward<Args>(args)...).first;
  return it->second;
}

// Points w.at at the states of (ds, split) for `n_sets` judgment and prediction sets.
void resolve(Worker& w, const std::string& ds, const std::string& split, size_t n_sets) {
  auto& at = w.at;
  if (at.valid && at.ds == ds && at.split == split) return;
  at.valid = true;
  at.ds = ds;
  at.split = split;
  at.groups.clear();
  at.sets.assign(n_sets, {});
}

// Whether two short strings (explanation sources) are equal, without a call for the few bytes.
inline bool same(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.size() > 16) return a == b;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) return false;
  return true;
}

inline bool is_human(std::string_view source) { return same(source, store::kHumanSource); }

// A group's mode in its key: "guided", written for a label (explain modes label-guided and
// label-free); "free", without one.
std::string_view mode_name(int mode) { return mode < 0 ? "free" : "guided"; }

// The index in w.at.groups of the states of the explanation group (source, mode; mode -1
// label-free, 0 written for a label) of w.at's dataset and split.
size_t group_states(Worker& w, std::string_view source, int mode) {
  for (size_t g = 0; g < w.at.groups.size(); ++g)
    if (w.at.groups[g].mode == mode && same(w.at.groups[g].source, source)) return g;
  auto* div = &state_at(w, w.L.div, {"div", w.at.ds, w.at.split, source, mode_name(mode)});
  w.at.groups.push_back(Worker::GroupStates{std::string(source), mode, div, nullptr});
  return w.at.groups.size() - 1;
}

// Distribution comparison and classification of one item's label probabilities, from set `si`
// (kind, name) of w.at's dataset and split.
void add_probs(Worker& w, int n_labels, size_t si, const char* kind, const std::string& name,
               const float* probs, const corpus::Instance& inst) {
  Local& L = w.L;
  Worker::SetStates& at = w.at.sets[si];
  const std::string& ds = w.at.ds;
  const std::string& split = w.at.split;
  const int pred = argmax(probs, n_labels);
  if (inst.gold >= 0) {
    if (!at.gold) at.gold = &state_at(w, L.cls, {"cls", ds, split, kind, name, "gold"}, n_labels);
    at.gold->add(inst.gold, pred);
  }
  const int major = majority(inst.label_counts);
  if (major >= 0) {
    if (!at.majority) at.majority = &state_at(w, L.cls, {"cls", ds, split, kind, name, "majority"}, n_labels);
    at.majority->add(major, pred);
    if (inst.label_counts.size() != static_cast<size_t>(n_labels))
      throw StoreError("instance " + inst.uid + " has " + std::to_string(inst.label_counts.size()) +
                       " label counts but the store has " + std::to_string(n_labels) + " labels");
    auto& model = w.model;
    auto& human = w.human;
    model.assign(probs, probs + n_labels);
    human.assign(inst.label_counts.begin(), inst.label_counts.end());
    if (!at.dist) at.dist = &state_at(w, L.dist, {"dist", ds, split, kind, name});
    at.dist->add(human.data(), model.data(), human.size());
    if (!w.keep_pairs) return;
    if (!at.pairs) at.pairs = &state_at(w, *w.pairs, {"dist", ds, split, kind, name});
    for (auto [v, out] :
         {std::make_pair(&human, &at.pairs->first), std::make_pair(&model, &at.pairs->second)}) {
      const size_t n = out->size();
      out->resize(n + v->size());
      metrics::normalise_to(v->data(), v->size(), out->data() + n);
    }
  }
}

// Scores instances [i0, i1) of `batch` into w.L. `block_begin` is the first row of the rank's
// block (the origin of ProbSet::at).
void score_instances(Worker& w, const store::Batch& batch, size_t i0, size_t i1, const std::vector<ProbSet>& sets,
                     int64_t block_begin, int n_labels) {
  Local& L = w.L;
  w.at.valid = false;  // the maps may have been cleared or changed since (w.pairs, merge_local)
  const auto& ex = batch.explanations;  // ordered by instance
  size_t e = static_cast<size_t>(
      std::lower_bound(ex.begin(), ex.end(), batch.begin + static_cast<int64_t>(i0),
                       [](const store::Explanation& x, int64_t row) { return x.instance < row; }) -
      ex.begin());
  for (size_t i = i0; i < i1; ++i) {
    const auto& inst = batch.instances[i];
    const int64_t row = batch.begin + static_cast<int64_t>(i);
    resolve(w, inst.dataset, inst.split, sets.size());
    while (e < ex.size() && ex[e].instance < row) ++e;
    size_t e_end = e;
    while (e_end < ex.size() && ex[e_end].instance == row) ++e_end;
    // The next instance's label counts and explanation texts, on the heap in no order the
    // hardware prefetchers follow: fetched while this one is scored, not when they are needed.
    if (i + 1 < i1) {
      __builtin_prefetch(batch.instances[i + 1].label_counts.data());
      for (size_t k = e_end; k < std::min(ex.size(), e_end + 8) && ex[k].instance == row + 1; ++k) {
        __builtin_prefetch(ex[k].text.data());
        __builtin_prefetch(ex[k].text.data() + 64);
      }
    }
    w.refs.clear();
    w.ref_toks.clear();
    size_t n_groups = 0;
    if (w.toks.size() < e_end - e) w.toks.resize(e_end - e);
    for (size_t k = e; k < e_end; ++k) {
      const auto& x = ex[k];
      if (x.finish == store::Finish::kError) {
        ++L.explanation_errors;
        continue;
      }
      auto& tk = w.toks[k - e];
      w.scorer.tokenize(x.text, tk);
      if (is_human(x.source)) {
        w.refs.push_back(x.text);
        w.ref_toks.push_back(&tk);
      }
      const size_t states = group_states(w, x.source, x.label < 0 ? -1 : 0);
      size_t g = 0;
      while (g < n_groups && w.groups[g].states != states) ++g;
      if (g == n_groups) {
        if (w.groups.size() == n_groups) w.groups.emplace_back();
        w.groups[g].states = states;
        w.groups[g].members.clear();
        ++n_groups;
      }
      w.groups[g].members.push_back(k - e);
    }
    // The groups in the order met: each has its own states, so their order changes no value.
    bool refs_set = false;  // the scorer holds this instance's references
    for (size_t g = 0; g < n_groups; ++g) {
      const Group& grp = w.groups[g];
      Worker::GroupStates& at = w.at.groups[grp.states];
      w.group_toks.clear();
      for (size_t m : grp.members) w.group_toks.push_back(&w.toks[m].bleu);
      at.div->add_group_tokens(w.scorer.interner(), w.group_toks);
      if (is_human(at.source)) continue;
      if (w.refs.empty()) {
        L.nlg_no_reference += static_cast<int64_t>(grp.members.size());
        continue;
      }
      if (!at.nlg)
        at.nlg = &state_at(w, L.nlg, {"nlg", w.at.ds, w.at.split, at.source, mode_name(at.mode)}, w.nlg_opt);
      auto& st = *at.nlg;
      if (!refs_set) {
        w.scorer.set_references(w.refs, w.ref_toks);
        refs_set = true;
      }
      for (size_t m : grp.members) w.scorer.add(st, ex[e + m].text, w.toks[m]);
    }
    for (size_t si = 0; si < sets.size(); ++si) {
      const ProbSet& s = sets[si];
      const int64_t at = s.at[static_cast<size_t>(row - block_begin)];
      if (at < 0) continue;
      const float* p = &s.probs[static_cast<size_t>(at) * s.width];
      if (std::any_of(p, p + s.width, [](float v) { return !std::isfinite(v); })) {
        ++L.missing_probs;
        continue;
      }
      add_probs(w, n_labels, si, s.kind, s.name, p, inst);
    }
    e = e_end;
  }
}

}  // namespace

nlohmann::json reduce_store(const Comm& comm, const std::string& store_path, const config::ReduceConfig& cfg,
                            double progress_interval_s) {
  const auto t0 = std::chrono::steady_clock::now();
  std::unique_ptr<metrics::WordNet> wordnet;
  if (cfg.meteor && !cfg.wordnet.empty() && files::exists(cfg.wordnet + "/index.noun"))
    wordnet = std::make_unique<metrics::WordNet>(cfg.wordnet);
  metrics::NlgOptions nlg_opt;
  nlg_opt.rouge_stemmer = cfg.rouge_stemmer;
  nlg_opt.meteor = cfg.meteor;
  if (cfg.threads < 0) throw ConfigError("--threads " + std::to_string(cfg.threads) + ": must be >= 0 (0: automatic)");
  const int threads = proc::threads_per_rank(cfg.threads, comm.ranks_on_my_host());
  log::debug("reduce: ", threads, " scoring thread(s) per rank");
  std::vector<std::unique_ptr<Worker>> workers;
  // One per scoring thread, and with several one more for the reading thread, which scores too
  // once it has read the next batch.
  for (int t = 0; t < threads + (threads > 1); ++t) {
    workers.push_back(std::make_unique<Worker>(nlg_opt, wordnet.get()));
    // A cap of 0 leaves every distance correlation null: its items need not be kept.
    workers.back()->keep_pairs = cfg.dcor_max_items != 0;
  }

  Local L;
  int n_labels = 0;
  int64_t n_instances = 0, n_explanations = 0;
  std::vector<std::string> labels;
  nlohmann::json sources;  // what made each explanation source (merge's record of the explain sets)
  {
    store::StoreReader reader(store_path);
    sources = nlohmann::json::parse(reader.explanation_sources(), nullptr, false);
    if (!sources.is_object()) sources = nlohmann::json::object();
    n_labels = reader.n_labels();
    labels = reader.info().labels;
    n_instances = reader.n_instances();
    n_explanations = reader.n_explanations();
    const int64_t begin = n_instances * comm.rank() / comm.size();
    const int64_t end = n_instances * (comm.rank() + 1) / comm.size();

    std::vector<ProbSet> sets;
    auto add_set = [&](const char* kind, const std::string& name, const std::vector<int64_t>& inst,
                       std::vector<float>&& probs, int width) {
      if (width != n_labels)
        throw StoreError(store_path + ": " + kind + " set '" + name + "' has " + std::to_string(width) +
                         " labels but the store has " + std::to_string(n_labels));
      ProbSet s{kind, name, std::move(probs), std::vector<int64_t>(static_cast<size_t>(end - begin), -1), width};
      for (size_t i = 0; i < inst.size(); ++i)
        if (inst[i] >= begin && inst[i] < end) s.at[static_cast<size_t>(inst[i] - begin)] = static_cast<int64_t>(i);
      sets.push_back(std::move(s));
    };
    for (const auto& name : reader.judgment_names()) {
      auto j = reader.read_judgments(name);
      add_set("judgments", name, j.instance, std::move(j.probs), j.n_labels);
    }
    for (const auto& name : reader.prediction_names()) {
      auto p = reader.read_predictions(name);
      add_set("predictions", name, p.instance, std::move(p.probs), p.n_labels);
    }

    std::unique_ptr<GlobalProgress> progress;
    if (progress_interval_s > 0)
      progress = std::make_unique<GlobalProgress>(comm, std::vector<std::string>{"instances", "explanations"},
                                                  static_cast<uint64_t>(n_instances), progress_interval_s);
    // Batch b is cut into chunks that the scoring threads take in turn while batch b + 1 is
    // read, and the reading thread too once it has read it: no thread waits for another's share
    // (fixed shares came out unequal with the reader on the same cores). Each chunk's
    // distribution pairs are kept apart and appended in chunk order after the batch, so that
    // they stay in row order (the distance correlation is then bit-identical for any number of
    // threads and ranks).
    // Chunks of at most 64 instances, and at least 8 per thread in a batch.
    const size_t chunk = static_cast<size_t>(
        std::clamp<int64_t>(cfg.batch_rows / (8 * (threads + 1)), int64_t{1}, int64_t{64}));
    store::Batch cur, next;
    std::vector<Pairs> chunk_pairs;
    std::atomic<size_t> next_chunk{0};
    size_t n_chunks = 0;
    auto score_chunks = [&](Worker& w) {
      for (size_t c; (c = next_chunk.fetch_add(1)) < n_chunks;) {
        w.pairs = &chunk_pairs[c];
        score_instances(w, cur, c * chunk, std::min(cur.instances.size(), (c + 1) * chunk), sets, begin, n_labels);
      }
    };
    WorkerPool pool(threads);  // after the batches: on unwinding it waits for its task, then they go
    const int64_t step = std::max<int64_t>(1, cfg.batch_rows);
    if (begin < end) cur = reader.read_batch(begin, std::min(end, begin + step));
    for (int64_t b = begin; b < end; b += step) {
      n_chunks = (cur.instances.size() + chunk - 1) / chunk;
      if (chunk_pairs.size() < n_chunks) chunk_pairs.resize(n_chunks);
      next_chunk = 0;
      pool.run([&](int p) { score_chunks(*workers[static_cast<size_t>(p)]); });
      if (b + step < end) next = reader.read_batch(b + step, std::min(end, b + 2 * step));
      if (threads > 1) score_chunks(*workers.back());  // the reader's own worker
      pool.wait();
      for (size_t c = 0; c < n_chunks; ++c) append_pairs(L.pairs, chunk_pairs[c]);
      if (progress)
        progress->add({static_cast<int64_t>(cur.instances.size()), static_cast<int64_t>(cur.explanations.size())});
      std::swap(cur, next);
    }
    if (progress) progress->finish();
  }  // store closed
  for (auto& w : workers) merge_local(L, w->L);

  // ---- reduction ----
  auto empty_state = [&](const std::string& key) {
    metrics::Packed p;
    const std::string kind = key.substr(0, key.find(kSep));
    if (kind == "nlg") metrics::NlgState(nlg_opt).pack(p);
    else if (kind == "div") metrics::DiversityState().pack(p);
    else if (kind == "dist") metrics::DistState().pack(p);
    else metrics::ClassificationState(n_labels).pack(p);
    return p;
  };
  std::map<std::string, metrics::Packed> local;
  for (const auto& [k, s] : L.nlg) s.pack(local[k]);
  for (const auto& [k, s] : L.div) s.pack(local[k]);
  for (const auto& [k, s] : L.dist) s.pack(local[k]);
  for (const auto& [k, s] : L.cls) s.pack(local[k]);
  std::vector<int64_t> counters{L.nlg_no_reference, L.explanation_errors, L.missing_probs};
  comm.sum_inplace(counters);
  const auto summed = sum_keyed(comm, local, empty_state);

  nlohmann::json out;
  out["schema"] = "because-metrics/1";
  out["store"] = store_path;
  out["ranks"] = comm.size();
  out["n_instances"] = n_instances;
  out["n_explanations"] = n_explanations;
  out["labels"] = labels;
  out["skipped"] = {{"nlg_no_reference", counters[0]}, {"explanation_errors", counters[1]},
                    {"missing_distributions", counters[2]}};
  nlohmann::json nlg = nlohmann::json::array(), div = nlohmann::json::array(), dist = nlohmann::json::array();
  std::map<std::string, nlohmann::json> cls_rows;  // ds split kind name -> {gold, majority}

  for (const auto& [key, packed] : summed) {
    const auto f = split_key(key);
    metrics::Unpacker u(packed);
    if (f[0] == "nlg") {
      metrics::NlgState s(nlg_opt);
      s.unpack(u);
      if (!comm.root()) continue;
      auto j = s.to_json();
      j["dataset"] = f[1];
      j["split"] = f[2];
      j["source"] = f[3];
      j["mode"] = f[4];
      describe_source(j, sources);
      nlg.push_back(j);
    } else if (f[0] == "div") {
      // Collective per key and order: the union of n-gram hashes on rank 0.
      metrics::DiversityState s;
      s.unpack(u);
      const auto it = L.div.find(key);
      for (int n = 1; n <= 2; ++n) {
        std::vector<uint64_t> mine;
        if (it != L.div.end()) mine = it->second.ngram_hashes(n);
        const auto all = gather_to_root(comm, mine);
        if (comm.root()) s.insert_hashes(n, all.data(), all.size());
      }
      if (!comm.root()) continue;
      const auto r = s.value();
      nlohmann::json row = {{"dataset", f[1]},      {"split", f[2]},           {"source", f[3]},
                            {"mode", f[4]},         {"n_texts", r.n_texts},    {"distinct1", r.distinct1},
                            {"distinct2", r.distinct2}, {"self_bleu", r.self_bleu}, {"n_self_bleu", r.n_self_bleu},
                            {"mean_length", r.mean_length}};
      describe_source(row, sources);
      div.push_back(std::move(row));
    } else if (f[0] == "dist") {
      metrics::DistState s;
      s.unpack(u);
      const auto r = s.value();
      // Collective: every rank takes part (with its rows of this group, possibly none).
      nlohmann::json dcor = nullptr;
      if (cfg.dcor_max_items < 0 || r.n <= cfg.dcor_max_items) {
        const auto it = L.pairs.find(key);
        static const std::vector<double> none;
        dcor = distance_correlation(comm, it != L.pairs.end() ? it->second.first : none, n_labels,
                                    it != L.pairs.end() ? it->second.second : none, n_labels);
      }
      if (!comm.root()) continue;
      dist.push_back({{"dataset", f[1]}, {"split", f[2]}, {"kind", f[3]}, {"name", f[4]}, {"n", r.n}, {"kl", r.kl},
                      {"js", r.js}, {"tvd", r.tvd}, {"dcor", dcor}, {"entropy_human", r.entropy_human},
                      {"entropy_model", r.entropy_model}, {"entropy_corr", r.entropy_corr}});
    } else {
      metrics::ClassificationState s(n_labels);
      s.unpack(u);
      if (!comm.root()) continue;
      auto& row = cls_rows[key_of({f[1], f[2], f[3], f[4]})];
      row["dataset"] = f[1];
      row["split"] = f[2];
      row["kind"] = f[3];
      row["name"] = f[4];
      row[f[5] == "gold" ? "vs_gold" : "vs_majority"] = cls_json(s, labels);
    }
  }
  const int64_t peak_rss = comm.max(proc::peak_rss_bytes());  // the largest rank's
  const int64_t max_threads = comm.max(static_cast<int64_t>(threads));
  if (!comm.root()) return nullptr;
  nlohmann::json cls = nlohmann::json::array();
  for (auto& [k, v] : cls_rows) cls.push_back(v);
  out["nlg"] = nlg;
  out["diversity"] = div;
  out["distributions"] = dist;
  out["classification"] = cls;
  out["options"] = {{"rouge_stemmer", cfg.rouge_stemmer}, {"meteor", cfg.meteor},
                    {"meteor_wordnet", wordnet != nullptr}, {"dcor_max_items", cfg.dcor_max_items}};
  out["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out["peak_rss_bytes"] = peak_rss;
  out["threads_per_rank"] = max_threads;  // the most of any rank
  return out;
}

std::string format_reduce(const nlohmann::json& m) {
  std::ostringstream os;
  char buf[512];
  auto group = [](const nlohmann::json& r) {
    return r["dataset"].get<std::string>() + "/" + r["split"].get<std::string>();
  };
  os << "metrics of " << m["store"].get<std::string>() << " (" << m["n_instances"].get<int64_t>() << " instances, "
     << m["n_explanations"].get<int64_t>() << " explanations, " << m["ranks"].get<int>() << " ranks, "
     << m.value("threads_per_rank", int64_t{1}) << " scoring threads per rank)\n";
  if (!m["nlg"].empty()) {
    os << "\nNLG against human explanations\n";
    std::snprintf(buf, sizeof buf, "%-24s %-16s %-10s %7s %6s %6s %6s %6s %6s %6s\n", "dataset/split", "source", "mode",
                  "n", "BLEU", "chrF", "R-1", "R-2", "R-L", "METEOR");
    os << buf;
    for (const auto& r : m["nlg"]) {
      std::snprintf(buf, sizeof buf, "%-24s %-16s %-10s %7lld %6.2f %6.2f %6.4f %6.4f %6.4f", group(r).c_str(),
                    r["source"].get<std::string>().c_str(), r["mode"].get<std::string>().c_str(),
                    static_cast<long long>(r["n"].get<int64_t>()), r["bleu"].get<double>(), r["chrf"].get<double>(),
                    r["rouge1"].get<double>(), r["rouge2"].get<double>(), r["rougeL"].get<double>());
      os << buf;
      const auto meteor = r.find("meteor");  // absent with --reduce.meteor=false
      if (meteor != r.end() && meteor->is_number()) {
        std::snprintf(buf, sizeof buf, " %6.4f\n", meteor->get<double>());
        os << buf;
      } else {
        os << "    n/a\n";
      }
    }
  }
  if (!m["diversity"].empty()) {
    os << "\nDiversity\n";
    std::snprintf(buf, sizeof buf, "%-24s %-16s %-10s %7s %8s %8s %9s %7s\n", "dataset/split", "source", "mode", "texts",
                  "dist-1", "dist-2", "self-BLEU", "length");
    os << buf;
    for (const auto& r : m["diversity"]) {
      std::snprintf(buf, sizeof buf, "%-24s %-16s %-10s %7lld %8.4f %8.4f %9.2f %7.2f\n", group(r).c_str(),
                    r["source"].get<std::string>().c_str(), r["mode"].get<std::string>().c_str(),
                    static_cast<long long>(r["n_texts"].get<int64_t>()), r["distinct1"].get<double>(),
                    r["distinct2"].get<double>(), r["self_bleu"].get<double>(), r["mean_length"].get<double>());
      os << buf;
    }
  }
  if (!m["distributions"].empty()) {
    os << "\nLabel distributions against human label counts\n";
    std::snprintf(buf, sizeof buf, "%-24s %-24s %7s %8s %8s %8s %8s %8s\n", "dataset/split", "set", "n", "KL", "JSD",
                  "TVD", "dCor", "H-corr");
    os << buf;
    for (const auto& r : m["distributions"]) {
      const std::string set = r["kind"].get<std::string>() + "/" + r["name"].get<std::string>();
      const std::string dcor = r["dcor"].is_null() ? "    n/a" : [&] {
        char b[32];
        std::snprintf(b, sizeof b, "%8.4f", r["dcor"].get<double>());
        return std::string(b);
      }();
      std::snprintf(buf, sizeof buf, "%-24s %-24s %7lld %8.4f %8.4f %8.4f %8s %8.4f\n", group(r).c_str(), set.c_str(),
                    static_cast<long long>(r["n"].get<int64_t>()), r["kl"].get<double>(), r["js"].get<double>(),
                    r["tvd"].get<double>(), dcor.c_str(), r["entropy_corr"].get<double>());
      os << buf;
    }
  }
  if (!m["classification"].empty()) {
    os << "\nClassification (argmax of the label distribution)\n";
    std::snprintf(buf, sizeof buf, "%-24s %-24s %-9s %7s %8s %8s %8s\n", "dataset/split", "set", "against", "n", "acc",
                  "macroF1", "wF1");
    os << buf;
    for (const auto& r : m["classification"]) {
      const std::string set = r["kind"].get<std::string>() + "/" + r["name"].get<std::string>();
      for (const char* t : {"vs_gold", "vs_majority"}) {
        if (!r.contains(t)) continue;
        const auto& c = r[t];
        std::snprintf(buf, sizeof buf, "%-24s %-24s %-9s %7lld %8.4f %8.4f %8.4f\n", group(r).c_str(), set.c_str(),
                      t[3] == 'g' ? "gold" : "majority", static_cast<long long>(c["n"].get<int64_t>()),
                      c["accuracy"].get<double>(), c["macro_f1"].get<double>(), c["weighted_f1"].get<double>());
        os << buf;
      }
    }
  }
  return os.str();
}

}  // namespace because::mpi
