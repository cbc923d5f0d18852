#pragma once
// Internals shared by the feed parser's sources (feed_parser_*.cpp). Not installed.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "wirewatch/connectors/feed_parser.hpp"

namespace wirewatch::connectors::detail {

// ---- text (feed_parser_text.cpp) ----
// An HTML 4 named character reference (plus &apos;), without '&' and ';'.
std::optional<char32_t> html_entity(std::string_view name);
void append_utf8(std::string& out, char32_t cp);
// Decodes &name; &#NN; &#xHH; (invalid ones are kept as written).
std::string decode_html_entities(std::string_view s);
// True when the text holds a tag (`<p`, `</b`, `<!--`) or a character reference.
bool looks_like_html(std::string_view s);
// Trimmed, with every run of white space (U+00A0 included) made one space.
std::string collapse_whitespace(std::string_view s);
// HTML → plain text: tags dropped (block tags become a space), entities decoded,
// white space collapsed.
std::string html_to_text(std::string_view html);
// How a text field is given: as plain text, as HTML, or "guess" (RSS, JSON).
enum class TextKind { text, html, guess };
std::string plain_text(std::string_view raw, TextKind kind);

// ---- URLs (feed_parser_url.cpp) ----
bool has_scheme(std::string_view url);
// `ref` resolved against `base` with curl's URL API; `ref` (trimmed) when it is
// already absolute, when there is no usable base, or when curl refuses it.
std::string resolve_url(std::string_view base, std::string_view ref);
// href= and src= values in HTML resolved against `base` (unchanged when none is relative).
std::string resolve_links_in_html(std::string_view html, std::string_view base);

// ---- repair (feed_parser_repair.cpp) ----
struct RepairResult {
  bool changed = false;
  std::string problem;  // the first thing repaired, for ParsedFeed::error
};
// In place: control characters dropped, undeclared entities made numeric
// references, stray `&` escaped. Leaves CDATA sections and comments alone
// (except for control characters). Entities declared with a plain value in the
// DOCTYPE's internal subset are substituted (never external ones); HTML's
// entities are not a problem when the DOCTYPE is Netscape's RSS 0.91, which
// declares them.
RepairResult repair_markup(std::string& text);
// Re-balances markup: unknown end tags dropped, unclosed elements closed where
// their parent ends and at the end of the text, a truncated tag dropped, a `<`
// that starts no tag escaped, unquoted attribute values quoted.
std::string balance_tags(std::string_view text);

// ---- readers ----
// `reload` gives `text` again (decoded, not yet repaired) for the rare second try.
void parse_xml_feed(std::string text, const std::function<std::string()>& reload,
                    const FeedParseOptions& options, ParsedFeed& out);
void parse_json_feed(std::string_view text, const FeedParseOptions& options, ParsedFeed& out);

// Records the first problem and marks the feed bozo.
inline void bozo(ParsedFeed& out, std::string problem) {
  out.bozo = true;
  if (out.error.empty()) out.error = std::move(problem);
}

// Nothing could be recovered: `reason` leads the error, the first problem follows.
inline void fail(ParsedFeed& out, std::string reason) {
  out.bozo = true;
  if (!out.error.empty() && out.error != reason) reason += "; " + out.error;
  out.error = std::move(reason);
  out.format = FeedFormat::unknown;
}

// 1-based line and column of a byte offset, "line L, column C".
std::string describe_offset(std::string_view text, std::size_t offset);

}  // namespace wirewatch::connectors::detail
