// Hand-written matchers for the pre-tokenizer regexes of GPT-2, Llama 3 and Qwen2.
//   GPT-2:  's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//   Llama3: (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//   Qwen2:  as Llama 3 with \p{N} (one digit) instead of \p{N}{1,3}.
#include "text/pretokenize.h"

#include "text/unicode.h"
#include "util/error.h"

namespace because::text {
namespace {

using unicode::is_letter;
using unicode::is_number;
using unicode::is_whitespace;

const char* kGpt2Re = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
const char* kLlama3Re =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
const char* kQwen2Re =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

bool is_other_char(char32_t c) { return !is_whitespace(c) && !is_letter(c) && !is_number(c); }
bool is_nl(char32_t c) { return c == '\r' || c == '\n'; }

char32_t lower_ascii(char32_t c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/// Length of a contraction at i ('s 't 're 've 'm 'll 'd), 0 if none.
size_t match_contraction(const std::vector<char32_t>& s, size_t i, bool ignore_case) {
  if (s[i] != '\'' || i + 1 >= s.size()) return 0;
  auto c = [&](size_t k) { return ignore_case ? lower_ascii(s[k]) : s[k]; };
  const char32_t a = c(i + 1);
  if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
  if (i + 2 < s.size()) {
    const char32_t b = c(i + 2);
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
  }
  return 0;
}

/// \s+(?!\S) then \s+ at i (s[i] is white space).
size_t match_trailing_space(const std::vector<char32_t>& s, size_t i) {
  size_t j = i;
  while (j < s.size() && is_whitespace(s[j])) ++j;
  if (j == s.size()) return j - i;        // run reaches the end
  if (j - i >= 2) return j - i - 1;       // leave the last white space to the next token
  return 1;                               // \s+ alone
}

size_t match_gpt2(const std::vector<char32_t>& s, size_t i) {
  const size_t n = s.size();
  if (size_t k = match_contraction(s, i, false)) return k;
  size_t j = i;
  if (s[j] == ' ' && j + 1 < n) ++j;
  auto run = [&](auto pred) {
    size_t k = j;
    while (k < n && pred(s[k])) ++k;
    return k;
  };
  if (is_letter(s[j])) return run(is_letter) - i;
  if (is_number(s[j])) return run(is_number) - i;
  if (is_other_char(s[j])) return run(is_other_char) - i;
  return match_trailing_space(s, i);
}

size_t match_llama3(const std::vector<char32_t>& s, size_t i, size_t max_digits) {
  const size_t n = s.size();
  if (size_t k = match_contraction(s, i, true)) return k;
  // [^\r\n\p{L}\p{N}]?\p{L}+
  {
    size_t j = i;
    if (!is_nl(s[j]) && !is_letter(s[j]) && !is_number(s[j]) && j + 1 < n && is_letter(s[j + 1])) ++j;
    if (is_letter(s[j])) {
      while (j < n && is_letter(s[j])) ++j;
      return j - i;
    }
  }
  // \p{N}{1,max}
  if (is_number(s[i])) {
    size_t j = i;
    while (j < n && j - i < max_digits && is_number(s[j])) ++j;
    return j - i;
  }
  //  ?[^\s\p{L}\p{N}]+[\r\n]*
  {
    size_t j = i;
    if (s[j] == ' ' && j + 1 < n && is_other_char(s[j + 1])) ++j;
    if (is_other_char(s[j])) {
      while (j < n && is_other_char(s[j])) ++j;
      while (j < n && is_nl(s[j])) ++j;
      return j - i;
    }
  }
  // \s*[\r\n]+ : up to the last newline of the white-space run
  {
    size_t j = i, last_nl = std::string::npos;
    while (j < n && is_whitespace(s[j])) {
      if (is_nl(s[j])) last_nl = j;
      ++j;
    }
    if (last_nl != std::string::npos) return last_nl + 1 - i;
  }
  return match_trailing_space(s, i);
}

std::vector<std::string> pieces(const std::vector<char32_t>& cps, const std::vector<size_t>& lens) {
  std::vector<std::string> out;
  size_t i = 0;
  for (auto len : lens) {
    std::string p;
    for (size_t k = i; k < i + len; ++k) unicode::append_utf8(p, cps[k]);
    out.push_back(std::move(p));
    i += len;
  }
  return out;
}

}  // namespace

SplitPattern parse_split_pattern(const std::string& re) {
  if (re == kGpt2Re) return SplitPattern::kGpt2;
  if (re == kLlama3Re) return SplitPattern::kLlama3;
  if (re == kQwen2Re) return SplitPattern::kQwen2;
  throw ModelError("unsupported pre-tokenizer regex " + re +
                   " (supported: the GPT-2, Llama 3 and Qwen2 patterns)");
}

std::vector<std::string> split_regex(std::string_view text, SplitPattern pattern) {
  const auto s = unicode::decode_utf8(text);
  std::vector<size_t> lens;
  size_t i = 0;
  while (i < s.size()) {
    size_t len = pattern == SplitPattern::kGpt2     ? match_gpt2(s, i)
                 : pattern == SplitPattern::kLlama3 ? match_llama3(s, i, 3)
                                                    : match_llama3(s, i, 1);
    if (len == 0) len = 1;  // unreachable: every character is matched by some alternative
    lens.push_back(len);
    i += len;
  }
  return pieces(s, lens);
}

std::vector<std::string> split_bert(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  for (char32_t c : unicode::decode_utf8(text)) {
    const bool punct = (c < 0x80 && ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
                                     (c >= 123 && c <= 126))) || unicode::is_punctuation(c);
    if (is_whitespace(c)) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else if (punct) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
      std::string p;
      unicode::append_utf8(p, c);
      out.push_back(std::move(p));
    } else {
      unicode::append_utf8(cur, c);
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

std::vector<std::string> split_whitespace_words(std::string_view text) {
  std::vector<std::string> out;
  const auto s = unicode::decode_utf8(text);
  auto word = [](char32_t c) { return is_letter(c) || is_number(c) || c == '_' || unicode::is_mark_nonspacing(c); };
  size_t i = 0;
  while (i < s.size()) {
    if (is_whitespace(s[i])) { ++i; continue; }
    const bool w = word(s[i]);
    size_t j = i;
    while (j < s.size() && !is_whitespace(s[j]) && word(s[j]) == w) ++j;
    std::string p;
    for (size_t k = i; k < j; ++k) unicode::append_utf8(p, s[k]);
    out.push_back(std::move(p));
    i = j;
  }
  return out;
}

}  // namespace because::text
