// Main-content extraction: clean, segment into blocks, score subtrees by the
// amount of prose they hold against the noise (link lists, short fragments)
// they would bring along, pick the best, and emit its blocks minus furniture.
#include "content.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "wirewatch/common/text.hpp"
#include "wirewatch/normalizer/text_normalize.hpp"

namespace wirewatch::html {
namespace {

// ---- tuning -------------------------------------------------------------------

constexpr double kNoisePenalty = 0.35;  // score = prose − penalty × other text
constexpr double kProtectShare = 0.4;   // a wrapper holding this share of the prose stays
constexpr std::uint32_t kProtectMin = 300;
constexpr std::uint32_t kProtectProse = 500;  // ... or this much prose with few links
constexpr double kMaxLinkDensity = 0.5;       // blocks with more link text are dropped
constexpr double kBodyBonus = 0.15;           // for itemprop=articleBody and "article-body" classes
constexpr std::size_t kRelaxBelow = 300;      // bytes of text: try again heeding fewer class hints

// ---- small helpers -------------------------------------------------------------

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// Code points that are not ASCII whitespace.
std::uint32_t visible_length(std::string_view s) {
  std::uint32_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80 && c != ' ' && c != '\n' && c != '\t' && c != '\r' && c != '\f') ++n;
  return n;
}

// ---- class, id and role signals -------------------------------------------------

// weak: layout that is often furniture (sidebar, header, footer, meta); strong:
// furniture by name (ads, share bars, navigation); furniture: text about other
// things (related stories, newsletters, author boxes) that a prose check must
// not rescue; comment: comments and comment forms.
enum class Signal : std::uint8_t { none, weak, strong, furniture, comment };

constexpr std::string_view kCommentPrefixes[] = {"comment", "disqus",  "respond",   "kommentar",
                                                 "reply",   "replies", "discussion"};
constexpr std::string_view kFurnitureClassPrefixes[] = {
    "related",     "newsletter", "subscri",    "signup",      "cookie",      "consent",    "gdpr",
    "outbrain",    "taboola",    "plista",     "ligatus",     "recommend",   "trending",   "mostread",
    "mostpopular", "lesetipp",   "empfehlung", "factbox",     "nextstory",   "nextpost",   "prevpost",
    "nextread",    "authorbox",  "authorbio",  "aboutauthor", "saboxplugin", "disclosure", "privacy",
    "postmeta",    "breadcrumb", "addthis",    "addtoany"};
constexpr std::string_view kStrongPrefixes[] = {
    "share",   "sharing", "shariff",  "social",  "sociable",    "advert",    "paywall",   "sponsor",
    "promo",   "adsense", "adslot",   "adunit",  "adcontainer", "adwrapper", "banner",    "popup",
    "modal",   "teaser",  "further",  "weitere", "pagination",  "pager",     "paging",    "prevnext",
    "postnav", "follow",  "subnav",   "dialog",  "lightbox",    "offcanvas", "flyout",    "drawer",
    "login",   "signin",  "register", "licence", "license",     "highslide", "slideshow", "carousel"};
constexpr std::string_view kStrongWords[] = {
    "ad",        "ads",        "adv",  "anzeige", "werbung",  "print",   "next",     "prev",
    "previous",  "legend",     "tags", "tag",     "tagcloud", "taglist", "keywords", "sr",
    "offscreen", "navigation", "nav",  "navbar",  "menu",     "skip",    "toc"};
constexpr std::string_view kWeakPrefixes[] = {
    "sidebar",       "widget",          "footer",  "header",  "masthead", "byline",   "author", "caption",
    "credit",        "copyright",       "toolbar", "tools",   "meta",     "dateline", "rating", "overlay",
    "topbar",        "infobox",         "subline", "kicker",  "date",     "publish",  "navi",   "breaking",
    "aside",         "disclaimer",      "callout", "utility", "contact",  "kontakt",  "embed",  "imagedesc",
    "imagesubtitle", "bildunterschrift"};
constexpr std::string_view kWeakWords[] = {"time", "more", "also", "latest", "popular"};
constexpr std::string_view kSkippedTokenPrefixes[] = {"tag-",    "category-", "cat-",         "postid-",
                                                      "format-", "status-",   "has-",         "no-",
                                                      "single-", "type-",     "post-template"};

template <std::size_t N>
bool starts_with_any(std::string_view w, const std::string_view (&list)[N]) {
  for (auto p : list)
    if (w.starts_with(p)) return true;
  return false;
}
template <std::size_t N>
bool equals_any(std::string_view w, const std::string_view (&list)[N]) {
  for (auto p : list)
    if (w == p) return true;
  return false;
}

Signal word_signal(std::string_view w) {
  // "commentaires" are comments; "commentary" is an article kind.
  if (starts_with_any(w, kCommentPrefixes) && !w.starts_with("commentary")) return Signal::comment;
  if (starts_with_any(w, kFurnitureClassPrefixes)) return Signal::furniture;
  if (equals_any(w, kStrongWords) || starts_with_any(w, kStrongPrefixes)) return Signal::strong;
  if (starts_with_any(w, kWeakPrefixes) || equals_any(w, kWeakWords)) return Signal::weak;
  return Signal::none;
}

// Splits an id or class token into lowercase words at non-alphanumerics and at
// camelCase boundaries, and also tries the whole token squashed ("sr-only" → "sronly").
Signal token_signal(std::string_view token) {
  Signal best = Signal::none;
  auto take = [&](Signal s) {
    if (static_cast<int>(s) > static_cast<int>(best)) best = s;
  };
  std::string word, squashed;
  auto flush = [&] {
    if (!word.empty()) take(word_signal(word));
    word.clear();
  };
  char prev = 0;
  for (char c : token) {
    if (!is_alnum(c)) {
      flush();
    } else {
      if (c >= 'A' && c <= 'Z' && prev >= 'a' && prev <= 'z') flush();
      word += lower(c);
      squashed += lower(c);
    }
    prev = c;
  }
  flush();
  // Hidden by class: only the whole token says so. "hidden-xs" and
  // "field-label-hidden" hide on small screens or hide a label, not the text.
  if (squashed == "sronly" || squashed == "screenreadertext" || squashed == "visuallyhidden" ||
      squashed == "screenreader" || squashed == "hidden" || squashed == "ishidden" || squashed == "hide" ||
      squashed == "invisible" || squashed == "dnone")
    take(Signal::strong);
  // "news-letter-section", "related_posts": the whole token read as one word.
  if (starts_with_any(squashed, kFurnitureClassPrefixes)) take(Signal::furniture);
  return best;
}

Signal attribute_signal(std::string_view value) {
  Signal best = Signal::none;
  std::size_t pos = 0;
  while (pos < value.size()) {
    while (pos < value.size() && (value[pos] == ' ' || value[pos] == '\t' || value[pos] == '\n')) ++pos;
    std::size_t end = pos;
    while (end < value.size() && value[end] != ' ' && value[end] != '\t' && value[end] != '\n') ++end;
    auto token = value.substr(pos, end - pos);
    pos = end;
    if (token.empty()) continue;
    std::string low;
    for (char c : token.substr(0, std::min<std::size_t>(token.size(), 16))) low += lower(c);
    if (starts_with_any(low, kSkippedTokenPrefixes)) continue;
    auto s = token_signal(token);
    if (static_cast<int>(s) > static_cast<int>(best)) best = s;
  }
  return best;
}

bool is_positive_token(std::string_view value) {
  std::string squashed;
  for (char c : value) {
    if (is_alnum(c))
      squashed += lower(c);
    else if (c == ' ')
      squashed += ' ';
  }
  static constexpr std::string_view kPositive[] = {
      "articlebody",  "articlecontent", "articletext", "storybody",  "storycontent", "storytext",
      "entrycontent", "entrybody",      "postcontent", "postbody",   "posttext",     "postentry",
      "contentbody",  "bodytext",       "textcontent", "richtext",   "fieldbody",    "newstext",
      "newsbody",     "articleinner",   "blogpost",    "singlepost", "contenttext",  "maintext",
      "artikeltext",  "articlemain"};
  for (auto p : kPositive)
    if (squashed.find(p) != std::string::npos) return true;
  return false;
}

Signal role_signal(std::string_view role) {
  static constexpr std::string_view kRoles[] = {"navigation", "banner", "contentinfo", "complementary",
                                                "search",     "dialog", "alertdialog", "menu",
                                                "menubar",    "toolbar"};
  for (auto r : kRoles)
    if (role == r) return Signal::weak;
  return Signal::none;
}

bool is_hidden(const Node* n) {
  if (n->has_attr("hidden")) return true;
  if (n->attr("aria-hidden") == "true") return true;
  auto style = n->attr("style");
  if (style.empty()) return false;
  std::string s;
  for (char c : style)
    if (c != ' ') s += lower(c);
  return s.find("display:none") != std::string::npos || s.find("visibility:hidden") != std::string::npos;
}

bool is_hard_removed(Tag t) {
  switch (t) {
    case Tag::head:
    case Tag::script:
    case Tag::style:
    case Tag::noscript:
    case Tag::template_:
    case Tag::svg:
    case Tag::math:
    case Tag::iframe:
    case Tag::frame:
    case Tag::frameset:
    case Tag::object:
    case Tag::embed:
    case Tag::canvas:
    case Tag::video:
    case Tag::audio:
    case Tag::map:
    case Tag::area:
    case Tag::track:
    case Tag::source:
    case Tag::select:
    case Tag::option:
    case Tag::optgroup:
    case Tag::textarea:
    case Tag::input:
    case Tag::button:
    case Tag::output:
    case Tag::img:
    case Tag::picture:
    case Tag::title:
    case Tag::meta:
    case Tag::link:
    case Tag::base:
    case Tag::dialog:
    case Tag::figcaption:
    case Tag::rt:
    case Tag::rp:
    case Tag::label:
    case Tag::legend:
      return true;
    default:
      return false;
  }
}

Signal tag_signal(Tag t) {
  switch (t) {
    case Tag::nav:
    case Tag::aside:
    case Tag::footer:
    case Tag::header:
    case Tag::form:
    case Tag::menu:
    case Tag::figure:
    case Tag::fieldset:
    case Tag::address:
      return Signal::weak;
    default:
      return Signal::none;
  }
}

// ---- pass 1: measure the raw tree ----------------------------------------------

void measure(Node* n, bool in_link) {
  std::uint32_t text = 0, hint = 0, links = 0;
  for (Node* c = n->first_child; c; c = c->next) {
    if (c->is_text()) {
      auto len = visible_length(c->text);
      text += len;
      if (in_link) links += len;
      if (len >= 80) hint += len;
      continue;
    }
    if (is_hard_removed(c->tag) || is_hidden(c)) {
      c->removed = true;
      continue;
    }
    measure(c, in_link || c->tag == Tag::a);
    text += c->text_len;
    links += c->link_len;
    hint += c->tag == Tag::p ? c->text_len - c->link_len : c->prose_hint;
  }
  n->text_len = text;
  n->link_len = links;
  n->prose_hint = hint;
}

// ---- pass 2: remove boilerplate --------------------------------------------------

// Whether a word of an id or class value starts with `prefix` (lowercase).
bool contains_word_prefix(std::string_view value, std::string_view prefix) {
  std::string low;
  for (char c : value) low += is_alnum(c) ? lower(c) : ' ';
  for (std::size_t pos = low.find(prefix); pos != std::string::npos; pos = low.find(prefix, pos + 1))
    if (pos == 0 || low[pos - 1] == ' ') return true;
  return false;
}

bool is_article_header_name(std::string_view cls) {
  std::string low;
  char prev = 0;
  for (char c : cls) {
    if (c >= 'A' && c <= 'Z' && prev >= 'a' && prev <= 'z') low += ' ';
    low += is_alnum(c) ? lower(c) : ' ';
    prev = c;
  }
  // "article-header", "articleHeader", "entry-header".
  for (std::string_view head : {"article header", "entry header", "post header", "story header",
                                "content header", "articleheader", "news header", "beitrag header"})
    if (low.find(head) != std::string::npos) return true;
  return false;
}

// "article-teaser", "artikel-teaser", "teaser-text": the article's own lead.
bool is_lead_teaser(std::string_view cls) {
  std::string squashed;
  for (char c : cls) squashed += is_alnum(c) ? lower(c) : (c == ' ' ? ' ' : '\0');
  std::string flat;
  for (char c : squashed)
    if (c) flat += c;
  for (std::string_view k : {"articleteaser", "artikelteaser", "teasertext", "teaserlead", "storyteaser"})
    if (flat.find(k) != std::string::npos) return true;
  return false;
}

// The page's frame: footer, sidebar, widgets. Prose there (an "about us" text)
// is still not the article.
bool page_frame(const Node* n) {
  if (n->tag == Tag::footer || n->tag == Tag::aside) return true;
  for (auto v : {n->attr("id"), n->attr("class")})
    for (std::string_view w : {"footer", "sidebar", "widget"})
      if (contains_word_prefix(v, w)) return true;
  return false;
}

bool inside_article_tag(const Node* n) {
  for (const Node* a = n->parent; a; a = a->parent)
    if (a->tag == Tag::article) return true;
  return false;
}

bool inside_article(const Node* n) {
  for (const Node* a = n->parent; a; a = a->parent)
    if (a->tag == Tag::article || a->tag == Tag::main) return true;
  return false;
}

bool has_descendant(const Node* n, Tag tag) {
  for (const Node* c = n->first_child; c; c = c->next)
    if (c->tag == tag || (!c->is_text() && has_descendant(c, tag))) return true;
  return false;
}

std::uint32_t heading_text(const Node* n) {
  std::uint32_t len = 0;
  for (const Node* c = n->first_child; c; c = c->next) {
    if (c->removed || c->is_text()) continue;
    len += is_heading(c->tag) ? c->text_len : heading_text(c);
  }
  return len;
}

// A wrapper around a heading and nothing else ("<div class=j-header><h2>...</h2>"):
// a heading of the text, not the page's header.
bool is_heading_wrapper(const Node* n) {
  return n->text_len > 0 && n->text_len < 300 && heading_text(n) == n->text_len;
}

std::string describe(const Node* n);

struct Cleaner {
  std::uint32_t total_prose;
  int relax;  // 1: comments stay (on a forum they are the text); 2: classes and ids ignored

  // A node that holds much of the page's prose, or a good amount of prose with
  // few links, is content whatever its class says ("post steady-paywall-container",
  // "TestReport__Section--Ads").
  bool protected_node(const Node* n, double share, bool by_share_only = false) const {
    if (n->prose_hint >= kProtectMin &&
        static_cast<double>(n->prose_hint) >= share * static_cast<double>(total_prose))
      return true;
    return !by_share_only && n->prose_hint >= kProtectProse && n->link_len * 5 < n->text_len;
  }

  void clean(Node* n) {
    for (Node* c = n->first_child; c; c = c->next) {
      if (c->is_text() || c->removed) continue;
      if (c->tag != Tag::body && c->tag != Tag::html) {
        Signal s = tag_signal(c->tag);
        // An article's own <header> holds its title, byline and lead: the title
        // and byline are dropped line by line later, the lead is text.
        if (c->tag == Tag::header && inside_article(c)) s = Signal::none;
        // A form to write into (a comment form) is furniture however much it says.
        const bool input_form = c->tag == Tag::form && has_descendant(c, Tag::textarea);
        auto take = [&](Signal x) {
          if (static_cast<int>(x) > static_cast<int>(s)) s = x;
        };
        auto id = c->attr("id");
        auto cls = c->attr("class");
        if (relax < 2) {
          if (!id.empty()) take(attribute_signal(id));
          if (!cls.empty()) take(attribute_signal(cls));
        }
        // On a forum the comments are the text; a form to write one never is.
        if (relax == 1 && s == Signal::comment && !has_descendant(c, Tag::form) &&
            !has_descendant(c, Tag::textarea))
          s = Signal::none;
        auto role = c->attr("role");
        if (!role.empty()) take(role_signal(role));
        // The same for a header by class ("story__header", "entry-header").
        if (s == Signal::weak && inside_article(c) &&
            (c->tag == Tag::header || contains_word_prefix(cls, "header") ||
             contains_word_prefix(id, "header")))
          s = Signal::none;
        // ... and an article's header wherever it is ("article-header", "entry-header").
        if (s == Signal::weak && is_article_header_name(cls)) s = Signal::none;
        // An <article> or <main> is not furniture because of a layout class.
        if (s == Signal::weak && (c->tag == Tag::article || c->tag == Tag::main)) s = Signal::none;
        // A teaser inside the article is its lead; elsewhere it links to other stories.
        if (s == Signal::strong && !contains_word_prefix(cls, "related") &&
            ((inside_article_tag(c) &&
              (contains_word_prefix(cls, "teaser") || contains_word_prefix(id, "teaser"))) ||
             is_lead_teaser(cls)))
          s = Signal::none;
        // Headings are text: ids like "nav_first_heading" are anchors, not navigation.
        if (is_heading(c->tag) && s != Signal::comment) s = Signal::none;
        if (c->attr("itemprop") == "description") s = Signal::none;
        if (s != Signal::none &&
            (is_positive_token(cls) || is_positive_token(id) || c->attr("itemprop") == "articleBody"))
          s = s == Signal::comment ? s : Signal::none;
        bool remove = false;
        switch (s) {
          case Signal::none:
            break;
          case Signal::comment:
            remove = true;
            break;
          case Signal::strong:
            remove = !protected_node(c, 0.6);
            break;
          case Signal::furniture:
            remove = !protected_node(c, 0.6, /*by_share_only=*/true);
            break;
          case Signal::weak:
            remove = !protected_node(c, kProtectShare, /*by_share_only=*/input_form || page_frame(c)) &&
                     !is_heading_wrapper(c);
            break;
        }
        if (remove) {
          c->removed = true;
          continue;
        }
      }
      clean(c);
    }
  }
};

// ---- pass 3: blocks ---------------------------------------------------------------

struct Block {
  Node* owner = nullptr;  // innermost block element around the text
  std::string text;       // normalized
  std::uint32_t len = 0, link_len = 0;
  Tag kind = Tag::p;  // owner's tag
  bool in_list = false;
  bool prose = false;
};

struct Segmenter {
  std::vector<Block> blocks;
  std::string buf;
  std::uint32_t len = 0, link_len = 0;
  int link_depth = 0;
  bool after_br = false;
  Node* owner = nullptr;

  void flush() {
    after_br = false;
    if (len == 0) {
      buf.clear();
      link_len = 0;
      return;
    }
    Block b;
    b.owner = owner;
    b.text = normalize_paragraph(buf);
    b.len = len;
    b.link_len = link_len;
    b.kind = owner ? owner->tag : Tag::div;
    for (const Node* a = owner; a; a = a->parent)
      if (a->tag == Tag::li || a->tag == Tag::ul || a->tag == Tag::ol) {
        b.in_list = true;
        break;
      }
    buf.clear();
    len = link_len = 0;
    if (!b.text.empty()) blocks.push_back(std::move(b));
  }

  void walk(Node* n) {
    for (Node* c = n->first_child; c; c = c->next) {
      if (c->removed) continue;
      if (c->is_text()) {
        auto l = visible_length(c->text);
        buf += c->text;
        len += l;
        if (link_depth) link_len += l;
        if (l) after_br = false;
        continue;
      }
      if (c->tag == Tag::br) {
        if (after_br)
          flush();
        else {
          buf += ' ';
          after_br = true;
        }
        continue;
      }
      if (c->tag == Tag::hr) {
        flush();
        continue;
      }
      if (is_inline(c->tag) && c->tag != Tag::unknown) {
        if (c->tag == Tag::a) ++link_depth;
        walk(c);
        if (c->tag == Tag::a) --link_depth;
        continue;
      }
      flush();
      Node* saved = owner;
      owner = c;
      walk(c);
      flush();
      owner = saved;
    }
  }
};

bool has_sentence_punctuation(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '.' || c == ',' || c == '!' || c == '?' || c == ';' || c == ':') return true;
  }
  return s.find("\xE3\x80\x82") != std::string_view::npos;  // 。
}

bool is_prose(const Block& b, bool lenient) {
  if (is_heading(b.kind)) return false;
  if (lenient) return b.len >= 3 && b.link_len * 3 < b.len;
  double ld = b.len ? static_cast<double>(b.link_len) / b.len : 1.0;
  if (ld > 0.35) return false;
  if (b.len >= 80) return true;
  return b.len >= 30 && has_sentence_punctuation(b.text);
}

// ---- boilerplate lines -------------------------------------------------------------

std::string fold_ascii(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) out += lower(c);
  return out;
}

// Whole-line furniture: sharing, reading on, credits, tags, navigation. Checked on
// short blocks only (case-insensitive prefixes of the line, or the whole line).
constexpr std::string_view kFurniturePrefixes[] = {"share this",
                                                   "share on",
                                                   "share:",
                                                   "teilen",
                                                   "tweet",
                                                   "follow us",
                                                   "folgen sie",
                                                   "advertisement",
                                                   "anzeige",
                                                   "werbung",
                                                   "publicité",
                                                   "publicidad",
                                                   "reklama",
                                                   "sponsored",
                                                   "read more",
                                                   "read also",
                                                   "read next",
                                                   "weiterlesen",
                                                   "mehr lesen",
                                                   "lire la suite",
                                                   "lire aussi",
                                                   "à lire aussi",
                                                   "leer más",
                                                   "lee también",
                                                   "czytaj więcej",
                                                   "czytaj też",
                                                   "читайте также",
                                                   "читать далее",
                                                   "подробнее",
                                                   "related:",
                                                   "related articles",
                                                   "related stories",
                                                   "related posts",
                                                   "see also",
                                                   "more on this",
                                                   "more from",
                                                   "mehr zum thema",
                                                   "auch interessant",
                                                   "lesen sie auch",
                                                   "das könnte sie auch",
                                                   "photo:",
                                                   "photos:",
                                                   "foto:",
                                                   "fotos:",
                                                   "bild:",
                                                   "bilder:",
                                                   "image:",
                                                   "credit:",
                                                   "quelle:",
                                                   "source:",
                                                   "©",
                                                   "(c) ",
                                                   "copyright",
                                                   "all rights reserved",
                                                   "alle rechte vorbehalten",
                                                   "tags:",
                                                   "schlagworte",
                                                   "schlagwörter",
                                                   "stichworte",
                                                   "themen:",
                                                   "filed under",
                                                   "posted in",
                                                   "categories:",
                                                   "kategorie:",
                                                   "kategorien:",
                                                   "comments",
                                                   "kommentare",
                                                   "leave a comment",
                                                   "leave a reply",
                                                   "kommentar schreiben",
                                                   "subscribe",
                                                   "sign up",
                                                   "abonnieren",
                                                   "newsletter",
                                                   "we use cookies",
                                                   "diese website verwendet",
                                                   "previous article",
                                                   "next article",
                                                   "previous post",
                                                   "next post",
                                                   "vorheriger artikel",
                                                   "nächster artikel",
                                                   "back to top",
                                                   "nach oben",
                                                   "zurück zur",
                                                   "no time to read",
                                                   "get a summary",
                                                   "click here",
                                                   "klicken sie hier",
                                                   "print",
                                                   "drucken",
                                                   "e-mail",
                                                   "email",
                                                   "facebook",
                                                   "twitter",
                                                   "whatsapp",
                                                   "linkedin",
                                                   "pinterest",
                                                   "telegram",
                                                   "xing",
                                                   "you may also like",
                                                   "recommended",
                                                   "empfohlen",
                                                   "trending",
                                                   "most read",
                                                   "meistgelesen",
                                                   "published",
                                                   "updated",
                                                   "veröffentlicht",
                                                   "aktualisiert",
                                                   "zuletzt aktualisiert",
                                                   "stand:",
                                                   "posted on",
                                                   "posted by",
                                                   "written by",
                                                   "geschrieben von",
                                                   "autor:",
                                                   "author:",
                                                   "by ",
                                                   "von ",
                                                   "par ",
                                                   "por ",
                                                   "de ",
                                                   "di ",
                                                   "door ",
                                                   "av ",
                                                   "text:",
                                                   "text von"};

constexpr std::string_view kDateWords[] = {"january",      "february",   "march",
                                           "april",        "may",        "june",
                                           "july",         "august",     "september",
                                           "october",      "november",   "december",
                                           "jan",          "feb",        "mar",
                                           "apr",          "jun",        "jul",
                                           "aug",          "sep",        "sept",
                                           "oct",          "nov",        "dec",
                                           "januar",       "jänner",     "februar",
                                           "märz",         "mai",        "juni",
                                           "juli",         "oktober",    "dezember",
                                           "janvier",      "février",    "mars",
                                           "avril",        "juin",       "juillet",
                                           "août",         "septembre",  "octobre",
                                           "novembre",     "décembre",   "enero",
                                           "febrero",      "marzo",      "abril",
                                           "mayo",         "junio",      "julio",
                                           "agosto",       "septiembre", "octubre",
                                           "noviembre",    "diciembre",  "monday",
                                           "tuesday",      "wednesday",  "thursday",
                                           "friday",       "saturday",   "sunday",
                                           "montag",       "dienstag",   "mittwoch",
                                           "donnerstag",   "freitag",    "samstag",
                                           "sonntag",      "am",         "pm",
                                           "uhr",          "um",         "at",
                                           "on",           "the",        "of",
                                           "de",           "del",        "le",
                                           "der",          "den",        "updated",
                                           "published",    "posted",     "veröffentlicht",
                                           "aktualisiert", "stand",      "gmt",
                                           "utc",          "cet",        "cest",
                                           "est",          "edt",        "mez",
                                           "mesz",         "min",        "minutes",
                                           "lesezeit",     "read",       "reading",
                                           "time",         "h",          "ago",
                                           "vor",          "stunden",    "tagen",
                                           "hours",        "days"};

// A short line made only of numbers, month and weekday names and the like.
bool is_date_line(std::string_view text) {
  if (text.size() > 80) return false;
  bool digit = false;
  std::string folded = fold_case(text);
  std::string word;
  bool ok = true;
  auto check = [&] {
    if (word.empty()) return;
    bool numeric = std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (numeric)
      digit = true;
    else if (!equals_any(word, kDateWords))
      ok = false;
    word.clear();
  };
  for (std::size_t pos = 0; pos < folded.size();) {
    std::size_t start = pos;
    char32_t cp = next_code_point(folded, pos);
    if (is_word_char(cp))
      word.append(folded, start, pos - start);
    else
      check();
  }
  check();
  return ok && digit;
}

bool is_furniture_line(const Block& b) {
  if (b.len > 100) return false;
  std::string low = fold_ascii(b.text);
  // Prefixes that read as a whole line of page furniture.
  for (auto p : kFurniturePrefixes) {
    if (!low.starts_with(p)) continue;
    // "By " and the like: a byline only when short.
    if (p.back() == ' ' && p.size() <= 5) return word_count(b.text) <= 5 && b.len < 50;
    if (b.len <= 60) return true;
  }
  return is_date_line(b.text);
}

// Lines that open the furniture after an article: related stories, comments,
// the author box, sharing, tags, post navigation. Past the middle of the text,
// such a line ends the article.
constexpr std::string_view kTailMarkers[] = {"related",
                                             "ähnliche beiträge",
                                             "ähnliche artikel",
                                             "ähnliche themen",
                                             "das könnte dich auch interessieren",
                                             "das könnte sie auch interessieren",
                                             "das könnte sie interessieren",
                                             "auch interessant",
                                             "mehr zum thema",
                                             "weitere artikel",
                                             "weitere beiträge",
                                             "weitere themen",
                                             "weitere meldungen",
                                             "weitere nachrichten",
                                             "mehr aus",
                                             "mehr von",
                                             "more stories",
                                             "more from",
                                             "more on",
                                             "you may also like",
                                             "you might also like",
                                             "explore further",
                                             "read next",
                                             "recommended",
                                             "empfehlungen",
                                             "unsere empfehlung",
                                             "zobacz także",
                                             "zobacz też",
                                             "czytaj także",
                                             "czytaj też",
                                             "polecamy",
                                             "comments",
                                             "kommentare",
                                             "kommentar",
                                             "leave a reply",
                                             "leave a comment",
                                             "über den autor",
                                             "zum autor",
                                             "zur autorin",
                                             "about the author",
                                             "weiterführende informationen",
                                             "lesen sie auch",
                                             "lesen sie mehr",
                                             "à lire aussi",
                                             "lire aussi",
                                             "sur le même sujet",
                                             "dans la même rubrique",
                                             "vous aimerez aussi",
                                             "te puede interesar",
                                             "noticias relacionadas",
                                             "artículos relacionados",
                                             "leggi anche",
                                             "articoli correlati",
                                             "читайте также",
                                             "похожие",
                                             "share this",
                                             "diesen artikel teilen",
                                             "diesen beitrag teilen",
                                             "artikel teilen",
                                             "beitrag teilen",
                                             "tags",
                                             "schlagwörter",
                                             "schlagworte",
                                             "previous article",
                                             "next article",
                                             "vorheriger artikel",
                                             "nächster artikel",
                                             "vorheriger beitrag",
                                             "nächster beitrag",
                                             "beitragsnavigation",
                                             "post navigation",
                                             "if you enjoyed",
                                             "most read",
                                             "meistgelesen",
                                             "top stories",
                                             "latest news",
                                             "neueste beiträge",
                                             "aktuelle beiträge",
                                             "letzte beiträge",
                                             "recent posts",
                                             "popular posts",
                                             "das könnte dich",
                                             "dies könnte sie",
                                             "verwandte",
                                             "zum weiterlesen",
                                             "das thema könnte",
                                             "lesen sie hier",
                                             "mehr dazu",
                                             "mehr zu",
                                             "neueste artikel",
                                             "beliebte artikel",
                                             "schon gelesen",
                                             "noch mehr",
                                             "top themen",
                                             "weitere informationen",
                                             "zusatzinformationen",
                                             "see more",
                                             "more stories",
                                             "also read",
                                             "continue reading",
                                             "keep reading",
                                             "you might like",
                                             "we recommend",
                                             "further reading",
                                             "más noticias",
                                             "lee también",
                                             "te recomendamos",
                                             "à lire",
                                             "voir aussi",
                                             "zobacz także",
                                             "czytaj więcej",
                                             "polecane",
                                             "najnowsze",
                                             "najczęściej czytane",
                                             "popularne"};

bool is_tail_marker(const Block& b) {
  if (b.len > 60 || b.prose) return false;
  std::string low = fold_case(b.text);
  for (auto m : kTailMarkers) {
    if (!low.starts_with(m)) continue;
    if (low.size() == m.size()) return true;
    // The marker is a whole word or phrase: "Related:", "Kommentare (3)", not "Relatedness".
    char next = low[m.size()];
    if (!((next >= 'a' && next <= 'z') || static_cast<unsigned char>(next) >= 0x80)) return true;
  }
  return false;
}

// The standfirst (lead, dek, chapo) often sits in the article's header, beside
// the title rather than in the body container.
bool is_lead_owner(const Node* n) {
  static constexpr std::string_view kLead[] = {
      "lead", "standfirst", "intro", "summary",    "subtitle", "subheadline", "subhead",
      "dek",  "deck",       "chapo", "excerpt",    "abstract", "description", "teasertext",
      "lede", "strapline",  "sapo",  "entradilla", "vorspann"};
  for (int depth = 0; n && depth < 3; ++depth, n = n->parent) {
    for (auto attr : {n->attr("class"), n->attr("itemprop")}) {
      std::string words;
      for (char c : attr) words += is_alnum(c) ? lower(c) : ' ';
      std::size_t pos = 0;
      while (pos < words.size()) {
        while (pos < words.size() && words[pos] == ' ') ++pos;
        std::size_t end = words.find(' ', pos);
        if (end == std::string::npos) end = words.size();
        std::string_view w(words.data() + pos, end - pos);
        if (equals_any(w, kLead)) return true;
        pos = end;
      }
    }
  }
  return false;
}

std::string squash_text(std::string_view s) {
  std::string folded = fold_case(s), out;
  for (std::size_t pos = 0; pos < folded.size();) {
    std::size_t start = pos;
    char32_t cp = next_code_point(folded, pos);
    if (is_word_char(cp)) out.append(folded, start, pos - start);
  }
  return out;
}

std::string describe(const Node* n) {
  std::string out = "node";
  static constexpr std::array<std::pair<Tag, std::string_view>, 8> kNames = {{{Tag::body, "body"},
                                                                              {Tag::article, "article"},
                                                                              {Tag::main, "main"},
                                                                              {Tag::section, "section"},
                                                                              {Tag::div, "div"},
                                                                              {Tag::td, "td"},
                                                                              {Tag::p, "p"},
                                                                              {Tag::unknown, "?"}}};
  for (const auto& [t, name] : kNames)
    if (n->tag == t) out = name;
  if (auto id = n->attr("id"); !id.empty()) out += "#" + std::string(id);
  if (auto cls = n->attr("class"); !cls.empty()) out += "." + std::string(cls.substr(0, 60));
  return out;
}

Node* find_body(Node* root) {
  std::vector<Node*> stack{root};
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    if (n->tag == Tag::body) return n;
    for (Node* c = n->first_child; c; c = c->next)
      if (!c->is_text()) stack.push_back(c);
  }
  return root;
}

std::size_t total_length(const ContentResult& r) {
  std::size_t n = 0;
  for (const auto& p : r.paragraphs) n += p.size();
  return n;
}

ContentResult run(Document& doc, const PageMeta& meta, std::string_view title, int relax) {
  ContentResult result;
  Node* body = find_body(doc.root());
  measure(doc.root(), false);
  Cleaner cleaner{body->prose_hint, relax};
  cleaner.clean(body);

  Segmenter seg;
  seg.owner = body;
  seg.walk(body);
  seg.flush();
  if (seg.blocks.empty()) return result;

  // Score every element by what its blocks are worth. text_len and link_len
  // were measured before cleaning: recount what is left.
  for (auto& b : seg.blocks)
    for (Node* a = b.owner; a; a = a->parent) a->text_len = a->link_len = 0;
  // Without a single prose block (a poem, a dialogue, a table), any text with
  // few links counts as prose.
  bool lenient =
      std::none_of(seg.blocks.begin(), seg.blocks.end(), [](const Block& b) { return is_prose(b, false); });
  for (auto& b : seg.blocks) {
    b.prose = is_prose(b, lenient);
    for (Node* a = b.owner; a; a = a->parent) {
      a->text_len += b.len;
      a->good_len += b.prose ? b.len : 0;
      a->link_len += b.link_len;
      a->paragraphs += b.prose ? 1 : 0;
    }
  }

  Node* best = body;
  double best_score = -1e18;
  std::vector<Node*> stack{body};
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    if (n->good_len == 0) continue;
    double good = n->good_len;
    double noise = static_cast<double>(n->text_len) - good;
    double score = good - kNoisePenalty * noise;
    if (n->tag == Tag::body || n->tag == Tag::html)
      ;
    else if (n->attr("itemprop") == "articleBody" || is_positive_token(n->attr("class")) ||
             is_positive_token(n->attr("id")))
      score += kBodyBonus * good;
    else if (n->tag == Tag::article)
      score += 0.05 * good;
    if (score > best_score) {
      best_score = score;
      best = n;
    }
    for (Node* c = n->first_child; c; c = c->next)
      if (!c->is_text() && !c->removed) stack.push_back(c);
  }
  result.container = describe(best);

  // Emit the container's blocks.
  std::vector<std::string> titles;
  for (const std::string* t : {&meta.og_title, &meta.ld_headline, &meta.h1, &meta.html_title}) {
    if (!t->empty()) titles.push_back(squash_text(*t));
  }
  titles.push_back(squash_text(title));

  auto inside = [&](const Node* n) {
    for (; n; n = n->parent)
      if (n == best) return true;
    return false;
  };
  std::size_t first = 0;
  while (first < seg.blocks.size() && !inside(seg.blocks[first].owner)) ++first;
  // A lead before the container: the nearest prose block above it, when it is
  // marked as one ("standfirst", "lead", "chapo") or sits right under the title.
  auto is_title = [&](const Block& b) {
    return !b.prose && b.len < 200 &&
           std::find(titles.begin(), titles.end(), squash_text(b.text)) != titles.end();
  };
  for (std::size_t i = first, looked = 0; i-- > 0 && looked < 6; ++looked) {
    const Block& b = seg.blocks[i];
    if (is_title(b)) break;
    if (!b.prose || b.link_len * 10 >= b.len) continue;
    bool title_above = false;
    for (std::size_t k = i, n = 0; k-- > 0 && n < 4; ++n)
      if (is_title(seg.blocks[k])) title_above = true;
    if (is_lead_owner(b.owner) || title_above) result.paragraphs.push_back(b.text);
    break;
  }

  std::size_t last_prose = 0;  // the container's last prose block
  for (std::size_t i = 0; i < seg.blocks.size(); ++i)
    if (seg.blocks[i].prose && inside(seg.blocks[i].owner)) last_prose = i;

  // Decide block by block: 'E' emit; '-' outside the container; 'X' after the
  // end marker 'T'; 'L' a link list; 'H' the title again; 'F' a furniture line;
  // 'O' the heading of dropped furniture.
  std::vector<char> verdict(seg.blocks.size(), '-');
  std::uint32_t prose_seen = 0;
  bool ended = false;
  for (std::size_t i = 0; i < seg.blocks.size(); ++i) {
    const Block& b = seg.blocks[i];
    char& v = verdict[i];
    if (!inside(b.owner)) continue;
    if (ended) {
      v = 'X';
      continue;
    }
    // A marker ends the text when most of the prose is behind it, and little ahead.
    if (prose_seen * 2 >= best->good_len && (best->good_len - prose_seen) * 10 < best->good_len * 3 &&
        is_tail_marker(b)) {
      ended = true;
      v = 'T';
      continue;
    }
    if (b.prose) prose_seen += b.len;
    double ld = b.len ? static_cast<double>(b.link_len) / b.len : 1.0;
    if (ld > kMaxLinkDensity) {
      v = 'L';
      continue;
    }
    v = 'E';
    if (!b.prose && b.len < 200) {
      auto sq = squash_text(b.text);
      if (std::find(titles.begin(), titles.end(), sq) != titles.end())
        v = 'H';
      else if (is_furniture_line(b) || is_tail_marker(b))
        v = 'F';
    }
  }
  // A heading over nothing but a dropped link list (or over nothing at all)
  // titles furniture: "More stories", "Kommende Events".
  for (std::size_t i = 0; i < seg.blocks.size(); ++i) {
    const Block& b = seg.blocks[i];
    if (verdict[i] != 'E' || b.prose || b.len > 80 || b.link_len * 2 > b.len) continue;
    bool links_dropped = false;
    std::size_t k = i + 1;
    for (; k < seg.blocks.size(); ++k) {
      if (verdict[k] == 'L')
        links_dropped = true;
      else if (verdict[k] == 'E')
        break;
    }
    const bool at_end = k == seg.blocks.size();
    const bool next_is_label =
        !at_end && !seg.blocks[k].prose && (is_heading(seg.blocks[k].kind) || seg.blocks[k].len <= 80);
    if ((links_dropped && (at_end || next_is_label)) || (at_end && i > last_prose)) verdict[i] = 'O';
  }
  for (std::size_t i = 0; i < seg.blocks.size(); ++i)
    if (verdict[i] == 'E') result.paragraphs.push_back(seg.blocks[i].text);
  return result;
}

}  // namespace

ContentResult extract_content(Document& doc, const PageMeta& meta, std::string_view title) {
  ContentResult best = run(doc, meta, title, 0);
  // Too little left: the classes misled (a forum whose posts are "comments", a
  // wrapper named after a widget). Try again keeping comments, then ignoring
  // classes and ids; a retry wins when it finds much more.
  for (int relax = 1; relax <= 2 && total_length(best) < kRelaxBelow; ++relax) {
    doc.reset_analysis();
    ContentResult again = run(doc, meta, title, relax);
    if (total_length(again) > 2 * total_length(best) + 100) best = std::move(again);
  }
  return best;
}

}  // namespace wirewatch::html
