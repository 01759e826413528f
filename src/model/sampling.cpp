// Sampling one token from a logits vector with per-sequence randomness (llama.cpp-style
// samplers; filters in HF's order: repetition penalty, temperature, top-k, top-p).
#include "model/sampling.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_set>

namespace because::model {

int32_t sample_token(std::vector<float>& logits, const SamplingParams& p, const std::vector<int32_t>& history,
                     SequenceRng& rng) {
  const int32_t V = static_cast<int32_t>(logits.size());
  if (p.repetition_penalty != 1.0) {
    std::unordered_set<int32_t> seen(history.begin(), history.end());
    for (int32_t id : seen) {
      if (id < 0 || id >= V) continue;
      float& l = logits[id];
      l = l > 0 ? static_cast<float>(l / p.repetition_penalty) : static_cast<float>(l * p.repetition_penalty);
    }
  }
  if (p.temperature <= 0.0) {
    int32_t best = 0;
    for (int32_t i = 1; i < V; ++i)
      if (logits[i] > logits[best]) best = i;
    return best;
  }
  std::vector<int32_t> order(V);
  std::iota(order.begin(), order.end(), 0);
  auto by_logit = [&](int32_t a, int32_t b) { return logits[a] != logits[b] ? logits[a] > logits[b] : a < b; };
  int32_t keep = V;
  if (p.top_k > 0 && p.top_k < V) {
    keep = p.top_k;
    std::partial_sort(order.begin(), order.begin() + keep, order.end(), by_logit);
  } else {
    std::sort(order.begin(), order.end(), by_logit);
  }
  std::vector<double> probs(keep);
  const double mx = logits[order[0]] / p.temperature;
  double sum = 0;
  for (int32_t i = 0; i < keep; ++i) sum += probs[i] = std::exp(logits[order[i]] / p.temperature - mx);
  for (auto& x : probs) x /= sum;
  if (p.top_p < 1.0) {
    double cum = 0;
    int32_t n = 0;
    while (n < keep) {
      cum += probs[n++];
      if (cum >= p.top_p) break;
    }
    keep = std::max<int32_t>(n, 1);
    double s = 0;
    for (int32_t i = 0; i < keep; ++i) s += probs[i];
    for (int32_t i = 0; i < keep; ++i) probs[i] /= s;
  }
  const double u = rng.uniform();
  double cum = 0;
  for (int32_t i = 0; i < keep; ++i) {
    cum += probs[i];
    if (u < cum) return order[i];
  }
  return order[keep - 1];
}

uint64_t derive_seed(const std::vector<uint64_t>& parts) {
  uint64_t x = 0x9E3779B97F4A7C15ULL;
  for (uint64_t p : parts) {
    x ^= p + 0x9E3779B97F4A7C15ULL + (x << 6) + (x >> 2);
    uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    x = z ^ (z >> 31);
  }
  return x;
}

}  // namespace because::model
