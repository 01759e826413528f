// Synthetic NLI-like JSONL generator (see synth.h).
#include "corpus/synth.h"

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "util/error.h"

namespace because::corpus {
namespace {

struct Rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  size_t below(size_t n) { return static_cast<size_t>(next() % n); }
  double uniform() { return static_cast<double>(next() >> 11) / 9007199254740992.0; }
  template <class T>
  const T& pick(const std::vector<T>& v) { return v[below(v.size())]; }
};

const std::vector<std::string> kSubjects{"a young woman", "an old man", "two children", "the committee", "a chef",
  "the students", "a farmer", "the driver", "several tourists", "a nurse", "the band", "my neighbour",
  "the manager", "a group of hikers", "the researchers", "a small dog", "the city council", "a teenager",
  "the passengers", "an artist"};
const std::vector<std::pair<std::string, std::string>> kVerbs{{"is reading", "reading"}, {"is painting", "painting"},
  {"is repairing", "repairing"}, {"is carrying", "carrying"}, {"is selling", "selling"}, {"is cleaning", "cleaning"},
  {"is watching", "watching"}, {"is building", "building"}, {"is photographing", "photographing"},
  {"is discussing", "discussing"}, {"is moving", "moving"}, {"is inspecting", "inspecting"}};
const std::vector<std::string> kObjects{"a wooden boat", "the old bridge", "a stack of letters", "a red bicycle",
  "the new budget", "a basket of apples", "the garden fence", "a broken radio", "the museum map",
  "a pile of books", "the kitchen table", "a large painting", "the train schedule", "a box of tools"};
const std::vector<std::string> kPlaces{"near the harbour", "in a crowded market", "on the roof", "outside the station",
  "in the library", "by the river", "at the end of the street", "in a quiet office", "behind the school",
  "on a windy hill"};
const std::vector<std::string> kTimes{"early in the morning", "after lunch", "late at night", "on a rainy afternoon",
  "during the festival", "before the meeting", "while it is snowing", "at sunset"};
const std::vector<std::string> kExtras{"although nobody seems to notice", "and a few people stop to look",
  "because the work has to be finished today", "while music plays from a nearby window",
  "and the weather is getting colder", "as a long line of cars waits at the light",
  "though the report suggests otherwise", "and someone is taking notes in a small notebook"};
const std::vector<std::string> kNeutral{"because they were paid to do it", "for the first time in their life",
  "to impress a friend", "as part of a school project", "and they are very tired", "for a television programme"};

std::string cap(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

void json_string(std::string& out, const std::string& s) {
  out.push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
}

}  // namespace

SynthResult write_synthetic(const std::string& path, int64_t rows, uint64_t seed) {
  if (rows < 0) throw ConfigError("corpus synth: --rows must be >= 0");
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw_errno("cannot create " + tmp);
  Rng rng{seed * 0x2545F4914F6CDD1DULL + 17};
  static const char* kLabels[3] = {"entailment", "neutral", "contradiction"};
  std::string buf;
  buf.reserve(9 << 20);
  SynthResult res;
  for (int64_t i = 0; i < rows; ++i) {
    const std::string subj = rng.pick(kSubjects);
    const auto& verb = rng.pick(kVerbs);
    const std::string obj = rng.pick(kObjects);
    // Premise length: log-normal number of extra clauses (MNLI premises: median ~19 words, long tail).
    const double z = std::sqrt(-2.0 * std::log(rng.uniform() + 1e-12)) * std::cos(6.283185307179586 * rng.uniform());
    const int extra = std::min(30, std::max(0, static_cast<int>(std::lround(std::exp(0.2 + 0.9 * z)) - 1)));
    std::string premise = cap(subj) + " " + verb.first + " " + obj + " " + rng.pick(kPlaces);
    if (rng.below(2)) premise += " " + rng.pick(kTimes);
    for (int k = 0; k < extra; ++k) premise += (k % 2 ? ", " : " ") + rng.pick(kExtras);
    premise += ".";
    const int label = static_cast<int>(rng.below(3));
    std::string hyp, expl;
    if (label == 0) {
      hyp = cap(subj) + " " + verb.first + " something.";
      expl = "The premise says " + subj + " " + verb.first + " " + obj + ", so '" + hyp.substr(0, hyp.size() - 1) +
             "' is true.";
    } else if (label == 1) {
      hyp = cap(subj) + " " + verb.first + " " + obj + " " + rng.pick(kNeutral) + ".";
      expl = "Nothing in the premise says why, so '" + hyp.substr(0, hyp.size() - 1) + "' may or may not hold.";
    } else {
      hyp = "Nobody is " + verb.second + " " + obj + ".";
      expl = "The premise shows " + subj + " " + verb.first + " " + obj + ", which contradicts '" +
             hyp.substr(0, hyp.size() - 1) + "'.";
    }
    buf += "{\"uid\":\"synth-";
    buf += std::to_string(i);
    buf += "\",\"premise\":";
    json_string(buf, premise);
    buf += ",\"hypothesis\":";
    json_string(buf, hyp);
    buf += ",\"label\":\"";
    buf += kLabels[label];
    buf += "\",\"explanations\":[";
    if (rng.below(4) == 0) json_string(buf, expl);
    buf += "],\"split\":\"";
    const size_t s = rng.below(100);
    buf += s < 90 ? "train" : s < 95 ? "dev" : "test";
    buf += "\"}\n";
    if (buf.size() >= (8u << 20)) {
      if (std::fwrite(buf.data(), 1, buf.size(), f) != buf.size()) {
        std::fclose(f);
        throw_errno("cannot write " + tmp);
      }
      res.bytes += buf.size();
      buf.clear();
    }
  }
  if (!buf.empty() && std::fwrite(buf.data(), 1, buf.size(), f) != buf.size()) {
    std::fclose(f);
    throw_errno("cannot write " + tmp);
  }
  res.bytes += buf.size();
  if (std::fclose(f) != 0) throw_errno("cannot close " + tmp);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw_errno("cannot rename " + tmp + " to " + path);
  res.rows = rows;
  return res;
}

}  // namespace because::corpus
