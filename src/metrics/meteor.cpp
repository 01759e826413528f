// NLTK meteor_score: the alignment stages pop matched words from the back of both lists, in
// NLTK's loop order, and the synonym stage works on the stems left by the stem stage.
#include "metrics/meteor.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "metrics/text.h"

namespace because::metrics {
namespace {

using Enum = std::vector<std::pair<int, std::string>>;
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

const std::string& MeteorScorer::stem(const std::string& w) {
  auto it = stem_cache_.find(w);
  if (it == stem_cache_.end()) it = stem_cache_.emplace(w, stemmer_.stem(w)).first;
  return it->second;
}

const std::vector<std::string>& MeteorScorer::synonyms(const std::string& w) {
  auto it = syn_cache_.find(w);
  if (it == syn_cache_.end()) {
    std::vector<std::string> names;
    for (auto& n : wordnet_->synonyms(w))
      if (n.find('_') == std::string::npos) names.push_back(std::move(n));
    names.push_back(w);
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    it = syn_cache_.emplace(w, std::move(names)).first;
  }
  return it->second;
}

double MeteorScorer::single(std::string_view reference, std::string_view hypothesis) {
  Enum hyp, ref;
  {
    int k = 0;
    for (auto& t : split_py(lower_py(hypothesis))) hyp.emplace_back(k++, std::move(t));
    k = 0;
    for (auto& t : split_py(lower_py(reference))) ref.emplace_back(k++, std::move(t));
  }
  const auto translation_length = static_cast<double>(hyp.size());
  const auto reference_length = static_cast<double>(ref.size());
  Matches matches;
  match_enums(hyp, ref, matches);  // exact
  for (auto& [i, w] : hyp) w = stem(w);
  for (auto& [i, w] : ref) w = stem(w);
  match_enums(hyp, ref, matches);  // stems; the lists now hold stems
  if (wordnet_) {
    for (int i = static_cast<int>(hyp.size()) - 1; i >= 0; --i) {
      const auto& syns = synonyms(hyp[i].second);
      for (int j = static_cast<int>(ref.size()) - 1; j >= 0; --j) {
        if (std::binary_search(syns.begin(), syns.end(), ref[j].second)) {
          matches.emplace_back(hyp[i].first, ref[j].first);
          hyp.erase(hyp.begin() + i);
          ref.erase(ref.begin() + j);
          break;
        }
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

double MeteorScorer::score(const std::vector<std::string>& references, std::string_view hypothesis) {
  double best = 0;
  bool first = true;
  for (const auto& r : references) {
    const double s = single(r, hypothesis);
    best = first ? s : std::max(best, s);
    first = false;
  }
  return best;
}

void MeteorState::add(MeteorScorer& scorer, std::string_view hyp, const std::vector<std::string>& refs) {
  ++n_;
  sum_ += scorer.score(refs, hyp);
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
