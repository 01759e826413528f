// Options of the [train] section of a job file (--train.KEY on the command line). A job file may
// hold several variants `[train:NAME]` (selected with --profile train:NAME, e.g. the explainer
// and the classifier of one pipeline); `train.phases` lists variants run one after the other
// from the same weights (two-phase training: gold labels, then soft labels).
#pragma once

#include <cstdint>
#include <string>

#include "config/options.h"

namespace because::config {

struct TrainConfig {
  // What is trained.
  std::string name = "classifier";  ///< model name: RUN/models/NAME and /predictions/NAME
  std::string task = "classify";  ///< classify (encoder + head), explainer (decoder writes explanations), reasoning (decoder writes [reasoning and] label)
  std::string init = "";  ///< Hugging Face model directory to start from ("" : random init from the size options below)
  std::string tokenizer = "";  ///< tokenizer file or directory ("" : the init model's; from scratch: trained on the training texts)
  int64_t vocab_size = 2000;  ///< from scratch: tokenizer vocabulary size (tokens)
  int64_t hidden_size = 64;  ///< from scratch: hidden size (units)
  int64_t n_layers = 2;  ///< from scratch: transformer layers
  int64_t n_heads = 4;  ///< from scratch: attention heads
  int64_t intermediate_size = 0;  ///< from scratch: MLP width (0: 4 x hidden for encoders, 8/3 x hidden for decoders)
  double dropout = 0.1;  ///< from scratch: encoder hidden/attention dropout (probability)
  // Data.
  std::string data = "store";  ///< store (RUN/store.h5 or train.store) or corpus (the [corpus] file, human explanations only)
  std::string store = "";  ///< store file ("" : RUN/store.h5)
  std::string train_split = "train";  ///< split the model is trained on
  List eval_splits = List{{"dev"}};  ///< splits evaluated (and predicted) during and after training
  double holdout = 0;  ///< fraction of train_split rows moved to a split named "holdout" (by uid hash; 0: none)
  std::string eval_corpus = "";  ///< extra corpus file evaluated as split eval_corpus_split (e.g. ANLI, out of domain)
  std::string eval_dataset = "auto";  ///< dataset adapter of eval_corpus
  std::string eval_corpus_split = "ood";  ///< split name given to the rows of eval_corpus
  std::string explanations = "none";  ///< classifier inputs: none, human, or an explanation source of the store; reasoning: where R comes from
  std::string explanation_format = "sep";  ///< sep (text [SEP] explanation) or pair (premise+hypothesis as segment A, explanation as segment B)
  std::string explanation_select = "first";  ///< first, all (concatenated), per_label (one per label, in label order)
  std::string targets = "gold";  ///< gold (cross-entropy), human (annotator label distribution), judgments (a /judgments set)
  std::string judgments = "";  ///< judgment set for targets = judgments
  std::string soft_loss = "ce";  ///< soft targets: ce (soft cross-entropy) or kl (KL(target || model))
  std::string prompt = "jobs/prompts/one_sentence.txt";  ///< explainer: prompt template the explanation follows (as `because explain` renders it)
  bool reasoning = true;  ///< reasoning task: Q->RA (true) or the label-only baseline Q->A (false)
  int max_new_tokens = 48;  ///< decoder evaluation: generated tokens at most
  int max_length = 128;  ///< maximum input tokens (longer inputs are truncated)
  std::string truncation = "longest_first";  ///< longest_first (trim the longer segment first), only_first, only_second
  // Optimisation.
  List phases = List{};  ///< profile names run in order as phases ([train:NAME] sections); empty: one phase
  int epochs = 3;  ///< passes over the training data
  int64_t max_steps = 0;  ///< stop after this many optimizer steps (0: epochs decide)
  int64_t batch_size = 32;  ///< global batch size (all ranks together)
  double lr = 5e-5;  ///< peak learning rate
  double weight_decay = 0.01;  ///< AdamW decoupled weight decay (not on biases and norms)
  std::string schedule = "linear";  ///< learning-rate schedule after warm-up: linear, cosine, constant
  double warmup = 0.06;  ///< warm-up: fraction of the steps when < 1, else steps
  double clip_norm = 1.0;  ///< global gradient-norm clip (0: none)
  std::string precision = "float32";  ///< float32; bfloat16 (CPU or CUDA) or float16 (CUDA, with loss scaling): mixed precision
  std::string device = "cpu";  ///< cpu, cuda (each rank takes GPU local_rank % count), or cuda:N
  // Evaluation, checkpoints, logs.
  int64_t eval_every = 0;  ///< evaluate every N steps (0: after every epoch)
  std::string best_metric = "";  ///< metric that picks the kept weights, e.g. macro_f1 or loss ("" : the last weights)
  int64_t checkpoint_every = 100;  ///< checkpoint every N steps (0: only on stop and at the end)
  int64_t log_every = 10;  ///< steps between training log lines
  int64_t bucket_mb = 4;  ///< gradient all-reduce bucket size (MiB)
};

void add_options(Options& o, TrainConfig& c);

}  // namespace because::config
