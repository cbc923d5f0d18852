#pragma once
// A small HTML tree that both parser front ends (libxml2, gumbo) build and the
// extractor reads. Internal to the normalizer.

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "wirewatch/normalizer/extract.hpp"

namespace wirewatch::html {

enum class Tag : std::uint8_t {
  text,  // a text node
  unknown,
  // document
  html,
  head,
  body,
  title,
  meta,
  link,
  base,
  script,
  style,
  noscript,
  template_,
  // sectioning and blocks
  article,
  main,
  section,
  nav,
  aside,
  header,
  footer,
  address,
  div,
  p,
  hr,
  pre,
  blockquote,
  center,
  details,
  summary,
  dialog,
  menu,
  figure,
  figcaption,
  hgroup,
  h1,
  h2,
  h3,
  h4,
  h5,
  h6,
  ul,
  ol,
  li,
  dl,
  dt,
  dd,
  table,
  caption,
  thead,
  tbody,
  tfoot,
  tr,
  td,
  th,
  form,
  fieldset,
  legend,
  label,
  input,
  button,
  select,
  option,
  optgroup,
  textarea,
  output,
  // embedded
  img,
  picture,
  source,
  svg,
  math,
  iframe,
  frame,
  frameset,
  object,
  embed,
  canvas,
  video,
  audio,
  map,
  area,
  track,
  // inline
  a,
  abbr,
  b,
  bdi,
  bdo,
  big,
  br,
  cite,
  code,
  data,
  del,
  dfn,
  em,
  font,
  i,
  ins,
  kbd,
  mark,
  nobr,
  q,
  s,
  samp,
  small,
  span,
  strike,
  strong,
  sub,
  sup,
  time,
  tt,
  u,
  var,
  wbr,
  acronym,
  ruby,
  rt,
  rp,
  marquee,
  blink,
  count_
};

Tag tag_from_name(std::string_view lowercase_name);
bool is_inline(Tag t);
inline bool is_heading(Tag t) { return t >= Tag::h1 && t <= Tag::h6; }

struct Attribute {
  std::string name;  // lowercase
  std::string value;
};

struct Node {
  Tag tag = Tag::text;
  bool removed = false;  // dropped by the cleaner: it and its subtree are not text
  std::string text;      // text nodes: the text as parsed (entities decoded)
  std::vector<Attribute> attrs;
  Node* parent = nullptr;
  Node* first_child = nullptr;
  Node* last_child = nullptr;
  Node* next = nullptr;
  // Filled by the extractor.
  std::uint32_t text_len = 0;    // non-space bytes of text below
  std::uint32_t link_len = 0;    // of which inside <a>
  std::uint32_t good_len = 0;    // of which in paragraphs that read as prose
  std::uint32_t paragraphs = 0;  // prose paragraphs below
  std::uint32_t prose_hint = 0;  // text in <p> and in long text runs below, before cleaning

  bool is_text() const { return tag == Tag::text; }
  // The attribute's value; empty when absent.
  std::string_view attr(std::string_view name) const;
  bool has_attr(std::string_view name) const;
};

class Document {
 public:
  Document();
  Node* root() { return root_; }
  const Node* root() const { return root_; }
  // Appends an element or text node as the last child of `parent`.
  Node* append_element(Node* parent, Tag tag);
  // Appends text; merges with a preceding text sibling.
  void append_text(Node* parent, std::string_view text);
  std::size_t size() const { return nodes_.size(); }
  // Clears what the extractor marked and counted, for another try.
  void reset_analysis();

 private:
  std::deque<Node> nodes_;
  Node* root_;
};

// Attributes kept by the front ends (the others are of no use to the extractor).
bool is_kept_attribute(std::string_view lowercase_name);

// Parses UTF-8 HTML. Never fails: every parser recovers from any input.
void parse_libxml2(std::string_view utf8, Document& doc);
void parse_gumbo(std::string_view utf8, Document& doc);
inline void parse_html(std::string_view utf8, HtmlParser parser, Document& doc) {
  if (parser == HtmlParser::gumbo)
    parse_gumbo(utf8, doc);
  else
    parse_libxml2(utf8, doc);
}

}  // namespace wirewatch::html
