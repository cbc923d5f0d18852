// Relative links of feeds, resolved with curl's URL API (no URL parser of our
// own), with the flags of the normalizer's resolve_url (normalizer/url.hpp). That
// function parses the base on every call; a feed resolves hundreds of links
// against one base, so here the parsed base is kept per thread and duplicated
// for each link, and the last results are remembered. Absolute links are taken
// as they are.
#include <curl/curl.h>

#include <array>
#include <memory>

#include "feed_parser_detail.hpp"

namespace wirewatch::connectors::detail {
namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.remove_suffix(1);
  return s;
}

struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using UrlHandle = std::unique_ptr<CURLU, UrlDeleter>;

struct CurlStringDeleter {
  void operator()(char* p) const { curl_free(p); }
};

constexpr unsigned kSetFlags = CURLU_URLENCODE | CURLU_ALLOW_SPACE | CURLU_NON_SUPPORT_SCHEME;

// One thread's resolver: the last base, parsed, and a small direct-mapped memo of
// references resolved against it (the same relative href recurs in every item).
class Resolver {
 public:
  std::optional<std::string> resolve(std::string_view base, std::string_view ref) {
    if (!handle_ || base != base_) {
      UrlHandle h(curl_url());
      const std::string b(base);
      if (!h || curl_url_set(h.get(), CURLUPART_URL, b.c_str(), kSetFlags) != CURLUE_OK) return std::nullopt;
      handle_ = std::move(h);
      base_ = b;
      for (auto& m : memo_) m.ref.clear();
    }
    Memo& m = memo_[std::hash<std::string_view>{}(ref) % memo_.size()];
    if (!m.ref.empty() && m.ref == ref) return m.url;
    UrlHandle h(curl_url_dup(handle_.get()));
    const std::string r(ref);
    if (!h || curl_url_set(h.get(), CURLUPART_URL, r.c_str(), kSetFlags) != CURLUE_OK) return std::nullopt;
    char* raw = nullptr;
    if (curl_url_get(h.get(), CURLUPART_URL, &raw, 0) != CURLUE_OK || raw == nullptr) return std::nullopt;
    std::unique_ptr<char, CurlStringDeleter> owned(raw);
    m.ref = r;
    m.url = raw;
    return m.url;
  }

 private:
  struct Memo {
    std::string ref, url;
  };
  UrlHandle handle_;
  std::string base_;
  std::array<Memo, 64> memo_;
};

}  // namespace

bool has_scheme(std::string_view url) {
  if (url.empty() || !is_alpha(url[0])) return false;
  for (std::size_t i = 1; i < url.size(); ++i) {
    const char c = url[i];
    if (c == ':') return true;
    if (!(is_alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')) return false;
  }
  return false;
}

std::string resolve_url(std::string_view base, std::string_view ref) {
  ref = trim(ref);
  if (ref.empty() || has_scheme(ref)) return std::string(ref);
  base = trim(base);
  if (base.empty() || !has_scheme(base)) return std::string(ref);
  thread_local Resolver resolver;
  return resolver.resolve(base, ref).value_or(std::string(ref));
}

std::string resolve_links_in_html(std::string_view html, std::string_view base) {
  if (base.empty() || html.find('=') == std::string_view::npos) return std::string(html);
  std::string out;
  std::size_t copied = 0;
  std::size_t i = 0;
  while ((i = html.find('<', i)) != std::string_view::npos) {
    ++i;
    if (i >= html.size() || !is_alpha(html[i])) continue;
    const std::size_t gt = html.find('>', i);
    if (gt == std::string_view::npos) break;
    // attributes of this tag
    std::size_t p = i;
    while (p < gt && html[p] != ' ' && html[p] != '\t' && html[p] != '\n' && html[p] != '\r') ++p;
    while (p < gt) {
      while (p < gt &&
             (html[p] == ' ' || html[p] == '\t' || html[p] == '\n' || html[p] == '\r' || html[p] == '/'))
        ++p;
      const std::size_t name_start = p;
      while (p < gt && html[p] != '=' && html[p] != ' ' && html[p] != '\t' && html[p] != '\n' &&
             html[p] != '\r')
        ++p;
      const std::string_view name = html.substr(name_start, p - name_start);
      while (p < gt && (html[p] == ' ' || html[p] == '\t')) ++p;
      if (p >= gt || html[p] != '=') continue;
      ++p;
      while (p < gt && (html[p] == ' ' || html[p] == '\t')) ++p;
      std::size_t value_start, value_end;
      if (p < gt && (html[p] == '"' || html[p] == '\'')) {
        const char q = html[p];
        value_start = p + 1;
        value_end = html.find(q, value_start);
        if (value_end == std::string_view::npos || value_end > gt) break;
        p = value_end + 1;
      } else {
        value_start = p;
        while (p < gt && html[p] != ' ' && html[p] != '\t' && html[p] != '\n') ++p;
        value_end = p;
      }
      const bool link_attr =
          (name.size() == 4 && lower(name[0]) == 'h' && lower(name[1]) == 'r' && lower(name[2]) == 'e' &&
           lower(name[3]) == 'f') ||
          (name.size() == 3 && lower(name[0]) == 's' && lower(name[1]) == 'r' && lower(name[2]) == 'c');
      if (!link_attr) continue;
      const std::string_view value = html.substr(value_start, value_end - value_start);
      const std::string_view t = trim(value);
      if (t.empty() || t.front() == '#' || has_scheme(t)) continue;
      out.append(html.substr(copied, value_start - copied));
      out += resolve_url(base, value);
      copied = value_end;
    }
    i = gt + 1;
  }
  if (copied == 0) return std::string(html);
  out.append(html.substr(copied));
  return out;
}

}  // namespace wirewatch::connectors::detail
