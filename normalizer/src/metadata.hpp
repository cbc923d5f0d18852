#pragma once
// What a page says about itself: <title>, OpenGraph and other meta tags, JSON-LD,
// <link rel=canonical>, <html lang>, <time datetime>. Internal to the normalizer.

#include <optional>
#include <string>

#include "dom.hpp"
#include "wirewatch/common/time.hpp"

namespace wirewatch::html {

struct PageMeta {
  std::string html_title;   // <title>
  std::string og_title;     // og:title, else twitter:title
  std::string ld_headline;  // JSON-LD headline of an Article-like object
  std::string ld_body;      // JSON-LD articleBody
  std::string h1;           // the first <h1>'s text
  std::string site_name;    // og:site_name, JSON-LD publisher name, application-name
  std::string canonical;    // <link rel=canonical href>, as written
  std::string author;
  std::string language;  // normalized primary subtag
  std::optional<TimePoint> published;
  bool article_type = false;  // og:type article or a JSON-LD Article-like object
};

PageMeta read_metadata(const Document& doc);

// The text of a subtree (no removed nodes), whitespace collapsed.
std::string node_text(const Node* n);

}  // namespace wirewatch::html
