#include "wirewatch/normalizer/url.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <memory>
#include <vector>

namespace wirewatch {
namespace {

struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using UrlHandle = std::unique_ptr<CURLU, UrlDeleter>;

struct CurlStringDeleter {
  void operator()(char* p) const { curl_free(p); }
};

constexpr unsigned kSetFlags = CURLU_URLENCODE | CURLU_ALLOW_SPACE;

std::optional<std::string> get_part(CURLU* u, CURLUPart part, unsigned flags = 0) {
  char* raw = nullptr;
  if (curl_url_get(u, part, &raw, flags) != CURLUE_OK || !raw) return std::nullopt;
  std::unique_ptr<char, CurlStringDeleter> owned(raw);
  return std::string(raw);
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}

std::string_view trim(std::string_view s) {
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

// A handle holding an absolute http(s) URL, or null.
UrlHandle parse_http(std::string_view url) {
  UrlHandle u(curl_url());
  if (!u) return nullptr;
  std::string s(trim(url));
  if (curl_url_set(u.get(), CURLUPART_URL, s.c_str(), kSetFlags) != CURLUE_OK) return nullptr;
  auto scheme = get_part(u.get(), CURLUPART_SCHEME);
  if (!scheme) return nullptr;
  auto lower = ascii_lower(*scheme);
  if (lower != "http" && lower != "https") return nullptr;
  return u;
}

constexpr std::array<std::string_view, 27> kTrackingParams = {
    "fbclid",   "gclid",  "dclid",  "gbraid",  "wbraid",      "msclkid",    "yclid",
    "ysclid",   "twclid", "ttclid", "igshid",  "mc_cid",      "mc_eid",     "_ga",
    "_gl",      "_hsenc", "_hsmi",  "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id",
    "wickedid", "__s",    "s_cid",  "ref_src", "cmpid",       "_openstat"};

}  // namespace

bool is_tracking_parameter(std::string_view name) {
  std::string n = ascii_lower(name);
  if (n.starts_with("utm_")) return true;
  for (auto t : kTrackingParams)
    if (n == t) return true;
  return false;
}

std::optional<std::string> canonicalize_url(std::string_view url) {
  UrlHandle u = parse_http(url);
  if (!u) return std::nullopt;
  auto scheme = get_part(u.get(), CURLUPART_SCHEME);
  auto host = get_part(u.get(), CURLUPART_HOST);
  if (!scheme || !host || host->empty()) return std::nullopt;
  curl_url_set(u.get(), CURLUPART_SCHEME, ascii_lower(*scheme).c_str(), 0);
  std::string h = ascii_lower(*host);
  while (!h.empty() && h.back() == '.') h.pop_back();  // "example.com." is example.com
  if (h.empty()) return std::nullopt;
  curl_url_set(u.get(), CURLUPART_HOST, h.c_str(), 0);
  curl_url_set(u.get(), CURLUPART_FRAGMENT, nullptr, 0);

  if (auto query = get_part(u.get(), CURLUPART_QUERY)) {
    std::string kept;
    std::string_view q = *query;
    while (!q.empty()) {
      auto amp = q.find('&');
      auto param = q.substr(0, amp);
      q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
      if (param.empty()) continue;
      auto name = param.substr(0, param.find('='));
      if (is_tracking_parameter(name)) continue;
      if (!kept.empty()) kept += '&';
      kept += param;
    }
    curl_url_set(u.get(), CURLUPART_QUERY, kept.empty() ? nullptr : kept.c_str(), 0);
  }
  auto out = get_part(u.get(), CURLUPART_URL, CURLU_NO_DEFAULT_PORT);
  // A host set by part skips the normalization of a parse: "123." without its dot
  // reads as the IPv4 address 0.0.0.123 next time. Parsed once more, the canonical
  // form is a fixed point, as record ids need.
  if (out && h.size() != host->size()) {
    UrlHandle again = parse_http(*out);
    if (!again) return std::nullopt;
    return get_part(again.get(), CURLUPART_URL, CURLU_NO_DEFAULT_PORT);
  }
  return out;
}

std::optional<std::string> resolve_url(std::string_view base, std::string_view reference) {
  UrlHandle u(curl_url());
  if (!u) return std::nullopt;
  std::string b(trim(base));
  if (curl_url_set(u.get(), CURLUPART_URL, b.c_str(), kSetFlags | CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
    return std::nullopt;
  std::string r(trim(reference));
  if (r.empty()) {
    curl_url_set(u.get(), CURLUPART_FRAGMENT, nullptr, 0);
    return get_part(u.get(), CURLUPART_URL);
  }
  if (curl_url_set(u.get(), CURLUPART_URL, r.c_str(), kSetFlags | CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
    return std::nullopt;
  return get_part(u.get(), CURLUPART_URL);
}

std::string url_host(std::string_view url) {
  UrlHandle u = parse_http(url);
  if (!u) {
    // Other schemes with an authority still have a host.
    u.reset(curl_url());
    std::string s(trim(url));
    if (!u ||
        curl_url_set(u.get(), CURLUPART_URL, s.c_str(), kSetFlags | CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
      return {};
  }
  auto host = get_part(u.get(), CURLUPART_HOST);
  if (!host) return {};
  std::string h = ascii_lower(*host);
  while (!h.empty() && h.back() == '.') h.pop_back();
  return h;
}

namespace {

std::string registrable_domain(std::string_view host) {
  // Split into labels from the right.
  std::vector<std::string_view> labels;
  std::string_view h = host;
  while (!h.empty()) {
    auto dot = h.rfind('.');
    if (dot == std::string_view::npos) {
      labels.push_back(h);
      break;
    }
    labels.push_back(h.substr(dot + 1));
    h = h.substr(0, dot);
  }
  if (labels.size() <= 2) return std::string(host);
  std::size_t keep = 2;
  // co.uk, com.au, org.ru, gov.by: a two-letter country code under a short second level.
  static constexpr std::string_view kSecondLevels[] = {"co",  "com", "net", "org", "gov", "edu",
                                                       "ac",  "or",  "ne",  "go",  "gob", "mil",
                                                       "nom", "ltd", "plc", "sch", "gv"};
  if (labels[0].size() == 2 &&
      std::find(std::begin(kSecondLevels), std::end(kSecondLevels), labels[1]) != std::end(kSecondLevels))
    keep = 3;
  std::string out;
  for (std::size_t i = keep; i-- > 0;) {
    out += labels[i];
    if (i) out += '.';
  }
  return out;
}

}  // namespace

bool same_site(std::string_view url_a, std::string_view url_b) {
  auto a = url_host(url_a), b = url_host(url_b);
  if (a.empty() || b.empty()) return false;
  return registrable_domain(a) == registrable_domain(b);
}

}  // namespace wirewatch
