// Text helpers the NLG metrics share: UTF-8 decoding, Python's str.split() whitespace, and
// Python's str.lower() for the scripts explanations are written in (Latin, Greek, Cyrillic).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace because::metrics {

/// Decodes UTF-8 into code points; an invalid byte becomes one code point of the same value.
std::u32string utf8_decode(std::string_view s);
/// `utf8_decode` into `out` (replacing its contents), without allocating when it has room.
void utf8_decode_into(std::string_view s, std::u32string& out);
/// Encodes code points as UTF-8.
std::string utf8_encode(std::u32string_view s);
/// True when every byte of `s` is below 0x80; eight at a time.
inline bool is_ascii(std::string_view s) {
  uint64_t high = 0;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    high |= w;
  }
  for (; i < s.size(); ++i) high |= static_cast<unsigned char>(s[i]);
  return (high & 0x8080808080808080ULL) == 0;
}
/// The ASCII characters Python's str.split() (no argument) splits on: \t \n \v \f \r, the
/// separators 0x1C-0x1F and the space.
inline bool is_ascii_py_space(unsigned char b) { return (b >= 0x09 && b <= 0x0D) || b == 0x20 || (b >= 0x1C && b <= 0x1F); }
/// True for the characters Python's str.split() (no argument) splits on.
bool is_py_space(char32_t c);
/// Byte length of the Python whitespace character that starts at s[i] (0 if it is none).
size_t py_space_len(std::string_view s, size_t i);
/// `py_space_len` with the ASCII case inline.
inline size_t py_space_len_inline(std::string_view s, size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) return is_ascii_py_space(b) ? 1 : 0;
  return py_space_len(s, i);
}
/// Python `s.split()`: splits on runs of Unicode whitespace, drops empty pieces.
std::vector<std::string> split_py(std::string_view s);
/// `split_py` without copies: calls f(std::string_view) for each piece, in order.
template <class F>
void split_py_each(std::string_view s, F&& f) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    size_t l;
    while (i < n && (l = py_space_len_inline(s, i)) > 0) i += l;
    if (i >= n) break;
    const size_t start = i;
    while (i < n && py_space_len_inline(s, i) == 0) ++i;
    f(s.substr(start, i - start));
  }
}
/// Python `"".join(s.split())` on code points (what chrF does when whitespace is not counted).
std::u32string remove_py_space(std::u32string_view s);
/// Python `s.lower()` for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic; other code
/// points are returned unchanged.
char32_t py_lower(char32_t c);
std::string lower_py(std::string_view s);
/// The same into `out` (whose capacity is reused).
void lower_py_into(std::string_view s, std::string& out);

}  // namespace because::metrics
