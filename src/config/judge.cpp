// Registration of the [judge] options.
#include "config/judge.h"

namespace because::config {

void add_options(Options& o, JudgeConfig& c) {
  o.add("judge.name", &c.name, "name of the judgment set in the store (/judgments/NAME)");
  o.add("judge.backend", &c.backend, "torch or openai (openai settings: explain.api_*)");
  o.add("judge.prompt", &c.prompt, "multiple-choice prompt template");
  o.add("judge.normalize", &c.normalize, "softmax (with temperature) or normalize (scores / sum)");
  o.add("judge.temperature", &c.temperature, "softmax temperature");
  o.add_flag("judge.with_explanations", &c.with_explanations, "include the explanations as comments");
  o.add("judge.comments", &c.comments, "where comments come from: store (/explanations of RUN/store.h5) or human (the corpus' explanations)");
  o.add("judge.comment_source", &c.comment_source,
        "comments=store: only explanations with this source (an explain set name or template name; empty: every "
        "model source)");
  o.add("judge.comment_orders", &c.comment_orders, "orders of the comments averaged per option order (1: as given)");
  o.add("judge.max_comments", &c.max_comments, "comments shown at most (0: all)");
  o.add("judge.chat", &c.chat, "chat template: auto, yes, no");
  o.add("judge.batch_size", &c.batch_size, "prompts scored together");
  o.not_hashed("judge.batch_size");
}

}  // namespace because::config
