#include "wirewatch/connectors/opml.hpp"

#include <pugixml.hpp>
#include <set>

#include "feed_parser_detail.hpp"
#include "wirewatch/connectors/charset.hpp"

namespace wirewatch::connectors {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view attr_ci(pugi::xml_node node, std::string_view name) {
  for (pugi::xml_attribute a = node.first_attribute(); a; a = a.next_attribute()) {
    if (iequals(a.name(), name)) return a.value();
  }
  return {};
}

bool is_http_url(std::string_view url) {
  auto starts = [&](std::string_view p) {
    return url.size() > p.size() && iequals(url.substr(0, p.size()), p);
  };
  return starts("http://") || starts("https://");
}

class OpmlReader {
 public:
  explicit OpmlReader(OpmlResult& out) : out_(out) {}

  void outlines(pugi::xml_node parent, const std::string& category) {
    for (pugi::xml_node o = parent.first_child(); o; o = o.next_sibling()) {
      if (o.type() != pugi::node_element || !iequals(o.name(), "outline")) continue;
      std::string title = detail::plain_text(attr_ci(o, "text"), detail::TextKind::guess);
      if (title.empty()) title = detail::plain_text(attr_ci(o, "title"), detail::TextKind::guess);
      const std::string url = detail::collapse_whitespace(attr_ci(o, "xmlUrl"));
      if (!url.empty()) {
        if (is_http_url(url) && seen_.insert(url).second) {
          out_.feeds.push_back({title, url, detail::collapse_whitespace(attr_ci(o, "htmlUrl")), category});
        }
      }
      // folders nest; a feed outline may hold more outlines too
      std::string sub = category;
      if (url.empty() && !title.empty()) sub = category.empty() ? title : category + " / " + title;
      outlines(o, sub);
    }
  }

 private:
  OpmlResult& out_;
  std::set<std::string> seen_;
};

}  // namespace

OpmlResult parse_opml(std::string_view bytes) {
  OpmlResult result;
  try {
    DecodedText decoded = decode_to_utf8(bytes, {});
    std::string text = std::move(decoded.text);
    detail::repair_markup(text);
    pugi::xml_document doc;
    constexpr unsigned kFlags = pugi::parse_default;
    if (!doc.load_buffer(text.data(), text.size(), kFlags, pugi::encoding_utf8)) {
      const std::string balanced = detail::balance_tags(text);
      doc.reset();
      doc.load_buffer(balanced.data(), balanced.size(), kFlags, pugi::encoding_utf8);
    }
    const pugi::xml_node root = doc.document_element();
    if (!root || !iequals(root.name(), "opml")) {
      result.error =
          root ? "not OPML: the document element is <" + std::string(root.name()).substr(0, 40) + ">"
               : "not OPML: no XML element found";
      return result;
    }
    pugi::xml_node body;
    for (pugi::xml_node c = root.first_child(); c; c = c.next_sibling()) {
      if (c.type() == pugi::node_element && iequals(c.name(), "body")) body = c;
    }
    if (!body) {
      result.error = "not OPML: no <body>";
      return result;
    }
    OpmlReader(result).outlines(body, "");
  } catch (const std::exception& e) {
    result.feeds.clear();
    result.error = std::string("cannot read OPML: ") + e.what();
  }
  return result;
}

std::string source_slug(std::string_view title, std::string_view url) {
  auto slugify = [](std::string_view s) {
    std::string out;
    bool dash = false;
    for (const char ch : s) {
      const char c = lower(ch);
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        if (dash && !out.empty()) out += '-';
        dash = false;
        out += c;
        if (out.size() >= 48) break;
      } else {
        dash = true;
      }
    }
    while (!out.empty() && out.back() == '-') out.pop_back();
    return out;
  };
  std::string slug = slugify(title);
  if (slug.empty()) {
    std::string_view u = url;
    if (const auto p = u.find("://"); p != std::string_view::npos) u.remove_prefix(p + 3);
    if (u.size() > 4 && iequals(u.substr(0, 4), "www.")) u.remove_prefix(4);
    slug = slugify(u);
  }
  if (slug.empty()) slug = "feed";
  return slug;
}

std::string sources_yaml(const std::vector<OpmlFeed>& feeds, std::string_view id_prefix) {
  if (feeds.empty()) return "sources: []\n";
  auto quoted = [](std::string_view s) {
    std::string out = "\"";
    for (const char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
    return out;
  };
  std::string out = "sources:\n";
  std::set<std::string> ids;
  for (const auto& f : feeds) {
    const std::string base = std::string(id_prefix) + source_slug(f.title, f.xml_url);
    std::string id = base;
    for (int n = 2; !ids.insert(id).second; ++n) id = base + "-" + std::to_string(n);
    std::string comment = f.title.empty() ? f.xml_url : f.title;
    if (!f.category.empty()) comment += " (" + f.category + ")";
    out += "  # " + detail::collapse_whitespace(comment) + "\n";
    out += "  - id: " + id + "\n";
    out += "    type: feed\n";
    out += "    url: " + quoted(f.xml_url) + "\n";
    out += "    interval: 5m\n";
    out += "    articles: false\n";
  }
  return out;
}

}  // namespace wirewatch::connectors
