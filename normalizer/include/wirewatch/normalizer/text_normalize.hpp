#pragma once
// Text normalization of record paragraphs.

#include <string>
#include <string_view>
#include <vector>

namespace wirewatch {

// One paragraph as a record carries it: Unicode NFC; no-break and other Unicode
// spaces become a space; every run of whitespace (line breaks included) becomes
// one space; leading and trailing space trimmed; zero-width space, word joiner,
// BOM and soft hyphen removed, as are other control characters. Typographic
// quotes and dashes are kept as written. Invalid UTF-8 becomes U+FFFD.
std::string normalize_paragraph(std::string_view text);

// normalize_paragraph on each, dropping the ones that end up empty.
std::vector<std::string> normalize_paragraphs(const std::vector<std::string>& paragraphs);

// Words of a normalized paragraph: runs of characters between single spaces.
std::size_t word_count(std::string_view normalized);

}  // namespace wirewatch
