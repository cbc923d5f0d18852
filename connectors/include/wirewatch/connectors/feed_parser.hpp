#pragma once
// Feed bytes → ParsedFeed. RSS 0.90–2.0, RSS 1.0 (RDF), Atom 0.3 and 1.0, CDF and
// JSON Feed 1.0/1.1, from whatever character set the bytes are in (charset.hpp),
// recovering from the usual breakage (undeclared HTML entities, stray `&`,
// control characters, unclosed tags, truncated bodies) and saying so with
// `bozo`. Never throws on any input; external entities are never loaded.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wirewatch/common/time.hpp"
#include "wirewatch/connectors/feed_item.hpp"

namespace wirewatch::connectors {

// feedparser's version names (feedparser.SUPPORTED_VERSIONS plus its JSON names).
enum class FeedFormat {
  unknown,  // nothing could be recovered
  rss090,
  rss091n,  // RSS 0.91 with Netscape's DOCTYPE
  rss091u,
  rss092,
  rss093,
  rss094,
  rss20,
  rss10,
  rss,  // RSS of a version that cannot be told
  atom01,
  atom02,
  atom03,
  atom10,
  atom,  // Atom of a version that cannot be told
  cdf,
  json1,   // JSON Feed 1.0
  json11,  // JSON Feed 1.1
  json,    // JSON Feed of a version that cannot be told
};

// "rss20", "atom10", ... ("" for unknown).
std::string_view format_name(FeedFormat format);

struct FeedParseOptions {
  std::string base_url;       // the feed's URL: the base for relative links (may be empty)
  std::string http_charset;   // charset= of the HTTP Content-Type (may be empty)
  std::string content_type;   // the HTTP Content-Type (may be empty); a hint only
  std::string feed_id;        // copied into every FeedItem::feed_id
  std::size_t max_items = 0;  // items kept, in document order; the rest are counted, not built. 0: all
};

struct FeedMeta {
  std::string title;        // plain text
  std::string link;         // the site's page (not the feed's own URL)
  std::string description;  // HTML kept
  std::string language;     // e.g. "ru", "en-us"
  std::optional<TimePoint> updated;
};

struct ParsedFeed {
  FeedFormat format = FeedFormat::unknown;
  FeedMeta feed;
  std::vector<FeedItem> entries;  // in document order
  std::size_t items_dropped = 0;  // items past FeedParseOptions::max_items
  // True when the bytes were not a well-formed feed (wrong charset, undeclared
  // entity, broken XML, truncated JSON, ...) and something was recovered anyway,
  // or when nothing could be recovered (then ok() is false).
  bool bozo = false;
  std::string error;    // the first problem found; empty when !bozo
  std::string charset;  // what the bytes were read as, e.g. "utf-8", "windows-1251"

  // Something was recovered: a feed was recognised. When false, `error` says why.
  bool ok() const { return format != FeedFormat::unknown; }
};

ParsedFeed parse_feed(std::string_view bytes, const FeedParseOptions& options = {});

}  // namespace wirewatch::connectors
