// WordNet database files: index.POS (lemma -> synset offsets), data.POS (synset lines at byte
// offsets), POS.exc (irregular inflections), and NLTK's morphy rules.
#include "metrics/wordnet.h"

#include <algorithm>
#include <mutex>
#include <sstream>
#include <unordered_set>

#include "util/error.h"
#include "util/files.h"

namespace because::metrics {
namespace {

const char* const kPosNames[4] = {"noun", "verb", "adj", "adv"};

const std::vector<std::pair<std::string, std::string>>& substitutions(int pos) {
  static const std::vector<std::pair<std::string, std::string>> noun = {
      {"s", ""}, {"ses", "s"}, {"ves", "f"}, {"xes", "x"}, {"zes", "z"}, {"ches", "ch"}, {"shes", "sh"},
      {"men", "man"}, {"ies", "y"}};
  static const std::vector<std::pair<std::string, std::string>> verb = {
      {"s", ""}, {"ies", "y"}, {"es", "e"}, {"es", ""}, {"ed", "e"}, {"ed", ""}, {"ing", "e"}, {"ing", ""}};
  static const std::vector<std::pair<std::string, std::string>> adj = {
      {"er", ""}, {"est", ""}, {"er", "e"}, {"est", "e"}};
  static const std::vector<std::pair<std::string, std::string>> adv = {};
  switch (pos) {
    case 0: return noun;
    case 1: return verb;
    case 2: return adj;
    default: return adv;
  }
}

bool ends_with(const std::string& s, const std::string& suf) {
  return s.size() >= suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
}

// The lemma of an index line: up to its first space.
std::string_view lemma_of(std::string_view text, uint32_t at) {
  const size_t sp = text.find(' ', at);
  return text.substr(at, (sp == std::string_view::npos ? text.size() : sp) - at);
}

}  // namespace

WordNet::WordNet(const std::string& dir) {
  for (int p = 0; p < 4; ++p) {
    index_path_[p] = dir + "/index." + kPosNames[p];
    index_[p] = files::read_text(index_path_[p]);
    const std::string_view text = index_[p];
    if (text.size() >= UINT32_MAX) throw InputError("WordNet: " + index_path_[p] + " is larger than 4 GiB");
    auto& lines = lines_[p];
    for (size_t at = 0; at < text.size();) {
      size_t end = text.find('\n', at);
      if (end == std::string_view::npos) end = text.size();
      if (end > at && text[at] != ' ') lines.push_back(static_cast<uint32_t>(at));  // licence lines start with spaces
      at = end + 1;
    }
    // WordNet's files are sorted by lemma (byte order); sort any other, so that search works.
    auto less = [text](uint32_t a, uint32_t b) { return lemma_of(text, a) < lemma_of(text, b); };
    if (!std::is_sorted(lines.begin(), lines.end(), less)) std::stable_sort(lines.begin(), lines.end(), less);
    data_[p] = files::read_text(dir + "/data." + kPosNames[p]);
    const std::string exc_path = dir + "/" + kPosNames[p] + ".exc";
    std::istringstream ex(files::read_text(exc_path));
    std::string line;
    while (std::getline(ex, line)) {
      std::istringstream ls(line);
      std::string inflected, base;
      if (!(ls >> inflected)) continue;
      auto& bases = exceptions_[p][inflected];
      while (ls >> base) bases.push_back(base);
    }
  }
}

std::string_view WordNet::index_line(int pos, std::string_view lemma) const {
  const std::string_view text = index_[pos];
  const auto& lines = lines_[pos];
  const auto it = std::lower_bound(lines.begin(), lines.end(), lemma,
                                   [text](uint32_t at, std::string_view l) { return lemma_of(text, at) < l; });
  if (it == lines.end() || lemma_of(text, *it) != lemma) return {};
  const size_t end = text.find('\n', *it);
  return text.substr(*it, (end == std::string_view::npos ? text.size() : end) - *it);
}

// lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt tagsense_cnt synset_offset...
std::vector<uint32_t> WordNet::synset_offsets(int pos, std::string_view line) const {
  std::istringstream ls{std::string(line)};
  std::string lemma, p, skip;
  int synset_cnt = 0, p_cnt = 0;
  ls >> lemma >> p >> synset_cnt >> p_cnt;
  for (int i = 0; i < p_cnt; ++i) ls >> skip;
  ls >> skip >> skip;  // sense_cnt, tagsense_cnt
  std::vector<uint32_t> offs;
  for (int i = 0; i < synset_cnt; ++i) {
    uint32_t off = 0;
    if (!(ls >> off))
      throw InputError("WordNet: malformed line in " + index_path_[pos] + ": " + std::string(line.substr(0, 60)));
    offs.push_back(off);
  }
  return offs;
}

const WordNet* WordNet::system() {
  static std::once_flag once;
  static std::unique_ptr<WordNet> wn;
  std::call_once(once, [] {
    if (files::exists(std::string(kDefaultDir) + "/index.noun")) wn = std::make_unique<WordNet>(kDefaultDir);
  });
  return wn.get();
}

std::vector<std::string> WordNet::morphy(const std::string& form, int pos) const {
  const auto& subs = substitutions(pos);
  auto in_db = [&](const std::string& f) { return !index_line(pos, f).empty(); };
  auto filter = [&](const std::vector<std::string>& forms) {
    std::vector<std::string> out;
    std::unordered_set<std::string> seen;
    for (const auto& f : forms)
      if (in_db(f) && seen.insert(f).second) out.push_back(f);
    return out;
  };
  auto apply_rules = [&](const std::vector<std::string>& forms) {
    std::vector<std::string> out;
    for (const auto& f : forms)
      for (const auto& [old, neu] : subs)
        if (ends_with(f, old)) out.push_back(f.substr(0, f.size() - old.size()) + neu);
    return out;
  };
  const auto ex = exceptions_[pos].find(form);
  if (ex != exceptions_[pos].end()) {
    std::vector<std::string> forms{form};
    forms.insert(forms.end(), ex->second.begin(), ex->second.end());
    return filter(forms);
  }
  std::vector<std::string> forms = apply_rules({form});
  std::vector<std::string> with_original{form};
  with_original.insert(with_original.end(), forms.begin(), forms.end());
  auto results = filter(with_original);
  if (!results.empty()) return results;
  while (!forms.empty()) {
    forms = apply_rules(forms);
    results = filter(forms);
    if (!results.empty()) return results;
  }
  return {};
}

std::vector<std::string> WordNet::lemma_names(int pos, uint32_t offset) const {
  const std::string& d = data_[pos];
  if (offset >= d.size()) return {};
  const size_t end = d.find('\n', offset);
  std::istringstream ls(d.substr(offset, end == std::string::npos ? std::string::npos : end - offset));
  std::string off, lex_filenum, ss_type, w_cnt_hex;
  ls >> off >> lex_filenum >> ss_type >> w_cnt_hex;
  const int w_cnt = static_cast<int>(std::stoul(w_cnt_hex, nullptr, 16));
  std::vector<std::string> names;
  for (int i = 0; i < w_cnt; ++i) {
    std::string word, lex_id;
    ls >> word >> lex_id;
    // Adjectives may carry a syntactic marker: "(a)", "(p)", "(ip)".
    const size_t paren = word.find('(');
    if (paren != std::string::npos && !word.empty() && word.back() == ')') word.resize(paren);
    names.push_back(word);
  }
  return names;
}

std::vector<std::string> WordNet::synonyms(const std::string& word) const {
  std::string lower = word;
  for (auto& c : lower)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  std::vector<std::string> out;
  for (int p = 0; p < 4; ++p) {
    for (const auto& form : morphy(lower, p)) {
      const std::string_view line = index_line(p, form);
      if (line.empty()) continue;
      for (uint32_t off : synset_offsets(p, line)) {
        auto names = lemma_names(p, off);
        out.insert(out.end(), names.begin(), names.end());
      }
    }
  }
  return out;
}

}  // namespace because::metrics
