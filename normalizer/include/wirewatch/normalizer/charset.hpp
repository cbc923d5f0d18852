#pragma once
// Character sets of fetched pages, and conversion to UTF-8 with iconv (glibc).
//
// Order of precedence, as browsers do it: a byte-order mark; the charset
// parameter of the HTTP Content-Type header; <meta charset> or <meta http-equiv=
// Content-Type content="...; charset=..."> (or an XML declaration) in the first
// 16 KiB; else UTF-8 when the bytes are valid UTF-8, else a guess between
// windows-1251 and windows-1252 from the high bytes. A declared single-byte
// charset on bytes that are valid, non-ASCII UTF-8 is taken as UTF-8: sites that
// mislabel their pages far outnumber legacy text that happens to be valid UTF-8.

#include <optional>
#include <string>
#include <string_view>

namespace wirewatch {

// The canonical name of a charset label (WHATWG aliases): "latin1", "iso-8859-1"
// and "us-ascii" → "windows-1252", "utf8" → "UTF-8", "cp1251" → "windows-1251";
// other labels lowercased and trimmed. Empty for an empty label.
std::string normalize_charset_label(std::string_view label);

// The charset declared inside the document (meta charset, http-equiv, XML
// declaration) in its first 16 KiB, normalized; empty when none.
std::string declared_charset(std::string_view bytes);

// The charset to decode `bytes` with, by the precedence above.
std::string detect_charset(std::string_view bytes, std::string_view header_charset = {});

// `bytes` in `charset` converted to UTF-8; invalid sequences become U+FFFD and a
// BOM is dropped. nullopt when iconv does not know the charset.
std::optional<std::string> convert_to_utf8(std::string_view bytes, std::string_view charset);

struct DecodedText {
  std::string utf8;
  std::string charset;  // what it was decoded from
};

// detect_charset then convert_to_utf8; an unknown charset falls back to
// windows-1252 (never fails).
DecodedText decode_to_utf8(std::string_view bytes, std::string_view header_charset = {});

}  // namespace wirewatch
