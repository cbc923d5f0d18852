#include "wirewatch/normalizer/text_normalize.hpp"

#include "wirewatch/common/text.hpp"

namespace wirewatch {
namespace {

bool is_removed(char32_t cp) {
  switch (cp) {
    case 0x00AD:  // soft hyphen
    case 0x200B:  // zero-width space
    case 0x2060:  // word joiner
    case 0xFEFF:  // BOM / zero-width no-break space
    case 0x180E:  // Mongolian vowel separator
      return true;
    default:
      break;
  }
  // Other controls (C0 except whitespace, DEL, C1).
  return (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r' && cp != '\f' && cp != '\v') ||
         (cp >= 0x7F && cp < 0xA0);
}

bool is_whitespace(char32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' || cp == 0x85 ||
         is_space(cp);
}

}  // namespace

std::string normalize_paragraph(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool ascii = true;
  bool pending_space = false;
  for (std::size_t pos = 0; pos < text.size();) {
    auto c = static_cast<unsigned char>(text[pos]);
    if (c < 0x80) {
      ++pos;
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        pending_space = true;
        continue;
      }
      if (c < 0x20 || c == 0x7F) continue;
      if (pending_space && !out.empty()) out += ' ';
      pending_space = false;
      out += static_cast<char>(c);
      continue;
    }
    char32_t cp = next_code_point(text, pos);
    if (is_whitespace(cp)) {
      pending_space = true;
      continue;
    }
    if (is_removed(cp)) continue;
    if (pending_space && !out.empty()) out += ' ';
    pending_space = false;
    append_utf8(out, cp);
    ascii = false;
  }
  if (ascii) return out;
  return to_nfc(out);
}

std::vector<std::string> normalize_paragraphs(const std::vector<std::string>& paragraphs) {
  std::vector<std::string> out;
  out.reserve(paragraphs.size());
  for (const auto& p : paragraphs) {
    auto n = normalize_paragraph(p);
    if (!n.empty()) out.push_back(std::move(n));
  }
  return out;
}

std::size_t word_count(std::string_view normalized) {
  std::size_t n = 0;
  bool in_word = false;
  for (char c : normalized) {
    bool space = c == ' ';
    if (!space && !in_word) ++n;
    in_word = !space;
  }
  return n;
}

}  // namespace wirewatch
