// sacreBLEU corpus BLEU (13a tokenisation, exp smoothing, closest reference length).
#include "metrics/bleu.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <string_view>
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

// Token ids local to one segment and its references; an n-gram of ids packs into 64 bits
// (16 bits per token), so n-grams sort and compare as integers.
class SegmentIds {
 public:
  uint64_t id(const std::string& tok) {
    const auto it = ids_.find(tok);
    if (it != ids_.end()) return it->second;
    const uint64_t v = ids_.size();
    ids_.emplace(tok, v);
    return v;
  }
  bool fits() const { return ids_.size() < 65536; }

 private:
  std::unordered_map<std::string_view, uint64_t> ids_;
};

// Sorted packed n-grams of each order 1..4.
std::array<std::vector<uint64_t>, 4> packed_ngrams(const std::vector<uint64_t>& ids) {
  std::array<std::vector<uint64_t>, 4> out;
  for (int n = 1; n <= 4; ++n) {
    auto& v = out[n - 1];
    for (size_t i = 0; i + n <= ids.size(); ++i) {
      uint64_t key = 0;
      for (int k = 0; k < n; ++k) key = (key << 16) | ids[i + k];
      v.push_back(key);
    }
    std::sort(v.begin(), v.end());
  }
  return out;
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
  for (const auto& r : refs) {
    const auto rl = static_cast<int64_t>(r.size());
    const int64_t diff = std::llabs(hyp_len - rl);
    if (closest_diff < 0 || diff < closest_diff) {
      closest_diff = diff;
      closest_len = rl;
    } else if (diff == closest_diff && rl < closest_len) {
      closest_len = rl;
    }
  }
  ++n_segments_;
  sys_len_ += hyp_len;
  ref_len_ += std::max<int64_t>(closest_len, 0);
  // Clipped matches: per distinct hypothesis n-gram, min(its count, max count in one reference).
  SegmentIds seg;
  auto to_ids = [&seg](const std::vector<std::string>& toks) {
    std::vector<uint64_t> v;
    v.reserve(toks.size());
    for (const auto& t : toks) v.push_back(seg.id(t));
    return v;
  };
  const auto h = packed_ngrams(to_ids(hyp));
  std::vector<std::array<std::vector<uint64_t>, 4>> rs;
  rs.reserve(refs.size());
  for (const auto& r : refs) rs.push_back(packed_ngrams(to_ids(r)));
  if (!seg.fits()) throw std::length_error("BLEU: a segment with 65536 or more distinct tokens");
  for (int n = 0; n < kOrder; ++n) {
    const auto& hv = h[n];
    for (size_t i = 0; i < hv.size();) {
      size_t j = i;
      while (j < hv.size() && hv[j] == hv[i]) ++j;
      int64_t best = 0;
      for (const auto& r : rs) {
        const auto range = std::equal_range(r[n].begin(), r[n].end(), hv[i]);
        best = std::max<int64_t>(best, range.second - range.first);
      }
      correct_[n] += std::min<int64_t>(static_cast<int64_t>(j - i), best);
      i = j;
    }
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
