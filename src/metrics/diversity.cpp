// distinct-n, self-BLEU and length over 13a tokens.
#include "metrics/diversity.h"

#include <algorithm>

#include "metrics/bleu.h"
#include "util/hash.h"

namespace because::metrics {

void DiversityState::add_group(const std::vector<std::string>& texts) {
  Interner in;
  add_group(in, texts);
}

void DiversityState::add_group(Interner& in, const std::vector<std::string>& texts) {
  thread_local std::vector<std::vector<uint32_t>> toks;
  thread_local std::vector<const std::vector<uint32_t>*> ptrs;
  if (toks.size() < texts.size()) toks.resize(texts.size());
  ptrs.clear();
  for (size_t i = 0; i < texts.size(); ++i) {
    tokenize_13a_ids(texts[i], in, toks[i]);
    ptrs.push_back(&toks[i]);
  }
  add_group_tokens(in, ptrs);
}

void DiversityState::add_group_tokens(const Interner& in, const std::vector<const std::vector<uint32_t>*>& toks) {
  thread_local std::vector<const std::vector<uint32_t>*> others;
  thread_local BleuRefs refs;
  if (interner_ != in.serial()) {  // ids of another interner: forget which ids were seen
    interner_ = in.serial();
    seen_id_.clear();
    seen_pair_.clear();
  }
  if (seen_pair_.empty()) seen_pair_.assign(kPairSlots, ~uint64_t{0});
  if (seen_id_.size() < in.size()) seen_id_.resize(std::max<size_t>(in.size(), 2 * seen_id_.size()), 0);
  const size_t n_texts = toks.size();
  for (size_t i = 0; i < n_texts; ++i) {
    const auto& tk = *toks[i];
    const size_t len = tk.size();
    ++n_texts_;
    n_tokens_ += static_cast<int64_t>(len);
    total_[0] += static_cast<int64_t>(len);
    total_[1] += len > 0 ? static_cast<int64_t>(len) - 1 : 0;
    for (size_t k = 0; k < len; ++k)
      if (!seen_id_[tk[k]]) {
        seen_id_[tk[k]] = 1;
        seen_[0].insert(in.hash(tk[k]));
      }
    for (size_t k = 0; k + 1 < len; ++k) {
      // A bigram of ids met lately is in seen_[1] already: no hash to compute, no probe.
      const uint64_t ids = static_cast<uint64_t>(tk[k]) << 32 | tk[k + 1];
      uint64_t& slot = seen_pair_[(ids * 0x9E3779B97F4A7C15ULL) >> (64 - kPairBits)];
      if (slot != ids) {
        slot = ids;
        const uint64_t pair[2] = {in.hash(tk[k]), in.hash(tk[k + 1])};
        seen_[1].insert(hash::xxh64(std::string_view(reinterpret_cast<const char*>(pair), sizeof pair)));
      }
    }
  }
  if (n_texts == 2) {
    // Against one reference the clipped matches, sum over n-grams of min(count in a, count in
    // b), are the same both ways: count them once; the lengths swap.
    const auto& a = *toks[0];
    const auto& b = *toks[1];
    refs.set(toks.data() + 1, 1);
    const auto correct = refs.clipped_matches(a);
    const auto la = static_cast<int64_t>(a.size()), lb = static_cast<int64_t>(b.size());
    BleuState ab, ba;
    ab.add_segment(la, lb, correct);
    ba.add_segment(lb, la, correct);
    self_sum_ += ab.value(true).score;
    self_sum_ += ba.value(true).score;
    n_self_ += 2;
  } else if (n_texts > 2) {
    for (size_t i = 0; i < n_texts; ++i) {
      others.clear();
      for (size_t j = 0; j < n_texts; ++j)
        if (j != i) others.push_back(toks[j]);
      refs.set(others.data(), others.size());
      BleuState s;
      refs.add_to(s, *toks[i]);
      self_sum_ += s.value(true).score;
      ++n_self_;
    }
  }
}

void DiversityState::merge(const DiversityState& o) {
  n_texts_ += o.n_texts_;
  n_tokens_ += o.n_tokens_;
  n_self_ += o.n_self_;
  total_[0] += o.total_[0];
  total_[1] += o.total_[1];
  self_sum_ += o.self_sum_;
  for (int k = 0; k < 2; ++k)
    for (const uint64_t h : o.seen_[k].values()) seen_[k].insert(h);
}

void DiversityState::insert_hashes(int n, const uint64_t* h, size_t count) {
  for (size_t i = 0; i < count; ++i) seen_[n - 1].insert(h[i]);
}

DiversityReport DiversityState::value() const {
  DiversityReport r;
  r.n_texts = n_texts_;
  r.n_self_bleu = n_self_;
  if (total_[0] > 0) r.distinct1 = static_cast<double>(seen_[0].size()) / static_cast<double>(total_[0]);
  if (total_[1] > 0) r.distinct2 = static_cast<double>(seen_[1].size()) / static_cast<double>(total_[1]);
  if (n_self_ > 0) r.self_bleu = self_sum_ / static_cast<double>(n_self_);
  if (n_texts_ > 0) r.mean_length = static_cast<double>(n_tokens_) / static_cast<double>(n_texts_);
  return r;
}

void DiversityState::pack(Packed& p) const {
  p.ints.push_back(n_texts_);
  p.ints.push_back(n_tokens_);
  p.ints.push_back(n_self_);
  p.ints.push_back(total_[0]);
  p.ints.push_back(total_[1]);
  p.reals.push_back(self_sum_);
}

void DiversityState::unpack(Unpacker& u) {
  n_texts_ = u.next_int();
  n_tokens_ = u.next_int();
  n_self_ = u.next_int();
  total_[0] = u.next_int();
  total_[1] = u.next_int();
  self_sum_ = u.next_real();
}

}  // namespace because::metrics
