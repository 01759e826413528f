// WordNet database files: index.POS (lemma -> synset offsets), data.POS (synset lines at byte
// offsets), POS.exc (irregular inflections), and NLTK's morphy rules.
#include "metrics/wordnet.h"

#include <mutex>
#include <sstream>

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

}  // namespace

WordNet::WordNet(const std::string& dir) {
  for (int p = 0; p < 4; ++p) {
    const std::string index_path = dir + "/index." + kPosNames[p];
    std::istringstream in(files::read_text(index_path));
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == ' ') continue;  // licence header lines start with spaces
      std::istringstream ls(line);
      std::string lemma, pos;
      int synset_cnt = 0, p_cnt = 0;
      ls >> lemma >> pos >> synset_cnt >> p_cnt;
      std::string skip;
      for (int i = 0; i < p_cnt; ++i) ls >> skip;
      ls >> skip >> skip;  // sense_cnt, tagsense_cnt
      auto& offs = index_[lemma].offsets[p];
      for (int i = 0; i < synset_cnt; ++i) {
        uint32_t off = 0;
        if (!(ls >> off)) throw InputError("WordNet: malformed line in " + index_path + ": " + line.substr(0, 60));
        offs.push_back(off);
      }
    }
    data_[p] = files::read_text(dir + "/data." + kPosNames[p]);
    const std::string exc_path = dir + "/" + kPosNames[p] + ".exc";
    std::istringstream ex(files::read_text(exc_path));
    while (std::getline(ex, line)) {
      std::istringstream ls(line);
      std::string inflected, base;
      if (!(ls >> inflected)) continue;
      auto& bases = exceptions_[p][inflected];
      while (ls >> base) bases.push_back(base);
    }
  }
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
  auto in_db = [&](const std::string& f) {
    const auto it = index_.find(f);
    return it != index_.end() && !it->second.offsets[pos].empty();
  };
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
      const auto it = index_.find(form);
      if (it == index_.end()) continue;
      for (uint32_t off : it->second.offsets[p]) {
        auto names = lemma_names(p, off);
        out.insert(out.end(), names.begin(), names.end());
      }
    }
  }
  return out;
}

}  // namespace because::metrics
