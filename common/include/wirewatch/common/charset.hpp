#pragma once
// Character-set primitives shared by the feed and the page decoders: label
// normalization, the charset parameter of a Content-Type, UTF-8 validation, a
// guess for undeclared single-byte text, and conversion to UTF-8 with glibc's
// iconv (descriptors and single-byte tables cached per thread). Which charset a
// document is read as is each decoder's own policy, not decided here.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace wirewatch::charset {

// Feeds and HTML pages read a few labels differently; each decoder passes its own.
enum class Labels {
  xml,   // feeds: ASCII labels are UTF-8, cp125N is windows-125N, "utf-16" stays BOM-driven
  html,  // pages (WHATWG Encoding): ASCII labels are windows-1252, "utf-16" is UTF-16LE
};

struct Label {
  std::string name;    // canonical name, lowercase ("windows-1251", "koi8-r", "utf-8")
  bool alias = false;  // the label was in the alias table
};

// A label trimmed of whitespace and quotes (for html also of a trailing ';'),
// lowercased and mapped through the alias table. Empty for an empty label.
Label lookup_label(std::string_view label, Labels labels);
inline std::string normalize_label(std::string_view label, Labels labels) {
  return lookup_label(label, labels).name;
}

// The charset= parameter of a Content-Type header value, unquoted; empty when none.
std::string content_type_charset(std::string_view content_type);

// Well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
bool is_utf8(std::string_view bytes);

// `bytes` with each byte that does not start a well-formed UTF-8 sequence
// replaced by U+FFFD. `multibyte`, when given, counts the valid multi-byte
// sequences kept.
std::string replace_invalid_utf8(std::string_view bytes, std::size_t* multibyte = nullptr);

// Feed text is short (titles, summaries) and may be KOI8-R; pages are long and mostly markup.
enum class Guess { feed, page };

// The charset of undeclared, non-UTF-8 text: "windows-1251" when its high bytes
// look like Cyrillic letters, "koi8-r" (Guess::feed only) when the case pattern
// fits KOI8-R better, else "windows-1252".
std::string_view guess_single_byte(std::string_view bytes, Guess guess);

enum class OnInvalid {
  fail,     // nullopt when the bytes are not valid in the charset
  replace,  // each invalid or truncated byte becomes U+FFFD
};

// `bytes` in `charset` (a name iconv knows; "utf-8" in any case is checked
// without iconv and keeps a leading BOM) converted to UTF-8, a BOM produced by the
// conversion dropped. nullopt when iconv does not know the charset, or for
// invalid bytes with OnInvalid::fail.
std::optional<std::string> to_utf8(std::string_view bytes, const std::string& charset, OnInvalid on_invalid);

}  // namespace wirewatch::charset
