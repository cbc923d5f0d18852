#pragma once
// Feed bytes in any character set → UTF-8, with glibc's iconv.
//
// The charset is taken from, in order: a byte order mark (or the UTF-16/32
// pattern of `<?` per XML 1.0 Appendix F), the HTTP Content-Type's charset, the
// XML declaration's encoding, else UTF-8. When the bytes are not valid in that
// charset the next candidate is tried, then UTF-8, then windows-1252, and the
// result says what went wrong (feedparser's CharacterEncodingOverride).

#include <optional>
#include <string>
#include <string_view>

#include "wirewatch/common/charset.hpp"

namespace wirewatch::connectors {

struct DecodedText {
  std::string text;     // UTF-8, without a byte order mark
  std::string charset;  // the charset the bytes were read as, normalized ("windows-1251")
  std::string error;    // non-empty when the declared charset could not be used
};

struct CharsetHints {
  std::string_view http_charset;  // from Content-Type; may be empty
  bool xml = true;                // look for an XML declaration
};

DecodedText decode_to_utf8(std::string_view bytes, const CharsetHints& hints = {});

// Lowercase, trimmed, unquoted, common aliases mapped ("cp1251" → "windows-1251",
// "utf8" → "utf-8", "latin1" → "windows-1252" as browsers read it).
std::string normalize_charset(std::string_view name);

// The encoding="..." of an XML declaration at the start of ASCII-compatible
// bytes; empty when there is none.
std::string_view xml_declared_encoding(std::string_view bytes);

// The charset= parameter of a Content-Type value; empty when there is none.
std::string charset_from_content_type(std::string_view content_type);

// `bytes` converted from `charset` (any name iconv knows); nullopt when the
// charset is unknown or the bytes are not valid in it.
std::optional<std::string> convert_to_utf8(std::string_view bytes, std::string_view charset);

// Well-formed UTF-8 (fast path for ASCII).
using charset::is_utf8;

}  // namespace wirewatch::connectors
