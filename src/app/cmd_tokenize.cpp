// `because tokenize`: encodes a text with a model's tokenizer and prints the ids (and tokens).
#include <iostream>

#include "app/command.h"
#include "text/tokenizer.h"

namespace because::app {
namespace {

int run_tokenize(Context& ctx, const std::vector<std::string>& args) {
  config::Config cfg;
  config::Options opts;
  const Usage usage{"because tokenize --tokenizer PATH --text TEXT [--no-special] [--verbose] [--decode]",
                    "Encodes TEXT with the tokenizer of a model directory (tokenizer.json, tokenizer.model or\n"
                    "vocab.txt) or a tokenizer file, and prints the ids on one line. --verbose prints one\n"
                    "`id<TAB>token` line per token; --decode also prints the ids decoded back to text.",
                    {"general"}, 0};
  std::string path, text;
  bool no_special = false, verbose = false, decode = false;
  opts.add_required("tokenizer", &path, "model directory or tokenizer file");
  opts.add_required("text", &text, "text to encode");
  opts.add_flag("no-special", &no_special, "do not add BOS / [CLS] ... [SEP]");
  opts.add_flag("verbose", &verbose, "print one id and token per line");
  opts.add_flag("decode", &decode, "also print the decoded text");
  if (!parse_options(ctx, args, cfg, opts, usage)) return 0;
  if (!ctx.comm.root()) return 0;
  auto tok = text::Tokenizer::load(path);
  const auto enc = tok->encode_full(text, !no_special);
  if (verbose) {
    std::cout << "# " << tok->kind() << ", vocabulary " << tok->vocab_size() << ", " << enc.ids.size() << " tokens\n";
    for (size_t i = 0; i < enc.ids.size(); ++i) std::cout << enc.ids[i] << "\t" << enc.tokens[i] << "\n";
  } else {
    for (size_t i = 0; i < enc.ids.size(); ++i) std::cout << (i ? " " : "") << enc.ids[i];
    std::cout << "\n";
  }
  if (decode) std::cout << tok->decode(enc.ids, false) << "\n";
  return 0;
}

}  // namespace

BECAUSE_COMMAND("tokenize", "encode a text with a model's tokenizer and print the ids", run_tokenize);

}  // namespace because::app
