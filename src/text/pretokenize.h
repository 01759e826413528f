// Pre-tokenizer splits: the GPT-2, Llama 3 and Qwen2 regexes (matched by hand on code points,
// with the same leftmost-alternative semantics as the regex engines) and BERT's
// whitespace-and-punctuation split.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace because::text {

enum class SplitPattern { kGpt2, kLlama3, kQwen2 };

/// Recognises a tokenizer.json Split/ByteLevel regex; throws ModelError for any other pattern.
SplitPattern parse_split_pattern(const std::string& regex);

/// Splits UTF-8 `text` into the regex's matches (the pieces cover the text: gaps cannot occur
/// because the last alternatives match any white space and the others every other character).
std::vector<std::string> split_regex(std::string_view text, SplitPattern pattern);

/// BERT: split on white space (dropped) and isolate each punctuation character.
std::vector<std::string> split_bert(std::string_view text);

/// Whitespace pre-tokenizer of tokenizers (`\w+|[^\w\s]+`).
std::vector<std::string> split_whitespace_words(std::string_view text);

}  // namespace because::text
