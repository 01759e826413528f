// Label distributions from a multiple-choice prompt (the second study's MJD): first-token scores
// of the option letters, for every order of the options (and optionally several orders of the
// explanations, shown as "Comment i"), normalised per order and averaged.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "corpus/instance.h"
#include "generate/backend.h"
#include "generate/prompt.h"

namespace because::generate {

/// All n! orders of 0..n-1 in lexicographic order.
std::vector<std::vector<int>> all_orders(int n);

/// Probabilities from one order's scores (in label order): "softmax" -> softmax(scores / T);
/// "normalize" -> scores / sum (the study's normalisation of raw logits; for log-probability
/// scores the probabilities exp(score) are normalised instead). Throws ConfigError otherwise.
std::vector<double> normalize_scores(const std::vector<double>& scores, const std::string& method,
                                     double temperature, bool scores_are_logprobs);

struct JudgeOptions {
  std::string normalize = "softmax";  ///< softmax or normalize
  double temperature = 1.0;           ///< softmax temperature
  bool with_explanations = true;      ///< show the comments
  int comment_orders = 1;             ///< orders of the comments per option order (1: as given)
  uint64_t run_seed = 0;              ///< seeds the comment shuffles
  bool chat = false;                  ///< apply the chat template
  bool scores_are_logprobs = true;    ///< what the backend's scores are
};

/// One prompt of an item: an option order and a comment order.
struct JudgePrompt {
  std::vector<int> order;          ///< order[j] = label shown at position j (letter j)
  std::vector<int> comment_order;  ///< comments in the order shown
  ScoreRequest request;
};

/// The prompts of one item: every option order (n! for n labels) times `comment_orders` comment
/// orders. `option_labels` lists the labels in the order the input gives them; the set of
/// prompts, and so the average, does not depend on that order.
std::vector<JudgePrompt> build_judge_prompts(const corpus::Instance& inst, const std::vector<std::string>& comments,
                                             const PromptTemplate& tmpl, const corpus::LabelSet& labels,
                                             const std::vector<int>& option_labels, const JudgeOptions& opt);

/// Result of one item.
struct Judgment {
  std::vector<double> probs;                ///< averaged distribution in label order
  std::vector<std::vector<double>> raw;     ///< per prompt: scores in label order
  std::string error;                        ///< non-empty when any prompt failed
};

/// Maps each prompt's letter scores to label order, normalises and averages.
Judgment aggregate_judgment(const std::vector<JudgePrompt>& prompts, const std::vector<ScoreResult>& scores,
                            int n_labels, const JudgeOptions& opt);

/// The letters of the options: "A", "B", "C", ...
std::vector<std::string> option_letters(int n);

}  // namespace because::generate
