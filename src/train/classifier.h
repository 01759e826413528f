// Sequence-classification fine-tuning of a BERT-family encoder (BertForSequenceClassification
// head): inputs from instance fields and explanations, targets gold labels (cross-entropy) or a
// distribution (soft cross-entropy or KL), evaluation with scikit-learn-equal metrics.
#pragma once

#include <memory>
#include <string>

#include "config/train.h"
#include "text/tokenizer.h"
#include "train/dataset.h"
#include "train/task.h"

namespace because::train {

/// The encoder task over `data` (kept by reference; it must outlive the task). `tokenizer_dir`
/// holds the tokenizer (the init model's, or one trained for a model from scratch). With
/// cfg.init empty the encoder is created from the size options (random init with `seed`).
std::unique_ptr<Task> make_classifier(const config::TrainConfig& cfg, const TrainData& data,
                                      const std::string& tokenizer_dir, uint64_t seed);

}  // namespace because::train
