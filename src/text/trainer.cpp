// Byte-level BPE training (GPT-2 style): word counts after the GPT-2 pre-tokenizer, then
// repeated merging of the most frequent adjacent pair (ties: smallest pair of ids), with an
// index from pairs to words and a lazily-updated max-heap. Writes tokenizer.json.
#include "text/trainer.h"

#include <map>
#include <nlohmann/json.hpp>
#include <queue>
#include <set>
#include <unordered_map>

#include "text/pretokenize.h"
#include "text/tokenizer.h"
#include "text/unicode.h"
#include "util/error.h"
#include "util/files.h"

namespace because::text {
namespace {

using Pair = std::pair<int32_t, int32_t>;
struct PairHash {
  size_t operator()(const Pair& p) const { return (static_cast<uint64_t>(p.first) << 32) ^ static_cast<uint32_t>(p.second); }
};

}  // namespace

void train_bpe_tokenizer(const std::vector<std::string>& texts, const BpeTrainOptions& o, const std::string& out_dir) {
  const int32_t n_special = static_cast<int32_t>(o.special_tokens.size());
  if (o.vocab_size < n_special + 256)
    throw ConfigError("tokenizer vocab_size " + std::to_string(o.vocab_size) + " is below the " +
                      std::to_string(n_special + 256) + " special and byte tokens");
  // 1. word counts
  std::unordered_map<std::string, int64_t> word_counts;
  const auto& byte_map = bytes_to_unicode();
  for (const auto& text : texts) {
    std::string t = text;
    if (o.lowercase) {
      std::string low;
      for (char32_t c : unicode::decode_utf8(t)) unicode::append_lower(low, c);
      t = std::move(low);
    }
    for (const auto& piece : split_regex(t, SplitPattern::kGpt2)) word_counts[piece]++;
  }
  // 2. initial vocabulary: specials, then the 256 bytes
  std::vector<std::string> vocab(o.special_tokens.begin(), o.special_tokens.end());
  std::unordered_map<std::string, int32_t> ids;
  for (int32_t i = 0; i < n_special; ++i) ids[vocab[i]] = i;
  for (int b = 0; b < 256; ++b) {
    ids[byte_map[b]] = static_cast<int32_t>(vocab.size());
    vocab.push_back(byte_map[b]);
  }
  // words as symbol ids, in a deterministic order
  std::vector<std::pair<std::string, int64_t>> sorted_words(word_counts.begin(), word_counts.end());
  std::sort(sorted_words.begin(), sorted_words.end());
  std::vector<std::vector<int32_t>> words;
  std::vector<int64_t> counts;
  for (const auto& [w, c] : sorted_words) {
    std::vector<int32_t> sym;
    for (unsigned char b : w) sym.push_back(ids[byte_map[b]]);
    words.push_back(std::move(sym));
    counts.push_back(c);
  }
  std::unordered_map<Pair, int64_t, PairHash> pair_count;
  std::unordered_map<Pair, std::set<size_t>, PairHash> where;
  for (size_t w = 0; w < words.size(); ++w)
    for (size_t k = 0; k + 1 < words[w].size(); ++k) {
      const Pair p{words[w][k], words[w][k + 1]};
      pair_count[p] += counts[w];
      where[p].insert(w);
    }
  struct Entry {
    int64_t count;
    Pair pair;
    bool operator<(const Entry& e) const { return count != e.count ? count < e.count : pair > e.pair; }
  };
  std::priority_queue<Entry> heap;
  for (const auto& [p, c] : pair_count) heap.push({c, p});
  std::vector<std::pair<std::string, std::string>> merges;
  while (static_cast<int32_t>(vocab.size()) < o.vocab_size && !heap.empty()) {
    const Entry top = heap.top();
    heap.pop();
    auto it = pair_count.find(top.pair);
    if (it == pair_count.end() || it->second != top.count) continue;  // stale
    if (top.count < o.min_frequency) break;
    const Pair p = top.pair;
    const std::string merged = vocab[p.first] + vocab[p.second];
    int32_t new_id;
    auto found = ids.find(merged);
    if (found != ids.end()) {
      new_id = found->second;
    } else {
      new_id = static_cast<int32_t>(vocab.size());
      vocab.push_back(merged);
      ids[merged] = new_id;
    }
    merges.emplace_back(vocab[p.first], vocab[p.second]);
    std::map<Pair, int64_t> delta;
    const std::set<size_t> affected = where[p];
    for (size_t w : affected) {
      auto& s = words[w];
      const int64_t c = counts[w];
      for (size_t k = 0; k + 1 < s.size(); ++k) delta[{s[k], s[k + 1]}] -= c;
      std::vector<int32_t> next;
      for (size_t k = 0; k < s.size(); ++k) {
        if (k + 1 < s.size() && s[k] == p.first && s[k + 1] == p.second) {
          next.push_back(new_id);
          ++k;
        } else {
          next.push_back(s[k]);
        }
      }
      s = std::move(next);
      for (size_t k = 0; k + 1 < s.size(); ++k) {
        delta[{s[k], s[k + 1]}] += c;
        where[{s[k], s[k + 1]}].insert(w);
      }
    }
    for (const auto& [q, d] : delta) {
      if (d == 0) continue;
      auto& cnt = pair_count[q];
      cnt += d;
      if (cnt <= 0) pair_count.erase(q);
      else heap.push({cnt, q});
    }
    pair_count.erase(p);
    where.erase(p);
  }
  // 3. tokenizer.json
  using json = nlohmann::ordered_json;
  json added = json::array();
  for (int32_t i = 0; i < n_special; ++i)
    added.push_back({{"id", i}, {"content", vocab[i]}, {"single_word", false}, {"lstrip", false}, {"rstrip", false},
                     {"normalized", false}, {"special", true}});
  json v = json::object();
  for (size_t i = 0; i < vocab.size(); ++i) v[vocab[i]] = i;
  json m = json::array();
  for (const auto& [a, b] : merges) m.push_back(a + " " + b);
  json j;
  j["version"] = "1.0";
  j["truncation"] = nullptr;
  j["padding"] = nullptr;
  j["added_tokens"] = added;
  j["normalizer"] = o.lowercase ? json{{"type", "Lowercase"}} : json(nullptr);
  j["pre_tokenizer"] = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}};
  if (o.add_bos && n_special > 0) {
    const std::string bos = vocab[0];
    j["post_processor"] = {
        {"type", "TemplateProcessing"},
        {"single", json::array({{{"SpecialToken", {{"id", bos}, {"type_id", 0}}}}, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}})},
        {"pair", json::array({{{"SpecialToken", {{"id", bos}, {"type_id", 0}}}}, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
                              {{"SpecialToken", {{"id", bos}, {"type_id", 1}}}}, {{"Sequence", {{"id", "B"}, {"type_id", 1}}}}})},
        {"special_tokens", {{bos, {{"id", bos}, {"ids", {0}}, {"tokens", {bos}}}}}}};
  } else {
    j["post_processor"] = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}};
  }
  j["decoder"] = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}};
  j["model"] = {{"type", "BPE"},          {"dropout", nullptr},       {"unk_token", nullptr},
                {"continuing_subword_prefix", nullptr}, {"end_of_word_suffix", nullptr}, {"fuse_unk", false},
                {"byte_fallback", false}, {"ignore_merges", false}, {"vocab", v}, {"merges", m}};
  files::make_dirs(out_dir);
  files::write_atomic(out_dir + "/tokenizer.json", j.dump(1) + "\n");
  json cfg;
  cfg["tokenizer_class"] = "PreTrainedTokenizerFast";
  cfg["model_max_length"] = 1000000;
  cfg["clean_up_tokenization_spaces"] = false;
  auto name_at = [&](int i) { return i < n_special ? json(vocab[i]) : json(nullptr); };
  for (int i = 0; i < n_special; ++i) {
    const auto& s = vocab[i];
    if (s == "<s>" || s == "<|begin_of_text|>") cfg["bos_token"] = s;
    else if (s == "</s>" || s == "<|endoftext|>" || s == "<|end_of_text|>") cfg["eos_token"] = s;
    else if (s == "<pad>" || s == "[PAD]") cfg["pad_token"] = s;
    else if (s == "<unk>" || s == "[UNK]") cfg["unk_token"] = s;
  }
  if (!cfg.contains("bos_token") && n_special > 0) cfg["bos_token"] = name_at(0);
  if (!cfg.contains("eos_token") && n_special > 1) cfg["eos_token"] = name_at(1);
  files::write_atomic(out_dir + "/tokenizer_config.json", cfg.dump(2) + "\n");
}

}  // namespace because::text
