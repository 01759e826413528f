// UTF-8 and Python-compatible whitespace and lower-casing for the NLG metrics.
#include "metrics/text.h"

namespace because::metrics {

std::u32string utf8_decode(std::string_view s) {
  std::u32string out;
  utf8_decode_into(s, out);
  return out;
}

void utf8_decode_into(std::string_view s, std::u32string& out) {
  out.clear();
  out.reserve(s.size());
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    int len = 0;
    char32_t cp = 0;
    if (b0 < 0x80) { out.push_back(b0); ++i; continue; }
    if ((b0 & 0xE0) == 0xC0) { len = 2; cp = b0 & 0x1F; }
    else if ((b0 & 0xF0) == 0xE0) { len = 3; cp = b0 & 0x0F; }
    else if ((b0 & 0xF8) == 0xF0) { len = 4; cp = b0 & 0x07; }
    bool ok = len > 0 && i + len <= n;
    for (int k = 1; ok && k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) ok = false;
      else cp = (cp << 6) | (b & 0x3F);
    }
    if (!ok) { out.push_back(b0); ++i; continue; }
    out.push_back(cp);
    i += len;
  }
}

std::string utf8_encode(std::u32string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t c : s) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (c >> 12)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (c >> 18)));
      out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

bool is_py_space(char32_t c) {
  return (c < 0x80 && is_ascii_py_space(static_cast<unsigned char>(c))) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

size_t py_space_len(std::string_view s, size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) return is_ascii_py_space(b) ? 1 : 0;
  if (b == 0xC2 && i + 1 < s.size()) {
    const auto c = static_cast<unsigned char>(s[i + 1]);
    return (c == 0x85 || c == 0xA0) ? 2 : 0;
  }
  if ((b == 0xE1 || b == 0xE2 || b == 0xE3) && i + 2 < s.size()) {
    const char32_t cp = ((b & 0x0F) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3F) << 6) |
                        (static_cast<unsigned char>(s[i + 2]) & 0x3F);
    if ((static_cast<unsigned char>(s[i + 1]) & 0xC0) != 0x80 || (static_cast<unsigned char>(s[i + 2]) & 0xC0) != 0x80)
      return 0;
    return is_py_space(cp) ? 3 : 0;
  }
  return 0;
}

std::vector<std::string> split_py(std::string_view s) {
  std::vector<std::string> out;
  split_py_each(s, [&out](std::string_view piece) { out.emplace_back(piece); });
  return out;
}

std::u32string remove_py_space(std::u32string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (char32_t c : s)
    if (!is_py_space(c)) out.push_back(c);
  return out;
}

char32_t py_lower(char32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  if ((c >= 0xC0 && c <= 0xDE && c != 0xD7)) return c + 32;
  if (c >= 0x100 && c <= 0x137) return (c % 2 == 0) ? c + 1 : c;  // Latin Extended-A pairs
  if (c >= 0x139 && c <= 0x148) return (c % 2 == 1) ? c + 1 : c;
  if (c >= 0x14A && c <= 0x177) return (c % 2 == 0) ? c + 1 : c;
  if (c == 0x178) return 0xFF;
  if (c == 0x179 || c == 0x17B || c == 0x17D) return c + 1;
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;  // Greek
  if (c == 0x386) return 0x3AC;
  if (c >= 0x388 && c <= 0x38A) return c + 37;
  if (c == 0x38C) return 0x3CC;
  if (c == 0x38E || c == 0x38F) return c + 63;
  if (c >= 0x410 && c <= 0x42F) return c + 32;  // Cyrillic
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  if (c == 0x212A) return 'k';  // KELVIN SIGN
  return c;
}

std::string lower_py(std::string_view s) {
  std::string out;
  lower_py_into(s, out);
  return out;
}

void lower_py_into(std::string_view s, std::string& out) {
  bool ascii = true;
  for (char ch : s) ascii &= static_cast<unsigned char>(ch) < 0x80;
  if (ascii) {
    out.assign(s);
    for (auto& ch : out)
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch + 32);
    return;
  }
  std::u32string cps = utf8_decode(s);
  std::u32string lowered;
  lowered.reserve(cps.size());
  for (char32_t c : cps) {
    if (c == 0x130) {  // LATIN CAPITAL LETTER I WITH DOT ABOVE lower-cases to i + COMBINING DOT ABOVE
      lowered.push_back('i');
      lowered.push_back(0x307);
    } else {
      lowered.push_back(py_lower(c));
    }
  }
  out = utf8_encode(lowered);
}

}  // namespace because::metrics
