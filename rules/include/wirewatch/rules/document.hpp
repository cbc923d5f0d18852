#pragma once
// The narrow interface through which the matcher reads a record: fields by id.
// Keeping the matcher off the concrete Record type lets it be tested with plain
// strings and reused for other inputs.

#include <cstdint>
#include <string>
#include <string_view>

namespace wirewatch::rules {

// The fields whose words queries match, and that hits point into.
enum class Field : std::uint8_t { title, body, url, author };

std::string_view field_name(Field f);  // "title" / "body" / "url" / "author"

class Document {
 public:
  virtual ~Document() = default;
  // The text of Field::title or Field::body exactly as written in the record file;
  // for the body that is the paragraphs joined by one blank line ("\n\n"). Offsets
  // in hits count code points into these strings. The matcher calls it only with
  // title and body; the other fields have their own accessors below.
  virtual std::string_view text(Field f) const = 0;

  // The record's canonical URL (`url:` matches its words); empty when unknown.
  virtual std::string_view url() const { return {}; }
  // The host `site:` compares with (`site:belta.by` matches belta.by and its
  // subdomains). By default the host part of url().
  virtual std::string_view host() const;
  // The author line, e.g. "Jane Doe, John Roe" (`author:` matches its words).
  virtual std::string_view author() const { return {}; }
  // The id of the source the record came from (`source:` and a rule's `sources:`).
  virtual std::string_view source_id() const { return {}; }
  // The record's language as a BCP 47 tag such as `ru` or `en-GB` (`lang:`).
  virtual std::string_view lang() const { return {}; }
};

// The host of an absolute URL (`https://news.belta.by:443/x` -> `news.belta.by`),
// as a view into `url`; empty when there is none.
std::string_view host_of_url(std::string_view url);

// Every field of a document, for TextDocument.
struct DocumentFields {
  std::string title;
  std::string body;
  std::string url;
  std::string host;  // empty: the host of `url`
  std::string author;
  std::string source_id;
  std::string lang;
};

// A Document over owned strings: title and body, and optionally the other fields.
class TextDocument final : public Document {
 public:
  TextDocument(std::string title, std::string body) {
    f_.title = std::move(title);
    f_.body = std::move(body);
  }
  explicit TextDocument(DocumentFields fields) : f_(std::move(fields)) {}

  std::string_view text(Field f) const override {
    switch (f) {
      case Field::title:
        return f_.title;
      case Field::body:
        return f_.body;
      case Field::url:
        return f_.url;
      case Field::author:
        return f_.author;
    }
    return {};
  }
  std::string_view url() const override { return f_.url; }
  std::string_view host() const override {
    return f_.host.empty() ? host_of_url(f_.url) : std::string_view(f_.host);
  }
  std::string_view author() const override { return f_.author; }
  std::string_view source_id() const override { return f_.source_id; }
  std::string_view lang() const override { return f_.lang; }

  TextDocument& set_url(std::string v) { return f_.url = std::move(v), *this; }
  TextDocument& set_host(std::string v) { return f_.host = std::move(v), *this; }
  TextDocument& set_author(std::string v) { return f_.author = std::move(v), *this; }
  TextDocument& set_source_id(std::string v) { return f_.source_id = std::move(v), *this; }
  TextDocument& set_lang(std::string v) { return f_.lang = std::move(v), *this; }

  const DocumentFields& fields() const { return f_; }

 private:
  DocumentFields f_;
};

}  // namespace wirewatch::rules
