// Text helpers the NLG metrics share: UTF-8 decoding, Python's str.split() whitespace, and
// Python's str.lower() for the scripts explanations are written in (Latin, Greek, Cyrillic).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace because::metrics {

/// Decodes UTF-8 into code points; an invalid byte becomes one code point of the same value.
std::u32string utf8_decode(std::string_view s);
/// Encodes code points as UTF-8.
std::string utf8_encode(std::u32string_view s);
/// True for the characters Python's str.split() (no argument) splits on.
bool is_py_space(char32_t c);
/// Python `s.split()`: splits on runs of Unicode whitespace, drops empty pieces.
std::vector<std::string> split_py(std::string_view s);
/// Python `"".join(s.split())` on code points (what chrF does when whitespace is not counted).
std::u32string remove_py_space(std::u32string_view s);
/// Python `s.lower()` for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic; other code
/// points are returned unchanged.
char32_t py_lower(char32_t c);
std::string lower_py(std::string_view s);

}  // namespace because::metrics
