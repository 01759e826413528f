// The BPE and WordPiece models of tokenizers: a word (one pre-token) to ids.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace because::text {

/// BPE with merges by rank (HF `BPE`): byte-level words (GPT-2) or sentencepiece-style words
/// with byte fallback (Llama 2, Mistral).
struct BpeModel {
  std::unordered_map<std::string, int32_t> vocab;
  std::vector<std::string> id_to_token;
  std::unordered_map<uint64_t, std::pair<int32_t, int32_t>> merges;  ///< (left<<32 | right) -> (rank, merged id)
  bool byte_fallback = false;
  bool fuse_unk = false;
  bool ignore_merges = false;  ///< a word found whole in the vocabulary is one token (Llama 3)
  int32_t unk_id = -1;
  std::vector<int32_t> byte_ids;  ///< id of "<0xXX>" per byte (byte_fallback), -1 if absent

  /// Adds a merge "a b" (rank = order of insertion); throws ModelError when a part is unknown.
  void add_merge(const std::string& a, const std::string& b);
  /// Appends the ids of `word`.
  void encode_word(std::string_view word, std::vector<int32_t>& out) const;
};

/// WordPiece (BERT): greedy longest match with a continuing prefix ("##").
struct WordPieceModel {
  std::unordered_map<std::string, int32_t> vocab;
  std::vector<std::string> id_to_token;
  std::string prefix = "##";
  int32_t unk_id = 100;
  size_t max_chars = 100;  ///< longer words become [UNK]

  void encode_word(std::string_view word, std::vector<int32_t>& out) const;
};

}  // namespace because::text
