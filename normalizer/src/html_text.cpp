#include "wirewatch/normalizer/html_text.hpp"

#include "dom.hpp"
#include "wirewatch/normalizer/text_normalize.hpp"

namespace wirewatch {
namespace {

using html::Node;
using html::Tag;

bool is_dropped(Tag t) {
  switch (t) {
    case Tag::script:
    case Tag::style:
    case Tag::noscript:
    case Tag::template_:
    case Tag::head:
    case Tag::svg:
    case Tag::math:
    case Tag::iframe:
    case Tag::object:
    case Tag::embed:
    case Tag::canvas:
    case Tag::video:
    case Tag::audio:
    case Tag::select:
    case Tag::textarea:
    case Tag::button:
    case Tag::form:
      return true;
    default:
      return false;
  }
}

class Collector {
 public:
  void walk(const Node* n) {
    for (const Node* c = n->first_child; c; c = c->next) {
      if (c->is_text()) {
        current_ += c->text;
        pending_br_ = 0;
        continue;
      }
      if (is_dropped(c->tag)) continue;
      if (c->tag == Tag::br) {
        // One <br> is a space inside a paragraph; two in a row end it.
        if (++pending_br_ >= 2)
          flush();
        else
          current_ += ' ';
        continue;
      }
      const bool block = !html::is_inline(c->tag);
      if (block) flush();
      walk(c);
      if (block) flush();
    }
  }

  std::vector<std::string> take() {
    flush();
    return std::move(paragraphs_);
  }

 private:
  void flush() {
    pending_br_ = 0;
    auto p = normalize_paragraph(current_);
    current_.clear();
    if (!p.empty()) paragraphs_.push_back(std::move(p));
  }

  std::string current_;
  int pending_br_ = 0;
  std::vector<std::string> paragraphs_;
};

}  // namespace

std::vector<std::string> html_to_paragraphs(std::string_view html) {
  html::Document doc;
  html::parse_html(html, HtmlParser::libxml2, doc);
  Collector c;
  c.walk(doc.root());
  return c.take();
}

}  // namespace wirewatch
