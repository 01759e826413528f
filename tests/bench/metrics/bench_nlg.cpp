// The NLG scorer's cost per model explanation, stage by stage, on explanations like those of the
// reduce benchmark (bench_reduce.cpp): per instance one human reference and three model
// explanations (two written for a label, one label-free). Prints nanoseconds per model
// explanation, the fastest of several passes, for what `reduce` does per instance: tokenising the
// four texts, diversity of the three groups, preparing the reference, scoring the three with all
// four metrics; then BLEU, chrF, ROUGE and METEOR each alone. BECAUSE_BENCH_INSTANCES sets the
// instances (default 20000).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "bench_sentences.h"
#include "metrics/diversity.h"
#include "metrics/nlg.h"
#include "metrics/text.h"

using namespace because;
using namespace because::metrics;

namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

TEST(BenchNlg, StagesPerExplanation) {
  const char* env = std::getenv("BECAUSE_BENCH_INSTANCES");
  const int n = env ? std::max(1, std::atoi(env)) : 20000;
  const int passes = 7;
  std::mt19937_64 rng(7);
  std::vector<std::string> refs(n), hyps(3 * static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    refs[i] = bench::sentence(rng, 8 + static_cast<int>(rng() % 8));
    for (int k = 0; k < 3; ++k) hyps[3 * i + k] = bench::sentence(rng, 10 + static_cast<int>(rng() % 10));
  }
  // Instance by instance as `reduce` goes (so that each stage finds the texts and tokens where
  // the previous one left them), each stage timed; the fastest of several passes.
  NlgScorer scorer({}, WordNet::system());
  MeteorScorer meteor(WordNet::system());
  BleuRefs bleu;
  BleuState bleu_state;
  ChrfRefs chrf;
  RougeRefs rouge;
  std::vector<NlgTokens> tok(4);  // the reference, then the three model explanations
  std::vector<std::vector<uint32_t>> words(4);
  std::vector<std::string_view> view(1);
  std::vector<const NlgTokens*> view_tok(1);
  std::vector<const std::vector<uint32_t>*> g;
  enum { kTokenise, kDiversity, kReference, kAdd, kBleu, kChrf, kRouge, kMeteor, kStages };
  std::vector<double> best(kStages, 1e300);
  double sink = 0;  // keeps every result alive
  for (int pass = 0; pass < passes; ++pass) {
    std::vector<double> t(kStages, 0.0);
    DiversityState human, guided, free;
    NlgState state;
    for (int i = 0; i < n; ++i) {
      const std::string* texts[4] = {&refs[i], &hyps[3 * i], &hyps[3 * i + 1], &hyps[3 * i + 2]};
      double t0 = now();
      for (int x = 0; x < 4; ++x) scorer.tokenize(*texts[x], tok[x]);
      double t1 = now();
      t[kTokenise] += t1 - t0;
      g.assign({&tok[0].bleu});
      human.add_group_tokens(scorer.interner(), g);
      g.assign({&tok[1].bleu, &tok[2].bleu});
      guided.add_group_tokens(scorer.interner(), g);
      g.assign({&tok[3].bleu});
      free.add_group_tokens(scorer.interner(), g);
      t0 = now();
      t[kDiversity] += t0 - t1;
      view[0] = refs[i];
      view_tok[0] = &tok[0];
      scorer.set_references(view, view_tok);
      t1 = now();
      t[kReference] += t1 - t0;
      for (int k = 1; k <= 3; ++k) scorer.add(state, *texts[k], tok[k]);
      t0 = now();
      t[kAdd] += t0 - t1;
      // Each metric alone, its reference prepared once per instance.
      bleu.set(&tok[0].bleu, 1);
      for (int k = 1; k <= 3; ++k) bleu.add_to(bleu_state, tok[k].bleu);
      t1 = now();
      t[kBleu] += t1 - t0;
      chrf.set_text(&view[0], 1);
      for (int k = 1; k <= 3; ++k) sink += static_cast<double>(chrf.best_stats_text(*texts[k])[2]);
      t0 = now();
      t[kChrf] += t0 - t1;
      rouge.set(&tok[0].rouge, 1);
      for (int k = 1; k <= 3; ++k) sink += rouge.best(tok[k].rouge).rougeL;
      t1 = now();
      t[kRouge] += t1 - t0;
      for (int x = 0; x < 4; ++x) meteor.words(*texts[x], words[x]);  // METEOR's own ids, untimed
      t0 = now();
      const std::vector<uint32_t>* r = &words[0];
      meteor.set_reference_words(&r, 1);
      for (int k = 1; k <= 3; ++k) sink += meteor.score_words(words[k]);
      t[kMeteor] += now() - t0;
    }
    sink += state.to_json()["chrf"].get<double>() + bleu_state.value().score + guided.value().self_bleu;
    for (int k = 0; k < kStages; ++k) best[k] = std::min(best[k], t[k]);
  }
  EXPECT_TRUE(std::isfinite(sink));
  const double tokenise = best[kTokenise], diversity = best[kDiversity], references = best[kReference],
               add = best[kAdd], t_bleu = best[kBleu], t_chrf = best[kChrf], t_rouge = best[kRouge],
               t_meteor = best[kMeteor];

  const double per = 1e9 / (3.0 * n);  // seconds -> ns per model explanation
  std::printf("\nNLG scorer: %d instances, 3 model explanations each (WordNet %s), ns per explanation\n", n,
              WordNet::system() ? "on" : "off");
  std::printf("  tokenising (4 texts)             %7.0f\n", tokenise * per);
  std::printf("  diversity (3 groups)             %7.0f\n", diversity * per);
  std::printf("  preparing the reference          %7.0f\n", references * per);
  std::printf("  scoring: all four metrics        %7.0f\n", add * per);
  std::printf("  in all                           %7.0f\n", (tokenise + diversity + references + add) * per);
  std::printf("  each metric alone, its reference prepared included:\n");
  std::printf("    BLEU %7.0f\n    chrF %7.0f\n    ROUGE %6.0f\n    METEOR %5.0f\n", t_bleu * per,
              t_chrf * per, t_rouge * per, t_meteor * per);
}
