#pragma once
// Unicode primitives over UTF-8 strings, backed by utf8proc.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace wirewatch {

// True when `s` is well-formed UTF-8 (no surrogates, no overlongs).
bool is_valid_utf8(std::string_view s);

// Decodes the code point at s[pos] and advances pos past it. An invalid
// sequence yields U+FFFD and advances one byte, so callers never loop forever.
char32_t next_code_point(std::string_view s, std::size_t& pos);

std::vector<char32_t> utf8_code_points(std::string_view s);
std::size_t code_point_count(std::string_view s);
void append_utf8(std::string& out, char32_t cp);

// A word character: a Unicode letter (L*), decimal digit (Nd) or combining mark (M*).
bool is_word_char(char32_t cp);
// Unicode White_Space-like: Zs, line and paragraph separators, and the C0 spaces.
bool is_space(char32_t cp);

// Unicode case folding with NFC composition: "Лукашенко" and "ЛУКАШЕНКО" fold alike.
std::string fold_case(std::string_view s);
// NFC normalization.
std::string to_nfc(std::string_view s);

}  // namespace wirewatch
