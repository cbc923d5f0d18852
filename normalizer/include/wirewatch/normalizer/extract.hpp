#pragma once
// Article extraction: an HTML page in, the article's record text and metadata out.
//
//   ExtractOptions options;
//   options.url = fetch.final_url;          // the page's address
//   options.charset = fetch.header_charset; // charset= of Content-Type, if any
//   auto result = extract_article(fetch.body, options);
//   if (auto* article = std::get_if<Article>(&result)) { ... article->text ... }
//
// The page is decoded to UTF-8 (BOM, HTTP charset, <meta charset>, http-equiv;
// see charset.hpp), parsed with a real HTML parser, and its main text found from
// what the page says about itself (JSON-LD, OpenGraph, <article>, <main>,
// itemprop=articleBody) and from text and link density. Navigation, share and
// subscribe blocks, related-article lists, comments, cookie banners, captions and
// bylines are dropped. Every paragraph is normalized (text_normalize.hpp).
// Thread-safe: no shared state.

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "wirewatch/common/time.hpp"
#include "wirewatch/normalizer/record.hpp"

namespace wirewatch {

// The two Debian HTML parsers behind the extractor. libxml2 is the default: it
// scores the same and runs faster on the dev set (docs/extraction.md).
enum class HtmlParser { libxml2, gumbo };

struct ExtractOptions {
  std::string url;      // the page's address after redirects; may be empty
  std::string charset;  // charset parameter of the HTTP Content-Type header; empty when none
  // From the feed item, used when the page does not say.
  std::string fallback_title;
  std::optional<TimePoint> fallback_published;
  std::string fallback_author;
  HtmlParser parser = HtmlParser::libxml2;
};

struct Article {
  RecordText text;  // title and paragraphs; no paragraph contains a line break
  // canonicalize_url of <link rel=canonical> when it names the same site, else of
  // options.url; empty when neither is a usable http(s) URL.
  std::string canonical_url;
  std::optional<TimePoint> published;  // JSON-LD, meta, <time datetime>, else the fallback
  std::string author;                  // empty when unknown
  std::string language;                // lowercase primary subtag ("en", "ru"); empty when unknown
  std::string site_name;               // og:site_name or JSON-LD publisher; may be empty
  std::string charset;                 // what the page was decoded from, e.g. "windows-1251"
};

enum class ExtractFailure {
  not_html,      // binary, empty, or no markup at all
  no_main_text,  // parsed, but nothing that reads as an article
};

struct ExtractError {
  ExtractFailure kind = ExtractFailure::no_main_text;
  std::string message;  // one line, for logs and `wirewatch extract`'s stderr
};

std::variant<Article, ExtractError> extract_article(std::string_view html,
                                                    const ExtractOptions& options = {});

}  // namespace wirewatch
