// `because lm generate` and `because lm score`: check a causal language model directory before
// a long run (continuation of a prompt; per-token log-probabilities of a text).
#include <cstdio>
#include <iostream>

#include "app/command.h"
#include "model/lm.h"
#include "util/error.h"

namespace because::app {
namespace {

model::LoadOptions load_options(const config::Config& cfg) {
  model::LoadOptions o;
  o.dtype = cfg.model.dtype;
  o.device = cfg.model.device;
  o.threads = cfg.general.threads;
  return o;
}

int run_generate(Context& ctx, const std::vector<std::string>& args) {
  config::Config cfg;
  config::Options opts;
  const Usage usage{"because lm generate --model DIR --prompt TEXT [--max-new-tokens N] [--greedy | --temperature T "
                    "--top-k K --top-p P --seed S] [--repetition-penalty R] [--stop S] [--chat] [--ids]",
                    "Continues PROMPT with the decoder of a Hugging Face model directory and prints the\n"
                    "continuation (or its token ids with --ids), then a summary line on stderr. --chat wraps the\n"
                    "prompt as one user message in the model's chat template.",
                    {"general", "model"}, 0};
  std::string dir, prompt, stop;
  int max_new = 64, top_k = 0;
  double temperature = 0.0, top_p = 1.0, rep = 1.0;
  uint64_t seed = 0;
  bool greedy = false, ids = false, chat = false;
  opts.add_required("model", &dir, "model directory (config.json, model.safetensors, tokenizer)");
  opts.add_required("prompt", &prompt, "prompt text");
  opts.add("max-new-tokens", &max_new, "tokens to generate at most");
  opts.add_flag("greedy", &greedy, "greedy decoding (the default unless --temperature > 0)");
  opts.add("temperature", &temperature, "sampling temperature (0: greedy)");
  opts.add("top-k", &top_k, "top-k sampling (0: off)");
  opts.add("top-p", &top_p, "nucleus sampling threshold (1: off)");
  opts.add("repetition-penalty", &rep, "repetition penalty (1: off)");
  opts.add("seed", &seed, "sampling seed");
  opts.add("stop", &stop, "stop string (generation ends when the text contains it)");
  opts.add_flag("chat", &chat, "format the prompt with the model's chat template");
  opts.add_flag("ids", &ids, "print token ids instead of text");
  if (!parse_options(ctx, args, cfg, opts, usage)) return 0;
  if (!ctx.comm.root()) return 0;
  if (greedy && temperature > 0) throw ConfigError("--greedy and --temperature > 0 contradict each other");
  auto lm = model::LanguageModel::load(dir, load_options(cfg));
  model::SamplingParams p;
  p.max_new_tokens = max_new;
  p.temperature = greedy ? 0.0 : temperature;
  p.top_k = top_k;
  p.top_p = top_p;
  p.repetition_penalty = rep;
  if (!stop.empty()) p.stop.push_back(stop);
  std::vector<int32_t> prompt_ids;
  if (chat) prompt_ids = lm.tokenizer().encode(lm.tokenizer().apply_chat_template({{"user", prompt}}, true), false);
  else prompt_ids = lm.tokenizer().encode(prompt, true);
  const auto r = lm.generate_ids({prompt_ids}, p, {seed}).at(0);
  if (ids) {
    for (size_t i = 0; i < r.ids.size(); ++i) std::cout << (i ? " " : "") << r.ids[i];
    std::cout << "\n";
  } else {
    std::cout << r.text << "\n";
  }
  std::fprintf(stderr, "# prompt %zu tokens, generated %d tokens, finish %s, sum logprob %.4f\n", prompt_ids.size(),
               r.n_tokens, r.finish == model::FinishReason::kStop ? "stop" : "length", r.logprob);
  return 0;
}

int run_score(Context& ctx, const std::vector<std::string>& args) {
  config::Config cfg;
  config::Options opts;
  const Usage usage{"because lm score --model DIR --text TEXT",
                    "Prints log p(token | previous tokens) for each token of TEXT (BOS added as the tokenizer\n"
                    "adds it), one `position<TAB>id<TAB>token<TAB>logprob` line each, then the sum.",
                    {"general", "model"}, 0};
  std::string dir, text;
  opts.add_required("model", &dir, "model directory");
  opts.add_required("text", &text, "text to score");
  if (!parse_options(ctx, args, cfg, opts, usage)) return 0;
  if (!ctx.comm.root()) return 0;
  auto lm = model::LanguageModel::load(dir, load_options(cfg));
  const auto ids = lm.tokenizer().encode(text, true);
  if (ids.size() < 2) throw InputError("the text has fewer than two tokens: nothing to score");
  const auto s = lm.score({ids}).at(0);
  double sum = 0;
  for (size_t t = 1; t < ids.size(); ++t) {
    std::printf("%zu\t%d\t%s\t%.6f\n", t, ids[t], lm.tokenizer().id_to_token(ids[t]).c_str(), s[t - 1]);
    sum += s[t - 1];
  }
  std::printf("# sum %.6f over %zu tokens\n", sum, ids.size() - 1);
  return 0;
}

}  // namespace

BECAUSE_COMMAND("lm generate", "continue a prompt with a model directory's decoder", run_generate);
BECAUSE_COMMAND("lm score", "print per-token log-probabilities of a text under a decoder", run_score);

}  // namespace because::app
