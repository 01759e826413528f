// Synthetic explanations for the metrics benchmarks: sentences of a 32-word vocabulary, so that
// hypotheses and references share words as model and human explanations of one instance do.
#pragma once

#include <random>
#include <string>

namespace because::bench {

inline std::string sentence(std::mt19937_64& rng, int len) {
  static const char* const kWords[] = {
      "the",     "a",        "man",    "woman", "dog",  "is",       "runs",    "sleeps",
      "outside", "because",  "not",    "park",  "ball", "plays",    "with",    "happy",
      "sad",     "people",   "are",    "there", "two",  "children", "sitting", "bench",
      "holding", "umbrella", "street", "city",  "old",  "young",    "walking", "near"};
  std::string s;
  for (int i = 0; i < len; ++i) {
    if (i) s.push_back(' ');
    s += kWords[rng() % 32];
  }
  s += ".";
  return s;
}

}  // namespace because::bench
