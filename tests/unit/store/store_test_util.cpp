// Synthetic data for store tests.
#include "store_test_util.h"

namespace because::store::synth {

std::vector<std::string> nli() { return {"entailment", "neutral", "contradiction"}; }

static std::string words(uint64_t seed, int len) {
  static const char* kWords[] = {"the", "cat", "sat", "on", "a", "mat", "while", "rain", "fell", "über", "naïve",
                                 "日本", "café", "dog", "ran", "because", "it", "was", "late", "🙂"};
  std::string s;
  uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;
  while (static_cast<int>(s.size()) < len) {
    x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
    if (!s.empty()) s += ' ';
    s += kWords[(x * 0x2545F4914F6CDD1DULL >> 40) % 20];
  }
  return s;
}

corpus::Instance synth_instance(int64_t row, int text_len) {
  corpus::Instance in;
  in.row = row;
  in.uid = "u" + std::to_string(row);
  in.dataset = row % 5 == 0 ? "snli" : "mnli";
  in.split = row % 2 ? "train" : "dev";
  in.text_a = words(static_cast<uint64_t>(row) * 3 + 1, text_len);
  in.text_b = row % 7 == 0 ? "" : words(static_cast<uint64_t>(row) * 3 + 2, text_len / 2);
  in.gold = static_cast<int>(row % 4) - 1;
  if (row % 2) in.label_counts = {static_cast<uint16_t>(row % 11), 3, static_cast<uint16_t>(row % 5)};
  if (row % 3 == 0) in.human_explanations.push_back({"human: " + words(static_cast<uint64_t>(row) + 9, 30), in.gold});
  in.source_file = "synth.jsonl";
  in.source_line = row + 1;
  return in;
}

ShardChunk synth_chunk(int64_t id, int64_t rows, int k, int text_len) {
  ShardChunk c;
  c.id = id;
  for (int64_t r = id * rows; r < (id + 1) * rows; ++r) {
    c.instances.push_back(synth_instance(r, text_len));
    for (int s = 0; s < k; ++s) {
      Explanation e;
      e.instance = r;
      e.label = s % 4 - 1;
      e.sample = s;
      e.source = "llm";
      e.text = words(static_cast<uint64_t>(r) * 31 + static_cast<uint64_t>(s), text_len);
      e.n_tokens = static_cast<uint32_t>(e.text.size() / 4);
      e.logprob = -0.5f * static_cast<float>(s + 1);
      e.finish = s == 2 && r % 13 == 0 ? Finish::kError : Finish::kStop;
      if (e.finish == Finish::kError) e.error = "timeout";
      c.explanations.push_back(std::move(e));
    }
  }
  return c;
}

}  // namespace because::store::synth
