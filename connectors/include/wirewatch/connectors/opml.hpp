#pragma once
// OPML subscription lists → feed sources for a `sources_dir` YAML file.

#include <string>
#include <string_view>
#include <vector>

namespace wirewatch::connectors {

struct OpmlFeed {
  std::string title;     // text= or title= of the outline (plain text)
  std::string xml_url;   // xmlUrl=
  std::string html_url;  // htmlUrl= (may be empty)
  std::string category;  // titles of the enclosing outlines, joined with " / "
};

struct OpmlResult {
  std::vector<OpmlFeed> feeds;  // in document order, duplicate URLs dropped
  std::string error;            // set when the file is not OPML at all
  bool ok() const { return error.empty(); }
};

// Reads OPML 1.0/2.0 in any charset (charset.hpp), recovering from the same
// breakage as the feed parser. Only http and https feed URLs are kept.
OpmlResult parse_opml(std::string_view bytes);

// A source id from a title (or the URL when the title has no ASCII letters or
// digits): lowercase [a-z0-9] runs joined with '-', at most 48 characters.
std::string source_slug(std::string_view title, std::string_view url);

// A `sources:` YAML list: for each feed `id: <prefix><slug>` (made unique with
// -2, -3, ...), `type: feed`, `url:`, `interval: 5m`, `articles: false`, each
// preceded by a comment with its title.
std::string sources_yaml(const std::vector<OpmlFeed>& feeds, std::string_view id_prefix);

}  // namespace wirewatch::connectors
