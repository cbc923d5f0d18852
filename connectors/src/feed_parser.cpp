// parse_feed(): charset → JSON or XML reader → ParsedFeed, never throwing.
#include "wirewatch/connectors/feed_parser.hpp"

#include <new>

#include "feed_parser_detail.hpp"
#include "wirewatch/connectors/charset.hpp"

namespace wirewatch::connectors {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// The first byte that is not white space or a UTF-8 byte order mark.
char first_significant(std::string_view s) {
  if (s.starts_with("\xEF\xBB\xBF")) s.remove_prefix(3);
  for (const char c : s) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return c;
  }
  return '\0';
}

bool mentions_json(std::string_view content_type) {
  std::string ct(content_type.substr(0, content_type.find(';')));
  for (auto& c : ct) c = lower(c);
  return ct.find("json") != std::string::npos;
}

}  // namespace

std::string_view format_name(FeedFormat format) {
  switch (format) {
    case FeedFormat::unknown:
      return "";
    case FeedFormat::rss090:
      return "rss090";
    case FeedFormat::rss091n:
      return "rss091n";
    case FeedFormat::rss091u:
      return "rss091u";
    case FeedFormat::rss092:
      return "rss092";
    case FeedFormat::rss093:
      return "rss093";
    case FeedFormat::rss094:
      return "rss094";
    case FeedFormat::rss20:
      return "rss20";
    case FeedFormat::rss10:
      return "rss10";
    case FeedFormat::rss:
      return "rss";
    case FeedFormat::atom01:
      return "atom01";
    case FeedFormat::atom02:
      return "atom02";
    case FeedFormat::atom03:
      return "atom03";
    case FeedFormat::atom10:
      return "atom10";
    case FeedFormat::atom:
      return "atom";
    case FeedFormat::cdf:
      return "cdf";
    case FeedFormat::json1:
      return "json1";
    case FeedFormat::json11:
      return "json11";
    case FeedFormat::json:
      return "json";
  }
  return "";
}

ParsedFeed parse_feed(std::string_view bytes, const FeedParseOptions& options) {
  ParsedFeed out;
  try {
    const char first = first_significant(bytes);
    if (first == '\0') {
      detail::fail(out, "empty document");
      return out;
    }
    std::string http_charset = options.http_charset;
    if (http_charset.empty()) http_charset = charset_from_content_type(options.content_type);
    const bool json_hint = first == '{' || (first != '<' && mentions_json(options.content_type));
    const CharsetHints hints{http_charset, !json_hint};
    DecodedText decoded = decode_to_utf8(bytes, hints);
    out.charset = decoded.charset;
    if (!decoded.error.empty()) detail::bozo(out, std::move(decoded.error));
    if (first_significant(decoded.text) == '{') {
      detail::parse_json_feed(decoded.text, options, out);
    } else {
      detail::parse_xml_feed(
          std::move(decoded.text), [&] { return decode_to_utf8(bytes, hints).text; }, options, out);
    }
    // Broken beyond use: a feed element, but not one field or entry in it.
    if (out.ok() && out.bozo && out.entries.empty() && out.feed.title.empty() && out.feed.link.empty() &&
        out.feed.description.empty())
      detail::fail(out, "nothing could be recovered");
  } catch (const std::bad_alloc&) {
    out = {};
    detail::fail(out, "out of memory");
  } catch (const std::exception& e) {
    out = {};
    detail::fail(out, std::string("parser error: ") + e.what());
  }
  if (!out.ok()) {
    out.entries.clear();
    out.feed = {};
    out.bozo = true;
    if (out.error.empty()) out.error = "not a feed";
  }
  return out;
}

}  // namespace wirewatch::connectors
