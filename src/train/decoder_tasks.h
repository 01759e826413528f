// Decoder fine-tuning with the causal-LM loss on the target span only: the explainer
// ((premise, hypothesis, label) -> human explanation, rendered with the explain stage's prompt
// template) and the reasoning classifier (text -> reasoning then label, Q->RA, or the label
// alone, Q->A; the predicted label is parsed from the generated text).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/train.h"
#include "train/dataset.h"
#include "train/task.h"

namespace because::train {

/// A task that can also write text for evaluation rows (decoder tasks).
class GenerativeTask : public Task {
 public:
  /// Greedy continuations of the prompts of the given rows of `split`.
  virtual std::vector<std::string> generate(const std::string& split, const std::vector<int64_t>& rows) = 0;
  /// The prompt of a row of `split`.
  virtual std::string prompt_of(const std::string& split, int64_t row) const = 0;
};

std::unique_ptr<GenerativeTask> make_explainer(const config::TrainConfig& cfg, const TrainData& data,
                                               const std::string& tokenizer_dir, uint64_t seed);
std::unique_ptr<GenerativeTask> make_reasoning(const config::TrainConfig& cfg, const TrainData& data,
                                               const std::string& tokenizer_dir, uint64_t seed);

/// The label parsed from a generated "...Label: NAME" text (-1 when none matches).
int parse_label(const std::string& generated, const std::vector<std::string>& labels);

}  // namespace because::train
