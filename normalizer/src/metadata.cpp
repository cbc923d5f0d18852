#include "metadata.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

#include "wirewatch/normalizer/date.hpp"
#include "wirewatch/normalizer/language.hpp"
#include "wirewatch/normalizer/text_normalize.hpp"

namespace wirewatch::html {
namespace {

using nlohmann::json;

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}

void collect_text(const Node* n, std::string& out) {
  for (const Node* c = n->first_child; c; c = c->next) {
    if (c->removed) continue;
    if (c->is_text())
      out += c->text;
    else if (c->tag == Tag::script || c->tag == Tag::style)
      continue;
    else {
      if (!is_inline(c->tag) || c->tag == Tag::br) out += ' ';
      collect_text(c, out);
    }
  }
}

bool looks_like_url(std::string_view s) {
  return s.starts_with("http://") || s.starts_with("https://") || s.starts_with("/");
}

constexpr std::string_view kArticleTypes[] = {"article",
                                              "newsarticle",
                                              "blogposting",
                                              "reportagenewsarticle",
                                              "analysisnewsarticle",
                                              "opinionnewsarticle",
                                              "backgroundnewsarticle",
                                              "reviewnewsarticle",
                                              "liveblogposting",
                                              "report",
                                              "scholarlyarticle",
                                              "techarticle",
                                              "socialmediaposting",
                                              "posting",
                                              "review"};

bool is_article_type(const json& type) {
  auto check = [](const json& t) {
    if (!t.is_string()) return false;
    std::string s = lower_ascii(t.get<std::string>());
    if (auto slash = s.rfind('/'); slash != std::string::npos) s = s.substr(slash + 1);
    for (auto a : kArticleTypes)
      if (s == a) return true;
    return false;
  };
  if (type.is_array()) {
    for (const auto& t : type)
      if (check(t)) return true;
    return false;
  }
  return check(type);
}

std::string string_of(const json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_object()) {
    if (auto it = j.find("name"); it != j.end() && it->is_string()) return it->get<std::string>();
    if (auto it = j.find("@value"); it != j.end() && it->is_string()) return it->get<std::string>();
  }
  if (j.is_array() && !j.empty()) {
    std::string out;
    for (const auto& e : j) {
      auto s = string_of(e);
      if (s.empty()) continue;
      if (!out.empty()) out += ", ";
      out += s;
    }
    return out;
  }
  return {};
}

struct LdFinder {
  PageMeta& meta;
  bool found_article = false;

  void visit(const json& j, int depth) {
    if (depth > 8) return;
    if (j.is_array()) {
      for (const auto& e : j) visit(e, depth + 1);
      return;
    }
    if (!j.is_object()) return;
    auto type = j.find("@type");
    if (type != j.end() && is_article_type(*type) && !found_article) {
      found_article = true;
      meta.article_type = true;
      if (auto it = j.find("headline"); it != j.end()) meta.ld_headline = string_of(*it);
      if (meta.ld_headline.empty())
        if (auto it = j.find("name"); it != j.end()) meta.ld_headline = string_of(*it);
      if (auto it = j.find("articleBody"); it != j.end() && it->is_string())
        meta.ld_body = it->get<std::string>();
      if (auto it = j.find("datePublished"); it != j.end() && it->is_string() && !meta.published)
        meta.published = parse_iso_date_time(it->get<std::string>());
      if (auto it = j.find("author"); it != j.end() && meta.author.empty()) {
        auto a = string_of(*it);
        if (!looks_like_url(a)) meta.author = a;
      }
      if (auto it = j.find("publisher"); it != j.end() && meta.site_name.empty())
        meta.site_name = string_of(*it);
      if (auto it = j.find("inLanguage"); it != j.end() && meta.language.empty())
        meta.language = normalize_language_tag(string_of(*it));
    }
    if (auto it = j.find("@graph"); it != j.end()) visit(*it, depth + 1);
    if (auto it = j.find("mainEntity"); it != j.end()) visit(*it, depth + 1);
  }
};

}  // namespace

std::string node_text(const Node* n) {
  std::string raw;
  collect_text(n, raw);
  return normalize_paragraph(raw);
}

PageMeta read_metadata(const Document& doc) {
  PageMeta meta;
  std::string og_site, og_title, tw_title, app_name, meta_author, article_author;
  std::optional<TimePoint> meta_published, time_published, itemprop_published;
  std::string meta_lang, html_lang, og_locale;
  std::vector<const Node*> ld_scripts;

  std::vector<const Node*> stack{doc.root()};
  while (!stack.empty()) {
    const Node* n = stack.back();
    stack.pop_back();
    if (n->is_text()) continue;
    switch (n->tag) {
      case Tag::html:
        if (html_lang.empty()) html_lang = normalize_language_tag(n->attr("lang"));
        if (html_lang.empty()) html_lang = normalize_language_tag(n->attr("xml:lang"));
        break;
      case Tag::title:
        if (meta.html_title.empty()) meta.html_title = node_text(n);
        break;
      case Tag::h1:
        if (meta.h1.empty()) meta.h1 = node_text(n);
        break;
      case Tag::script:
        if (n->attr("type").find("ld+json") != std::string_view::npos) ld_scripts.push_back(n);
        break;
      case Tag::link: {
        std::string rel = lower_ascii(n->attr("rel"));
        if (rel == "canonical" && meta.canonical.empty()) meta.canonical = std::string(n->attr("href"));
        break;
      }
      case Tag::time:
        if (!time_published && n->has_attr("datetime"))
          time_published = parse_iso_date_time(n->attr("datetime"));
        break;
      case Tag::meta: {
        std::string key = lower_ascii(n->has_attr("property") ? n->attr("property") : n->attr("name"));
        std::string_view content = n->attr("content");
        if (key.empty()) {
          std::string equiv = lower_ascii(n->attr("http-equiv"));
          if (equiv == "content-language" && meta_lang.empty()) meta_lang = normalize_language_tag(content);
          if (key.empty() && !n->attr("itemprop").empty()) key = lower_ascii(n->attr("itemprop"));
        }
        if (content.empty()) break;
        if (key == "og:title" && og_title.empty())
          og_title = normalize_paragraph(content);
        else if (key == "twitter:title" && tw_title.empty())
          tw_title = normalize_paragraph(content);
        else if (key == "og:site_name" && og_site.empty())
          og_site = normalize_paragraph(content);
        else if (key == "application-name" && app_name.empty())
          app_name = normalize_paragraph(content);
        else if (key == "og:type" && lower_ascii(content).find("article") != std::string::npos)
          meta.article_type = true;
        else if (key == "og:locale" && og_locale.empty())
          og_locale = normalize_language_tag(content);
        else if ((key == "language" || key == "dc.language" || key == "content-language") &&
                 meta_lang.empty())
          meta_lang = normalize_language_tag(content);
        else if (key == "author" || key == "dc.creator" || key == "sailthru.author" ||
                 key == "parsely-author") {
          if (meta_author.empty() && !looks_like_url(content)) meta_author = normalize_paragraph(content);
        } else if (key == "article:author") {
          if (article_author.empty() && !looks_like_url(content))
            article_author = normalize_paragraph(content);
        } else if (key == "article:published_time" || key == "datepublished" || key == "og:published_time" ||
                   key == "published_time" || key == "pubdate" || key == "publishdate" ||
                   key == "publish-date" || key == "publish_date" || key == "date" || key == "dc.date" ||
                   key == "dc.date.issued" || key == "dcterms.date" || key == "dcterms.created" ||
                   key == "sailthru.date" || key == "parsely-pub-date" || key == "article.published" ||
                   key == "citation_publication_date") {
          if (!meta_published) meta_published = parse_iso_date_time(content);
        }
        break;
      }
      default:
        if (!itemprop_published && n->attr("itemprop") == "datePublished") {
          auto v = n->has_attr("datetime") ? n->attr("datetime") : n->attr("content");
          itemprop_published = parse_iso_date_time(v);
        }
        break;
    }
    // Children in document order.
    std::size_t mark = stack.size();
    for (const Node* c = n->first_child; c; c = c->next)
      if (!c->is_text()) stack.push_back(c);
    std::reverse(stack.begin() + static_cast<std::ptrdiff_t>(mark), stack.end());
  }

  for (const Node* script : ld_scripts) {
    std::string text;
    for (const Node* c = script->first_child; c; c = c->next)
      if (c->is_text()) text += c->text;
    auto j = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) continue;
    LdFinder finder{meta};
    finder.visit(j, 0);
  }
  meta.ld_headline = normalize_paragraph(meta.ld_headline);
  meta.og_title = og_title.empty() ? tw_title : og_title;
  if (!og_site.empty()) meta.site_name = og_site;
  if (meta.site_name.empty()) meta.site_name = app_name;
  meta.site_name = normalize_paragraph(meta.site_name);
  if (meta.author.empty()) meta.author = meta_author.empty() ? article_author : meta_author;
  meta.author = normalize_paragraph(meta.author);
  if (!meta.published) meta.published = meta_published;
  if (!meta.published) meta.published = itemprop_published;
  if (!meta.published) meta.published = time_published;
  if (meta.language.empty()) meta.language = html_lang;
  if (meta.language.empty()) meta.language = meta_lang;
  if (meta.language.empty()) meta.language = og_locale;
  return meta;
}

}  // namespace wirewatch::html
