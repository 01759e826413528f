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

uint32_t MeteorScorer::new_stem(uint32_t w) {
  if (stem_of_.size() <= w) stem_of_.resize(std::max<size_t>(w + 1, in_.size()), kNoStem);
  const uint32_t s = in_.id(stemmer_.stem(std::string(in_.text(w))));
  stem_of_[w] = s;
  if (words_of_stem_.size() <= s) words_of_stem_.resize(std::max<size_t>(s + 1, in_.size()), 0);
  ++words_of_stem_[s];
  return s;
}

namespace {
// One of 256 bits for a word id. A word's synonym mask ORs those of its synonyms, so a reference
// word whose bit is not in it is no synonym: most pairs are ruled out without a probe.
inline unsigned syn_bit(uint32_t id) { return static_cast<unsigned>((id * 0x9E3779B97F4A7C15ULL) >> 56); }
template <class Mask>
inline bool has_bit(const Mask& m, unsigned b) {
  return (m[b >> 6] >> (b & 63)) & 1;
}
template <class Mask>
inline void set_bit(Mask& m, unsigned b) {
  m[b >> 6] |= uint64_t{1} << (b & 63);
}
// Whether two masks share a bit (one of them empty: false).
template <class Mask>
inline bool meet(const Mask& a, const Mask& b) {
  uint64_t any = 0;
  for (size_t q = 0; q < a.size(); ++q) any |= a[q] & b[q];
  return any != 0;
}
}  // namespace

// synonym_mask() of a word not looked up yet (its mask 0, or past the end of syn_mask_).
const MeteorScorer::SynMask& MeteorScorer::look_up_synonyms(uint32_t w) {
  if (syn_mask_.size() <= w) syn_mask_.resize(w + 1, SynMask{});
  auto& mask = syn_mask_[w];
  // A set of (word, synonym) pairs: one probe per test instead of a search of the word's list.
  set_bit(mask, syn_bit(w));
  syn_pairs_.insert(static_cast<uint64_t>(w) << 32 | w);
  for (const auto& n : wordnet_->synonyms(std::string(in_.text(w))))
    if (n.find('_') == std::string::npos) {
      const uint32_t id = in_.id(n);
      syn_pairs_.insert(static_cast<uint64_t>(w) << 32 | id);
      set_bit(mask, syn_bit(id));
    }
  return mask;  // never 0 from now on: w's own bit is set
}

// NLTK `_match_enums`: for hypothesis words from the last, the last equal reference word left;
// matched words leave both lists. Each reference word is chained to the previous one with the
// same id, so that every hypothesis word finds its partner in one step: O(n + m) instead of
// NLTK's nested loops, with the same matches in the same order.
void MeteorScorer::next_generation() {
  if (stamp_.size() < in_.size()) stamp_.resize(in_.size(), 0);
  if (++gen_ == 0) {  // wrapped: forget every stamp
    std::fill(stamp_.begin(), stamp_.end(), 0);
    gen_ = 1;
  }
}

void MeteorScorer::match_enums(Enum& hyp, Enum& ref, std::vector<std::pair<int, int>>& out) {
  if (hyp.empty() || ref.empty()) return;
  next_generation();
  if (last_.size() < in_.size()) last_.resize(in_.size());
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

// The references' words as bit sets of positions, and their stems (references of at most 64
// words; longer ones are aligned as lists). The stems are taken here once for all hypotheses,
// before the slots are sized, since stem() may add ids.
void MeteorScorer::prepare_references() {
  if (ref_stem_.size() < n_refs_) {
    ref_stem_.resize(n_refs_);
    ref_syn_.resize(n_refs_);
  }
  for (size_t r = 0; r < n_refs_; ++r) {
    const auto& words = refs_[r];
    if (!as_bits(r)) continue;
    for (size_t j = 0; j < words.size(); ++j) {
      ref_stem_[r][j] = stem(words[j]);
      ref_syn_[r][j] = static_cast<uint8_t>(syn_bit(ref_stem_[r][j]));
    }
  }
  if (slot_.size() < in_.size()) slot_.resize(in_.size(), 0);
  if (++slot_gen_ == 0) {  // wrapped: forget every stamp
    std::fill(slot_.begin(), slot_.end(), 0);
    slot_gen_ = 1;
  }
  n_slots_ = 1;  // slot 0: no reference word
  for (size_t r = 0; r < n_refs_; ++r)
    if (as_bits(r))
      for (const uint32_t id : refs_[r])
        if (slot_[id] >> 32 != slot_gen_) slot_[id] = uint64_t{slot_gen_} << 32 | n_slots_++;
  if (word_at_.size() < n_refs_ * n_slots_) word_at_.resize(n_refs_ * n_slots_);
  std::fill_n(word_at_.data(), n_refs_ * n_slots_, 0);
  for (size_t r = 0; r < n_refs_; ++r)
    if (as_bits(r))
      for (size_t j = 0; j < refs_[r].size(); ++j)
        word_at_[r * n_slots_ + static_cast<uint32_t>(slot_[refs_[r][j]])] |= uint64_t{1} << j;
  if (avail_.size() < n_slots_) avail_.resize(n_slots_);
}

// NLTK's stages against a reference prepared as bit sets, for a hypothesis of at most 64 words:
// the exact stage works on a copy of the reference's sets per word slot, the stem stage on sets
// per stem of the words left, so that the last reference word left with an id is one count of
// leading zeros and a matched one leaves by clearing a bit; the matches are kept per hypothesis
// position, which is the order NLTK sorts them in.
double MeteorScorer::single_bits(size_t r, const std::vector<uint32_t>& hyp_words) {
  const std::vector<uint32_t>& ref_words = refs_[r];
  const size_t n = hyp_words.size(), m = ref_words.size();
  if (n == 0 || m == 0) return 0.0;
  std::array<int8_t, 64> partner;  // per hypothesis position: its reference position, if matched
  const uint64_t all_hyp = n == 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1;
  const uint64_t all_ref = m == 64 ? ~uint64_t{0} : (uint64_t{1} << m) - 1;
  uint64_t* avail = avail_.data();
  // Exact: hypothesis words from the last, each with the last reference word left that is the
  // same word. Without a branch on whether it has one (a slot of none, or used up, has no bits).
  std::copy_n(word_at_.data() + r * n_slots_, n_slots_, avail);
  uint64_t matched = 0, taken = 0;
  for (size_t i = n; i-- > 0;) {
    const uint32_t s = slot(hyp_words[i]);
    const uint64_t a = avail[s];
    const int j = 63 - __builtin_clzll(a | 1);
    const uint64_t bit = a & (uint64_t{1} << j);
    avail[s] = a ^ bit;
    taken |= bit;
    matched |= static_cast<uint64_t>(a != 0) << i;
    partner[i] = static_cast<int8_t>(j);
  }
  uint64_t hyp_left = all_hyp & ~matched, ref_left = all_ref & ~taken;
  // The hypothesis words left, as their stems. The exact stage leaves no word on both sides, so
  // the stem stage can only pair two different words with one stem: without a hypothesis word
  // whose stem has another word (the reference's words were stemmed when it was prepared), it
  // has nothing to do.
  std::array<uint32_t, 64>& hs = hyp_stems_;
  const std::array<uint32_t, 64>& rs = ref_stem_[r];
  bool shared = false;
  for (uint64_t h = hyp_left; h; h &= h - 1) {
    const size_t i = static_cast<size_t>(__builtin_ctzll(h));
    hs[i] = stem(hyp_words[i]);
    shared |= words_of_stem_[hs[i]] > 1;
  }
  if (shared && ref_left) {
    // Rare: per stem id, the reference positions left with it (valid when its stamp is gen_).
    next_generation();
    if (at_.size() < in_.size()) at_.resize(in_.size());
    for (uint64_t x = ref_left; x; x &= x - 1) {
      const int j = __builtin_ctzll(x);
      const uint32_t id = rs[static_cast<size_t>(j)];
      if (stamp_[id] != gen_) {
        stamp_[id] = gen_;
        at_[id] = 0;
      }
      at_[id] |= uint64_t{1} << j;
    }
    for (uint64_t h = hyp_left; h;) {
      const int i = 63 - __builtin_clzll(h);
      h &= ~(uint64_t{1} << i);
      const uint32_t id = hs[static_cast<size_t>(i)];
      if (stamp_[id] != gen_ || at_[id] == 0) continue;
      const int j = 63 - __builtin_clzll(at_[id]);
      at_[id] &= ~(uint64_t{1} << j);
      ref_left &= ~(uint64_t{1} << j);
      hyp_left &= ~(uint64_t{1} << i);
      partner[static_cast<size_t>(i)] = static_cast<int8_t>(j);
    }
  }
  if (wordnet_ && hyp_left && ref_left) {
    // As in single_lists(): (w, r) is probed only when r's bit is in w's synonym mask.
    SynMask ref_mask{};
    const std::array<uint8_t, 64>& rb = ref_syn_[r];
    for (uint64_t x = ref_left; x; x &= x - 1) set_bit(ref_mask, rb[static_cast<size_t>(__builtin_ctzll(x))]);
    for (uint64_t h = hyp_left; h && ref_left;) {
      const int i = 63 - __builtin_clzll(h);
      h &= ~(uint64_t{1} << i);
      const uint32_t w = hs[static_cast<size_t>(i)];
      const auto& mask = synonym_mask(w);
      if (!meet(mask, ref_mask)) continue;
      for (uint64_t x = ref_left; x;) {
        const int j = 63 - __builtin_clzll(x);
        x &= ~(uint64_t{1} << j);
        if (!has_bit(mask, rb[static_cast<size_t>(j)]) ||
            !syn_pairs_.contains(static_cast<uint64_t>(w) << 32 | rs[static_cast<size_t>(j)]))
          continue;
        ref_left &= ~(uint64_t{1} << j);
        hyp_left &= ~(uint64_t{1} << i);
        partner[static_cast<size_t>(i)] = static_cast<int8_t>(j);
        break;
      }
    }
  }
  const uint64_t aligned = all_hyp & ~hyp_left;
  if (aligned == 0) return 0.0;
  // NLTK's _count_chunks over the matches in hypothesis order: a match that does not continue
  // the previous one on both sides starts a chunk (the first one too). Counted without a branch.
  int chunks = 0, pi = -2, pj = -2;
  for (uint64_t h = aligned; h; h &= h - 1) {
    const int i = __builtin_ctzll(h), j = partner[static_cast<size_t>(i)];
    chunks += static_cast<int>((i != pi + 1) | (j != pj + 1));
    pi = i;
    pj = j;
  }
  return meteor_value_small(static_cast<double>(n), static_cast<double>(m), __builtin_popcountll(aligned),
                            chunks);
}

double MeteorScorer::meteor_value(double translation_length, double reference_length, int matches,
                                  int chunks) const {
  const auto m = static_cast<double>(matches);
  if (translation_length == 0 || reference_length == 0 || m == 0) return 0.0;
  const double precision = m / translation_length;
  const double recall = m / reference_length;
  const double fmean = (precision * recall) / (params_.alpha * precision + (1 - params_.alpha) * recall);
  const double frag = static_cast<double>(chunks) / m;
  const double penalty = params_.gamma * std::pow(frag, params_.beta);
  return (1 - penalty) * fmean;
}

double MeteorScorer::meteor_value_small(double translation_length, double reference_length, int matches,
                                        int chunks) {
  if (penalty_.empty()) penalty_.assign(65 * 65, std::nan(""));
  double& p = penalty_[static_cast<size_t>(matches) * 65 + static_cast<size_t>(chunks)];
  if (std::isnan(p))
    p = params_.gamma * std::pow(static_cast<double>(chunks) / static_cast<double>(matches), params_.beta);
  const auto m = static_cast<double>(matches);
  const double precision = m / translation_length;
  const double recall = m / reference_length;
  const double fmean = (precision * recall) / (params_.alpha * precision + (1 - params_.alpha) * recall);
  return (1 - p) * fmean;
}

double MeteorScorer::single_ids(size_t r, const std::vector<uint32_t>& hyp) {
  if (as_bits(r) && hyp.size() <= 64) return single_bits(r, hyp);
  return single_lists(refs_[r], hyp);
}

double MeteorScorer::single_lists(const std::vector<uint32_t>& ref_words,
                                  const std::vector<uint32_t>& hyp_words) {
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
      set_bit(ref_mask, ref_bits[j]);
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
  return meteor_value(translation_length, reference_length, static_cast<int>(matches.size()),
                      matches.empty() ? 0 : count_chunks(matches));
}

double MeteorScorer::single(std::string_view reference, std::string_view hypothesis) {
  n_refs_ = 1;
  if (refs_.empty()) refs_.resize(1);
  words(reference, refs_[0]);
  prepare_references();
  words(hypothesis, hyp_words_);
  return single_ids(0, hyp_words_);
}

double MeteorScorer::score(const std::vector<std::string>& references, std::string_view hypothesis) {
  set_references(references);
  return score_prepared(hypothesis);
}

void MeteorScorer::set_references(const std::vector<std::string>& references) {
  n_refs_ = references.size();
  if (refs_.size() < n_refs_) refs_.resize(n_refs_);
  for (size_t r = 0; r < n_refs_; ++r) words(references[r], refs_[r]);
  prepare_references();
}

void MeteorScorer::set_reference_words(const std::vector<uint32_t>* const* refs, size_t n) {
  n_refs_ = n;
  if (refs_.size() < n_refs_) refs_.resize(n_refs_);
  for (size_t r = 0; r < n_refs_; ++r) refs_[r] = *refs[r];
  prepare_references();
}

double MeteorScorer::score_prepared(std::string_view hypothesis) {
  words(hypothesis, hyp_words_);
  return score_words(hyp_words_);
}

double MeteorScorer::score_words(const std::vector<uint32_t>& hyp) {
  double best = 0;
  for (size_t r = 0; r < n_refs_; ++r) {
    const double s = single_ids(r, hyp);
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
