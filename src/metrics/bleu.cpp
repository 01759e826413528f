// sacreBLEU corpus BLEU (13a tokenisation, exp smoothing, closest reference length).
#include "metrics/bleu.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <unordered_map>

#include "metrics/text.h"

namespace because::metrics {
namespace {

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  if (s.find(from) == std::string::npos) return;
  std::string out;
  out.reserve(s.size());
  size_t pos = 0;
  while (true) {
    const size_t f = s.find(from, pos);
    if (f == std::string::npos) break;
    out.append(s, pos, f - pos);
    out.append(to);
    pos = f + from.size();
  }
  out.append(s, pos, std::string::npos);
  s.swap(out);
}

bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

// Characters of mteval's first rule: [\{-\~\[-\` -\&\(-\+\:-\@\/].
bool is_13a_punct(unsigned char c) {
  return (c >= 0x7B && c <= 0x7E) || (c >= 0x5B && c <= 0x60) || (c >= 0x20 && c <= 0x26) ||
         (c >= 0x28 && c <= 0x2B) || (c >= 0x3A && c <= 0x40) || c == 0x2F;
}

// The four regular expressions of sacreBLEU's TokenizerRegexp, each applied left to right with
// non-overlapping matches like Python's re.sub. Working on UTF-8 bytes gives the same result
// as on code points: every pattern is ASCII except [^0-9], and the replacements only insert
// spaces next to the ASCII character.
std::string apply_13a_rules(const std::string& in) {
  std::string a;
  a.reserve(in.size() * 2);
  for (unsigned char c : in) {  // rule 1: ' \1 ' around punctuation
    if (is_13a_punct(c)) {
      a.push_back(' ');
      a.push_back(static_cast<char>(c));
      a.push_back(' ');
    } else {
      a.push_back(static_cast<char>(c));
    }
  }
  std::string b;  // rule 2: ([^0-9])([\.,]) -> '\1 \2 '
  b.reserve(a.size() * 2);
  for (size_t i = 0; i < a.size();) {
    const auto c = static_cast<unsigned char>(a[i]);
    if (i + 1 < a.size() && !is_digit(c) && (a[i + 1] == '.' || a[i + 1] == ',')) {
      b.push_back(a[i]);
      b.push_back(' ');
      b.push_back(a[i + 1]);
      b.push_back(' ');
      i += 2;
    } else {
      b.push_back(a[i]);
      ++i;
    }
  }
  std::string c2;  // rule 3: ([\.,])([^0-9]) -> ' \1 \2'
  c2.reserve(b.size() * 2);
  for (size_t i = 0; i < b.size();) {
    if (i + 1 < b.size() && (b[i] == '.' || b[i] == ',') && !is_digit(static_cast<unsigned char>(b[i + 1]))) {
      c2.push_back(' ');
      c2.push_back(b[i]);
      c2.push_back(' ');
      c2.push_back(b[i + 1]);
      i += 2;
    } else {
      c2.push_back(b[i]);
      ++i;
    }
  }
  std::string d;  // rule 4: ([0-9])(-) -> '\1 \2 '
  d.reserve(c2.size() * 2);
  for (size_t i = 0; i < c2.size();) {
    if (i + 1 < c2.size() && is_digit(static_cast<unsigned char>(c2[i])) && c2[i + 1] == '-') {
      d.push_back(c2[i]);
      d.push_back(' ');
      d.push_back('-');
      d.push_back(' ');
      i += 2;
    } else {
      d.push_back(c2[i]);
      ++i;
    }
  }
  return d;
}

using NgramCounts = std::unordered_map<std::string, int64_t>;

NgramCounts count_ngrams(const std::vector<std::string>& toks, int max_order) {
  NgramCounts c;
  for (int n = 1; n <= max_order; ++n) {
    for (size_t i = 0; i + n <= toks.size(); ++i) {
      std::string key = toks[i];
      for (int k = 1; k < n; ++k) {
        key.push_back(' ');
        key += toks[i + k];
      }
      ++c[key];
    }
  }
  return c;
}

int order_of(const std::string& ngram) {
  return 1 + static_cast<int>(std::count(ngram.begin(), ngram.end(), ' '));
}

double my_log(double x) { return x == 0 ? -9999999999.0 : std::log(x); }

}  // namespace

std::vector<std::string> tokenize_13a(std::string_view line_in) {
  std::string line(line_in);
  replace_all(line, "<skipped>", "");
  replace_all(line, "-\n", "");
  replace_all(line, "\n", " ");
  if (line.find('&') != std::string::npos) {
    replace_all(line, "&quot;", "\"");
    replace_all(line, "&amp;", "&");
    replace_all(line, "&lt;", "<");
    replace_all(line, "&gt;", ">");
  }
  return split_py(apply_13a_rules(" " + line + " "));
}

void BleuState::add_tokens(const std::vector<std::string>& hyp, const std::vector<std::vector<std::string>>& refs) {
  const auto hyp_len = static_cast<int64_t>(hyp.size());
  // Closest reference length; ties go to the shorter reference.
  int64_t closest_diff = -1, closest_len = -1;
  std::unordered_map<std::string, int64_t> ref_max;
  for (const auto& r : refs) {
    const auto rl = static_cast<int64_t>(r.size());
    const int64_t diff = std::llabs(hyp_len - rl);
    if (closest_diff < 0 || diff < closest_diff) {
      closest_diff = diff;
      closest_len = rl;
    } else if (diff == closest_diff && rl < closest_len) {
      closest_len = rl;
    }
    for (const auto& [ng, cnt] : count_ngrams(r, kOrder)) {
      auto& m = ref_max[ng];
      m = std::max(m, cnt);
    }
  }
  ++n_segments_;
  sys_len_ += hyp_len;
  ref_len_ += std::max<int64_t>(closest_len, 0);
  for (const auto& [ng, cnt] : count_ngrams(hyp, kOrder)) {
    const auto it = ref_max.find(ng);
    if (it != ref_max.end()) correct_[order_of(ng) - 1] += std::min(cnt, it->second);
  }
  for (int n = 1; n <= kOrder; ++n) total_[n - 1] += std::max<int64_t>(0, hyp_len - n + 1);
}

void BleuState::add(std::string_view hyp, const std::vector<std::string>& refs) {
  std::vector<std::vector<std::string>> rt;
  rt.reserve(refs.size());
  for (const auto& r : refs) rt.push_back(tokenize_13a(r));
  add_tokens(tokenize_13a(hyp), rt);
}

void BleuState::merge(const BleuState& o) {
  n_segments_ += o.n_segments_;
  sys_len_ += o.sys_len_;
  ref_len_ += o.ref_len_;
  for (int i = 0; i < kOrder; ++i) {
    correct_[i] += o.correct_[i];
    total_[i] += o.total_[i];
  }
}

BleuResult BleuState::value(bool effective_order) const {
  BleuResult r;
  r.sys_len = sys_len_;
  r.ref_len = ref_len_;
  if (sys_len_ < ref_len_)
    r.bp = sys_len_ > 0 ? std::exp(1.0 - static_cast<double>(ref_len_) / static_cast<double>(sys_len_)) : 0.0;
  else
    r.bp = 1.0;
  bool any = false;
  for (auto c : correct_) any |= c != 0;
  if (!any) return r;  // sacreBLEU 2: early stop when nothing matches
  double smooth_mteval = 1.0;
  int eff_order = kOrder;
  for (int n = 1; n <= kOrder; ++n) {
    if (total_[n - 1] == 0) break;
    if (effective_order) eff_order = n;
    if (correct_[n - 1] == 0) {
      smooth_mteval *= 2;
      r.precisions[n - 1] = 100.0 / (smooth_mteval * static_cast<double>(total_[n - 1]));
    } else {
      r.precisions[n - 1] = 100.0 * static_cast<double>(correct_[n - 1]) / static_cast<double>(total_[n - 1]);
    }
  }
  double s = 0;
  for (int i = 0; i < eff_order; ++i) s += my_log(r.precisions[i]);
  r.score = r.bp * std::exp(s / eff_order);
  return r;
}

void BleuState::pack(Packed& p) const {
  p.ints.push_back(n_segments_);
  p.ints.push_back(sys_len_);
  p.ints.push_back(ref_len_);
  for (auto v : correct_) p.ints.push_back(v);
  for (auto v : total_) p.ints.push_back(v);
}

void BleuState::unpack(Unpacker& u) {
  n_segments_ = u.next_int();
  sys_len_ = u.next_int();
  ref_len_ = u.next_int();
  for (auto& v : correct_) v = u.next_int();
  for (auto& v : total_) v = u.next_int();
}

double sentence_bleu(const std::vector<std::string>& hyp, const std::vector<std::vector<std::string>>& refs) {
  BleuState s;
  s.add_tokens(hyp, refs);
  return s.value(true).score;
}

}  // namespace because::metrics
