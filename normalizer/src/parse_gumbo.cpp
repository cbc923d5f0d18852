// The gumbo front end: HTML5 tree construction, the tree then copied over.
#include <gumbo.h>

#include <memory>

#include "dom.hpp"

namespace wirewatch::html {
namespace {

constexpr std::size_t kMaxDepth = 400;

struct OutputDeleter {
  void operator()(GumboOutput* out) const { gumbo_destroy_output(&kGumboDefaultOptions, out); }
};

bool keeps_text(const Node* n) {
  if (n->tag == Tag::style) return false;
  if (n->tag == Tag::script) return n->attr("type").find("ld+json") != std::string_view::npos;
  return true;
}

void convert(const GumboNode* g, Node* parent, Document& doc, std::size_t depth) {
  const GumboVector* children = nullptr;
  Node* self = parent;
  if (g->type == GUMBO_NODE_ELEMENT || g->type == GUMBO_NODE_TEMPLATE) {
    const GumboElement& e = g->v.element;
    Tag tag = Tag::unknown;
    if (e.tag != GUMBO_TAG_UNKNOWN) tag = tag_from_name(gumbo_normalized_tagname(e.tag));
    if (depth < kMaxDepth) {
      self = doc.append_element(parent, tag);
      for (unsigned i = 0; i < e.attributes.length; ++i) {
        const auto* a = static_cast<const GumboAttribute*>(e.attributes.data[i]);
        if (is_kept_attribute(a->name)) self->attrs.push_back({a->name, a->value});
      }
    }
    children = &e.children;
  } else if (g->type == GUMBO_NODE_DOCUMENT) {
    children = &g->v.document.children;
  } else if (g->type == GUMBO_NODE_TEXT || g->type == GUMBO_NODE_WHITESPACE || g->type == GUMBO_NODE_CDATA) {
    if (keeps_text(parent)) doc.append_text(parent, g->v.text.text);
    return;
  } else {
    return;  // comments
  }
  for (unsigned i = 0; i < children->length; ++i)
    convert(static_cast<const GumboNode*>(children->data[i]), self, doc, depth + 1);
}

}  // namespace

void parse_gumbo(std::string_view utf8, Document& doc) {
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 0;
  std::unique_ptr<GumboOutput, OutputDeleter> out(
      gumbo_parse_with_options(&options, utf8.data(), utf8.size()));
  if (!out) return;
  convert(out->document, doc.root(), doc, 0);
}

}  // namespace wirewatch::html
