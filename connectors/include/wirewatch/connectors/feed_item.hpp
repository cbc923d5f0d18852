#pragma once
// One entry of a parsed feed (RSS, Atom, RDF, CDF or JSON Feed), and the key by
// which wirewatch decides whether it has seen the entry before.

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "wirewatch/common/time.hpp"

namespace wirewatch::connectors {

struct FeedItem {
  std::string feed_id;  // the source id the feed was read for (FeedParseOptions::feed_id)
  std::string guid;     // RSS guid, RDF rdf:about, Atom id, JSON Feed id; may be empty
  std::string link;     // absolute when a base (xml:base or the feed URL) allowed resolving it
  std::string title;    // plain text: entities decoded, tags stripped, whitespace collapsed
  std::string summary;  // HTML kept (description, atom:summary, media:description)
  std::string content;  // HTML kept (content:encoded, atom:content, content_html)
  // published: pubDate, dcterms:issued, atom:published (0.3 issued/created), date_published.
  // updated: dc:date, dcterms:modified, atom:updated (0.3 modified), date_modified, CDF LASTMOD.
  std::optional<TimePoint> published;
  std::optional<TimePoint> updated;
  std::vector<std::string> authors;     // plain text
  std::vector<std::string> categories;  // plain text

  // The item's date for a record: published when known, else updated.
  std::optional<TimePoint> date() const { return published ? published : updated; }
};

// The key of one item taken alone: its guid, or "sha256:" + 32 hex digits of
// SHA-256(link + '\n' + title) when the guid is empty.
std::string item_key(const FeedItem& item);

// The link + title key, whatever the guid.
std::string item_hash_key(const FeedItem& item);

// Keys for every item of one feed, in order: item_key(), except that items whose
// guid occurs more than once in the feed are keyed by item_hash_key() (all of
// them, so the keys do not depend on the order of the items).
std::vector<std::string> item_keys(std::span<const FeedItem> items);

}  // namespace wirewatch::connectors
