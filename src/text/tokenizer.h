// Tokenizers of Hugging Face models: `tokenizer.json` (byte-level BPE as GPT-2/Llama 3/Qwen2,
// sentencepiece-style BPE with byte fallback as Llama 2/Mistral, WordPiece as BERT), BERT
// `vocab.txt`, and sentencepiece BPE `.model` files (read natively). One interface.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "text/chat.h"

namespace because::text {

/// Result of encoding one text or a pair, after the post-processor (BOS, [CLS]/[SEP]).
struct Encoding {
  std::vector<int32_t> ids;          ///< token ids
  std::vector<int32_t> type_ids;     ///< segment ids (0 for A, 1 for B), same length as ids
  std::vector<std::string> tokens;   ///< token strings as in the vocabulary (e.g. "Ġworld", "▁the", "##ing")
};

/// Ids of the special tokens a model uses; -1 where the tokenizer has none.
struct SpecialIds {
  int32_t bos = -1;                  ///< beginning of sequence (<s>, <|begin_of_text|>)
  int32_t eos = -1;                  ///< end of sequence (</s>, <|end_of_text|>, <|endoftext|>)
  int32_t pad = -1;                  ///< padding ([PAD], <pad>); -1 when the model has none
  int32_t unk = -1;                  ///< unknown ([UNK], <unk>)
  int32_t cls = -1;                  ///< [CLS] / <s> of encoders
  int32_t sep = -1;                  ///< [SEP] / </s> of encoders
  int32_t mask = -1;                 ///< [MASK] / <mask>
  std::vector<int32_t> stop;         ///< every id that ends generation (eos, <|eot_id|>, <|im_end|>)
};

/// A loaded tokenizer. Immutable after loading; encode/decode are thread-safe.
class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  /// Loads from a model directory (tokenizer.json, else tokenizer.model, else vocab.txt; reads
  /// tokenizer_config.json for add_bos/add_eos, lower-casing, the chat family) or from one of
  /// those files directly. Throws InputError (unreadable file) or ModelError (unsupported kind).
  static std::unique_ptr<Tokenizer> load(const std::string& path);

  /// Encodes one text. With `add_special`, the post-processor adds BOS / [CLS]..[SEP].
  /// Special tokens written in the text (e.g. "<|eot_id|>") become their ids.
  [[nodiscard]] std::vector<int32_t> encode(std::string_view text, bool add_special = true) const;
  /// Encodes one text with tokens and type ids.
  [[nodiscard]] virtual Encoding encode_full(std::string_view text, bool add_special = true) const = 0;
  /// Encodes a pair (premise, hypothesis) with the pair template ([CLS] A [SEP] B [SEP]).
  [[nodiscard]] virtual Encoding encode_pair(std::string_view a, std::string_view b,
                                             bool add_special = true) const = 0;
  /// Decodes ids to text. `skip_special` drops special tokens (BOS, EOS, [CLS], ...).
  [[nodiscard]] virtual std::string decode(const std::vector<int32_t>& ids, bool skip_special = true) const = 0;

  [[nodiscard]] virtual int32_t vocab_size() const = 0;
  /// The vocabulary string of `id` ("" when out of range).
  [[nodiscard]] virtual std::string id_to_token(int32_t id) const = 0;
  /// The id of a vocabulary string (added tokens included), or nullopt.
  [[nodiscard]] virtual std::optional<int32_t> token_to_id(std::string_view token) const = 0;
  [[nodiscard]] virtual bool is_special(int32_t id) const = 0;
  [[nodiscard]] const SpecialIds& special() const { return special_; }

  /// Chat family from tokenizer_config.json (kNone when the model has no chat template).
  [[nodiscard]] ChatFamily chat_family() const { return chat_.family; }
  /// Overrides the chat family read from tokenizer_config.json (e.g. from a job option).
  void set_chat_template(const ChatTemplate& t) { chat_ = t; }
  /// Renders messages with the family's template as text (BOS included as text where the
  /// template writes it; encode the result with add_special=false). Throws ModelError for kNone.
  [[nodiscard]] std::string apply_chat_template(const std::vector<ChatMessage>& messages,
                                                bool add_generation_prompt = true) const;

  /// "bpe-bytelevel", "bpe-sentencepiece", "wordpiece", "sentencepiece-model".
  [[nodiscard]] virtual std::string kind() const = 0;

 protected:
  SpecialIds special_;
  ChatTemplate chat_;
  std::string bos_text_, eos_text_;  ///< BOS/EOS strings used by chat templates

  friend struct TokenizerLoader;
};

/// Byte-level BPE's map of the 256 bytes to printable code points (GPT-2's bytes_to_unicode).
const std::vector<std::string>& bytes_to_unicode();

}  // namespace because::text
