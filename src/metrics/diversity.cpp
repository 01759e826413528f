// distinct-n, self-BLEU and length over 13a tokens.
#include "metrics/diversity.h"

#include "metrics/bleu.h"
#include "util/hash.h"

namespace because::metrics {

void DiversityState::add_group(const std::vector<std::string>& texts) {
  std::vector<std::vector<std::string>> toks;
  toks.reserve(texts.size());
  for (const auto& t : texts) toks.push_back(tokenize_13a(t));
  for (const auto& tk : toks) {
    ++n_texts_;
    n_tokens_ += static_cast<int64_t>(tk.size());
    for (size_t i = 0; i < tk.size(); ++i) {
      ++total_[0];
      seen_[0].insert(hash::xxh64(tk[i]));
      if (i + 1 < tk.size()) {
        ++total_[1];
        std::string bi = tk[i];
        bi.push_back(' ');
        bi += tk[i + 1];
        seen_[1].insert(hash::xxh64(bi));
      }
    }
  }
  if (toks.size() >= 2) {
    for (size_t i = 0; i < toks.size(); ++i) {
      std::vector<std::vector<std::string>> others;
      for (size_t j = 0; j < toks.size(); ++j)
        if (j != i) others.push_back(toks[j]);
      self_sum_ += sentence_bleu(toks[i], others);
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
  for (int k = 0; k < 2; ++k) seen_[k].insert(o.seen_[k].begin(), o.seen_[k].end());
}

void DiversityState::insert_hashes(int n, const uint64_t* h, size_t count) { seen_[n - 1].insert(h, h + count); }

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
