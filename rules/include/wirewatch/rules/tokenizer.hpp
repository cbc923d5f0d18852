#pragma once
// Words as the rule language sees them: a word is a maximal run of Unicode
// letters, decimal digits and combining marks; everything else separates words.
// Words are compared case-insensitively after Unicode case folding (+ NFC).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wirewatch::rules {

struct Token {
  std::string folded;       // case-folded NFC form, the key used for matching
  std::uint32_t offset;     // first code point of the word in the text
  std::uint32_t length;     // in code points, as written
  std::uint32_t position;   // word index in the text (0, 1, 2, ...)
  std::uint32_t paragraph;  // paragraph index (paragraphs are separated by a blank line)
  std::uint32_t sentence;   // sentence index, counted over the whole text
};

std::vector<Token> tokenize(std::string_view text);

// The folded words of a query word as written: "Volat-V2" -> {"volat", "v2"}.
std::vector<std::string> split_words(std::string_view text);

}  // namespace wirewatch::rules
