// `because metrics nlg|dist|cls`: the standalone scorers on plain files (single process; extra
// ranks do nothing). The scoring lives in src/metrics/score_files.h.
#include <iostream>

#include "app/command.h"
#include "metrics/score_files.h"
#include "util/error.h"

namespace because::app {
namespace {

// Takes every `--ref FILE` / `--ref=FILE` out of args (the option may be repeated).
std::vector<std::string> take_refs(std::vector<std::string>& args) {
  std::vector<std::string> refs, rest;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--ref") {
      if (i + 1 >= args.size()) throw ConfigError("--ref needs a file");
      refs.push_back(args[++i]);
    } else if (args[i].rfind("--ref=", 0) == 0) {
      refs.push_back(args[i].substr(6));
    } else {
      rest.push_back(args[i]);
    }
  }
  args.swap(rest);
  return refs;
}

void print(const Context& ctx, bool json, const nlohmann::json& j, const std::string& text) {
  if (!ctx.comm.root()) return;
  if (json)
    std::cout << j.dump(2) << "\n";
  else
    std::cout << text;
}

int run_nlg(Context& ctx, const std::vector<std::string>& args_in) {
  std::vector<std::string> args = args_in;
  const auto refs = take_refs(args);
  config::Config cfg;
  config::Options opts;
  std::string hyp;
  bool json = false, stem = false, no_meteor = false;
  opts.add("hyp", &hyp, "hypotheses, one per line").not_hashed("hyp");
  opts.add_flag("rouge-stem", &stem, "ROUGE with rouge_score's Porter stemmer (use_stemmer=True)");
  opts.add_flag("no-meteor", &no_meteor, "skip METEOR");
  opts.add_flag("json", &json, "print JSON").not_hashed("json");
  const Usage usage{"because metrics nlg --hyp FILE --ref FILE [--ref FILE ...] [--json]",
                    "Scores hypotheses (one per line) against one or more reference files of the same length:\n"
                    "sacreBLEU corpus BLEU (13a, exp smoothing) with its brevity penalty and n-gram precisions,\n"
                    "chrF2, ROUGE-1/2/L F (rouge_score, mean over segments, best reference) and METEOR (NLTK,\n"
                    "WordNet synonyms when /usr/share/wordnet is installed, best reference).",
                    {""}, 0};
  if (!parse_options(ctx, args, cfg, opts, usage)) return 0;
  if (hyp.empty()) throw ConfigError("metrics nlg: --hyp FILE is required");
  if (!ctx.comm.root()) return 0;
  metrics::NlgOptions o;
  o.rouge_stemmer = stem;
  o.meteor = !no_meteor;
  const auto j = metrics::score_nlg_files(hyp, refs, o);
  print(ctx, json, j, metrics::format_nlg(j));
  return 0;
}

int run_dist(Context& ctx, const std::vector<std::string>& args) {
  config::Config cfg;
  config::Options opts;
  std::string target, pred;
  bool json = false;
  opts.add("target", &target, "JSONL of human (target) distributions or counts").not_hashed("target");
  opts.add("pred", &pred, "JSONL of model distributions or counts, same items").not_hashed("pred");
  opts.add_flag("json", &json, "print JSON").not_hashed("json");
  const Usage usage{"because metrics dist --target FILE --pred FILE [--json]",
                    "Compares label distributions item by item (one JSON array, or an object with probs/dist/\n"
                    "label_dist/counts/label_counts, per line): mean KL(target || pred) and JS distance (natural log,\n"
                    "clipped to [1e-10, 1]), TVD, entropies, and the distance correlation over all items.",
                    {""}, 0};
  if (!parse_options(ctx, args, cfg, opts, usage)) return 0;
  if (target.empty() || pred.empty()) throw ConfigError("metrics dist: --target FILE and --pred FILE are required");
  if (!ctx.comm.root()) return 0;
  const auto j = metrics::score_dist_files(target, pred);
  print(ctx, json, j, metrics::format_dist(j));
  return 0;
}

int run_cls(Context& ctx, const std::vector<std::string>& args) {
  config::Config cfg;
  config::Options opts;
  std::string gold, pred;
  bool json = false;
  opts.add("gold", &gold, "gold labels, one per line (id, name; empty or -1: no gold)").not_hashed("gold");
  opts.add("pred", &pred, "predicted labels, one per line (id, name, or a JSON array of scores)").not_hashed("pred");
  opts.add_flag("json", &json, "print JSON").not_hashed("json");
  const Usage usage{"because metrics cls --gold FILE --pred FILE [--json]",
                    "Accuracy, per-class precision/recall/F1, macro and support-weighted F1 and the confusion\n"
                    "matrix, as scikit-learn computes them (zero division gives 0).",
                    {""}, 0};
  if (!parse_options(ctx, args, cfg, opts, usage)) return 0;
  if (gold.empty() || pred.empty()) throw ConfigError("metrics cls: --gold FILE and --pred FILE are required");
  if (!ctx.comm.root()) return 0;
  const auto j = metrics::score_cls_files(gold, pred);
  print(ctx, json, j, metrics::format_cls(j));
  return 0;
}

}  // namespace

BECAUSE_COMMAND("metrics nlg", "BLEU, chrF, ROUGE, METEOR of hypotheses against references (files)", run_nlg);
BECAUSE_COMMAND("metrics dist", "KL, JS distance, TVD, distance correlation of label distributions (JSONL)", run_dist);
BECAUSE_COMMAND("metrics cls", "accuracy, per-class and macro/weighted F1, confusion matrix (label files)", run_cls);

}  // namespace because::app
