// NLTK meteor_score: the alignment stages pop matched words from the back of both lists, in
// NLTK's loop order, and the synonym stage works on the stems left by the stem stage.
#include "metrics/meteor.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "metrics/text.h"

namespace because::metrics {
namespace {

using Enum = std::vector<std::pair<int, uint32_t>>;
using Matches = std::vector<std::pair<int, int>>;

// NLTK `_match_enums`: for hypothesis words from the last, the last equal reference word.
void match_enums(Enum& hyp, Enum& ref, Matches& out) {
  for (int i = static_cast<int>(hyp.size()) - 1; i >= 0; --i) {
    for (int j = static_cast<int>(ref.size()) - 1; j >= 0; --j) {
      if (hyp[i].second == ref[j].second) {
        out.emplace_back(hyp[i].first, ref[j].first);
        hyp.erase(hyp.begin() + i);
        ref.erase(ref.begin() + j);
        break;
      }
    }
  }
}

int count_chunks(const Matches& m) {
  int chunks = 1;
  for (size_t i = 0; i + 1 < m.size(); ++i)
    if (!(m[i + 1].first == m[i].first + 1 && m[i + 1].second == m[i].second + 1)) ++chunks;
  return chunks;
}

}  // namespace

MeteorScorer::MeteorScorer(const WordNet* wordnet, MeteorParams params) : wordnet_(wordnet), params_(params) {}

void MeteorScorer::words(std::string_view text, std::vector<uint32_t>& out) {
  out.clear();
  thread_local std::string lower;
  lower_py_into(text, lower);
  split_py_each(lower, [&](std::string_view w) { out.push_back(in_.id(w)); });
}

uint32_t MeteorScorer::stem(uint32_t w) {
  if (stem_of_.size() <= w) stem_of_.resize(w + 1, -1);
  if (stem_of_[w] < 0) stem_of_[w] = in_.id(stemmer_.stem(std::string(in_.text(w))));
  return static_cast<uint32_t>(stem_of_[w]);
}

namespace {
// One of 64 bits for a word id. A word's synonym mask ORs those of its synonyms, so a reference
// word whose bit is not in it is no synonym: most pairs are ruled out without a probe.
inline uint64_t syn_bit(uint32_t id) { return 1ULL << ((id * 0x9E3779B97F4A7C15ULL) >> 58); }
}  // namespace

uint64_t MeteorScorer::synonym_mask(uint32_t w) {
  if (syn_mask_.size() <= w) syn_mask_.resize(w + 1, 0);
  if (syn_mask_[w] == 0) {
    // A set of (word, synonym) pairs: one probe per test instead of a search of the word's list.
    uint64_t mask = syn_bit(w);
    syn_pairs_.insert(static_cast<uint64_t>(w) << 32 | w);
    for (const auto& n : wordnet_->synonyms(std::string(in_.text(w))))
      if (n.find('_') == std::string::npos) {
        const uint32_t id = in_.id(n);
        syn_pairs_.insert(static_cast<uint64_t>(w) << 32 | id);
        mask |= syn_bit(id);
      }
    syn_mask_[w] = mask;  // never 0: w's own bit is set
  }
  return syn_mask_[w];
}

double MeteorScorer::single_ids(const std::vector<uint32_t>& ref_words, const std::vector<uint32_t>& hyp_words) {
  Enum& hyp = hyp_;
  Enum& ref = ref_;
  hyp.clear();
  ref.clear();
  for (size_t k = 0; k < hyp_words.size(); ++k) hyp.emplace_back(static_cast<int>(k), hyp_words[k]);
  for (size_t k = 0; k < ref_words.size(); ++k) ref.emplace_back(static_cast<int>(k), ref_words[k]);
  const auto translation_length = static_cast<double>(hyp.size());
  const auto reference_length = static_cast<double>(ref.size());
  Matches& matches = matches_;
  matches.clear();
  match_enums(hyp, ref, matches);  // exact
  for (auto& [i, w] : hyp) w = stem(w);
  for (auto& [i, w] : ref) w = stem(w);
  match_enums(hyp, ref, matches);  // stems; the lists now hold stems
  if (wordnet_) {
    // (w, r) is probed only when r's bit is in w's synonym mask: the same matches in the same
    // order, with most pairs ruled out by an AND (the probes were a quarter of METEOR's time).
    std::vector<uint64_t>& ref_bits = ref_bits_;
    ref_bits.resize(ref.size());
    for (size_t j = 0; j < ref.size(); ++j) ref_bits[j] = syn_bit(ref[j].second);
    for (int i = static_cast<int>(hyp.size()) - 1; i >= 0 && !ref.empty(); --i) {
      const uint32_t w = hyp[i].second;
      const uint64_t mask = synonym_mask(w);
      for (int j = static_cast<int>(ref.size()) - 1; j >= 0; --j) {
        if ((mask & ref_bits[j]) == 0 || !syn_pairs_.contains(static_cast<uint64_t>(w) << 32 | ref[j].second)) continue;
        matches.emplace_back(hyp[i].first, ref[j].first);
        hyp.erase(hyp.begin() + i);
        ref.erase(ref.begin() + j);
        ref_bits.erase(ref_bits.begin() + j);
        break;
      }
    }
  }
  std::stable_sort(matches.begin(), matches.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  const auto m = static_cast<double>(matches.size());
  if (translation_length == 0 || reference_length == 0 || m == 0) return 0.0;
  const double precision = m / translation_length;
  const double recall = m / reference_length;
  const double fmean = (precision * recall) / (params_.alpha * precision + (1 - params_.alpha) * recall);
  const double frag = static_cast<double>(count_chunks(matches)) / m;
  const double penalty = params_.gamma * std::pow(frag, params_.beta);
  return (1 - penalty) * fmean;
}

double MeteorScorer::single(std::string_view reference, std::string_view hypothesis) {
  std::vector<uint32_t> r, h;
  words(reference, r);
  words(hypothesis, h);
  return single_ids(r, h);
}

double MeteorScorer::score(const std::vector<std::string>& references, std::string_view hypothesis) {
  set_references(references);
  return score_prepared(hypothesis);
}

void MeteorScorer::set_references(const std::vector<std::string>& references) {
  n_refs_ = references.size();
  if (refs_.size() < n_refs_) refs_.resize(n_refs_);
  for (size_t r = 0; r < n_refs_; ++r) words(references[r], refs_[r]);
}

void MeteorScorer::set_reference_words(const std::vector<uint32_t>* const* refs, size_t n) {
  n_refs_ = n;
  if (refs_.size() < n_refs_) refs_.resize(n_refs_);
  for (size_t r = 0; r < n_refs_; ++r) refs_[r] = *refs[r];
}

double MeteorScorer::score_prepared(std::string_view hypothesis) {
  words(hypothesis, hyp_words_);
  return score_words(hyp_words_);
}

double MeteorScorer::score_words(const std::vector<uint32_t>& hyp) {
  double best = 0;
  for (size_t r = 0; r < n_refs_; ++r) {
    const double s = single_ids(refs_[r], hyp);
    best = r == 0 ? s : std::max(best, s);
  }
  return best;
}

void MeteorState::add(MeteorScorer& scorer, std::string_view hyp, const std::vector<std::string>& refs) {
  add_score(scorer.score(refs, hyp));
}

void MeteorState::merge(const MeteorState& o) {
  n_ += o.n_;
  sum_ += o.sum_;
}

void MeteorState::pack(Packed& p) const {
  p.ints.push_back(n_);
  p.reals.push_back(sum_);
}

void MeteorState::unpack(Unpacker& u) {
  n_ = u.next_int();
  sum_ = u.next_real();
}

}  // namespace because::metrics
