#include "dom.hpp"

#include <algorithm>
#include <array>
#include <unordered_map>

namespace wirewatch::html {
namespace {

struct TagName {
  std::string_view name;
  Tag tag;
};

constexpr TagName kTags[] = {
    {"html", Tag::html},
    {"head", Tag::head},
    {"body", Tag::body},
    {"title", Tag::title},
    {"meta", Tag::meta},
    {"link", Tag::link},
    {"base", Tag::base},
    {"script", Tag::script},
    {"style", Tag::style},
    {"noscript", Tag::noscript},
    {"template", Tag::template_},
    {"article", Tag::article},
    {"main", Tag::main},
    {"section", Tag::section},
    {"nav", Tag::nav},
    {"aside", Tag::aside},
    {"header", Tag::header},
    {"footer", Tag::footer},
    {"address", Tag::address},
    {"div", Tag::div},
    {"p", Tag::p},
    {"hr", Tag::hr},
    {"pre", Tag::pre},
    {"blockquote", Tag::blockquote},
    {"center", Tag::center},
    {"details", Tag::details},
    {"summary", Tag::summary},
    {"dialog", Tag::dialog},
    {"menu", Tag::menu},
    {"figure", Tag::figure},
    {"figcaption", Tag::figcaption},
    {"hgroup", Tag::hgroup},
    {"h1", Tag::h1},
    {"h2", Tag::h2},
    {"h3", Tag::h3},
    {"h4", Tag::h4},
    {"h5", Tag::h5},
    {"h6", Tag::h6},
    {"ul", Tag::ul},
    {"ol", Tag::ol},
    {"li", Tag::li},
    {"dl", Tag::dl},
    {"dt", Tag::dt},
    {"dd", Tag::dd},
    {"table", Tag::table},
    {"caption", Tag::caption},
    {"thead", Tag::thead},
    {"tbody", Tag::tbody},
    {"tfoot", Tag::tfoot},
    {"tr", Tag::tr},
    {"td", Tag::td},
    {"th", Tag::th},
    {"form", Tag::form},
    {"fieldset", Tag::fieldset},
    {"legend", Tag::legend},
    {"label", Tag::label},
    {"input", Tag::input},
    {"button", Tag::button},
    {"select", Tag::select},
    {"option", Tag::option},
    {"optgroup", Tag::optgroup},
    {"textarea", Tag::textarea},
    {"output", Tag::output},
    {"img", Tag::img},
    {"picture", Tag::picture},
    {"source", Tag::source},
    {"svg", Tag::svg},
    {"math", Tag::math},
    {"iframe", Tag::iframe},
    {"frame", Tag::frame},
    {"frameset", Tag::frameset},
    {"object", Tag::object},
    {"embed", Tag::embed},
    {"canvas", Tag::canvas},
    {"video", Tag::video},
    {"audio", Tag::audio},
    {"map", Tag::map},
    {"area", Tag::area},
    {"track", Tag::track},
    {"a", Tag::a},
    {"abbr", Tag::abbr},
    {"b", Tag::b},
    {"bdi", Tag::bdi},
    {"bdo", Tag::bdo},
    {"big", Tag::big},
    {"br", Tag::br},
    {"cite", Tag::cite},
    {"code", Tag::code},
    {"data", Tag::data},
    {"del", Tag::del},
    {"dfn", Tag::dfn},
    {"em", Tag::em},
    {"font", Tag::font},
    {"i", Tag::i},
    {"ins", Tag::ins},
    {"kbd", Tag::kbd},
    {"mark", Tag::mark},
    {"nobr", Tag::nobr},
    {"q", Tag::q},
    {"s", Tag::s},
    {"samp", Tag::samp},
    {"small", Tag::small},
    {"span", Tag::span},
    {"strike", Tag::strike},
    {"strong", Tag::strong},
    {"sub", Tag::sub},
    {"sup", Tag::sup},
    {"time", Tag::time},
    {"tt", Tag::tt},
    {"u", Tag::u},
    {"var", Tag::var},
    {"wbr", Tag::wbr},
    {"acronym", Tag::acronym},
    {"ruby", Tag::ruby},
    {"rt", Tag::rt},
    {"rp", Tag::rp},
    {"marquee", Tag::marquee},
    {"blink", Tag::blink},
};

const std::unordered_map<std::string_view, Tag>& tag_map() {
  static const auto* map = [] {
    auto* m = new std::unordered_map<std::string_view, Tag>();
    for (const auto& t : kTags) m->emplace(t.name, t.tag);
    return m;
  }();
  return *map;
}

constexpr std::string_view kKeptAttributes[] = {
    "id",          "class",    "itemprop", "itemtype", "role",       "style",   "hidden",
    "aria-hidden", "href",     "rel",      "property", "name",       "content", "charset",
    "http-equiv",  "datetime", "lang",     "type",     "aria-label", "xml:lang"};

}  // namespace

Tag tag_from_name(std::string_view name) {
  const auto& m = tag_map();
  auto it = m.find(name);
  return it == m.end() ? Tag::unknown : it->second;
}

bool is_inline(Tag t) {
  return t == Tag::text || (t >= Tag::a && t <= Tag::blink) || t == Tag::label || t == Tag::img ||
         t == Tag::picture || t == Tag::source;
}

bool is_kept_attribute(std::string_view name) {
  return std::find(std::begin(kKeptAttributes), std::end(kKeptAttributes), name) != std::end(kKeptAttributes);
}

std::string_view Node::attr(std::string_view name) const {
  for (const auto& a : attrs)
    if (a.name == name) return a.value;
  return {};
}

bool Node::has_attr(std::string_view name) const {
  for (const auto& a : attrs)
    if (a.name == name) return true;
  return false;
}

Document::Document() {
  nodes_.emplace_back();
  root_ = &nodes_.back();
  root_->tag = Tag::unknown;  // the document node
}

Node* Document::append_element(Node* parent, Tag tag) {
  nodes_.emplace_back();
  Node* n = &nodes_.back();
  n->tag = tag;
  n->parent = parent;
  if (parent->last_child)
    parent->last_child->next = n;
  else
    parent->first_child = n;
  parent->last_child = n;
  return n;
}

void Document::reset_analysis() {
  for (auto& n : nodes_) {
    n.removed = false;
    n.text_len = n.link_len = n.good_len = n.paragraphs = n.prose_hint = 0;
  }
}

void Document::append_text(Node* parent, std::string_view text) {
  if (text.empty()) return;
  if (parent->last_child && parent->last_child->is_text()) {
    parent->last_child->text.append(text);
    return;
  }
  append_element(parent, Tag::text)->text.assign(text);
}

}  // namespace wirewatch::html
