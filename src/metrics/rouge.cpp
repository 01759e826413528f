// rouge_score's tokeniser, n-gram overlap and LCS F-measures.
#include "metrics/rouge.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "metrics/porter.h"
#include "metrics/text.h"

namespace because::metrics {
namespace {

bool is_tok_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

double fmeasure(double p, double r) { return p + r > 0 ? 2 * p * r / (p + r) : 0.0; }

double ngram_f(const std::vector<std::string>& target, const std::vector<std::string>& pred, int n) {
  auto grams = [n](const std::vector<std::string>& t) {
    std::unordered_map<std::string, int64_t> c;
    for (size_t i = 0; i + n <= t.size(); ++i) {
      std::string k = t[i];
      for (int j = 1; j < n; ++j) k += " " + t[i + j];
      ++c[k];
    }
    return c;
  };
  const auto tg = grams(target), pg = grams(pred);
  int64_t inter = 0, nt = 0, np = 0;
  for (const auto& [g, c] : tg) {
    nt += c;
    const auto it = pg.find(g);
    if (it != pg.end()) inter += std::min(c, it->second);
  }
  for (const auto& [g, c] : pg) np += c;
  const double p = static_cast<double>(inter) / static_cast<double>(std::max<int64_t>(np, 1));
  const double r = static_cast<double>(inter) / static_cast<double>(std::max<int64_t>(nt, 1));
  return fmeasure(p, r);
}

double lcs_f(const std::vector<std::string>& target, const std::vector<std::string>& pred) {
  if (target.empty() || pred.empty()) return 0.0;
  const size_t rows = target.size(), cols = pred.size();
  std::vector<int64_t> prev(cols + 1, 0), cur(cols + 1, 0);
  for (size_t i = 1; i <= rows; ++i) {
    for (size_t j = 1; j <= cols; ++j)
      cur[j] = target[i - 1] == pred[j - 1] ? prev[j - 1] + 1 : std::max(prev[j], cur[j - 1]);
    std::swap(prev, cur);
  }
  const double lcs = static_cast<double>(prev[cols]);
  return fmeasure(lcs / static_cast<double>(cols), lcs / static_cast<double>(rows));
}

}  // namespace

std::vector<std::string> tokenize_rouge(std::string_view text, bool use_stemmer) {
  const std::string lower = lower_py(text);
  std::vector<std::string> toks;
  std::string cur;
  for (char c : lower) {
    if (is_tok_char(c)) {
      cur.push_back(c);
    } else if (!cur.empty()) {
      toks.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) toks.push_back(std::move(cur));
  if (use_stemmer) {
    static const PorterStemmer stemmer;
    for (auto& t : toks)
      if (t.size() > 3) t = stemmer.stem(t);
    // A stem is still [a-z0-9]+ (the stemmer only drops and replaces ASCII letters).
    toks.erase(std::remove_if(toks.begin(), toks.end(), [](const std::string& t) { return t.empty(); }), toks.end());
  }
  return toks;
}

RougeScores rouge_f(const std::vector<std::string>& target, const std::vector<std::string>& prediction) {
  return {ngram_f(target, prediction, 1), ngram_f(target, prediction, 2), lcs_f(target, prediction)};
}

void RougeState::add(std::string_view hyp, const std::vector<std::string>& refs) {
  const auto h = tokenize_rouge(hyp, use_stemmer_);
  std::array<double, 3> best{};
  bool first = true;
  for (const auto& r : refs) {
    const auto s = rouge_f(tokenize_rouge(r, use_stemmer_), h);
    const std::array<double, 3> v{s.rouge1, s.rouge2, s.rougeL};
    for (int k = 0; k < 3; ++k) best[k] = first ? v[k] : std::max(best[k], v[k]);
    first = false;
  }
  ++n_;
  for (int k = 0; k < 3; ++k) sum_[k] += best[k];
}

void RougeState::merge(const RougeState& o) {
  n_ += o.n_;
  for (int k = 0; k < 3; ++k) sum_[k] += o.sum_[k];
}

RougeScores RougeState::value() const {
  if (n_ == 0) return {};
  const double n = static_cast<double>(n_);
  return {sum_[0] / n, sum_[1] / n, sum_[2] / n};
}

void RougeState::pack(Packed& p) const {
  p.ints.push_back(n_);
  for (double v : sum_) p.reals.push_back(v);
}

void RougeState::unpack(Unpacker& u) {
  n_ = u.next_int();
  for (double& v : sum_) v = u.next_real();
}

}  // namespace because::metrics
