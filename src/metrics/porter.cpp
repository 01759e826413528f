// NLTK's PorterStemmer, written from the published algorithm and NLTK's documented departures:
// the irregular-forms pool, words of at most two letters left alone, -ies/-ied of four-letter
// words keep their e, the y->i condition, alli before bli, -fulli, and the -logi rule.
#include "metrics/porter.h"

#include <functional>
#include <map>
#include <vector>

#include "metrics/text.h"

namespace because::metrics {
namespace {

using Word = std::u32string;
using Mode = PorterStemmer::Mode;

bool ends_with(const Word& w, const Word& s) {
  return w.size() >= s.size() && w.compare(w.size() - s.size(), s.size(), s) == 0;
}
Word u(const char* s) {
  Word w;
  for (; *s; ++s) w.push_back(static_cast<unsigned char>(*s));
  return w;
}

bool is_vowel_letter(char32_t c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

bool is_consonant(const Word& w, size_t i) {
  if (is_vowel_letter(w[i])) return false;
  if (w[i] == 'y') return i == 0 ? true : !is_consonant(w, i - 1);
  return true;
}

// Number of "vc" in the consonant/vowel pattern of the stem (Porter's m).
int measure(const Word& s) {
  int m = 0;
  for (size_t i = 0; i + 1 < s.size(); ++i)
    if (!is_consonant(s, i) && is_consonant(s, i + 1)) ++m;
  return m;
}

bool contains_vowel(const Word& s) {
  for (size_t i = 0; i < s.size(); ++i)
    if (!is_consonant(s, i)) return true;
  return false;
}

bool ends_double_consonant(const Word& w) {
  return w.size() >= 2 && w[w.size() - 1] == w[w.size() - 2] && is_consonant(w, w.size() - 1);
}

struct Rule {
  Word suffix;                                ///< "*d" means: ends in a double consonant
  Word replacement;
  std::function<bool(const Word&)> condition; ///< on the stem (word without suffix); empty: none
};

class Stemmer {
 public:
  explicit Stemmer(Mode mode) : mode_(mode) {}

  bool ends_cvc(const Word& w) const {
    const size_t n = w.size();
    if (n >= 3 && is_consonant(w, n - 3) && !is_consonant(w, n - 2) && is_consonant(w, n - 1) &&
        w[n - 1] != 'w' && w[n - 1] != 'x' && w[n - 1] != 'y')
      return true;
    return mode_ == Mode::kNltkExtensions && n == 2 && !is_consonant(w, 0) && is_consonant(w, 1);
  }

  // The first rule whose suffix matches decides: its condition holds -> replaced, else unchanged.
  static Word apply(const Word& w, const std::vector<Rule>& rules) {
    for (const auto& r : rules) {
      if (r.suffix == U"*d") {
        if (ends_double_consonant(w)) {
          Word stem = w.substr(0, w.size() - 2);
          if (!r.condition || r.condition(stem)) return stem + r.replacement;
          return w;
        }
        continue;
      }
      if (ends_with(w, r.suffix)) {
        Word stem = w.substr(0, w.size() - r.suffix.size());
        if (!r.condition || r.condition(stem)) return stem + r.replacement;
        return w;
      }
    }
    return w;
  }

  Word step1a(const Word& w) const {
    if (mode_ == Mode::kNltkExtensions && ends_with(w, U"ies") && w.size() == 4) return w.substr(0, 1) + U"ie";
    return apply(w, {{U"sses", U"ss", {}}, {U"ies", U"i", {}}, {U"ss", U"ss", {}}, {U"s", U"", {}}});
  }

  Word step1b(const Word& w) const {
    if (mode_ == Mode::kNltkExtensions && ends_with(w, U"ied")) {
      if (w.size() == 4) return w.substr(0, 1) + U"ie";
      return w.substr(0, w.size() - 3) + U"i";
    }
    if (ends_with(w, U"eed")) {
      Word stem = w.substr(0, w.size() - 3);
      return measure(stem) > 0 ? stem + U"ee" : w;
    }
    Word inter;
    bool ok = false;
    for (const Word& suf : {Word(U"ed"), Word(U"ing")}) {
      if (ends_with(w, suf)) {
        inter = w.substr(0, w.size() - suf.size());
        if (contains_vowel(inter)) {
          ok = true;
          break;
        }
      }
    }
    if (!ok) return w;
    const char32_t last = inter.empty() ? 0 : inter.back();
    return apply(inter, {{U"at", U"ate", {}},
                         {U"bl", U"ble", {}},
                         {U"iz", U"ize", {}},
                         {U"*d", Word(1, last), [last](const Word&) { return last != 'l' && last != 's' && last != 'z'; }},
                         {U"", U"e", [this](const Word& s) { return measure(s) == 1 && ends_cvc(s); }}});
  }

  Word step1c(const Word& w) const {
    std::function<bool(const Word&)> cond;
    if (mode_ == Mode::kNltkExtensions)
      cond = [](const Word& s) { return s.size() > 1 && is_consonant(s, s.size() - 1); };
    else
      cond = [](const Word& s) { return contains_vowel(s); };
    return apply(w, {{U"y", U"i", cond}});
  }

  Word step2(const Word& w) const {
    auto pos = [](const Word& s) { return measure(s) > 0; };
    if (mode_ == Mode::kNltkExtensions && ends_with(w, U"alli") && pos(w.substr(0, w.size() - 4)))
      return step2(w.substr(0, w.size() - 4) + U"al");
    std::vector<Rule> rules = {
        {U"ational", U"ate", pos}, {U"tional", U"tion", pos}, {U"enci", U"ence", pos}, {U"anci", U"ance", pos},
        {U"izer", U"ize", pos},
        mode_ == Mode::kOriginalAlgorithm ? Rule{U"abli", U"able", pos} : Rule{U"bli", U"ble", pos},
        {U"alli", U"al", pos}, {U"entli", U"ent", pos}, {U"eli", U"e", pos}, {U"ousli", U"ous", pos},
        {U"ization", U"ize", pos}, {U"ation", U"ate", pos}, {U"ator", U"ate", pos}, {U"alism", U"al", pos},
        {U"iveness", U"ive", pos}, {U"fulness", U"ful", pos}, {U"ousness", U"ous", pos}, {U"aliti", U"al", pos},
        {U"iviti", U"ive", pos}, {U"biliti", U"ble", pos}};
    if (mode_ == Mode::kNltkExtensions) {
      rules.push_back({U"fulli", U"ful", pos});
      // The l of -logi stays with the stem when measuring (geo-, theo-).
      const Word w_minus3 = w.size() >= 3 ? w.substr(0, w.size() - 3) : Word();
      rules.push_back({U"logi", U"log", [w_minus3](const Word&) { return measure(w_minus3) > 0; }});
    }
    if (mode_ == Mode::kMartinExtensions) rules.push_back({U"logi", U"log", pos});
    return apply(w, rules);
  }

  Word step3(const Word& w) const {
    auto pos = [](const Word& s) { return measure(s) > 0; };
    return apply(w, {{U"icate", U"ic", pos}, {U"ative", U"", pos}, {U"alize", U"al", pos}, {U"iciti", U"ic", pos},
                     {U"ical", U"ic", pos}, {U"ful", U"", pos}, {U"ness", U"", pos}});
  }

  Word step4(const Word& w) const {
    auto gt1 = [](const Word& s) { return measure(s) > 1; };
    auto ion = [](const Word& s) { return measure(s) > 1 && !s.empty() && (s.back() == 's' || s.back() == 't'); };
    return apply(w, {{U"al", U"", gt1},   {U"ance", U"", gt1}, {U"ence", U"", gt1}, {U"er", U"", gt1},
                     {U"ic", U"", gt1},   {U"able", U"", gt1}, {U"ible", U"", gt1}, {U"ant", U"", gt1},
                     {U"ement", U"", gt1}, {U"ment", U"", gt1}, {U"ent", U"", gt1}, {U"ion", U"", ion},
                     {U"ou", U"", gt1},   {U"ism", U"", gt1},  {U"ate", U"", gt1},  {U"iti", U"", gt1},
                     {U"ous", U"", gt1},  {U"ive", U"", gt1},  {U"ize", U"", gt1}});
  }

  Word step5a(const Word& w) const {
    if (ends_with(w, U"e")) {
      Word stem = w.substr(0, w.size() - 1);
      const int m = measure(stem);
      if (m > 1) return stem;
      if (m == 1 && !ends_cvc(stem)) return stem;
    }
    return w;
  }

  Word step5b(const Word& w) const {
    const Word w_minus1 = w.empty() ? Word() : w.substr(0, w.size() - 1);
    return apply(w, {{U"ll", U"l", [w_minus1](const Word&) { return measure(w_minus1) > 1; }}});
  }

 private:
  Mode mode_;
};

const std::map<Word, Word>& irregular_pool() {
  static const std::map<Word, Word> pool = [] {
    const std::vector<std::pair<const char*, std::vector<const char*>>> forms = {
        {"sky", {"sky", "skies"}},        {"die", {"dying"}},
        {"lie", {"lying"}},               {"tie", {"tying"}},
        {"news", {"news"}},               {"inning", {"innings", "inning"}},
        {"outing", {"outings", "outing"}}, {"canning", {"cannings", "canning"}},
        {"howe", {"howe"}},               {"proceed", {"proceed"}},
        {"exceed", {"exceed"}},           {"succeed", {"succeed"}}};
    std::map<Word, Word> p;
    for (const auto& [key, vals] : forms)
      for (const char* v : vals) p[u(v)] = u(key);
    return p;
  }();
  return pool;
}

}  // namespace

std::string PorterStemmer::stem(std::string_view word_utf8) const {
  const Word original = utf8_decode(word_utf8);
  Word w = utf8_decode(lower_py(word_utf8));
  if (mode_ == Mode::kNltkExtensions) {
    const auto& pool = irregular_pool();
    const auto it = pool.find(original);
    if (it != pool.end()) return utf8_encode(it->second);
  }
  if (mode_ != Mode::kOriginalAlgorithm && original.size() <= 2) return utf8_encode(w);
  const Stemmer s(mode_);
  w = s.step1a(w);
  w = s.step1b(w);
  w = s.step1c(w);
  w = s.step2(w);
  w = s.step3(w);
  w = s.step4(w);
  w = s.step5a(w);
  w = s.step5b(w);
  return utf8_encode(w);
}

}  // namespace because::metrics
