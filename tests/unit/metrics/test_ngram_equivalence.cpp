// The NLG metrics count n-grams with bit sets of reference positions and hash tables, reused
// across segments (PositionSets, NgramTable, Interner, NlgScorer). These tests check them
// against brute-force counting with std::map over many random segments that share one scorer:
// repeated n-grams, several references, empty texts,
// punctuation, digits and non-ASCII text (including a non-breaking space, which Python's
// split() treats as whitespace).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <random>

#include "metrics/bleu.h"
#include "metrics/chrf.h"
#include "metrics/diversity.h"
#include "metrics/meteor.h"
#include "metrics/porter.h"
#include "metrics/wordnet.h"
#include "metrics/nlg.h"
#include "metrics/rouge.h"
#include "metrics/text.h"
#include "util/hash.h"

using namespace because::metrics;
using Toks = std::vector<std::string>;

namespace {

std::string random_text(std::mt19937_64& rng) {
  static const char* words[] = {"a",  "a",   "the", "dog", "Dog", "runs", "run.", "3.5-4", "1,000", "x,y",
                                "é",  "λόγος", "猫", "it's", "(see)", "&amp;", "--", "ab", "ba", "aba"};
  const int n = static_cast<int>(rng() % 14);
  std::string s;
  for (int i = 0; i < n; ++i) {
    if (i) s += (rng() % 9 == 0) ? "\xC2\xA0" : " ";  // U+00A0 now and then
    s += words[rng() % (sizeof words / sizeof *words)];
  }
  if (rng() % 3 == 0) s += ".";
  return s;
}

template <class T>
std::map<T, int64_t> counts(const std::vector<T>& grams) {
  std::map<T, int64_t> c;
  for (const auto& g : grams) ++c[g];
  return c;
}

template <class Seq>
std::vector<Seq> ngrams(const Seq& s, size_t n) {
  std::vector<Seq> out;
  for (size_t i = 0; i + n <= s.size(); ++i) out.emplace_back(s.begin() + i, s.begin() + i + n);
  return out;
}

// sacreBLEU's statistics by definition: per distinct hypothesis n-gram, min(its count, its
// maximum count in one reference).
std::vector<int64_t> brute_bleu(const Toks& hyp, const std::vector<Toks>& refs) {
  std::vector<int64_t> correct(4, 0);
  for (size_t n = 1; n <= 4; ++n) {
    const auto hc = counts(ngrams(hyp, n));
    for (const auto& [g, c] : hc) {
      int64_t best = 0;
      for (const auto& r : refs) {
        const auto rc = counts(ngrams(r, n));
        const auto it = rc.find(g);
        if (it != rc.end()) best = std::max(best, it->second);
      }
      correct[n - 1] += std::min(c, best);
    }
  }
  return correct;
}

ChrfState::Stats brute_chrf(const std::u32string& h, const std::u32string& r) {
  ChrfState::Stats st{};
  for (size_t n = 1; n <= 6; ++n) {
    const auto hc = counts(ngrams(h, n)), rc = counts(ngrams(r, n));
    int64_t m = 0;
    for (const auto& [g, c] : hc) {
      const auto it = rc.find(g);
      if (it != rc.end()) m += std::min(c, it->second);
    }
    st[3 * (n - 1)] = static_cast<int64_t>(ngrams(h, n).size());
    st[3 * (n - 1) + 1] = static_cast<int64_t>(ngrams(r, n).size());
    st[3 * (n - 1) + 2] = m;
  }
  return st;
}

double f1(double p, double r) { return p + r > 0 ? 2 * p * r / (p + r) : 0.0; }

std::array<double, 3> brute_rouge(const Toks& t, const Toks& p) {
  std::array<double, 3> out{};
  for (size_t n = 1; n <= 2; ++n) {
    const auto tc = counts(ngrams(t, n)), pc = counts(ngrams(p, n));
    int64_t inter = 0, nt = 0, np = 0;
    for (const auto& [g, c] : tc) {
      nt += c;
      const auto it = pc.find(g);
      if (it != pc.end()) inter += std::min(c, it->second);
    }
    for (const auto& [g, c] : pc) np += c;
    out[n - 1] = f1(static_cast<double>(inter) / std::max<int64_t>(np, 1), static_cast<double>(inter) / std::max<int64_t>(nt, 1));
  }
  if (!t.empty() && !p.empty()) {
    std::vector<std::vector<int>> L(t.size() + 1, std::vector<int>(p.size() + 1, 0));
    for (size_t i = 1; i <= t.size(); ++i)
      for (size_t j = 1; j <= p.size(); ++j)
        L[i][j] = t[i - 1] == p[j - 1] ? L[i - 1][j - 1] + 1 : std::max(L[i - 1][j], L[i][j - 1]);
    const double l = L[t.size()][p.size()];
    out[2] = f1(l / static_cast<double>(p.size()), l / static_cast<double>(t.size()));
  }
  return out;
}

// Token lists for the BLEU and ROUGE tests: over a small vocabulary (repeats everywhere) or a
// large one, and their ids in one interner.
struct TokenDraws {
  explicit TokenDraws(uint64_t seed) : rng(seed) {}
  Toks draw(size_t len, size_t distinct) {
    static const char* vocab[] = {"a", "b", "c", "d", "e", "f"};
    Toks t;
    for (size_t i = 0; i < len; ++i) t.push_back(vocab[rng() % distinct]);
    return t;
  }
  /// n lists of len tokens over 3000 words.
  std::vector<Toks> large(size_t n, size_t len) {
    std::vector<Toks> out(n);
    for (auto& t : out)
      for (size_t i = 0; i < len; ++i) t.push_back("w" + std::to_string(rng() % 3000));
    return out;
  }
  std::vector<uint32_t> ids(const Toks& t) {
    std::vector<uint32_t> v;
    for (const auto& w : t) v.push_back(in.id(w));
    return v;
  }
  std::vector<std::vector<uint32_t>> ids(const std::vector<Toks>& ts) {
    std::vector<std::vector<uint32_t>> v;
    for (const auto& t : ts) v.push_back(ids(t));
    return v;
  }
  std::mt19937_64 rng;
  Interner in;
};

}  // namespace

TEST(NgramEquivalence, BleuChrfRougeAgainstBruteForce) {
  std::mt19937_64 rng(11);
  NlgOptions opt;
  opt.meteor = false;
  NlgScorer scorer(opt, nullptr);
  for (int seg = 0; seg < 600; ++seg) {
    std::vector<std::string> refs(1 + rng() % 3);
    for (auto& r : refs) r = random_text(rng);
    scorer.set_references(refs);
    const int n_hyps = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < n_hyps; ++k) {
      const std::string hyp = random_text(rng);
      NlgState fast(opt);
      scorer.add(fast, hyp);
      // BLEU: sufficient statistics.
      std::vector<Toks> rt;
      for (const auto& r : refs) rt.push_back(tokenize_13a(r));
      const Toks ht = tokenize_13a(hyp);
      Packed p;
      fast.pack(p);
      const auto correct = brute_bleu(ht, rt);
      // Packed layout: BLEU (segments, sys_len, ref_len, correct[4], total[4]), then chrF.
      for (int n = 0; n < 4; ++n) ASSERT_EQ(p.ints[3 + n], correct[n]) << "BLEU order " << n + 1 << " hyp '" << hyp << "'";
      // chrF: the statistics of the best reference (first of equals).
      ChrfState::Stats best{};
      double best_f = -1;
      const auto hc = remove_py_space(utf8_decode(hyp));
      for (const auto& r : refs) {
        const auto st = brute_chrf(hc, remove_py_space(utf8_decode(r)));
        if (ChrfState::f_score(st) > best_f) {
          best_f = ChrfState::f_score(st);
          best = st;
        }
      }
      for (int i = 0; i < 18; ++i) ASSERT_EQ(p.ints[11 + i], best[i]) << "chrF stat " << i << " hyp '" << hyp << "'";
      // ROUGE: the maximum of each F over the references.
      std::array<double, 3> rb{};
      for (size_t r = 0; r < refs.size(); ++r) {
        const auto v = brute_rouge(tokenize_rouge(refs[r], false), tokenize_rouge(hyp, false));
        for (int i = 0; i < 3; ++i) rb[i] = r == 0 ? v[i] : std::max(rb[i], v[i]);
      }
      const auto j = fast.to_json();
      EXPECT_DOUBLE_EQ(j["rouge1"].get<double>(), rb[0]) << hyp;
      EXPECT_DOUBLE_EQ(j["rouge2"].get<double>(), rb[1]) << hyp;
      EXPECT_DOUBLE_EQ(j["rougeL"].get<double>(), rb[2]) << hyp;
    }
  }
}

// The chrF tests below run with each bit-set kernel this CPU has: position by position, and
// eight positions at a time with AVX-512 where the CPU has it.
std::vector<ChrfDenseGrams::Path> chrf_paths() {
  std::vector<ChrfDenseGrams::Path> p{ChrfDenseGrams::Path::kScalar};
  if (ChrfDenseGrams::best_path() == ChrfDenseGrams::Path::kAvx512)
    p.push_back(ChrfDenseGrams::Path::kAvx512);
  return p;
}

class ChrfKernel : public ::testing::TestWithParam<ChrfDenseGrams::Path> {
 protected:
  void SetUp() override { ChrfDenseGrams::use_path(GetParam()); }
  void TearDown() override { ChrfDenseGrams::use_path(ChrfDenseGrams::best_path()); }
};

INSTANTIATE_TEST_SUITE_P(Paths, ChrfKernel, ::testing::ValuesIn(chrf_paths()),
                         [](const ::testing::TestParamInfo<ChrfDenseGrams::Path>& i) {
                           return std::string(i.param == ChrfDenseGrams::Path::kScalar ? "scalar" : "avx512");
                         });

// chrF references are counted by bit sets indexed by a byte: every ASCII character, and up to
// 127 distinct others per reference; a reference with more takes the general table. Around that
// limit (123-131 distinct non-ASCII characters, with and without ASCII ones, repeated n-grams),
// with references that use all 94 printable ASCII characters, and with references of both kinds
// in one segment, the statistics equal brute force.
TEST_P(ChrfKernel, AlphabetLimit) {
  std::mt19937_64 rng(23);
  std::u32string alphabet;
  for (char32_t c = U'!'; c <= U'~'; ++c) alphabet += c;                 // 94 ASCII
  for (char32_t c = 0x3B1; c <= 0x3C9; ++c) alphabet += c;               // Greek
  for (char32_t c = 0x4E00; c < 0x4E00 + 150; ++c) alphabet += c;        // CJK
  const size_t n_ascii = 94;
  // `distinct` characters from `off` on, each at least once, `len` in all, shuffled.
  auto draw_from = [&](size_t off, size_t distinct, size_t len) {
    std::u32string s;
    for (size_t i = 0; i < len; ++i) s += alphabet[off + (i < distinct ? i : rng() % distinct)];
    std::shuffle(s.begin(), s.end(), rng);
    return s;
  };
  auto draw = [&](size_t distinct, size_t len) {
    return draw_from(rng() % (alphabet.size() - distinct), distinct, len);
  };
  auto reference = [&]() -> std::u32string {
    switch (rng() % 3) {
      case 0: {  // non-ASCII characters on both sides of 127 distinct
        const size_t distinct = 123 + rng() % 9;
        return draw_from(n_ascii + rng() % (alphabet.size() - n_ascii - distinct + 1), distinct,
                         distinct + rng() % 120);
      }
      case 1: {  // the same after some ASCII
        const size_t distinct = 123 + rng() % 9;
        return draw(10, 20) + draw_from(n_ascii + rng() % (alphabet.size() - n_ascii - distinct + 1),
                                        distinct, distinct + rng() % 60);
      }
      default:  // all of ASCII
        return draw_from(0, n_ascii, n_ascii + rng() % 200);
    }
  };
  ChrfRefs refs;
  for (int seg = 0; seg < 300; ++seg) {
    std::vector<std::u32string> r;
    const size_t n_refs = 1 + rng() % 3;
    for (size_t k = 0; k < n_refs; ++k) r.push_back(reference());
    refs.set(r.data(), r.size());
    for (int h = 0; h < 3; ++h) {
      const std::u32string hyp = h == 0 ? r[0].substr(0, r[0].size() / 2) + draw(20, 40) : draw(10 + rng() % 60, 80);
      ChrfState::Stats best{};
      double best_f = -1;
      for (const auto& x : r) {
        const auto st = brute_chrf(hyp, x);
        if (ChrfState::f_score(st) > best_f) {
          best_f = ChrfState::f_score(st);
          best = st;
        }
      }
      const auto got = refs.best_stats(hyp);
      for (int i = 0; i < 18; ++i) ASSERT_EQ(got[i], best[i]) << "segment " << seg << " stat " << i;
    }
  }
}

// The reference's positions are kept as bit sets of one or more 64-bit words (specialised for
// 1 to 4 words, general up to 8; longer references take the general table): references of 0 to
// 700 characters, over small alphabets (so n-grams repeat and the clipping counts), ASCII and
// not, against hypotheses that share parts of them; and one of 70000 characters.
TEST_P(ChrfKernel, LongReferencesAndRepeats) {
  std::mt19937_64 rng(31);
  const std::u32string alphabet = U"abcde\u00e9\u03b1\u4e2dxyz";
  auto draw = [&](size_t len, size_t distinct) {
    std::u32string s;
    for (size_t i = 0; i < len; ++i) s += alphabet[rng() % distinct];
    return s;
  };
  ChrfRefs refs;
  for (int seg = 0; seg < 400; ++seg) {
    const size_t len = seg < 20 ? static_cast<size_t>(seg) : rng() % 700;
    const std::u32string ref = draw(len, 2 + rng() % 8);
    refs.set(&ref, 1);
    for (int h = 0; h < 3; ++h) {
      std::u32string hyp = draw(rng() % 300, 2 + rng() % 10);
      if (h == 1 && !ref.empty()) hyp = ref.substr(rng() % ref.size()) + hyp + ref.substr(0, ref.size() / 3);
      const auto want = brute_chrf(hyp, ref);
      const auto got = refs.best_stats(hyp);
      for (int i = 0; i < 18; ++i)
        ASSERT_EQ(got[i], want[i]) << "segment " << seg << " (reference of " << len << ") stat " << i;
    }
  }
  const std::u32string huge = draw(70000, 3);
  refs.set(&huge, 1);
  const std::u32string hyp = huge.substr(100, 500) + draw(200, 3);
  const auto want = brute_chrf(hyp, huge);
  const auto got = refs.best_stats(hyp);
  for (int i = 0; i < 18; ++i) ASSERT_EQ(got[i], want[i]) << "reference of 70000 characters, stat " << i;
}

// ASCII texts are read byte by byte, whitespace still in: hypotheses against references that all
// take the bit sets (best_stats_text), and references themselves (set_text). Texts of 0 to 760
// characters over a few letters and every kind of ASCII whitespace, so that n-grams repeat and
// cross the removed spaces: references of 1 to 8 words per set and longer (the general table),
// including 64 and 512 characters followed by whitespace; against the decoded texts and brute
// force.
TEST_P(ChrfKernel, AsciiTextEqualsDecodedText) {
  std::mt19937_64 rng(37);
  // '!' follows the space in ASCII: a set written past its end would show there.
  const std::string letters = "ab!cxyz.,", spaces = " \t\n\v\f\r\x1c\x1f";
  auto text = [&](size_t len, size_t distinct) {
    std::string s;
    for (size_t i = 0; i < len; ++i)
      s += rng() % 4 == 0 ? spaces[rng() % spaces.size()] : letters[rng() % distinct];
    return s;
  };
  auto decoded = [](const std::string& t) { return remove_py_space(utf8_decode(t)); };
  ChrfRefs refs, from_text;
  for (int seg = 0; seg < 400; ++seg) {
    std::vector<std::string> rt(1 + rng() % 2);
    for (auto& x : rt) x = text(seg < 20 ? static_cast<size_t>(seg) : rng() % 760, 2 + rng() % 8);
    if (seg == 20) rt = {std::string(512, 'a') + " \t", " " + std::string(64, 'b') + "\n"};
    if (seg == 21) rt = {text(30, 3) + std::string(512, 'c') + "  "};
    std::vector<std::u32string> r;
    std::vector<std::string_view> views;
    for (const auto& x : rt) {
      r.push_back(decoded(x));
      views.push_back(x);
    }
    refs.set(r.data(), r.size());
    from_text.set_text(views.data(), views.size());
    for (int h = 0; h < 3; ++h) {
      const std::string hyp = h == 2 ? rt[0].substr(rt[0].size() / 3) : text(rng() % 600, 2 + rng() % 8);
      const auto want = refs.best_stats(decoded(hyp));
      const auto got = refs.best_stats_text(hyp);
      const auto got_text = from_text.best_stats_text(hyp);
      const auto got_text32 = from_text.best_stats(decoded(hyp));
      ChrfState::Stats best{};
      double best_f = -1;
      for (const auto& x : r) {
        const auto st = brute_chrf(decoded(hyp), x);
        if (ChrfState::f_score(st) > best_f) {
          best_f = ChrfState::f_score(st);
          best = st;
        }
      }
      for (int i = 0; i < 18; ++i) {
        ASSERT_EQ(got[i], want[i]) << "segment " << seg << " stat " << i;
        ASSERT_EQ(got[i], best[i]) << "segment " << seg << " stat " << i << " (brute force)";
        ASSERT_EQ(got_text[i], best[i]) << "segment " << seg << " stat " << i << " (references from text)";
        ASSERT_EQ(got_text32[i], best[i])
            << "segment " << seg << " stat " << i << " (references from text, decoded hypothesis)";
      }
    }
  }
}

// BLEU references are counted by PositionSets up to 16 references of 512 tokens (and 512 KiB
// of sets), by the table beyond: 1 to 3 references of 1 to 700 tokens and now and then 17 short
// ones, over a small vocabulary (repeats everywhere), then 10 references of 500 tokens over a
// large one (too many sets), one BleuRefs reused throughout, against brute force.
TEST(NgramEquivalence, BleuLongReferencesAndRepeats) {
  TokenDraws d(37);
  BleuRefs refs;
  for (int seg = 0; seg < 100; ++seg) {
    const size_t n_refs = seg % 25 == 0 ? 17 : 1 + d.rng() % 3;
    // Mostly sentences; every tenth segment references of 5-8 words of positions, or over 512.
    const size_t max_len = n_refs > 3 ? 20 : seg % 10 == 3 ? 700 : seg % 10 == 6 ? 512 : 120;
    std::vector<Toks> rt;
    for (size_t r = 0; r < n_refs; ++r)
      rt.push_back(d.draw(max_len - d.rng() % (max_len > 120 ? 190 : max_len), 2 + d.rng() % 5));
    const auto ri = d.ids(rt);
    refs.set(ri.data(), ri.size());
    for (int h = 0; h < 3; ++h) {
      Toks hyp = d.draw(d.rng() % 60, 2 + d.rng() % 5);
      if (h == 1 && !rt[0].empty()) {
        const size_t from = d.rng() % rt[0].size();
        hyp.insert(hyp.end(), rt[0].begin() + static_cast<long>(from), rt[0].begin() + static_cast<long>(std::min(rt[0].size(), from + 40)));
      }
      const auto want = brute_bleu(hyp, rt);
      const auto got = refs.clipped_matches(d.ids(hyp));
      for (int n = 0; n < 4; ++n) ASSERT_EQ(got[n], want[n]) << "segment " << seg << " order " << n + 1;
    }
  }
  const std::vector<Toks> rt = d.large(10, 500);
  const auto ri = d.ids(rt);
  refs.set(ri.data(), ri.size());
  Toks hyp(rt[3].begin() + 100, rt[3].begin() + 110);
  hyp.insert(hyp.end(), rt[7].begin(), rt[7].begin() + 10);
  const auto want = brute_bleu(hyp, rt);
  const auto got = refs.clipped_matches(d.ids(hyp));
  for (int n = 0; n < 4; ++n) ASSERT_EQ(got[n], want[n]) << "10 references of 500 tokens, order " << n + 1;
}

// RougeRefs counts unigrams and bigrams by PositionSets and the LCS of references of at most 64
// tokens in one word, over local ids; longer references take BitLcs, those over 512 tokens the
// n-gram table, and segments of more than 65535 reference tokens (no 16-bit local ids) both.
TEST(NgramEquivalence, RougeLongReferencesAndRepeats) {
  TokenDraws d(41);
  RougeRefs refs;
  auto check = [&](const std::vector<Toks>& rt, const Toks& hyp, const std::string& what) {
    std::array<double, 3> want{};
    for (size_t r = 0; r < rt.size(); ++r) {
      const auto v = brute_rouge(rt[r], hyp);
      for (int i = 0; i < 3; ++i) want[i] = r == 0 ? v[i] : std::max(want[i], v[i]);
    }
    const auto got = refs.best(d.ids(hyp));
    EXPECT_DOUBLE_EQ(got.rouge1, want[0]) << what;
    EXPECT_DOUBLE_EQ(got.rouge2, want[1]) << what;
    EXPECT_DOUBLE_EQ(got.rougeL, want[2]) << what;
  };
  for (int seg = 0; seg < 120; ++seg) {
    const size_t n_refs = 1 + d.rng() % 3;
    // Lengths around 64 (one word or BitLcs), up to 512 and past it (the table).
    const size_t lens[] = {1 + d.rng() % 64, 60 + d.rng() % 10, 100 + d.rng() % 400, 505 + d.rng() % 20};
    std::vector<Toks> rt;
    for (size_t r = 0; r < n_refs; ++r) rt.push_back(d.draw(lens[(seg + r) % 4], 2 + d.rng() % 5));
    const auto ri = d.ids(rt);
    refs.set(ri.data(), ri.size());
    for (int h = 0; h < 3; ++h) {
      Toks hyp = d.draw(d.rng() % 80, 2 + d.rng() % 5);
      if (h == 1) hyp.insert(hyp.end(), rt[0].begin(), rt[0].begin() + static_cast<long>(std::min<size_t>(rt[0].size(), 30)));
      check(rt, hyp, "segment " + std::to_string(seg) + " hypothesis " + std::to_string(h));
    }
  }
  // 140 references of 500 tokens: more reference tokens than 16-bit local ids hold.
  const std::vector<Toks> rt = d.large(140, 500);
  const auto ri = d.ids(rt);
  refs.set(ri.data(), ri.size());
  Toks hyp(rt[3].begin() + 100, rt[3].begin() + 130);
  hyp.insert(hyp.end(), rt[77].begin(), rt[77].begin() + 10);
  check(rt, hyp, "140 references of 500 tokens");
}

TEST(NgramEquivalence, ScorerReuseEqualsFreshStates) {
  // One scorer over many segments (tables reused through generation stamps) against a fresh
  // scorer per hypothesis, METEOR included.
  std::mt19937_64 rng(5);
  NlgScorer shared({}, nullptr);
  NlgState a, b;
  for (int seg = 0; seg < 400; ++seg) {
    std::vector<std::string> refs(1 + rng() % 3);
    for (auto& r : refs) r = random_text(rng);
    shared.set_references(refs);
    for (int k = 0; k < 3; ++k) {
      const std::string hyp = random_text(rng);
      shared.add(a, hyp);
      NlgScorer fresh({}, nullptr);
      b.add(fresh, hyp, refs);
    }
  }
  Packed pa, pb;
  a.pack(pa);
  b.pack(pb);
  EXPECT_EQ(pa.ints, pb.ints);
  EXPECT_EQ(pa.reals, pb.reals);
}

// NlgScorer::tokenize() splits an ASCII text without line breaks once and looks each word's
// tokens up (computed on the word alone the first time); this checks that against the three
// tokenisers on the whole text: pieces that 13a's rules take apart (dots and commas next to
// digits or not, dashes after digits, entities, <skipped>), glued together or apart, between
// every kind of ASCII whitespace Python splits on, with a line break or a non-ASCII character
// now and then (those texts take the whole-text path). One scorer sees all texts, so words come
// back in new company.
TEST(NgramEquivalence, TokenizeEqualsTheThreeTokenisers) {
  static const char* pieces[] = {
      "a", "Dog", "run.", "3.5-4", "1,000", "x,y", "it's", "(see)", "&amp;", "&quot;", "<skipped>", "--",
      "a-", "5-", ".", ",", "..", "a.", ".a", ",5", "5,", "A.B", "e.g.", "$5", "<", ">", "&", "x&y",
      "Running", "HAPPY", "caresses", "ponies", "é", "-",
      // Of seven and eight bytes: the most tokenize() finds with one load of eight.
      "sitting", "umbrella", "because.", "(8-bit)", "e.g.,5,6",
      // Longer than the eight bytes tokenize() scans at a time, and control
      // characters that are no whitespace (inside a word).
      "internationalisation", "co-operatively.", "a\x01b", "\x1b[0m", "abcdefgh\x02ijklmnop"};
  static const char* seps[] = {" ", "  ", "\t", "\x0b", "\x0c", "\r", "\x1c", "\x1f", " \t ", "", "", "\n", "-\n"};
  std::mt19937_64 rng(23);
  for (const bool stem : {false, true}) {
    NlgOptions opt;
    opt.rouge_stemmer = stem;
    // With stemming, only the first 8 distinct words are kept: the rest take the uncached path.
    if (stem) opt.max_cached_words = 8;
    NlgScorer scorer(opt, nullptr);
    MeteorScorer meteor(nullptr);
    int64_t whole = 0;
    for (int t = 0; t < 4000; ++t) {
      std::string text;
      const int n = static_cast<int>(rng() % 12);
      for (int i = 0; i < n; ++i) {
        if (i) text += seps[rng() % (sizeof seps / sizeof *seps - (rng() % 8 ? 2 : 0))];
        const char* piece = pieces[rng() % (sizeof pieces / sizeof *pieces)];
        if (std::string(piece) == "é" && rng() % 4) piece = "e";
        if (rng() % 3 == 0) {  // a new word of 1 to 9 bytes now and then: the word table grows
          const size_t len = 1 + rng() % 9;
          for (size_t k = 0; k < len; ++k)
            text += static_cast<char>(k + 1 == len && rng() % 4 == 0 ? '.' : 'a' + rng() % 26);
          continue;
        }
        text += piece;
      }
      NlgTokens tk;
      scorer.tokenize(text, tk);
      Toks bleu, rouge;
      for (uint32_t id : tk.bleu) bleu.emplace_back(scorer.interner().text(id));
      for (uint32_t id : tk.rouge) rouge.emplace_back(scorer.interner().text(id));
      ASSERT_EQ(bleu, tokenize_13a(text)) << "13a of '" << text << "'";
      ASSERT_EQ(rouge, tokenize_rouge(text, stem)) << "rouge_score tokens of '" << text << "'";
      std::vector<uint32_t> words;
      meteor.words(text, words);
      ASSERT_EQ(tk.meteor.size(), words.size()) << "METEOR words of '" << text << "'";
      // METEOR ids live in the scorer's own interner: compare scores against a reference text.
      if (!text.empty()) {
        const std::vector<std::string> refs{"a dog , running happy."};
        scorer.set_references(refs);
        NlgState st(opt);
        scorer.add(st, text, tk);
        ASSERT_EQ(st.to_json()["meteor"].get<double>(), meteor.score(refs, text)) << "METEOR of '" << text << "'";
      }
      whole += text.find('\n') != std::string::npos || text.find("\xC3") != std::string::npos;
    }
    EXPECT_GT(whole, 100);  // both paths were taken
  }
}

namespace {

// NLTK's single_meteor_score written as NLTK writes it: lists of (position, word) popped in
// nested loops, stems and synonym sets recomputed for every pair, one stable sort at the end.
double nltk_meteor(const std::string& reference, const std::string& hypothesis, const WordNet* wn) {
  using Enum = std::vector<std::pair<int, std::string>>;
  auto enumerate = [](const std::string& text) {
    Enum e;
    for (const auto& w : split_py(lower_py(text))) e.emplace_back(static_cast<int>(e.size()), w);
    return e;
  };
  Enum hyp = enumerate(hypothesis), ref = enumerate(reference);
  const double translation_length = static_cast<double>(hyp.size()), reference_length = static_cast<double>(ref.size());
  std::vector<std::pair<int, int>> matches;
  auto match_enums = [&](Enum& h, Enum& r) {
    for (int i = static_cast<int>(h.size()) - 1; i >= 0; --i)
      for (int j = static_cast<int>(r.size()) - 1; j >= 0; --j)
        if (h[i].second == r[j].second) {
          matches.emplace_back(h[i].first, r[j].first);
          h.erase(h.begin() + i);
          r.erase(r.begin() + j);
          break;
        }
  };
  match_enums(hyp, ref);
  const PorterStemmer stemmer;
  for (auto* e : {&hyp, &ref})
    for (auto& [i, w] : *e) w = stemmer.stem(w);
  match_enums(hyp, ref);
  if (wn) {
    for (int i = static_cast<int>(hyp.size()) - 1; i >= 0; --i) {
      std::set<std::string> syns{hyp[i].second};
      for (const auto& n : wn->synonyms(hyp[i].second))
        if (n.find('_') == std::string::npos) syns.insert(n);
      for (int j = static_cast<int>(ref.size()) - 1; j >= 0; --j)
        if (syns.count(ref[j].second)) {
          matches.emplace_back(hyp[i].first, ref[j].first);
          hyp.erase(hyp.begin() + i);
          ref.erase(ref.begin() + j);
          break;
        }
    }
  }
  std::stable_sort(matches.begin(), matches.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  const double m = static_cast<double>(matches.size());
  if (translation_length == 0 || reference_length == 0 || m == 0) return 0.0;
  const double precision = m / translation_length, recall = m / reference_length;
  const double alpha = 0.9;  // NLTK: alpha * P + (1 - alpha) * R, and 1 - 0.9 is not 0.1
  const double fmean = (precision * recall) / (alpha * precision + (1 - alpha) * recall);
  int chunks = 1;
  for (size_t i = 0; i + 1 < matches.size(); ++i)
    if (!(matches[i + 1].first == matches[i].first + 1 && matches[i + 1].second == matches[i].second + 1)) ++chunks;
  return (1 - 0.5 * std::pow(chunks / m, 3.0)) * fmean;
}

}  // namespace

// METEOR's alignment (bit sets of positions or word chains instead of nested loops, synonym
// masks) against NLTK's loops, on sentences full of repeats, inflections and synonyms, with one
// scorer throughout (cached stems and synonym sets) and, where the database is installed, WordNet.
TEST(NgramEquivalence, MeteorAlignmentAgainstNltkLoops) {
  static const char* words[] = {"the", "The", "dog", "dogs", "Dog", "run", "runs", "running", "ran", "sick", "ill",
                                "happy", "glad", "felicitous", "man", "men", "car", "auto", "automobile", "a", "is",
                                "are", "big", "large", "small", "little", "quickly", "fast", "city", "cities", "x"};
  std::mt19937_64 rng(31);
  for (const WordNet* wn : {static_cast<const WordNet*>(nullptr), WordNet::system()}) {
    MeteorScorer scorer(wn);
    for (int t = 0; t < 3000; ++t) {
      std::string ref, ref2, hyp;
      for (auto* s : {&ref, &ref2, &hyp}) {
        // Now and then 60 to 70 words: sentences of up to 64 words are aligned as bit sets,
        // longer ones as lists.
        const int n =
            static_cast<int>(t % 10 == 0 || (s == &ref2 && t % 7 == 0) ? 60 + rng() % 11 : rng() % 14);
        for (int i = 0; i < n; ++i) *s += std::string(i ? " " : "") + words[rng() % (sizeof words / sizeof *words)];
      }
      const double one = nltk_meteor(ref, hyp, wn);
      ASSERT_EQ(scorer.single(ref, hyp), one)
          << "reference '" << ref << "', hypothesis '" << hyp << "', WordNet " << (wn != nullptr);
      // Two references prepared together (their words and stems share slots): the better one.
      ASSERT_EQ(scorer.score({ref, ref2}, hyp), std::max(one, nltk_meteor(ref2, hyp, wn)))
          << "references '" << ref << "' and '" << ref2 << "', hypothesis '" << hyp << "'";
    }
  }
  if (!WordNet::system()) GTEST_SKIP() << "compared without synonyms only: no WordNet at " << WordNet::kDefaultDir;
}

TEST(NgramEquivalence, DistinctNgramsAgainstBruteForce) {
  std::mt19937_64 rng(3);
  DiversityState d;
  Interner in;
  std::map<std::string, int> uni, bi;
  int64_t n_uni = 0, n_bi = 0;
  for (int g = 0; g < 300; ++g) {
    std::vector<std::string> texts(1 + rng() % 3);
    for (auto& t : texts) t = random_text(rng);
    d.add_group(in, texts);
    for (const auto& t : texts) {
      const auto tk = tokenize_13a(t);
      for (size_t i = 0; i < tk.size(); ++i) {
        ++uni[tk[i]];
        ++n_uni;
        if (i + 1 < tk.size()) {
          ++bi[tk[i] + '\x01' + tk[i + 1]];
          ++n_bi;
        }
      }
    }
  }
  const auto r = d.value();
  EXPECT_DOUBLE_EQ(r.distinct1, static_cast<double>(uni.size()) / static_cast<double>(n_uni));
  EXPECT_DOUBLE_EQ(r.distinct2, static_cast<double>(bi.size()) / static_cast<double>(n_bi));
}

// ROUGE-L's bit-parallel LCS equals the dynamic-programming table for sequences of 0 to 300
// tokens (1 to 5 words of 64 positions, carries across words) over small and large alphabets,
// with one BitLcs reused for many sequences.
TEST(NgramEquivalence, BitParallelLcsEqualsTheTable) {
  std::mt19937_64 rng(5);
  BitLcs lcs;
  for (int round = 0; round < 400; ++round) {
    const uint32_t alphabet = 1 + static_cast<uint32_t>(rng() % (round % 2 ? 4 : 200));
    auto draw = [&](size_t max_len) {
      std::vector<uint32_t> v(rng() % (max_len + 1));
      for (auto& x : v) x = static_cast<uint32_t>(rng() % alphabet) * 7919u;  // ids far apart
      return v;
    };
    const auto a = draw(round % 3 ? 70 : 300);
    lcs.set(a);
    for (int k = 0; k < 3; ++k) {
      const auto b = draw(round % 5 ? 80 : 300);
      std::vector<std::vector<int>> L(a.size() + 1, std::vector<int>(b.size() + 1, 0));
      for (size_t i = 1; i <= a.size(); ++i)
        for (size_t j = 1; j <= b.size(); ++j)
          L[i][j] = a[i - 1] == b[j - 1] ? L[i - 1][j - 1] + 1 : std::max(L[i - 1][j], L[i][j - 1]);
      ASSERT_EQ(lcs.length(b), L[a.size()][b.size()]) << "round " << round << ": |a| " << a.size() << ", |b| " << b.size();
    }
  }
}

// Interner ids equal first-seen numbering by std::map for strings of 0 to 12 bytes (both of its
// tables, the 8-byte boundary, zero bytes, prefixes and permutations of each other) over enough
// distinct strings to grow both tables several times; text() and hash() follow the id.
TEST(NgramEquivalence, InternerIdsAreFirstSeenNumbering) {
  std::mt19937_64 rng(3);
  Interner in;
  std::map<std::string, uint32_t> ref;
  for (int i = 0; i < 60000; ++i) {
    std::string s(rng() % 13, '\0');
    for (auto& c : s) c = "ab\0\xC3\xA9z"[rng() % 6];
    const auto it = ref.try_emplace(s, static_cast<uint32_t>(ref.size())).first;
    const uint32_t id = in.id(s);
    ASSERT_EQ(id, it->second) << "'" << s << "' (" << s.size() << " bytes)";
    ASSERT_EQ(in.text(id), s);
    ASSERT_EQ(in.hash(id), because::hash::xxh64(s));
  }
  EXPECT_EQ(in.size(), ref.size());
  EXPECT_GT(ref.size(), 4000u);
}
