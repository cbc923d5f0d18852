#pragma once
// The narrow interface through which the matcher reads a record: text fields by id.
// Keeping the matcher off the concrete Record type lets it be tested with plain
// strings and reused for other inputs.

#include <string>
#include <string_view>

namespace wirewatch::rules {

enum class Field { title, body };

std::string_view field_name(Field f);  // "title" / "body"

class Document {
 public:
  virtual ~Document() = default;
  // The field's text exactly as written in the record file; for the body that is
  // the paragraphs joined by one blank line ("\n\n"). Offsets in hits count code
  // points into these strings.
  virtual std::string_view text(Field f) const = 0;
};

// A Document over two owned strings.
class TextDocument final : public Document {
 public:
  TextDocument(std::string title, std::string body)
      : title_(std::move(title)), body_(std::move(body)) {}
  std::string_view text(Field f) const override { return f == Field::title ? title_ : body_; }

 private:
  std::string title_;
  std::string body_;
};

}  // namespace wirewatch::rules
