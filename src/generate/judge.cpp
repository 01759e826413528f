// Multiple-choice judgments: prompts over option and comment orders, and their aggregation.
#include "generate/judge.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "util/error.h"
#include "util/hash.h"

namespace because::generate {

std::vector<std::vector<int>> all_orders(int n) {
  std::vector<int> p(static_cast<size_t>(n));
  std::iota(p.begin(), p.end(), 0);
  std::vector<std::vector<int>> out;
  do out.push_back(p);
  while (std::next_permutation(p.begin(), p.end()));
  return out;
}

std::vector<std::string> option_letters(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(std::string(1, static_cast<char>('A' + i)));
  return out;
}

std::vector<double> normalize_scores(const std::vector<double>& scores, const std::string& method, double temperature,
                                     bool scores_are_logprobs) {
  std::vector<double> p(scores.size());
  if (method == "softmax" || (method == "normalize" && scores_are_logprobs)) {
    const double t = method == "softmax" ? temperature : 1.0;
    if (!(t > 0)) throw ConfigError("--judge.temperature must be > 0");
    const double m = *std::max_element(scores.begin(), scores.end());
    double z = 0;
    for (size_t i = 0; i < scores.size(); ++i) z += (p[i] = std::exp((scores[i] - m) / t));
    for (auto& x : p) x /= z;
    return p;
  }
  if (method == "normalize") {
    const double z = std::accumulate(scores.begin(), scores.end(), 0.0);
    for (size_t i = 0; i < scores.size(); ++i) p[i] = z != 0 ? scores[i] / z : 1.0 / static_cast<double>(scores.size());
    return p;
  }
  throw ConfigError("--judge.normalize: expected softmax or normalize, got '" + method + "'");
}

std::vector<JudgePrompt> build_judge_prompts(const corpus::Instance& inst, const std::vector<std::string>& comments,
                                             const PromptTemplate& tmpl, const corpus::LabelSet& labels,
                                             const std::vector<int>& option_labels, const JudgeOptions& opt) {
  const int n = static_cast<int>(option_labels.size());
  const auto letters = option_letters(n);
  // Comment orders: the given order first, then seeded shuffles (distinct where possible).
  std::vector<std::vector<int>> corders;
  std::vector<int> ident(comments.size());
  std::iota(ident.begin(), ident.end(), 0);
  corders.push_back(ident);
  if (opt.with_explanations && comments.size() > 1) {
    std::mt19937_64 rng(hash::seed_of(opt.run_seed, inst.uid, -2, 0));
    int tries = 0;
    while (static_cast<int>(corders.size()) < opt.comment_orders && tries++ < 100 * opt.comment_orders) {
      auto p = ident;
      std::shuffle(p.begin(), p.end(), rng);
      if (std::find(corders.begin(), corders.end(), p) == corders.end()) corders.push_back(p);
    }
  }
  const std::string cformat = tmpl.meta("comment_format", "\nComment {{index}}: {{text}}");
  const std::string oformat = tmpl.meta("option_format", "{{letter}}. {{option}}");
  const std::string osep = tmpl.meta("option_separator", "\n");
  Vars base = {{"text_a", inst.text_a}, {"text_b", inst.text_b},     {"premise", inst.text_a},
               {"hypothesis", inst.text_b}, {"context", inst.text_a}, {"statement", inst.text_b},
               {"text", inst.text_a}, {"uid", inst.uid},             {"dataset", inst.dataset}};
  std::vector<JudgePrompt> out;
  for (const auto& pos : all_orders(n)) {
    // Position j shows option_labels[pos[j]]: the orders are permutations of the input list, so
    // their set is the set of all orders of the labels whatever the input order was.
    std::vector<int> order(static_cast<size_t>(n));
    for (int j = 0; j < n; ++j) order[static_cast<size_t>(j)] = option_labels[static_cast<size_t>(pos[static_cast<size_t>(j)])];
    for (const auto& corder : (opt.with_explanations ? corders : std::vector<std::vector<int>>{{}})) {
      Vars v = base;
      std::string ctext;
      for (size_t i = 0; i < corder.size(); ++i)
        ctext += substitute(cformat, {{"index", std::to_string(i + 1)}, {"text", comments[static_cast<size_t>(corder[i])]}},
                            tmpl.name() + " comment_format");
      v["comments"] = ctext;
      std::string otext;
      for (int j = 0; j < n; ++j) {
        const std::string word = tmpl.label_word(labels.labels[static_cast<size_t>(order[static_cast<size_t>(j)])]);
        v["option_" + std::to_string(j + 1)] = word;
        v["letter_" + std::to_string(j + 1)] = letters[static_cast<size_t>(j)];
        otext += (j ? osep : "") + substitute(oformat, {{"letter", letters[static_cast<size_t>(j)]}, {"option", word}},
                                              tmpl.name() + " option_format");
      }
      v["options"] = otext;
      JudgePrompt jp;
      jp.order = order;
      jp.comment_order = corder;
      jp.request.prompt = tmpl.render(v);
      jp.request.system = tmpl.render_system(v);
      jp.request.chat = opt.chat;
      out.push_back(std::move(jp));
    }
  }
  return out;
}

Judgment aggregate_judgment(const std::vector<JudgePrompt>& prompts, const std::vector<ScoreResult>& scores,
                            int n_labels, const JudgeOptions& opt) {
  Judgment j;
  j.probs.assign(static_cast<size_t>(n_labels), 0.0);
  for (size_t i = 0; i < prompts.size(); ++i) {
    std::vector<double> raw(static_cast<size_t>(n_labels), std::nan(""));
    if (!scores[i].error.empty()) {
      if (j.error.empty()) j.error = scores[i].error;
      j.raw.push_back(raw);
      continue;
    }
    for (size_t pos = 0; pos < prompts[i].order.size(); ++pos)
      raw[static_cast<size_t>(prompts[i].order[pos])] = scores[i].scores[pos];
    const auto p = normalize_scores(raw, opt.normalize, opt.temperature, opt.scores_are_logprobs);
    for (int l = 0; l < n_labels; ++l) j.probs[static_cast<size_t>(l)] += p[static_cast<size_t>(l)];
    j.raw.push_back(raw);
  }
  if (!j.error.empty() || prompts.empty()) {
    std::fill(j.probs.begin(), j.probs.end(), std::nan(""));
    if (j.error.empty()) j.error = "no_prompts";
    return j;
  }
  for (auto& x : j.probs) x /= static_cast<double>(prompts.size());
  return j;
}

}  // namespace because::generate
