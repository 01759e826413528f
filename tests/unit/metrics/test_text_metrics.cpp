// NLG metrics against hand-worked examples and the values the references document
// (sacreBLEU's README, rouge_score's README, NLTK's Porter and METEOR doctests).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <regex>

#include "metrics/bleu.h"
#include "metrics/chrf.h"
#include "metrics/diversity.h"
#include "metrics/meteor.h"
#include "metrics/nlg.h"
#include "metrics/porter.h"
#include "metrics/rouge.h"
#include "metrics/text.h"
#include "metrics/wordnet.h"

using namespace because::metrics;
using Toks = std::vector<std::string>;

namespace {

// sacreBLEU's Tokenizer13a written with std::regex (ECMAScript sub is left to right and
// non-overlapping, like Python's re.sub), for ASCII lines: the oracle of the next test.
Toks regex_13a(std::string line) {
  auto replace = [&](const std::string& from, const std::string& to) {
    for (size_t p = line.find(from); p != std::string::npos; p = line.find(from, p + to.size()))
      line.replace(p, from.size(), to);
  };
  replace("<skipped>", "");
  replace("-\n", "");
  replace("\n", " ");
  if (line.find('&') != std::string::npos) {
    replace("&quot;", "\"");
    replace("&amp;", "&");
    replace("&lt;", "<");
    replace("&gt;", ">");
  }
  line = " " + line + " ";
  static const std::regex r1(R"(([\x7B-\x7E\x5B-\x60\x20-\x26\x28-\x2B\x3A-\x40\x2F]))");
  static const std::regex r2(R"(([^0-9])([\.,]))"), r3(R"(([\.,])([^0-9]))"), r4(R"(([0-9])(-))");
  line = std::regex_replace(line, r1, " $1 ");
  line = std::regex_replace(line, r2, "$1 $2 ");
  line = std::regex_replace(line, r3, " $1 $2");
  line = std::regex_replace(line, r4, "$1 $2 ");
  return split_py(line);
}

}  // namespace

// Random ASCII lines over the characters the rules treat differently (digits next to '.', ','
// and '-', punctuation, whitespace, entities, line breaks, "<skipped>"), with and without
// digits (the one-pass path and the rule-by-rule path): tokens equal the regex oracle's.
TEST(Bleu, Tokenizer13aEqualsTheRegularExpressions) {
  static const char* pieces[] = {"a", "Bc", "x'y", "3", "0", ".", ",", "-", " ", "  ", "\t", "\x1f", "(", ")", "$",
                                 "_", "/", "~", "'", "&amp;", "&quot;", "&lt;", "<skipped>", "\n", "-\n", "&", "<",
                                 "\x01", "\x7f", "..", ",-"};
  std::mt19937_64 rng(13);
  int simple = 0;
  for (int i = 0; i < 20000; ++i) {
    const bool digits = i % 2;
    std::string line;
    const int n = static_cast<int>(rng() % 16);
    for (int k = 0; k < n; ++k) {
      std::string piece = pieces[rng() % (sizeof pieces / sizeof *pieces)];
      if (!digits && (piece == "3" || piece == "0")) piece = "q";
      line += piece;
    }
    simple += line.find_first_of("0123456789<&\n") == std::string::npos;
    ASSERT_EQ(tokenize_13a(line), regex_13a(line)) << "line '" << line << "'";
  }
  EXPECT_GT(simple, 1000);  // both paths ran many times
}

TEST(Text, PythonSplitAndLower) {
  EXPECT_EQ(split_py("  a\tb\n\u00a0c\u3000d  "), (Toks{"a", "b", "c", "d"}));
  EXPECT_EQ(lower_py("ÀBC Δ Ж"), "àbc δ ж");
  EXPECT_EQ(utf8_encode(utf8_decode("héllo ☃")), "héllo ☃");
}

TEST(Bleu, Tokenizer13a) {
  EXPECT_EQ(tokenize_13a("Hello, world."), (Toks{"Hello", ",", "world", "."}));
  // period/comma between digits stay; dash after a digit splits; apostrophes stay.
  EXPECT_EQ(tokenize_13a("It's 3.5-4 km."), (Toks{"It's", "3.5", "-", "4", "km", "."}));
  EXPECT_EQ(tokenize_13a("a.,b (x) &amp; \"y\""), (Toks{"a", ".", ",", "b", "(", "x", ")", "&", "\"", "y", "\""}));
  EXPECT_EQ(tokenize_13a("1,000 and 2.5."), (Toks{"1,000", "and", "2.5", "."}));
  EXPECT_EQ(tokenize_13a("line-\nbreak\nnext"), (Toks{"linebreak", "next"}));
}

TEST(Bleu, HandWorkedSentence) {
  // hyp: the cat sat on the mat / ref: the cat sat on a mat
  // matches 5/6, 3/5, 2/4, 1/3; BP 1 -> BLEU = 100 * (1/12)^(1/4).
  BleuState s;
  s.add("the cat sat on the mat", {"the cat sat on a mat"});
  const auto r = s.value();
  EXPECT_NEAR(r.score, 100.0 * std::pow(1.0 / 12.0, 0.25), 1e-9);
  EXPECT_NEAR(r.precisions[0], 100.0 * 5 / 6, 1e-9);
  EXPECT_NEAR(r.precisions[3], 100.0 / 3, 1e-9);
  EXPECT_DOUBLE_EQ(r.bp, 1.0);
}

TEST(Bleu, ExponentialSmoothingAndBrevity) {
  // hyp a b c d vs ref a b x y z: 2/4, 1/3, 0/2 -> 100/(2*2), 0/1 -> 100/(4*1); BP exp(1-5/4).
  BleuState s;
  s.add("a b c d", {"a b x y z"});
  const auto r = s.value();
  EXPECT_NEAR(r.precisions[2], 25.0, 1e-12);
  EXPECT_NEAR(r.precisions[3], 25.0, 1e-12);
  const double expect = std::exp(1 - 5.0 / 4.0) * std::exp((std::log(50.0) + std::log(100.0 / 3) + 2 * std::log(25.0)) / 4);
  EXPECT_NEAR(r.score, expect, 1e-9);
  // Closest reference length: hyp 4 tokens; refs of 3 and 5 tokens tie, the shorter wins (BP 1).
  BleuState t;
  t.add("a b c d", {"a b c", "a b c d e"});
  EXPECT_EQ(t.value().ref_len, 3);
  EXPECT_DOUBLE_EQ(t.value().bp, 1.0);
  BleuState none;
  none.add("x y", {"a b"});
  EXPECT_EQ(none.value().score, 0.0);
}

TEST(Bleu, SacrebleuReadmeExample) {
  // sacreBLEU README: BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18),
  // chrF2 = 59.73.
  const Toks sys = {"The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."};
  const std::vector<Toks> refs = {{"The dog bit the man.", "It was not unexpected.", "The man bit him first."},
                                  {"The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."}};
  BleuState b;
  ChrfState c;
  for (size_t i = 0; i < sys.size(); ++i) {
    b.add(sys[i], {refs[0][i], refs[1][i]});
    c.add(sys[i], {refs[0][i], refs[1][i]});
  }
  const auto r = b.value();
  EXPECT_EQ(r.sys_len, 17);
  EXPECT_EQ(r.ref_len, 18);
  EXPECT_NEAR(r.score, 48.53, 0.005);
  EXPECT_NEAR(r.precisions[0], 82.4, 0.05);
  EXPECT_NEAR(r.precisions[1], 50.0, 0.05);
  EXPECT_NEAR(r.precisions[2], 45.5, 0.05);
  EXPECT_NEAR(r.precisions[3], 37.5, 0.05);
  EXPECT_NEAR(r.bp, 0.943, 0.0005);
  EXPECT_NEAR(c.value(), 59.73, 0.005);
}

TEST(Chrf, HandWorked) {
  // "ab" vs "ab": every order with n-grams matches fully -> 100. Orders 3..6 have none and are
  // left out of the average (sacreBLEU's effective order).
  ChrfState s;
  s.add("a b", {"ab"});  // whitespace is removed
  EXPECT_NEAR(s.value(), 100.0, 1e-12);
  // "abc" vs "abd": 1-grams 2/3 both ways, 2-grams 1/2, 3-grams 0/1 -> P = R = (2/3 + 1/2 + 0)/3.
  const auto st = ChrfState::segment_stats(utf8_decode("abc"), utf8_decode("abd"));
  const double p = (2.0 / 3 + 0.5 + 0) / 3;
  EXPECT_NEAR(ChrfState::f_score(st), 100 * p, 1e-12);
  // The best reference by sentence chrF is kept per segment.
  ChrfState m;
  m.add("abc", {"xyz", "abd"});
  EXPECT_NEAR(m.value(), 100 * p, 1e-12);
}

TEST(Rouge, ReadmeExample) {
  // rouge_score README: score('The quick brown fox jumps over the lazy dog',
  // 'The quick brown dog jumps on the log.') -> rouge1 F 0.7058823529411765, rougeL F 0.5882352941176471.
  const auto target = tokenize_rouge("The quick brown fox jumps over the lazy dog", true);
  const auto pred = tokenize_rouge("The quick brown dog jumps on the log.", true);
  const auto s = rouge_f(target, pred);
  EXPECT_NEAR(s.rouge1, 0.7058823529411765, 1e-15);
  EXPECT_NEAR(s.rougeL, 0.5882352941176471, 1e-15);
  // ROUGE-2 by hand: 2 shared bigrams (the quick, quick brown) of 7 predicted and 8 target.
  EXPECT_NEAR(s.rouge2, 2 * (2.0 / 7) * (2.0 / 8) / (2.0 / 7 + 2.0 / 8), 1e-15);
}

TEST(Rouge, TokenizerAndMax) {
  EXPECT_EQ(tokenize_rouge("Don't STOP-me now!", false), (Toks{"don", "t", "stop", "me", "now"}));
  EXPECT_EQ(tokenize_rouge("running cats are jumping", true), (Toks{"run", "cat", "are", "jump"}));
  RougeState st;
  st.add("a b c", {"x y z", "a b c"});  // the best reference: all 1
  st.add("a b", {"c d"});               // 0
  const auto v = st.value();
  EXPECT_NEAR(v.rouge1, 0.5, 1e-15);
  EXPECT_NEAR(v.rougeL, 0.5, 1e-15);
}

TEST(Porter, NltkStems) {
  const PorterStemmer p;
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"caresses", "caress"}, {"ponies", "poni"}, {"ties", "tie"}, {"flies", "fli"}, {"dies", "die"},
      {"dying", "die"}, {"agreed", "agre"}, {"running", "run"}, {"generously", "gener"},
      {"happiness", "happi"}, {"relational", "relat"}, {"conditional", "condit"}, {"hopefulness", "hope"},
      {"hopping", "hop"}, {"filing", "file"}, {"sky", "sky"}, {"is", "is"}, {"Running", "run"},
      {"controlling", "control"}, {"generalization", "gener"}, {"oscillators", "oscil"}, {"happy", "happi"},
      {"enjoy", "enjoy"}, {"spied", "spi"}, {"died", "die"}, {"archaeology", "archaeolog"}, {"geology", "geolog"}};
  for (const auto& [w, s] : cases) EXPECT_EQ(p.stem(w), s) << w;
  const PorterStemmer orig(PorterStemmer::Mode::kOriginalAlgorithm);
  EXPECT_EQ(orig.stem("ties"), "ti");
  EXPECT_EQ(orig.stem("enjoy"), "enjoi");
}

TEST(Meteor, HandWorkedWithoutWordNet) {
  // NLTK aligns greedily from the back: hyp 'the'(4) takes ref 'the'(0); matches
  // (1,1)(2,2)(3,3)(4,0)(5,5): 3 chunks. P = R = 5/6, Fmean = 5/6, penalty 0.5 * 0.6^3.
  MeteorScorer m(nullptr);
  EXPECT_NEAR(m.single("the cat sat on a mat", "the cat sat on the mat"), (1 - 0.5 * 0.216) * 5.0 / 6.0, 1e-12);
  // Stem match: cats/cat, running/run.
  const double p = 3.0 / 3, r = 3.0 / 3;
  EXPECT_NEAR(m.single("cat running fast", "cats run fast"), (1 - 0.5 * std::pow(1.0 / 3, 3)) * (p * r) / (0.9 * p + 0.1 * r), 1e-12);
  EXPECT_EQ(m.single("this is a cat", "non matching hypothesis"), 0.0);
  EXPECT_EQ(m.single("", "x"), 0.0);
}

TEST(Meteor, NltkDoctest) {
  const WordNet* wn = WordNet::system();
  if (!wn) GTEST_SKIP() << "WordNet database not installed at " << WordNet::kDefaultDir;
  MeteorScorer m(wn);
  const std::string hyp1 = "It is a guide to action which ensures that the military always obeys the commands of the party";
  const std::string ref1 = "It is a guide to action that ensures that the military will forever heed Party commands";
  const std::string ref2 = "It is the guiding principle which guarantees the military forces always being under the command of the Party";
  const std::string ref3 = "It is the practical guide for the army always to heed the directions of the party";
  // NLTK >= 3.6.6 doctest (token lists): round(meteor_score([reference1, reference2, reference3],
  // hypothesis1), 4) == 0.6944, as is single_meteor_score(reference1, hypothesis1). (Releases before
  // 3.6.6, which took strings, documented 0.7398 for the same sentences.)
  EXPECT_NEAR(m.single(ref1, hyp1), 0.6944, 5e-5);
  EXPECT_NEAR(m.score({ref1, ref2, ref3}, hyp1), 0.6944, 5e-5);
  // WordNet synonyms are found through morphy: 'obeys' -> obey, 'dogs' -> dog (synset of 'domestic_dog' etc.).
  const auto syn = wn->synonyms("guarantees");
  EXPECT_NE(std::find(syn.begin(), syn.end(), "warrant"), syn.end());
  EXPECT_EQ(wn->morphy("dogs", 0), (Toks{"dog"}));
  EXPECT_EQ(wn->morphy("geese", 0), (Toks{"goose"}));
}

// The synonym stage, worked by hand: 'sick' and 'ill' are their own Porter stems and share a
// WordNet synset, so with WordNet all 4 words align in one chunk (P = R = 1, penalty
// 0.5 * (1/4)^3); without it 3 of 4 do. Each alignment stage matches from the back: the
// synonym 'ill' is taken by the last 'sick', and a word is never matched twice.
TEST(Meteor, HandWorkedSynonyms) {
  const WordNet* wn = WordNet::system();
  if (!wn) GTEST_SKIP() << "WordNet database not installed at " << WordNet::kDefaultDir;
  const auto syn = wn->synonyms("sick");
  ASSERT_NE(std::find(syn.begin(), syn.end(), "ill"), syn.end());
  MeteorScorer with(wn), without(nullptr);
  EXPECT_NEAR(with.single("the man is ill", "the man is sick"), 1 - 0.5 / 64, 1e-12);
  const double f = 0.75 * 0.75 / (0.9 * 0.75 + 0.1 * 0.75);
  EXPECT_NEAR(without.single("the man is ill", "the man is sick"), (1 - 0.5 / 27) * f, 1e-12);
  // hyp 'sick sick', ref 'ill': one match (hyp 1, ref 0); P = 1/2, R = 1, one chunk.
  const double p = 0.5, r = 1.0;
  EXPECT_NEAR(with.single("ill", "sick sick"), (1 - 0.5) * (p * r) / (0.9 * p + 0.1 * r), 1e-12);
  // Many words that are in no synset around the pair: the pair still matches, alone.
  EXPECT_NEAR(with.single("ill zqa zqb zqc zqd zqe zqf zqg zqh zqi zqj zqk", "sick zql zqm zqn zqo zqp zqq zqr zqs zqt zqu zqv"),
              (1 - 0.5) * (1.0 / 12), 1e-12);
}

TEST(Diversity, HandWorked) {
  DiversityState d;
  d.add_group({"a b a", "a c"});
  // tokens: [a b a] [a c]; unigrams 5 total, distinct {a,b,c} 3; bigrams: ab, ba, ac: 3 of 3.
  const auto r = d.value();
  EXPECT_EQ(r.n_texts, 2);
  EXPECT_NEAR(r.distinct1, 3.0 / 5, 1e-15);
  EXPECT_NEAR(r.distinct2, 1.0, 1e-15);
  EXPECT_NEAR(r.mean_length, 2.5, 1e-15);
  EXPECT_EQ(r.n_self_bleu, 2);
  // Identical explanations have self-BLEU 100.
  DiversityState same;
  same.add_group({"the cat sat on the mat", "the cat sat on the mat"});
  EXPECT_NEAR(same.value().self_bleu, 100.0, 1e-9);
  // Merging equals adding everything to one state.
  DiversityState a, b, all;
  a.add_group({"x y z", "x y"});
  b.add_group({"x q", "r"});
  all.add_group({"x y z", "x y"});
  all.add_group({"x q", "r"});
  a.merge(b);
  EXPECT_EQ(a.value().distinct1, all.value().distinct1);
  EXPECT_EQ(a.value().distinct2, all.value().distinct2);
  EXPECT_EQ(a.value().self_bleu, all.value().self_bleu);
}

// Self-BLEU is the mean over texts of sacreBLEU sentence BLEU against the group's other texts:
// groups of 2 (counted once for both directions) and of 3, with repeated n-grams and lengths
// that differ (brevity penalty one way only).
TEST(Diversity, SelfBleuIsTheMeanSentenceBleuAgainstTheOthers) {
  const std::vector<Toks> groups = {{"the cat sat on the mat", "the the cat sat"},
                                    {"a b c d e f", "a b"},
                                    {"x y x y x", "y x y", "x x x x x x x"},
                                    {"one two three four", "one two three four five six", "two three"}};
  for (const auto& g : groups) {
    DiversityState d;
    d.add_group(g);
    double sum = 0;
    for (size_t i = 0; i < g.size(); ++i) {
      std::vector<Toks> others;
      for (size_t j = 0; j < g.size(); ++j)
        if (j != i) others.push_back(tokenize_13a(g[j]));
      sum += sentence_bleu(tokenize_13a(g[i]), others);
    }
    EXPECT_EQ(d.value().n_self_bleu, static_cast<int64_t>(g.size()));
    EXPECT_NEAR(d.value().self_bleu, sum / static_cast<double>(g.size()), 1e-12) << g[0];
  }
}

TEST(Nlg, PackedMergeEqualsSequential) {
  NlgScorer m({}, nullptr);
  const Toks hyps = {"the cat sat", "a dog ran in the park", "it is raining", "nothing here"};
  const Toks refs = {"the cat sat down", "the dog ran in a park", "it rains", "something else"};
  NlgState all, a, b;
  for (size_t i = 0; i < hyps.size(); ++i) {
    all.add(m, hyps[i], {refs[i]});
    (i % 2 ? a : b).add(m, hyps[i], {refs[i]});
  }
  Packed pa, pb;
  a.pack(pa);
  b.pack(pb);
  pa.add(pb);
  NlgState merged;
  Unpacker u(pa);
  merged.unpack(u);
  EXPECT_TRUE(u.done());
  const auto j1 = all.to_json(), j2 = merged.to_json();
  EXPECT_EQ(j1["bleu"], j2["bleu"]);
  EXPECT_EQ(j1["chrf"], j2["chrf"]);
  EXPECT_NEAR(j1["rouge1"].get<double>(), j2["rouge1"].get<double>(), 1e-12);
  EXPECT_NEAR(j1["meteor"].get<double>(), j2["meteor"].get<double>(), 1e-12);
}
