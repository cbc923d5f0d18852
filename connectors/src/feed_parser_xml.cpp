// RSS 0.90–2.0, RSS 1.0 (RDF), Atom 0.3/1.0 and CDF from a pugixml tree.
#include <array>
#include <cstring>
#include <functional>
#include <pugixml.hpp>
#include <vector>

#include "feed_parser_detail.hpp"
#include "wirewatch/connectors/dates.hpp"

namespace wirewatch::connectors::detail {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = lower(c);
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.remove_suffix(1);
  return s;
}

// ---- namespaces ---------------------------------------------------------------

enum class Ns : std::uint8_t {
  none,   // no namespace
  other,  // a namespace wirewatch does not read
  atom10,
  atom03,
  rss10,
  rss090,
  userland,  // RSS 2.0 / 0.91 namespaces some feeds declare
  rdf,
  dc,
  dcterms,
  content,
  media,
  xhtml,
  xml,
};

struct KnownNs {
  std::string_view uri;
  Ns ns;
};

constexpr KnownNs kNamespaces[] = {
    {"http://www.w3.org/2005/atom", Ns::atom10},
    {"http://purl.org/atom/ns#", Ns::atom03},
    {"http://purl.org/rss/1.0/", Ns::rss10},
    {"http://my.netscape.com/rdf/simple/0.9/", Ns::rss090},
    {"http://backend.userland.com/rss2", Ns::userland},
    {"http://backend.userland.com/rss", Ns::userland},
    {"http://blogs.law.harvard.edu/tech/rss", Ns::userland},
    {"http://purl.org/rss/1.0/modules/rss091#", Ns::userland},
    {"http://www.w3.org/1999/02/22-rdf-syntax-ns#", Ns::rdf},
    {"http://purl.org/dc/elements/1.1/", Ns::dc},
    {"http://purl.org/dc/elements/1.0/", Ns::dc},
    {"http://purl.org/dc/terms/", Ns::dcterms},
    {"http://purl.org/rss/1.0/modules/content/", Ns::content},
    {"http://search.yahoo.com/mrss/", Ns::media},
    {"http://search.yahoo.com/mrss", Ns::media},
    {"http://www.w3.org/1999/xhtml", Ns::xhtml},
    {"http://www.w3.org/xml/1998/namespace", Ns::xml},
};

Ns ns_from_uri(std::string_view uri) {
  uri = trim(uri);
  if (uri.empty()) return Ns::none;
  for (const auto& k : kNamespaces) {
    if (iequals(uri, k.uri)) return k.ns;
  }
  return Ns::other;
}

// What an undeclared prefix is taken to mean (feeds forget to declare dc:).
Ns ns_from_prefix(std::string_view prefix) {
  static constexpr std::pair<std::string_view, Ns> kPrefixes[] = {
      {"dc", Ns::dc},       {"dcterms", Ns::dcterms}, {"content", Ns::content}, {"media", Ns::media},
      {"atom", Ns::atom10}, {"rdf", Ns::rdf},         {"xhtml", Ns::xhtml},     {"xml", Ns::xml}};
  for (const auto& [p, ns] : kPrefixes) {
    if (p == prefix) return ns;
  }
  return Ns::other;
}

// The in-scope namespace bindings and xml:base of an element. Elements that
// declare neither share their parent's scope.
struct Scope {
  const Scope* parent = nullptr;
  std::vector<std::pair<std::string_view, Ns>> bindings;  // prefix ("" = default) → namespace
  std::string base;
  bool has_base = false;

  const std::string& base_url() const {
    static const std::string kEmpty;
    for (const Scope* s = this; s; s = s->parent) {
      if (s->has_base) return s->base;
    }
    return kEmpty;
  }
  std::optional<Ns> lookup(std::string_view prefix) const {
    for (const Scope* s = this; s; s = s->parent) {
      for (const auto& [p, ns] : s->bindings) {
        if (p == prefix) return ns;
      }
    }
    return std::nullopt;
  }
};

struct QName {
  Ns ns = Ns::none;
  std::string_view local;
  bool prefixed = false;
};

// ---- text of elements ---------------------------------------------------------

// How deep the recursive walks below go into markup nested inside a field: a
// hostile feed nests elements as deep as it likes.
constexpr int kMaxDepth = 100;

void append_text(pugi::xml_node node, std::string& out, int depth = 0) {
  if (depth > kMaxDepth) return;
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    const auto t = c.type();
    if (t == pugi::node_pcdata || t == pugi::node_cdata)
      out += c.value();
    else if (t == pugi::node_element)
      append_text(c, out, depth + 1);
  }
}

// All the character data inside the element.
std::string text_of(pugi::xml_node node) {
  const pugi::xml_node first = node.first_child();
  if (!first) return {};
  if (!first.next_sibling() && (first.type() == pugi::node_pcdata || first.type() == pugi::node_cdata))
    return first.value();
  std::string out;
  append_text(node, out);
  return out;
}

// The same, without a copy when the element holds one text node (the usual case).
class Text {
 public:
  explicit Text(pugi::xml_node node) {
    const pugi::xml_node first = node.first_child();
    if (first && !first.next_sibling() &&
        (first.type() == pugi::node_pcdata || first.type() == pugi::node_cdata)) {
      view_ = first.value();
    } else {
      append_text(node, owned_);
      view_ = owned_;
    }
  }
  Text(const Text&) = delete;
  Text& operator=(const Text&) = delete;
  operator std::string_view() const { return view_; }

 private:
  std::string owned_;
  std::string_view view_;
};

bool has_element_child(pugi::xml_node node) {
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element) return true;
  }
  return false;
}

void escape_into(std::string& out, std::string_view s, bool attr) {
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        if (attr)
          out += "&quot;";
        else
          out += c;
        break;
      default:
        out += c;
    }
  }
}

std::string_view local_name(std::string_view qname) {
  const auto colon = qname.find(':');
  return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

bool is_void_html(std::string_view name) {
  static constexpr std::array<std::string_view, 8> kVoid = {"br",   "hr",  "img",   "input",
                                                            "area", "col", "embed", "wbr"};
  for (auto v : kVoid) {
    if (iequals(name, v)) return true;
  }
  return false;
}

// Children of an element serialized as HTML (namespace prefixes and xmlns dropped).
void serialize_children(pugi::xml_node node, std::string& out, int depth = 0) {
  if (depth > kMaxDepth) return;
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    switch (c.type()) {
      case pugi::node_pcdata:
      case pugi::node_cdata:
        escape_into(out, c.value(), false);
        break;
      case pugi::node_element: {
        const std::string_view name = local_name(c.name());
        out += '<';
        out.append(name);
        for (pugi::xml_attribute a = c.first_attribute(); a; a = a.next_attribute()) {
          const std::string_view an = a.name();
          if (an == "xmlns" || an.starts_with("xmlns:")) continue;
          out += ' ';
          out.append(an);
          out += "=\"";
          escape_into(out, a.value(), true);
          out += '"';
        }
        if (!c.first_child() && is_void_html(name)) {
          out += "/>";
          break;
        }
        out += '>';
        serialize_children(c, out, depth + 1);
        out += "</";
        out.append(name);
        out += '>';
        break;
      }
      default:
        break;
    }
  }
}

// The element's content as HTML: its text, or its children serialized when a
// feed put raw markup inside (e.g. <description><p>...</p></description>).
std::string markup_of(pugi::xml_node node) {
  if (!has_element_child(node)) return text_of(node);
  std::string out;
  serialize_children(node, out);
  return out;
}

std::string decode_base64(std::string_view in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (const char c : in) {
    const int v = value(c);
    if (v < 0) continue;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

void add_unique(std::vector<std::string>& list, std::string value) {
  if (value.empty()) return;
  for (const auto& v : list) {
    if (v == value) return;
  }
  list.push_back(std::move(value));
}

void set_if_empty(std::string& field, std::string value) {
  if (field.empty()) field = std::move(value);
}

// The first readable date of a field wins.
void set_date(std::optional<TimePoint>& field, std::string_view text) {
  if (field) return;
  if (auto t = parse_feed_date(text)) field = t;
}

// ---- the reader -----------------------------------------------------------------

enum class Family { rss, rdf, atom, cdf };

// An item being read, with its title kept raw until the end so that a later,
// better source (title over media:title) can replace it.
struct Draft {
  FeedItem item;
  std::string title, fallback_title;
  TextKind title_kind = TextKind::guess, fallback_title_kind = TextKind::guess;
  std::string fallback_summary;
  bool permalink_guid = false;
  std::string guid_link;
  int link_rank = 0;  // Atom: how well the chosen link fits (alternate text/html best)
};

class Reader {
 public:
  Reader(const FeedParseOptions& options, ParsedFeed& out) : options_(options), out_(out) {}

  void read(const pugi::xml_document& doc) {
    const pugi::xml_node root = doc.document_element();
    if (!root) {
      fail(out_, "not a feed: no XML element found");
      return;
    }
    Scope top;
    top.base = options_.base_url;
    top.has_base = !options_.base_url.empty();
    Scope scope;
    enter(root, top, scope);
    const QName q = qname(root, scope);
    const std::string_view local = q.local;
    if (local == "rss" || local == "RSS") {
      family_ = Family::rss;
      read_rss(doc, root, scope);
    } else if (local == "RDF" && (q.ns == Ns::rdf || !q.prefixed)) {
      family_ = Family::rdf;
      read_rdf(root, scope);
    } else if (local == "feed") {
      family_ = Family::atom;
      read_atom(root, scope, q);
    } else if (iequals(local, "channel")) {
      family_ = Family::cdf;
      out_.format = FeedFormat::cdf;
      read_cdf_channel(root, scope, true);
    } else {
      std::string name(root.name());
      if (name.size() > 40) {
        name.resize(40);
        while (!name.empty() && (static_cast<unsigned char>(name.back()) & 0xC0) == 0x80) name.pop_back();
        if (!name.empty() && static_cast<unsigned char>(name.back()) >= 0xC0) name.pop_back();
      }
      fail(out_, "not a feed: the document element is <" + name + ">");
    }
  }

 private:
  // ---- scopes and names ----
  void enter(pugi::xml_node el, const Scope& parent, Scope& s) {
    s.parent = &parent;
    for (pugi::xml_attribute a = el.first_attribute(); a; a = a.next_attribute()) {
      const char* n = a.name();
      if (n[0] == 'x' && n[1] == 'm' && n[2] == 'l') {
        if (std::strcmp(n, "xmlns") == 0) {
          s.bindings.emplace_back("", ns_from_uri(a.value()));
        } else if (std::strncmp(n, "xmlns:", 6) == 0) {
          s.bindings.emplace_back(std::string_view(n + 6), ns_from_uri(a.value()));
        } else if (std::strcmp(n, "xml:base") == 0) {
          s.base = resolve_url(parent.base_url(), a.value());
          s.has_base = true;
        }
      }
    }
  }

  QName qname(pugi::xml_node el, const Scope& s) {
    const std::string_view name = el.name();
    const auto colon = name.find(':');
    QName q;
    if (colon == std::string_view::npos) {
      q.local = name;
      q.ns = s.lookup("").value_or(Ns::none);
      return q;
    }
    const std::string_view prefix = name.substr(0, colon);
    q.local = name.substr(colon + 1);
    q.prefixed = true;
    if (auto ns = s.lookup(prefix)) {
      q.ns = *ns;
    } else {
      q.ns = ns_from_prefix(prefix);
      if (q.ns != Ns::xml) bozo(out_, "undeclared namespace prefix " + std::string(prefix) + ":");
    }
    return q;
  }

  // The feed format's own vocabulary.
  bool core(const QName& q) const {
    switch (q.ns) {
      case Ns::none:
      case Ns::userland:
        return true;
      case Ns::other:
        return !q.prefixed;  // an unknown default namespace
      case Ns::rss10:
      case Ns::rss090:
        return family_ != Family::atom;
      case Ns::atom10:
      case Ns::atom03:
        return family_ == Family::atom;
      default:
        return false;
    }
  }

  template <class F>
  void children(pugi::xml_node node, const Scope& scope, F&& f) {
    for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
      if (c.type() != pugi::node_element) continue;
      Scope s;
      enter(c, scope, s);
      const QName q = qname(c, s);
      f(c, s, q);
    }
  }

  // ---- RSS 0.9x / 2.0 ----
  void read_rss(const pugi::xml_document& doc, pugi::xml_node root, const Scope& scope) {
    bool netscape = false;
    for (pugi::xml_node n = doc.first_child(); n; n = n.next_sibling()) {
      if (n.type() == pugi::node_doctype && lowercase(n.value()).find("netscape") != std::string::npos)
        netscape = true;
    }
    const std::string_view version = trim(root.attribute("version").value());
    if (netscape)
      out_.format = FeedFormat::rss091n;
    else if (version == "0.91")
      out_.format = FeedFormat::rss091u;
    else if (version == "0.92")
      out_.format = FeedFormat::rss092;
    else if (version == "0.93")
      out_.format = FeedFormat::rss093;
    else if (version == "0.94")
      out_.format = FeedFormat::rss094;
    else if (version.starts_with("2."))
      out_.format = FeedFormat::rss20;
    else
      out_.format = FeedFormat::rss;
    children(root, scope, [&](pugi::xml_node c, const Scope& s, const QName& q) {
      if (!core(q)) return;
      if (q.local == "channel")
        read_rss_channel(c, s);
      else if (q.local == "item")
        read_rss_item(c, s);
    });
  }

  void read_rdf(pugi::xml_node root, const Scope& scope) {
    out_.format = FeedFormat::rss;
    children(root, scope, [&](pugi::xml_node c, const Scope& s, const QName& q) {
      if (!core(q)) return;
      if (out_.format == FeedFormat::rss && (q.ns == Ns::rss10 || q.ns == Ns::rss090))
        out_.format = q.ns == Ns::rss10 ? FeedFormat::rss10 : FeedFormat::rss090;
      if (q.local == "channel")
        read_rss_channel(c, s);
      else if (q.local == "item")
        read_rss_item(c, s);
    });
  }

  void read_rss_channel(pugi::xml_node channel, const Scope& scope) {
    FeedMeta& feed = out_.feed;
    std::string title;
    std::optional<TimePoint> published;
    children(channel, scope, [&](pugi::xml_node c, const Scope& s, const QName& q) {
      if (core(q)) {
        const std::string_view l = q.local;
        if (l == "item")
          read_rss_item(c, s);
        else if (l == "title")
          set_if_empty(title, text_of(c));
        else if (l == "link")
          set_if_empty(feed.link, resolve_url(s.base_url(), Text(c)));
        else if (l == "description")
          set_if_empty(feed.description, markup_of(c));
        else if (l == "language")
          set_if_empty(feed.language, std::string(trim(Text(c))));
        else if (l == "lastBuildDate")
          set_date(feed.updated, Text(c));
        else if (l == "pubDate")
          set_date(published, Text(c));
      } else if (q.ns == Ns::dc) {
        if (q.local == "language")
          set_if_empty(feed.language, std::string(trim(Text(c))));
        else if (q.local == "date")
          set_date(feed.updated, Text(c));
        else if (q.local == "title")
          set_if_empty(title, text_of(c));
      } else if (q.ns == Ns::dcterms && q.local == "modified") {
        set_date(feed.updated, Text(c));
      }
    });
    if (!feed.updated) feed.updated = published;
    if (feed.title.empty()) feed.title = plain_text(title, TextKind::guess);
  }

  // media:title, media:description, and those inside media:group / media:content:
  // fallbacks for an item without a title or description.
  void read_media(pugi::xml_node c, const Scope& s, const QName& q, Draft& d, int depth = 0) {
    if (depth > 4) return;
    if (q.local == "title") {
      if (d.fallback_title.empty()) {
        d.fallback_title = text_of(c);
        d.fallback_title_kind =
            iequals(trim(c.attribute("type").value()), "html") ? TextKind::html : TextKind::text;
      }
    } else if (q.local == "description") {
      if (d.fallback_summary.empty()) d.fallback_summary = resolve_links_in_html(markup_of(c), s.base_url());
    } else if (q.local == "group" || q.local == "content") {
      children(c, s, [&](pugi::xml_node g, const Scope& gs, const QName& gq) {
        if (gq.ns == Ns::media) read_media(g, gs, gq, d, depth + 1);
      });
    }
  }

  void read_rss_item(pugi::xml_node node, const Scope& scope) {
    Draft d;
    FeedItem& item = d.item;
    std::string dc_title, dc_description, xhtml_body;
    std::optional<TimePoint> created;
    children(node, scope, [&](pugi::xml_node c, const Scope& s, const QName& q) {
      if (core(q)) {
        const std::string_view l = q.local;
        if (l == "title") {
          if (d.title.empty()) d.title = has_element_child(c) ? markup_of(c) : text_of(c);
        } else if (l == "link") {
          if (item.link.empty()) item.link = resolve_url(s.base_url(), Text(c));
        } else if (l == "description") {
          if (item.summary.empty()) item.summary = resolve_links_in_html(markup_of(c), s.base_url());
        } else if (l == "guid") {
          if (item.guid.empty()) {
            item.guid = std::string(trim(Text(c)));
            const std::string_view perma = trim(c.attribute("isPermaLink").value());
            d.permalink_guid = !iequals(perma, "false");
            if (d.permalink_guid) d.guid_link = resolve_url(s.base_url(), item.guid);
          }
        } else if (l == "pubDate") {
          set_date(item.published, Text(c));
        } else if (l == "author") {
          add_unique(item.authors, plain_text(Text(c), TextKind::guess));
        } else if (l == "category") {
          add_unique(item.categories, plain_text(Text(c), TextKind::guess));
        }
        return;
      }
      switch (q.ns) {
        case Ns::dc:
          if (q.local == "creator" || q.local == "author")
            add_unique(item.authors, plain_text(Text(c), TextKind::guess));
          else if (q.local == "subject")
            add_unique(item.categories, plain_text(Text(c), TextKind::guess));
          else if (q.local == "date")
            set_date(item.updated, Text(c));
          else if (q.local == "title")
            set_if_empty(dc_title, text_of(c));
          else if (q.local == "description")
            set_if_empty(dc_description, markup_of(c));
          break;
        case Ns::dcterms:
          if (q.local == "issued")
            set_date(item.published, Text(c));
          else if (q.local == "modified")
            set_date(item.updated, Text(c));
          else if (q.local == "created")
            set_date(created, Text(c));
          break;
        case Ns::content:
          if (q.local == "encoded" && item.content.empty())
            item.content = resolve_links_in_html(markup_of(c), s.base_url());
          break;
        case Ns::xhtml:
          if (q.local == "body" && xhtml_body.empty()) {
            serialize_children(c, xhtml_body);
            xhtml_body = resolve_links_in_html(xhtml_body, s.base_url());
          }
          break;
        case Ns::media:
          read_media(c, s, q, d);
          break;
        default:
          break;
      }
    });
    if (item.guid.empty() && family_ == Family::rdf) {
      // RSS 1.0: the item's rdf:about is its identifier
      for (pugi::xml_attribute a = node.first_attribute(); a; a = a.next_attribute()) {
        if (local_name(a.name()) == "about") {
          item.guid = std::string(trim(a.value()));
          break;
        }
      }
    }
    if (item.link.empty() && d.permalink_guid && has_scheme(d.guid_link)) item.link = d.guid_link;
    if (!item.published) item.published = created;
    if (d.title.empty() && !dc_title.empty()) d.title = std::move(dc_title);
    if (item.summary.empty())
      item.summary = !dc_description.empty() ? std::move(dc_description) : std::move(d.fallback_summary);
    if (item.content.empty()) item.content = std::move(xhtml_body);
    finish(d);
  }

  // ---- Atom ----
  void read_atom(pugi::xml_node root, const Scope& scope, const QName& q) {
    if (q.ns == Ns::atom10) {
      out_.format = FeedFormat::atom10;
    } else {
      const std::string_view v = trim(root.attribute("version").value());
      out_.format = v == "0.3"   ? FeedFormat::atom03
                    : v == "0.2" ? FeedFormat::atom02
                    : v == "0.1" ? FeedFormat::atom01
                                 : FeedFormat::atom;
    }
    FeedMeta& feed = out_.feed;
    if (const char* lang = root.attribute("xml:lang").value(); *lang) feed.language = std::string(trim(lang));
    int link_rank = 0;
    std::string title;
    TextKind title_kind = TextKind::text;
    children(root, scope, [&](pugi::xml_node c, const Scope& s, const QName& cq) {
      if (core(cq)) {
        const std::string_view l = cq.local;
        if (l == "entry") {
          read_atom_entry(c, s);
        } else if (l == "title") {
          if (title.empty()) {
            auto [value, kind] = atom_text(c, s);
            title = std::move(value);
            title_kind = kind;
          }
        } else if (l == "subtitle" || l == "tagline") {
          if (feed.description.empty()) feed.description = atom_text(c, s).first;
        } else if (l == "link") {
          atom_link(c, s, feed.link, link_rank);
        } else if (l == "updated" || l == "modified") {
          set_date(feed.updated, Text(c));
        }
      } else if (cq.ns == Ns::dc && cq.local == "language") {
        set_if_empty(feed.language, std::string(trim(Text(c))));
      }
    });
    feed.title = plain_text(title, title_kind);
  }

  // An Atom text construct: its value and whether that value is HTML.
  std::pair<std::string, TextKind> atom_text(pugi::xml_node node, const Scope& scope) {
    const std::string type = lowercase(trim(node.attribute("type").value()));
    const std::string mode = lowercase(trim(node.attribute("mode").value()));
    if (type == "xhtml" || type == "application/xhtml+xml" || (mode == "xml" && has_element_child(node))) {
      // the content is a div (Atom 1.0) whose children are the HTML
      pugi::xml_node target = node;
      pugi::xml_node only;
      int elements = 0;
      for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
        if (c.type() == pugi::node_element) {
          only = c;
          ++elements;
        } else if (c.type() == pugi::node_pcdata && !trim(c.value()).empty()) {
          elements = 2;
        }
      }
      if (elements == 1 && local_name(only.name()) == "div") target = only;
      std::string html;
      serialize_children(target, html);
      return {resolve_links_in_html(html, scope.base_url()), TextKind::html};
    }
    std::string value = has_element_child(node) ? markup_of(node) : text_of(node);
    if (mode == "base64") value = decode_base64(value);
    const bool html = type == "html" || type == "text/html" ||
                      (family_ == Family::atom && out_.format != FeedFormat::atom10 && mode == "escaped" &&
                       type != "text/plain" && type != "text");
    if (html) return {resolve_links_in_html(value, scope.base_url()), TextKind::html};
    return {std::move(value), TextKind::text};
  }

  // Keeps the best alternate link: rel=alternate (or none) with an HTML type first.
  void atom_link(pugi::xml_node c, const Scope& s, std::string& link, int& rank) {
    const std::string_view rel = trim(c.attribute("rel").value());
    if (!rel.empty() && rel != "alternate") return;
    const std::string type = lowercase(trim(c.attribute("type").value()));
    const int r = type.empty() || type == "text/html" || type == "application/xhtml+xml" ? 2 : 1;
    if (r <= rank) return;
    const char* href = c.attribute("href").value();
    if (!*href) return;
    link = resolve_url(s.base_url(), href);
    rank = r;
  }

  void read_atom_entry(pugi::xml_node node, const Scope& scope) {
    Draft d;
    FeedItem& item = d.item;
    std::optional<TimePoint> created;
    bool have_title = false;
    children(node, scope, [&](pugi::xml_node c, const Scope& s, const QName& q) {
      if (core(q)) {
        const std::string_view l = q.local;
        if (l == "id") {
          set_if_empty(item.guid, std::string(trim(Text(c))));
        } else if (l == "title") {
          if (!have_title) {
            auto [value, kind] = atom_text(c, s);
            d.title = std::move(value);
            d.title_kind = kind;
            have_title = true;
          }
        } else if (l == "link") {
          atom_link(c, s, item.link, d.link_rank);
        } else if (l == "published" || l == "issued") {
          set_date(item.published, Text(c));
        } else if (l == "created") {
          set_date(created, Text(c));
        } else if (l == "updated" || l == "modified") {
          set_date(item.updated, Text(c));
        } else if (l == "summary") {
          if (item.summary.empty()) item.summary = atom_text(c, s).first;
        } else if (l == "content") {
          if (item.content.empty()) {
            if (const char* src = c.attribute("src").value(); *src && !c.first_child()) {
              if (item.link.empty()) item.link = resolve_url(s.base_url(), src);
            } else {
              item.content = atom_text(c, s).first;
            }
          }
        } else if (l == "author") {
          std::string name, email;
          children(c, s, [&](pugi::xml_node a, const Scope&, const QName& aq) {
            if (!core(aq)) return;
            if (aq.local == "name")
              set_if_empty(name, plain_text(Text(a), TextKind::text));
            else if (aq.local == "email")
              set_if_empty(email, plain_text(Text(a), TextKind::text));
          });
          add_unique(item.authors, !name.empty() ? std::move(name) : std::move(email));
        } else if (l == "category") {
          std::string term = std::string(trim(c.attribute("term").value()));
          if (term.empty()) term = c.attribute("label").value();
          if (term.empty()) term = text_of(c);
          add_unique(item.categories, plain_text(term, TextKind::text));
        }
        return;
      }
      switch (q.ns) {
        case Ns::dc:
          if (q.local == "creator")
            add_unique(item.authors, plain_text(Text(c), TextKind::guess));
          else if (q.local == "subject")
            add_unique(item.categories, plain_text(Text(c), TextKind::guess));
          else if (q.local == "date")
            set_date(item.updated, Text(c));
          break;
        case Ns::media:
          read_media(c, s, q, d);
          break;
        default:
          break;
      }
    });
    if (!item.published) item.published = created;
    if (item.summary.empty()) item.summary = std::move(d.fallback_summary);
    finish(d);
  }

  // ---- CDF ----
  void read_cdf_channel(pugi::xml_node channel, const Scope& scope, bool top, int depth = 0) {
    if (depth > 8) return;
    FeedMeta& feed = out_.feed;
    if (top) {
      if (const char* href = attribute_ci(channel, "href"); *href)
        feed.link = resolve_url(scope.base_url(), href);
      set_date(feed.updated, attribute_ci(channel, "lastmod"));
    }
    children(channel, scope, [&](pugi::xml_node c, const Scope& s, const QName& q) {
      if (q.prefixed) return;
      if (iequals(q.local, "item")) {
        read_cdf_item(c, s);
      } else if (iequals(q.local, "channel")) {
        read_cdf_channel(c, s, false, depth + 1);
      } else if (top && iequals(q.local, "title")) {
        if (feed.title.empty()) feed.title = plain_text(Text(c), TextKind::guess);
      } else if (top && iequals(q.local, "abstract")) {
        set_if_empty(feed.description, markup_of(c));
      }
    });
  }

  static const char* attribute_ci(pugi::xml_node node, std::string_view name) {
    for (pugi::xml_attribute a = node.first_attribute(); a; a = a.next_attribute()) {
      if (iequals(a.name(), name)) return a.value();
    }
    return "";
  }

  void read_cdf_item(pugi::xml_node node, const Scope& scope) {
    Draft d;
    if (const char* href = attribute_ci(node, "href"); *href)
      d.item.link = resolve_url(scope.base_url(), href);
    set_date(d.item.updated, attribute_ci(node, "lastmod"));
    children(node, scope, [&](pugi::xml_node c, const Scope&, const QName& q) {
      if (q.prefixed) return;
      if (iequals(q.local, "title"))
        set_if_empty(d.title, text_of(c));
      else if (iequals(q.local, "abstract"))
        set_if_empty(d.item.summary, markup_of(c));
    });
    finish(d);
  }

  // ---- common ----
  void finish(Draft& d) {
    FeedItem& item = d.item;
    if (!d.title.empty()) item.title = plain_text(d.title, d.title_kind);
    if (item.title.empty() && !d.fallback_title.empty())
      item.title = plain_text(d.fallback_title, d.fallback_title_kind);
    if (item.title.empty() && item.link.empty() && item.guid.empty() && item.summary.empty() &&
        item.content.empty())
      return;  // nothing to keep
    if (options_.max_items > 0 && out_.entries.size() >= options_.max_items) {
      ++out_.items_dropped;
      return;
    }
    item.feed_id = options_.feed_id;
    out_.entries.push_back(std::move(item));
  }

  const FeedParseOptions& options_;
  ParsedFeed& out_;
  Family family_ = Family::rss;
};

}  // namespace

void parse_xml_feed(std::string text, const std::function<std::string()>& reload,
                    const FeedParseOptions& options, ParsedFeed& out) {
  if (RepairResult r = repair_markup(text); r.changed && !r.problem.empty()) bozo(out, r.problem);
  // parse_default: CDATA, entities, end-of-line normalization. Never a DTD's
  // entities: pugixml does not expand any but the five predefined ones.
  constexpr unsigned kFlags = pugi::parse_default | pugi::parse_doctype;
  pugi::xml_document doc;
  // In place: the tree points into `text`, which outlives it.
  const pugi::xml_parse_result result =
      doc.load_buffer_inplace(text.data(), text.size(), kFlags, pugi::encoding_utf8);
  const pugi::xml_document* use = &doc;
  pugi::xml_document repaired;
  std::string balanced;
  if (!result) {
    // pugixml has written into `text`: start again from the bytes (the rare path)
    std::string again = reload();
    repair_markup(again);
    bozo(out, std::string("not well-formed: ") + result.description() + " at " +
                  describe_offset(again, static_cast<std::size_t>(result.offset)));
    balanced = balance_tags(again);
    const pugi::xml_parse_result second =
        repaired.load_buffer_inplace(balanced.data(), balanced.size(), kFlags, pugi::encoding_utf8);
    // the balanced document, unless it recovered less than pugixml's partial tree
    if (second || repaired.document_element() || !doc.document_element()) use = &repaired;
  }
  Reader reader(options, out);
  reader.read(*use);
}

}  // namespace wirewatch::connectors::detail
