// UTF-8 decoding/encoding and the Unicode properties tokenizers need (letters, numbers,
// punctuation, white space, lower case, accent stripping), from generated tables.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace because::text::unicode {

/// Decodes UTF-8 into code points; invalid bytes become U+FFFD (one per byte).
std::vector<char32_t> decode_utf8(std::string_view s);
/// Appends the UTF-8 encoding of `cp`.
void append_utf8(std::string& out, char32_t cp);
std::string encode_utf8(const std::vector<char32_t>& cps);
/// Byte length of the UTF-8 sequence starting with `lead` (1 for invalid lead bytes).
int utf8_length(unsigned char lead);

bool is_letter(char32_t c);       ///< \p{L}
bool is_number(char32_t c);       ///< \p{N}
bool is_punctuation(char32_t c);  ///< \p{P}
bool is_whitespace(char32_t c);   ///< \s (Unicode White_Space)
bool is_mark_nonspacing(char32_t c);  ///< Mn
bool is_other(char32_t c);        ///< Cc, Cf, Co, Cs
bool is_cjk(char32_t c);          ///< BERT's CJK ideograph blocks

/// Lower case of `c` as Python's str.lower() (may be more than one code point), UTF-8.
void append_lower(std::string& out, char32_t c);
/// NFD of `c` without its non-spacing marks (BERT's accent stripping), UTF-8; "" for a mark.
void append_strip_accents(std::string& out, char32_t c);

}  // namespace because::text::unicode
