// The libxml2 front end: its HTML parser (the one lxml, and so readability and
// trafilatura, use) driven through SAX, building the small tree directly.
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

#include <cstring>
#include <limits>
#include <memory>
#include <mutex>

#include "dom.hpp"

namespace wirewatch::html {
namespace {

constexpr std::size_t kMaxDepth = 400;

struct Builder {
  Document* doc;
  std::vector<std::pair<std::string, Node*>> stack;  // open elements: name, node
  std::size_t flattened = 0;                         // elements opened beyond kMaxDepth, not in the stack

  Node* current() { return stack.empty() ? doc->root() : stack.back().second; }
};

std::string_view sv(const xmlChar* s) {
  return s ? std::string_view(reinterpret_cast<const char*>(s)) : std::string_view();
}

bool keeps_text(const Node* n) {
  if (n->tag == Tag::style) return false;
  if (n->tag == Tag::script) return n->attr("type").find("ld+json") != std::string_view::npos;
  return true;
}

void on_start(void* ctx, const xmlChar* name, const xmlChar** atts) {
  auto* b = static_cast<Builder*>(ctx);
  if (b->stack.size() >= kMaxDepth) {
    ++b->flattened;
    return;
  }
  std::string_view n = sv(name);
  Node* node = b->doc->append_element(b->current(), tag_from_name(n));
  if (atts) {
    for (std::size_t i = 0; atts[i]; i += 2) {
      std::string_view an = sv(atts[i]);
      if (!is_kept_attribute(an)) continue;
      node->attrs.push_back({std::string(an), std::string(sv(atts[i + 1]))});
    }
  }
  b->stack.emplace_back(std::string(n), node);
}

void on_end(void* ctx, const xmlChar* name) {
  auto* b = static_cast<Builder*>(ctx);
  if (b->flattened) {
    --b->flattened;
    return;
  }
  std::string_view n = sv(name);
  for (std::size_t i = b->stack.size(); i-- > 0;) {
    if (b->stack[i].first == n) {
      b->stack.resize(i);
      return;
    }
  }
}

void on_text(void* ctx, const xmlChar* ch, int len) {
  auto* b = static_cast<Builder*>(ctx);
  Node* cur = b->current();
  if (!keeps_text(cur) || len <= 0) return;
  b->doc->append_text(cur,
                      std::string_view(reinterpret_cast<const char*>(ch), static_cast<std::size_t>(len)));
}

struct CtxtDeleter {
  void operator()(htmlParserCtxtPtr p) const { htmlFreeParserCtxt(p); }
};

}  // namespace

void parse_libxml2(std::string_view utf8, Document& doc) {
  // libxml2 wants its global state set up once before threads use it.
  static std::once_flag init;
  std::call_once(init, [] { xmlInitParser(); });
  htmlSAXHandler sax;
  std::memset(&sax, 0, sizeof sax);
  sax.startElement = on_start;
  sax.endElement = on_end;
  sax.characters = on_text;
  sax.cdataBlock = on_text;
  sax.ignorableWhitespace = on_text;
  sax.initialized = 1;

  Builder builder{&doc, {}, 0};
  builder.stack.reserve(64);
  std::unique_ptr<htmlParserCtxt, CtxtDeleter> ctxt(
      htmlCreatePushParserCtxt(&sax, &builder, nullptr, 0, nullptr, XML_CHAR_ENCODING_UTF8));
  if (!ctxt) return;
  htmlCtxtUseOptions(ctxt.get(), HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                     HTML_PARSE_NONET | HTML_PARSE_IGNORE_ENC | HTML_PARSE_NODEFDTD);
  // libxml2 takes an int length: feed very large inputs in chunks.
  constexpr std::size_t kChunk = 1 << 30;
  std::size_t pos = 0;
  do {
    std::size_t n = std::min(kChunk, utf8.size() - pos);
    bool last = pos + n >= utf8.size();
    htmlParseChunk(ctxt.get(), utf8.data() + pos, static_cast<int>(n), last ? 1 : 0);
    pos += n;
  } while (pos < utf8.size());
}

}  // namespace wirewatch::html
