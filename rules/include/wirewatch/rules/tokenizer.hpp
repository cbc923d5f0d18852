#pragma once
// Words as the rule language sees them: a word is a maximal run of Unicode
// letters, decimal digits and combining marks; everything else separates words.
//
// Words are compared after folding (fold_word): Unicode case folding, then
// diacritics folding — a Latin letter folds to its base letter (`š` -> `s`,
// `é` -> `e`: a letter whose canonical decomposition is an ASCII letter plus
// combining marks loses the marks), Cyrillic `ё` folds to `е`, every other
// letter keeps its marks (`й` stays `й`, `ў` stays `ў`) — and NFC. Everything
// comes from utf8proc's Unicode tables; `ё` is the one named exception.
//
// Sentences end at `.`, `!`, `?` or `…` followed by whitespace; paragraphs at a
// blank line. A new paragraph also starts a new sentence.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wirewatch::rules {

// A word as found in a text, before folding.
struct WordSpan {
  std::string_view raw;           // the bytes as written
  std::uint32_t byte_offset = 0;  // into the text
  std::uint32_t offset = 0;       // code points into the text
  std::uint32_t length = 0;       // code points
  std::uint32_t paragraph = 0;    // paragraph index in the text
  std::uint32_t sentence = 0;     // sentence index, counted over the whole text
  bool ascii = true;              // every byte < 0x80
};

// Walks the words of a text one by one, without allocating.
class WordScanner {
 public:
  explicit WordScanner(std::string_view text) : text_(text) {}
  bool next(WordSpan& out);

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::uint32_t cp_ = 0;
  std::uint32_t paragraph_ = 0;
  std::uint32_t sentence_ = 0;
  bool any_ = false;
  bool new_paragraph_ = false;
  bool new_sentence_ = false;
  bool after_end_mark_ = false;
  int newlines_ = 0;
};

// The folded form of a word (see above), written into `out` (replacing it).
void fold_word(std::string_view word, std::string& out);
std::string fold_word(std::string_view word);

struct Token {
  std::string folded;       // the folded form, the key used for matching
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
