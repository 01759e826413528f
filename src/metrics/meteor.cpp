// NLTK meteor_score: the alignment stages pop matched words from the back of both lists, in
// NLTK's loop order, and the synonym stage works on the stems left by the stem stage.
#include "metrics/meteor.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include "metrics/text.h"

namespace because::metrics {
namespace {

using Enum = std::vector<std::pair<int, uint32_t>>;
using Matches = std::vector<std::pair<int, int>>;

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
// One of 256 bits for a word id. A word's synonym mask ORs those of its synonyms, so a reference
// word whose bit is not in it is no synonym: most pairs are ruled out without a probe.
inline unsigned syn_bit(uint32_t id) { return static_cast<unsigned>((id * 0x9E3779B97F4A7C15ULL) >> 56); }
template <class Mask>
inline bool has_bit(const Mask& m, unsigned b) {
  return (m[b >> 6] >> (b & 63)) & 1;
}
// Whether two masks share a bit (one of them empty: false).
template <class Mask>
inline bool meet(const Mask& a, const Mask& b) {
  uint64_t any = 0;
  for (size_t q = 0; q < a.size(); ++q) any |= a[q] & b[q];
  return any != 0;
}
}  // namespace

const MeteorScorer::SynMask& MeteorScorer::synonym_mask(uint32_t w) {
  if (syn_mask_.size() <= w) syn_mask_.resize(w + 1, SynMask{});
  auto& mask = syn_mask_[w];
  if (!meet(mask, mask)) {  // not looked up yet
    // A set of (word, synonym) pairs: one probe per test instead of a search of the word's list.
    auto add = [&mask](uint32_t id) { mask[syn_bit(id) >> 6] |= 1ULL << (syn_bit(id) & 63); };
    add(w);
    syn_pairs_.insert(static_cast<uint64_t>(w) << 32 | w);
    for (const auto& n : wordnet_->synonyms(std::string(in_.text(w))))
      if (n.find('_') == std::string::npos) {
        const uint32_t id = in_.id(n);
        syn_pairs_.insert(static_cast<uint64_t>(w) << 32 | id);
        add(id);
      }
  }
  return mask;  // never 0: w's own bit is set
}

// NLTK `_match_enums`: for hypothesis words from the last, the last equal reference word left;
// matched words leave both lists. Each reference word is chained to the previous one with the
// same id, so that every hypothesis word finds its partner in one step: O(n + m) instead of
// NLTK's nested loops, with the same matches in the same order.
void MeteorScorer::match_enums(Enum& hyp, Enum& ref, std::vector<std::pair<int, int>>& out) {
  if (hyp.empty() || ref.empty()) return;
  if (++gen_ == 0) {  // wrapped: forget every stamp
    std::fill(stamp_.begin(), stamp_.end(), 0);
    gen_ = 1;
  }
  if (stamp_.size() < in_.size()) {
    stamp_.resize(in_.size(), 0);
    last_.resize(in_.size());
  }
  const size_t m = ref.size();
  prev_.resize(m);
  for (size_t j = 0; j < m; ++j) {
    const uint32_t id = ref[j].second;
    prev_[j] = stamp_[id] == gen_ ? last_[id] : -1;
    last_[id] = static_cast<int>(j);
    stamp_[id] = gen_;
  }
  ref_taken_.assign(m, 0);
  size_t kept = hyp.size();  // hyp entries left, compacted towards the back
  for (size_t i = hyp.size(); i-- > 0;) {
    const uint32_t id = hyp[i].second;
    const int j = stamp_[id] == gen_ ? last_[id] : -1;
    if (j < 0) {
      hyp[--kept] = hyp[i];
      continue;
    }
    last_[id] = prev_[static_cast<size_t>(j)];
    ref_taken_[static_cast<size_t>(j)] = 1;
    out.emplace_back(hyp[i].first, ref[static_cast<size_t>(j)].first);
  }
  hyp.erase(hyp.begin(), hyp.begin() + static_cast<std::ptrdiff_t>(kept));
  size_t r = 0;
  for (size_t j = 0; j < m; ++j)
    if (!ref_taken_[j]) ref[r++] = ref[j];
  ref.resize(r);
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
    // (w, r) is probed only when r's bit is in w's synonym mask, and w's loop runs only when its
    // mask meets the reference's (the OR of its words' bits, kept as words leave): the same
    // matches in the same order, with most pairs ruled out by an AND.
    std::vector<unsigned>& ref_bits = ref_bits_;
    ref_bits.resize(ref.size());
    SynMask ref_mask{};
    for (size_t j = 0; j < ref.size(); ++j) {
      ref_bits[j] = syn_bit(ref[j].second);
      ref_mask[ref_bits[j] >> 6] |= 1ULL << (ref_bits[j] & 63);
    }
    for (int i = static_cast<int>(hyp.size()) - 1; i >= 0 && !ref.empty(); --i) {
      const uint32_t w = hyp[i].second;
      const auto& mask = synonym_mask(w);
      if (!meet(mask, ref_mask)) continue;
      for (int j = static_cast<int>(ref.size()) - 1; j >= 0; --j) {
        if (!has_bit(mask, ref_bits[j]) || !syn_pairs_.contains(static_cast<uint64_t>(w) << 32 | ref[j].second)) continue;
        matches.emplace_back(hyp[i].first, ref[j].first);
        hyp.erase(hyp.begin() + i);
        ref.erase(ref.begin() + j);
        ref_bits.erase(ref_bits.begin() + j);
        break;
      }
    }
  }
  // Stable by hypothesis position (Python's sorted): insertion sort of a sentence's matches.
  for (size_t a = 1; a < matches.size(); ++a) {
    const auto x = matches[a];
    size_t b = a;
    for (; b > 0 && matches[b - 1].first > x.first; --b) matches[b] = matches[b - 1];
    matches[b] = x;
  }
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
