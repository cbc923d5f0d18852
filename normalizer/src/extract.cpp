#include "wirewatch/normalizer/extract.hpp"

#include "content.hpp"
#include "dom.hpp"
#include "metadata.hpp"
#include "wirewatch/common/text.hpp"
#include "wirewatch/normalizer/charset.hpp"
#include "wirewatch/normalizer/language.hpp"
#include "wirewatch/normalizer/text_normalize.hpp"
#include "wirewatch/normalizer/title.hpp"
#include "wirewatch/normalizer/url.hpp"

namespace wirewatch {
namespace {

constexpr std::string_view kNotHtml = "not HTML";
constexpr std::string_view kNoMainText = "no main text found";
constexpr std::size_t kMinMainText = 40;  // code points of body text

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// Whether the text has markup: some HTML tag in its first 256 KiB.
bool looks_like_html(std::string_view text) {
  static constexpr std::string_view kTags[] = {
      "html",    "head",  "body", "p",  "div",  "title",   "meta",          "br", "a",  "span",
      "article", "table", "h1",   "h2", "main", "section", "!doctype html", "ul", "li", "script",
      "link",    "font",  "b",    "i"};
  text = text.substr(0, 256 * 1024);
  for (std::size_t pos = text.find('<'); pos != std::string_view::npos; pos = text.find('<', pos + 1)) {
    for (auto tag : kTags) {
      if (pos + 1 + tag.size() >= text.size()) continue;
      std::size_t k = 0;
      while (k < tag.size() && lower(text[pos + 1 + k]) == tag[k]) ++k;
      if (k < tag.size()) continue;
      char next = text[pos + 1 + k];
      if (next == '>' || next == ' ' || next == '\n' || next == '\t' || next == '\r' || next == '/')
        return true;
    }
  }
  return false;
}

bool looks_binary(std::string_view bytes) {
  if (bytes.starts_with("\xFF\xFE") || bytes.starts_with("\xFE\xFF")) return false;
  auto head = bytes.substr(0, 4096);
  std::size_t controls = 0;
  for (unsigned char c : head) {
    if (c == 0) return true;
    if (c < 0x09 || (c > 0x0D && c < 0x20)) ++controls;
  }
  return controls * 20 > head.size();
}

std::size_t body_length(const std::vector<std::string>& paragraphs) {
  std::size_t n = 0;
  for (const auto& p : paragraphs) n += code_point_count(p);
  return n;
}

std::string choose_title(const html::PageMeta& meta, const ExtractOptions& options) {
  std::string raw;
  for (const std::string* t : {&meta.og_title, &meta.ld_headline, &meta.h1, &meta.html_title}) {
    if (!t->empty()) {
      raw = *t;
      break;
    }
  }
  if (raw.empty()) raw = options.fallback_title;
  std::string title = strip_site_name(raw, meta.site_name, options.url);
  // og:title sometimes carries a longer form of the <h1>: prefer the <h1> when
  // the title starts with it ("Headline | Section" minus the site).
  return title;
}

}  // namespace

std::variant<Article, ExtractError> extract_article(std::string_view bytes, const ExtractOptions& options) {
  if (bytes.empty() || looks_binary(bytes))
    return ExtractError{ExtractFailure::not_html, std::string(kNotHtml)};
  DecodedText decoded = decode_to_utf8(bytes, options.charset);
  if (!looks_like_html(decoded.utf8))
    return ExtractError{ExtractFailure::not_html, std::string(kNotHtml) + ": no markup"};

  html::Document doc;
  html::parse_html(decoded.utf8, options.parser, doc);
  html::PageMeta meta = html::read_metadata(doc);

  Article article;
  article.charset = decoded.charset;
  article.text.title = choose_title(meta, options);
  auto content = html::extract_content(doc, meta, article.text.title);
  article.text.paragraphs = std::move(content.paragraphs);

  // The page's own JSON-LD articleBody, when the markup gave much less.
  std::size_t found = body_length(article.text.paragraphs);
  if (!meta.ld_body.empty()) {
    std::size_t ld_len = code_point_count(meta.ld_body);
    if (ld_len > 2 * found + 200) {
      std::vector<std::string> paragraphs;
      std::string_view rest = meta.ld_body;
      while (!rest.empty()) {
        auto nl = rest.find('\n');
        paragraphs.emplace_back(rest.substr(0, nl));
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
      }
      article.text.paragraphs = normalize_paragraphs(paragraphs);
      found = body_length(article.text.paragraphs);
    }
  }
  if (found < kMinMainText) return ExtractError{ExtractFailure::no_main_text, std::string(kNoMainText)};
  if (article.text.title.empty()) article.text.title = article.text.paragraphs.front();

  // Metadata.
  std::string page_url = options.url;
  if (!meta.canonical.empty() && !page_url.empty()) {
    if (auto resolved = resolve_url(page_url, meta.canonical); resolved && same_site(*resolved, page_url))
      page_url = *resolved;
  }
  if (auto canonical = canonicalize_url(page_url))
    article.canonical_url = *canonical;
  else if (auto fallback = canonicalize_url(options.url))
    article.canonical_url = *fallback;
  article.published = meta.published ? meta.published : options.fallback_published;
  article.author = meta.author.empty() ? normalize_paragraph(options.fallback_author) : meta.author;
  article.site_name = meta.site_name;
  article.language = meta.language;
  if (article.language.empty()) {
    std::string sample;
    for (const auto& p : article.text.paragraphs) {
      if (sample.size() > 4000) break;
      sample += p;
      sample += ' ';
    }
    article.language = detect_language(sample);
  }
  return article;
}

}  // namespace wirewatch
