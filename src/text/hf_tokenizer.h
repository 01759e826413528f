// The tokenizer.json pipeline (normalizer, pre-tokenizer, model, post-processor, decoder,
// added tokens) and its construction from tokenizer.json or a BERT vocab.txt. Internal to text/.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>

#include "text/bpe.h"
#include "text/pretokenize.h"
#include "text/tokenizer.h"

namespace because::text {

struct AddedToken {
  std::string content;
  int32_t id = -1;
  bool special = false, lstrip = false, rstrip = false, single_word = false, normalized = false;
};

/// Builds a tokenizer from a parsed tokenizer.json (`where` names the file in errors).
std::unique_ptr<Tokenizer> make_tokenizer_json(const nlohmann::json& j, const std::string& where);
/// Builds a BERT WordPiece tokenizer from vocab.txt.
std::unique_ptr<Tokenizer> make_wordpiece_vocab(const std::string& vocab_path, bool lowercase);
/// Builds a tokenizer from a sentencepiece BPE .model file (parsed natively).
std::unique_ptr<Tokenizer> make_sentencepiece(const std::string& model_path, bool add_bos, bool add_eos);

/// Fills the special ids, BOS/EOS strings and chat template from tokenizer_config.json (when
/// given) and the vocabulary's well-known names.
struct TokenizerLoader {
  static void finish(Tokenizer& t, const nlohmann::json& tokenizer_config);
};

}  // namespace because::text
