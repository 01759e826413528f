// sacreBLEU corpus BLEU (13a tokenisation, exp smoothing, closest reference length).
#include "metrics/bleu.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

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
const std::string& apply_13a_rules(const std::string& in) {
  static const auto punct = [] {
    std::array<bool, 256> t{};
    for (int c = 0; c < 256; ++c) t[c] = is_13a_punct(static_cast<unsigned char>(c));
    return t;
  }();
  thread_local std::string a, b, d;
  a.resize(in.size() * 3);  // rule 1: ' \1 ' around punctuation
  char* w = a.data();
  bool dot_comma = false, dash = false;
  for (const char ch : in) {
    const auto c = static_cast<unsigned char>(ch);
    if (punct[c]) {
      *w++ = ' ';
      *w++ = ch;
      *w++ = ' ';
    } else {
      dot_comma |= ch == '.' || ch == ',';
      dash |= ch == '-';
      *w++ = ch;
    }
  }
  a.resize(static_cast<size_t>(w - a.data()));
  const std::string* cur = &a;
  if (dot_comma) {
    b.resize(a.size() * 2);  // rule 2: ([^0-9])([\.,]) -> '\1 \2 '
    w = b.data();
    for (size_t i = 0; i < a.size();) {
      if (i + 1 < a.size() && !is_digit(static_cast<unsigned char>(a[i])) && (a[i + 1] == '.' || a[i + 1] == ',')) {
        *w++ = a[i];
        *w++ = ' ';
        *w++ = a[i + 1];
        *w++ = ' ';
        i += 2;
      } else {
        *w++ = a[i++];
      }
    }
    b.resize(static_cast<size_t>(w - b.data()));
    a.resize(b.size() * 2);  // rule 3: ([\.,])([^0-9]) -> ' \1 \2'
    w = a.data();
    for (size_t i = 0; i < b.size();) {
      if (i + 1 < b.size() && (b[i] == '.' || b[i] == ',') && !is_digit(static_cast<unsigned char>(b[i + 1]))) {
        *w++ = ' ';
        *w++ = b[i];
        *w++ = ' ';
        *w++ = b[i + 1];
        i += 2;
      } else {
        *w++ = b[i++];
      }
    }
    a.resize(static_cast<size_t>(w - a.data()));
  }
  if (!dash) return *cur;
  d.resize(cur->size() * 2);  // rule 4: ([0-9])(-) -> '\1 \2 '
  w = d.data();
  const std::string& c2 = *cur;
  for (size_t i = 0; i < c2.size();) {
    if (i + 1 < c2.size() && is_digit(static_cast<unsigned char>(c2[i])) && c2[i + 1] == '-') {
      *w++ = c2[i];
      *w++ = ' ';
      *w++ = '-';
      *w++ = ' ';
      i += 2;
    } else {
      *w++ = c2[i++];
    }
  }
  d.resize(static_cast<size_t>(w - d.data()));
  return d;
}

// An n-gram of token ids (order <= 4) as an exact 128-bit key.
inline void key_of(const uint32_t* t, int n, uint64_t& hi, uint64_t& lo) {
  uint64_t k[4] = {0, 0, 0, 0};
  for (int i = 0; i < n; ++i) k[i] = t[i];
  hi = (k[0] << 32) | k[1];
  lo = (k[2] << 32) | k[3];
}

}  // namespace

namespace {

// The 13a-tokenised line (before splitting on whitespace), in a per-thread buffer.
const std::string& tokenised_13a(std::string_view line_in) {
  thread_local std::string line;
  line.assign(line_in);
  if (line.find('<') != std::string::npos) replace_all(line, "<skipped>", "");
  if (line.find('\n') != std::string::npos) {
    replace_all(line, "-\n", "");
    replace_all(line, "\n", " ");
  }
  if (line.find('&') != std::string::npos) {
    replace_all(line, "&quot;", "\"");
    replace_all(line, "&amp;", "&");
    replace_all(line, "&lt;", "<");
    replace_all(line, "&gt;", ">");
  }
  line.insert(line.begin(), ' ');
  line.push_back(' ');
  return apply_13a_rules(line);
}

// The 13a tokens of a line that is ASCII without digits, '<', '&' or a line break, in one pass,
// calling emit(token) for each; false (nothing emitted) for any other line. On such a line the
// replacements do nothing; rule 2 or 3 puts every '.' and ',' apart (each needs a non-digit
// beside it, and where rule 2 passes one over, its left neighbour is a space and rule 3 takes
// it); rule 4 needs a digit. So a token is one of rule 1's punctuation marks, a '.' or ',', or
// a run of the other characters between Python whitespace.
template <class F>
bool simple_13a(std::string_view line, F&& emit) {
  enum : uint8_t { kWord, kSpace, kAlone, kNotSimple };
  static const auto cls = [] {
    std::array<uint8_t, 256> t{};
    for (int c = 0; c < 256; ++c) {
      if (c >= 0x80 || is_digit(static_cast<unsigned char>(c)) || c == '<' || c == '&' || c == '\n') t[c] = kNotSimple;
      else if (is_ascii_py_space(static_cast<unsigned char>(c))) t[c] = kSpace;
      else if (is_13a_punct(static_cast<unsigned char>(c)) || c == '.' || c == ',') t[c] = kAlone;
    }
    return t;
  }();
  const auto* p = reinterpret_cast<const unsigned char*>(line.data());
  const size_t n = line.size();
  for (size_t i = 0; i < n; ++i)
    if (cls[p[i]] == kNotSimple) return false;
  for (size_t i = 0; i < n;) {
    const uint8_t k = cls[p[i]];
    if (k == kSpace) {
      ++i;
    } else if (k == kAlone) {
      emit(line.substr(i, 1));
      ++i;
    } else {
      const size_t start = i;
      while (i < n && cls[p[i]] == kWord) ++i;
      emit(line.substr(start, i - start));
    }
  }
  return true;
}

}  // namespace

std::vector<std::string> tokenize_13a(std::string_view line) {
  std::vector<std::string> out;
  if (simple_13a(line, [&](std::string_view t) { out.emplace_back(t); })) return out;
  return split_py(tokenised_13a(line));
}

void tokenize_13a_ids(std::string_view line, Interner& interner, std::vector<uint32_t>& out) {
  out.clear();
  if (simple_13a(line, [&](std::string_view t) { out.push_back(interner.id(t)); })) return;
  split_py_each(tokenised_13a(line), [&](std::string_view t) { out.push_back(interner.id(t)); });
}

void BleuState::add_tokens(const std::vector<std::string>& hyp, const std::vector<std::vector<std::string>>& refs) {
  Interner in;
  std::vector<std::vector<uint32_t>> r(refs.size());
  for (size_t i = 0; i < refs.size(); ++i)
    for (const auto& t : refs[i]) r[i].push_back(in.id(t));
  std::vector<uint32_t> h;
  for (const auto& t : hyp) h.push_back(in.id(t));
  BleuRefs br;
  br.set(r.data(), r.size());
  br.add_to(*this, h);
}

void BleuState::add(std::string_view hyp, const std::vector<std::string>& refs) {
  Interner in;
  std::vector<std::vector<uint32_t>> r(refs.size());
  for (size_t i = 0; i < refs.size(); ++i) tokenize_13a_ids(refs[i], in, r[i]);
  std::vector<uint32_t> h;
  tokenize_13a_ids(hyp, in, h);
  BleuRefs br;
  br.set(r.data(), r.size());
  br.add_to(*this, h);
}

void BleuState::add_segment(int64_t hyp_len, int64_t ref_len, const std::array<int64_t, 4>& correct) {
  ++n_segments_;
  sys_len_ += hyp_len;
  ref_len_ += std::max<int64_t>(ref_len, 0);
  for (int n = 1; n <= kOrder; ++n) {
    correct_[n - 1] += correct[n - 1];
    total_[n - 1] += ngram_count(static_cast<size_t>(hyp_len), n);
  }
}

void BleuRefs::set(const std::vector<uint32_t>* refs, size_t n) {
  ptrs_.clear();
  for (size_t r = 0; r < n; ++r) ptrs_.push_back(&refs[r]);
  set(ptrs_.data(), n);
}

void BleuRefs::set(const std::vector<uint32_t>* const* refs, size_t n) {
  size_t keys = 0;
  lens_.clear();
  for (size_t r = 0; r < n; ++r) {
    keys += 4 * refs[r]->size();
    lens_.push_back(static_cast<int64_t>(refs[r]->size()));
  }
  // Local ids 1, 2, ... for the references' tokens, in first-seen order.
  local_.clear();
  local_refs_.resize(keys / 4);
  std::vector<PositionSets::Span>& spans = spans_;
  spans.resize(n);
  size_t at = 0;
  bool fits = n <= PositionSets::kMaxRefs;
  for (size_t r = 0; r < n && fits; ++r) {
    fits = refs[r]->size() <= PositionSets::kMaxLen;
    spans[r] = {local_refs_.data() + at, refs[r]->size()};
    // At most kMaxRefs * kMaxLen local ids when the sets are used.
    for (const uint32_t t : *refs[r]) local_refs_[at++] = local_.add(t);
  }
  use_sets_ = fits && sets_.set(BleuState::kOrder, local_.size(), spans.data(), n);
  if (use_sets_) return;
  table_.reset(keys);
  uint64_t hi, lo;
  for (size_t r = 0; r < n; ++r) {
    table_.next_source();
    const auto& t = *refs[r];
    for (int k = 1; k <= BleuState::kOrder; ++k)
      for (size_t i = 0; i + k <= t.size(); ++i) {
        key_of(&t[i], k, hi, lo);
        table_.add_max(static_cast<uint32_t>(k), hi, lo);
      }
  }
}

int64_t BleuRefs::closest_length(int64_t hyp_len) const {
  int64_t closest_diff = -1, closest_len = -1;
  for (const int64_t rl : lens_) {
    const int64_t diff = std::llabs(hyp_len - rl);
    if (closest_diff < 0 || diff < closest_diff) {
      closest_diff = diff;
      closest_len = rl;
    } else if (diff == closest_diff && rl < closest_len) {
      closest_len = rl;
    }
  }
  return closest_len;
}

std::array<int64_t, 4> BleuRefs::clipped_matches(const std::vector<uint32_t>& hyp) {
  // Per distinct hypothesis n-gram, min(its count, max count in one reference).
  std::array<int64_t, 4> correct{};
  if (use_sets_) {
    const auto m = sets_.match(local_.map(hyp, local_hyp_), hyp.size());
    for (int k = 0; k < BleuState::kOrder; ++k) correct[k] = m[k];
    return correct;
  }
  table_.begin_probe();
  uint64_t hi, lo;
  // An n-gram whose prefix is absent from the references is absent too: stop extending there.
  for (size_t i = 0; i < hyp.size(); ++i)
    for (int k = 1; k <= BleuState::kOrder && i + k <= hyp.size(); ++k) {
      key_of(&hyp[i], k, hi, lo);
      const auto p = table_.consume(static_cast<uint32_t>(k), hi, lo);
      if (p == NgramTable::kAbsent) break;
      correct[k - 1] += p == NgramTable::kMatched;
    }
  return correct;
}

void BleuRefs::add_to(BleuState& st, const std::vector<uint32_t>& hyp) {
  const auto hyp_len = static_cast<int64_t>(hyp.size());
  st.add_segment(hyp_len, closest_length(hyp_len), clipped_matches(hyp));
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
  // sacreBLEU's exp(sum(my_log(p)) / order), the geometric mean of the precisions, taken as a
  // root of their product (self-BLEU computes two per instance): the same value up to rounding
  // in the last bits. A precision of 0 (my_log: -9999999999) gives 0 either way.
  double prod = 1;
  for (int i = 0; i < eff_order; ++i) prod *= r.precisions[i];
  double mean;
  switch (eff_order) {
    case 1: mean = prod; break;
    case 2: mean = std::sqrt(prod); break;
    case 4: mean = std::sqrt(std::sqrt(prod)); break;
    default: mean = prod > 0 ? std::exp(std::log(prod) / eff_order) : 0.0; break;
  }
  r.score = r.bp * mean;
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
