// Loading training data from stores and corpora (see dataset.h).
#include "train/dataset.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "corpus/corpus.h"
#include "store/reader.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/log.h"

namespace because::train {

const std::vector<int64_t>& TrainData::rows(const std::string& split) const {
  auto it = splits.find(split);
  if (it == splits.end() || it->second.empty()) {
    std::string have;
    for (const auto& [name, r] : splits) have += (have.empty() ? "" : ", ") + name + " (" + std::to_string(r.size()) + ")";
    throw InputError("training data has no rows of split '" + split + "' (splits present: " +
                     (have.empty() ? "none" : have) + "); set train.train_split / train.eval_splits");
  }
  return it->second;
}

std::vector<float> counts_distribution(const std::vector<uint16_t>& counts) {
  double total = 0;
  for (auto c : counts) total += c;
  if (total <= 0) return {};
  std::vector<float> out;
  for (auto c : counts) out.push_back(static_cast<float>(c / total));
  return out;
}

namespace {

void finish_splits(TrainData& d) {
  for (int64_t i = 0; i < static_cast<int64_t>(d.instances.size()); ++i) d.splits[d.instances[i].split].push_back(i);
}

void check_targets(const std::string& targets) {
  if (targets != "gold" && targets != "human" && targets != "judgments")
    throw ConfigError("train.targets: unknown value '" + targets + "' (use gold, human or judgments)");
}

void fill_human_soft(TrainData& d) {
  d.soft.assign(d.instances.size(), {});
  for (size_t i = 0; i < d.instances.size(); ++i) d.soft[i] = counts_distribution(d.instances[i].label_counts);
}

}  // namespace

TrainData load_store_data(const std::string& path, const std::string& source, const std::string& targets,
                          const std::string& judgments) {
  check_targets(targets);
  store::StoreReader reader(path);
  TrainData d;
  d.from_store = true;
  d.label_set = reader.info().label_set;
  d.labels = reader.info().labels;
  d.instances = reader.read_instances();
  d.n_store_rows = static_cast<int64_t>(d.instances.size());
  d.explanations.assign(d.instances.size(), {});
  if (source != "none") {
    int64_t found = 0;
    for (const auto& e : reader.read_explanations()) {
      if (e.source != source || e.finish == store::Finish::kError) continue;
      if (e.instance < 0 || e.instance >= static_cast<int64_t>(d.instances.size())) continue;
      d.explanations[static_cast<size_t>(e.instance)].push_back({e.text, e.label});
      ++found;
    }
    if (found == 0)
      throw InputError(path + ": no explanations with source '" + source +
                       "' (set train.explanations to none, human, or the name of an explanation set in the store)");
  }
  if (targets == "human") fill_human_soft(d);
  if (targets == "judgments") {
    if (judgments.empty()) throw ConfigError("train.targets = judgments needs train.judgments = NAME (a /judgments set)");
    const auto js = reader.read_judgments(judgments);
    const size_t L = d.labels.size();
    if (static_cast<size_t>(js.n_labels) != L)
      throw InputError(path + ": /judgments/" + judgments + " has " + std::to_string(js.n_labels) + " labels, the store " +
                       std::to_string(L));
    d.soft.assign(d.instances.size(), {});
    int64_t unjudged = 0;  // judge errors (prompt_too_long, ...) carry NaN probabilities
    for (size_t k = 0; k < js.instance.size(); ++k) {
      const auto row = static_cast<size_t>(js.instance[k]);
      if (row >= d.soft.size()) continue;
      const auto first = js.probs.begin() + static_cast<std::ptrdiff_t>(k * L), last = first + static_cast<std::ptrdiff_t>(L);
      if (std::any_of(first, last, [](float v) { return !std::isfinite(v); })) {
        ++unjudged;
        continue;
      }
      d.soft[row].assign(first, last);
    }
    if (unjudged > 0)
      log::warn("train: ", path, ": ", unjudged, " of ", js.instance.size(), " instances of /judgments/", judgments,
                 " have no distribution (judge errors such as prompt_too_long); they are left out of soft targets");
  }
  finish_splits(d);
  return d;
}

TrainData load_corpus_data(const config::CorpusConfig& corpus, const std::string& source, const std::string& targets) {
  check_targets(targets);
  if (source != "none" && source != "human")
    throw ConfigError("train.data = corpus reads human explanations only; train.explanations = '" + source +
                      "' needs train.data = store");
  if (targets == "judgments") throw ConfigError("train.targets = judgments needs train.data = store");
  if (corpus.path.empty()) throw ConfigError("train.data = corpus needs corpus.path (the [corpus] section)");
  auto c = corpus::Corpus::open(corpus, "");
  TrainData d;
  d.label_set = c.labels().name;
  d.labels = c.labels().labels;
  for (int64_t k = 0; k < c.n_chunks(); ++k) {
    auto chunk = c.read_chunk(k);
    for (auto& inst : chunk.rows) d.instances.push_back(std::move(inst));
    for (auto& b : chunk.bad) d.bad_rows.push_back(std::move(b));
  }
  d.explanations.assign(d.instances.size(), {});
  if (source == "human") {
    int64_t found = 0;
    for (size_t i = 0; i < d.instances.size(); ++i)
      for (const auto& h : d.instances[i].human_explanations) {
        d.explanations[i].push_back({h.text, h.label});
        ++found;
      }
    if (found == 0)
      throw InputError(corpus.path + ": no row has a human explanation (set train.explanations = none, or use a "
                       "store with model explanations: train.data = store)");
  }
  if (targets == "human") fill_human_soft(d);
  finish_splits(d);
  return d;
}

void apply_holdout(TrainData& d, const std::string& split, double fraction, uint64_t seed) {
  if (fraction <= 0) return;
  if (fraction >= 1) throw ConfigError("train.holdout must be in [0, 1)");
  auto it = d.splits.find(split);
  if (it == d.splits.end()) return;
  std::vector<int64_t> keep, held;
  for (auto r : it->second) {
    const uint64_t h = hash::xxh64(d.instances[static_cast<size_t>(r)].uid, seed);
    (static_cast<double>(h % 1000003) / 1000003.0 < fraction ? held : keep).push_back(r);
  }
  it->second = std::move(keep);
  auto& h = d.splits["holdout"];
  h.insert(h.end(), held.begin(), held.end());
}

void add_eval_corpus(TrainData& d, const config::CorpusConfig& corpus, const std::string& split_name,
                     const std::string& source) {
  auto extra = load_corpus_data(corpus, source == "human" ? "human" : "none", "gold");
  if (extra.labels != d.labels)
    throw ConfigError("train.eval_corpus: " + corpus.path + " has label set '" + extra.label_set + "', the training data '" +
                      d.label_set + "'");
  d.bad_rows.insert(d.bad_rows.end(), extra.bad_rows.begin(), extra.bad_rows.end());
  const int64_t base = static_cast<int64_t>(d.instances.size());
  for (size_t i = 0; i < extra.instances.size(); ++i) {
    d.instances.push_back(std::move(extra.instances[i]));
    d.explanations.push_back(std::move(extra.explanations[i]));
    if (!d.soft.empty()) d.soft.push_back(counts_distribution(d.instances.back().label_counts));
    d.splits[split_name].push_back(base + static_cast<int64_t>(i));
  }
}

}  // namespace because::train
