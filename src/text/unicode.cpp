// Unicode property look-ups over the generated tables in unicode_tables.inc.
#include "text/unicode.h"

#include <algorithm>

namespace because::text::unicode {
namespace {

struct CodeRange {
  char32_t lo, hi;
};
struct CodeMap {
  char32_t cp;
  const char* utf8;
};

#include "text/unicode_tables.inc"

template <size_t N>
bool in(const CodeRange (&table)[N], char32_t c) {
  auto it = std::upper_bound(table, table + N, c, [](char32_t v, const CodeRange& r) { return v < r.lo; });
  return it != table && c <= (it - 1)->hi;
}

template <size_t N>
const char* find(const CodeMap (&table)[N], char32_t c) {
  auto it = std::lower_bound(table, table + N, c, [](const CodeMap& m, char32_t v) { return m.cp < v; });
  return it != table + N && it->cp == c ? it->utf8 : nullptr;
}

}  // namespace

int utf8_length(unsigned char b) {
  if (b < 0x80) return 1;
  if ((b & 0xE0) == 0xC0) return 2;
  if ((b & 0xF0) == 0xE0) return 3;
  if ((b & 0xF8) == 0xF0) return 4;
  return 1;
}

std::vector<char32_t> decode_utf8(std::string_view s) {
  std::vector<char32_t> out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    int n = utf8_length(b);
    if (n == 1 || i + n > s.size()) {
      out.push_back(b < 0x80 ? b : 0xFFFD);
      ++i;
      continue;
    }
    char32_t cp = b & (0xFF >> (n + 1));
    bool ok = true;
    for (int k = 1; k < n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) { ok = false; break; }
      cp = (cp << 6) | (c & 0x3F);
    }
    if (!ok) { out.push_back(0xFFFD); ++i; continue; }
    out.push_back(cp);
    i += n;
  }
  return out;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string encode_utf8(const std::vector<char32_t>& cps) {
  std::string out;
  for (auto c : cps) append_utf8(out, c);
  return out;
}

bool is_letter(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  return in(kLetter, c);
}
bool is_number(char32_t c) {
  if (c < 0x80) return c >= '0' && c <= '9';
  return in(kNumber, c);
}
bool is_punctuation(char32_t c) { return in(kPunct, c); }
bool is_mark_nonspacing(char32_t c) { return in(kMarkNonspacing, c); }
bool is_other(char32_t c) { return in(kOther, c); }

bool is_whitespace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

bool is_cjk(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
         (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

void append_lower(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
    return;
  }
  if (const char* s = find(kLower, c)) out += s;
  else append_utf8(out, c);
}

void append_strip_accents(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
    return;
  }
  if (c >= 0xAC00 && c <= 0xD7A3) {  // Hangul syllable: algorithmic NFD into jamo
    const char32_t s = c - 0xAC00;
    append_utf8(out, 0x1100 + s / (21 * 28));
    append_utf8(out, 0x1161 + (s % (21 * 28)) / 28);
    if (s % 28) append_utf8(out, 0x11A7 + s % 28);
    return;
  }
  if (is_mark_nonspacing(c)) return;
  if (const char* s = find(kStripAccents, c)) out += s;
  else append_utf8(out, c);
}

}  // namespace because::text::unicode
