#include "wirewatch/rules/tokenizer.hpp"

#include "wirewatch/common/text.hpp"
#include "wirewatch/rules/document.hpp"

namespace wirewatch::rules {
namespace {

bool is_sentence_end(char32_t c) { return c == '.' || c == '!' || c == '?' || c == U'\u2026'; }

}  // namespace

std::string_view field_name(Field f) { return f == Field::title ? "title" : "body"; }

std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> out;
  std::uint32_t cp_index = 0;
  std::uint32_t paragraph = 0;
  std::uint32_t sentence = 0;
  bool new_paragraph = false;  // a blank line since the last word
  bool new_sentence = false;   // a sentence end since the last word
  bool after_end_mark = false; // the previous code point was `.`, `!`, `?` or `…`
  int newlines = 0;            // line breaks since the last non-space code point

  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t start = pos;
    const char32_t c = next_code_point(text, pos);
    if (is_word_char(c)) {
      if (!out.empty()) {
        if (new_paragraph) {
          ++paragraph;
          ++sentence;
        } else if (new_sentence) {
          ++sentence;
        }
      }
      new_paragraph = new_sentence = after_end_mark = false;
      newlines = 0;
      const std::uint32_t offset = cp_index;
      std::uint32_t length = 1;
      std::size_t end = pos;
      while (end < text.size()) {
        std::size_t next = end;
        if (!is_word_char(next_code_point(text, next))) break;
        end = next;
        ++length;
      }
      pos = end;
      cp_index += length;
      out.push_back({fold_case(text.substr(start, end - start)), offset, length,
                     static_cast<std::uint32_t>(out.size()), paragraph, sentence});
      continue;
    }
    ++cp_index;
    if (is_space(c)) {
      if (after_end_mark) new_sentence = true;
      after_end_mark = false;
      if (c == '\n' && ++newlines >= 2) new_paragraph = true;
    } else {
      newlines = 0;
      after_end_mark = is_sentence_end(c);
    }
  }
  return out;
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  for (auto& t : tokenize(text)) words.push_back(std::move(t.folded));
  return words;
}

}  // namespace wirewatch::rules
