// A reader of the WordNet 3.0 database files (Debian `wordnet-base`, /usr/share/wordnet) that
// answers what NLTK's METEOR asks: the lemma names of every synset of a word, found the way
// NLTK's `wordnet.synsets(word)` finds them (lower-case, morphy over noun, verb, adj, adv).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace because::metrics {

class WordNet {
 public:
  /// Loads the index, data and exception files of `dir`; throws InputError naming a missing or
  /// malformed file. The index files are kept as text and searched (they are sorted by lemma,
  /// as WordNet's own library searches them): loading is reading, no parsing of 147,000 lines.
  explicit WordNet(const std::string& dir);
  /// The database at /usr/share/wordnet when it is installed, else nullptr (loaded once).
  static const WordNet* system();
  static constexpr const char* kDefaultDir = "/usr/share/wordnet";

  /// Lemma names (case as in WordNet) of every synset of `word`, the word itself not added.
  [[nodiscard]] std::vector<std::string> synonyms(const std::string& word) const;
  /// NLTK's `_morphy(form, pos)`: base forms of `form` present in the index for `pos` (0 noun,
  /// 1 verb, 2 adj, 3 adv).
  [[nodiscard]] std::vector<std::string> morphy(const std::string& form, int pos) const;

 private:
  /// The line of `lemma` in index.POS, empty when it has none.
  std::string_view index_line(int pos, std::string_view lemma) const;
  /// The synset offsets of an index line; `path` names the file in errors.
  std::vector<uint32_t> synset_offsets(int pos, std::string_view line) const;
  std::vector<std::string> lemma_names(int pos, uint32_t offset) const;

  std::array<std::string, 4> index_path_;
  std::array<std::string, 4> index_;                 ///< whole index.POS files
  std::array<std::vector<uint32_t>, 4> lines_;       ///< offsets of their lemma lines, by lemma
  std::array<std::unordered_map<std::string, std::vector<std::string>>, 4> exceptions_;
  std::array<std::string, 4> data_;  ///< whole data.POS files; synsets are read at their offsets
};

}  // namespace because::metrics
