// Registration of the [train] options.
#include "config/train.h"

namespace because::config {

void add_options(Options& o, TrainConfig& c) {
  o.add("train.name", &c.name, "model name: RUN/models/NAME and /predictions/NAME");
  o.add("train.task", &c.task, "classify (encoder + head), explainer (decoder writes explanations), reasoning (decoder writes [reasoning and] label)");
  o.add("train.init", &c.init, "Hugging Face model directory to start from (empty: random init from the size options)");
  o.add("train.tokenizer", &c.tokenizer, "tokenizer file or directory (empty: the init model's; from scratch: trained on the training texts)");
  o.add("train.vocab_size", &c.vocab_size, "from scratch: tokenizer vocabulary size (tokens)");
  o.add("train.hidden_size", &c.hidden_size, "from scratch: hidden size (units)");
  o.add("train.n_layers", &c.n_layers, "from scratch: transformer layers");
  o.add("train.n_heads", &c.n_heads, "from scratch: attention heads");
  o.add("train.intermediate_size", &c.intermediate_size, "from scratch: MLP width (0: 4 x hidden for encoders, 8/3 x hidden for decoders)");
  o.add("train.dropout", &c.dropout, "from scratch: encoder hidden/attention dropout (probability)");
  o.add("train.data", &c.data, "store (RUN/store.h5 or train.store) or corpus (the [corpus] file, human explanations only)");
  o.add("train.store", &c.store, "store file (empty: RUN/store.h5)");
  o.add("train.train_split", &c.train_split, "split the model is trained on");
  o.add("train.eval_splits", &c.eval_splits, "splits evaluated (and predicted) during and after training (comma-separated)");
  o.add("train.holdout", &c.holdout, "fraction of train_split rows moved to a split named \"holdout\" (by uid hash; 0: none)");
  o.add("train.eval_corpus", &c.eval_corpus, "extra corpus file evaluated as split eval_corpus_split (e.g. ANLI, out of domain)");
  o.add("train.eval_dataset", &c.eval_dataset, "dataset adapter of eval_corpus");
  o.add("train.eval_corpus_split", &c.eval_corpus_split, "split name given to the rows of eval_corpus");
  o.add("train.explanations", &c.explanations, "classifier inputs: none, human, or an explanation source of the store; reasoning: where R comes from");
  o.add("train.explanation_format", &c.explanation_format, "sep (text [SEP] explanation) or pair (premise+hypothesis as segment A, explanation as segment B)");
  o.add("train.explanation_select", &c.explanation_select, "first, all (concatenated), per_label (one per label, in label order)");
  o.add("train.targets", &c.targets, "gold (cross-entropy), human (annotator label distribution), judgments (a /judgments set)");
  o.add("train.judgments", &c.judgments, "judgment set for targets = judgments");
  o.add("train.soft_loss", &c.soft_loss, "soft targets: ce (soft cross-entropy) or kl (KL(target || model))");
  o.add("train.prompt", &c.prompt, "explainer: prompt template the explanation follows (as `because explain` renders it)");
  o.add_flag("train.reasoning", &c.reasoning, "reasoning task: Q->RA (true) or the label-only baseline Q->A (false)");
  o.add("train.max_new_tokens", &c.max_new_tokens, "decoder evaluation: generated tokens at most");
  o.add("train.max_length", &c.max_length, "maximum input tokens (longer inputs are truncated)");
  o.add("train.truncation", &c.truncation, "longest_first (trim the longer segment first), only_first, only_second");
  o.add("train.phases", &c.phases, "profile names run in order as phases ([train:NAME] sections); empty: one phase");
  o.add("train.epochs", &c.epochs, "passes over the training data");
  o.add("train.max_steps", &c.max_steps, "stop after this many optimizer steps (0: epochs decide)");
  o.add("train.batch_size", &c.batch_size, "global batch size (all ranks together)");
  o.add("train.lr", &c.lr, "peak learning rate");
  o.add("train.weight_decay", &c.weight_decay, "AdamW decoupled weight decay (not on biases and norms)");
  o.add("train.schedule", &c.schedule, "learning-rate schedule after warm-up: linear, cosine, constant");
  o.add("train.warmup", &c.warmup, "warm-up: fraction of the steps when < 1, else steps");
  o.add("train.clip_norm", &c.clip_norm, "global gradient-norm clip (0: none)");
  o.add("train.precision", &c.precision, "float32; bfloat16 (CPU or CUDA) or float16 (CUDA, dynamic loss scaling): mixed precision, forward passes autocast, weights, optimizer and loss stay float32");
  o.add("train.device", &c.device, "where the model trains: cpu, cuda (each rank takes GPU local rank % GPUs of the node) or cuda:N")
      .not_hashed("train.device");
  o.add("train.eval_every", &c.eval_every, "evaluate every N steps (0: after every epoch)");
  o.add("train.best_metric", &c.best_metric, "metric that picks the kept weights, e.g. macro_f1 or loss (empty: the last weights)");
  o.add("train.checkpoint_every", &c.checkpoint_every, "checkpoint every N steps (0: only on stop and at the end)");
  o.add("train.log_every", &c.log_every, "steps between training log lines").not_hashed("train.log_every");
  o.add("train.bucket_mb", &c.bucket_mb, "gradient all-reduce bucket size (MiB)").not_hashed("train.bucket_mb");
}

}  // namespace because::config
