#pragma once
// URLs: canonical form for record ids, and resolving links against a base.
// Parsing and normalization by libcurl's URL API (curl_url).

#include <optional>
#include <string>
#include <string_view>

namespace wirewatch {

// The canonical form of an absolute http(s) URL: scheme and host lowercased, the
// default port, the fragment and tracking parameters (is_tracking_parameter)
// removed, dot segments resolved, an empty path made "/"; other query parameters
// keep their order. nullopt when `url` is not an absolute http(s) URL.
//   canonicalize_url("HTTPS://Example.COM:443/a/../b?utm_source=x&id=7#top")
//     == "https://example.com/b?id=7"
std::optional<std::string> canonicalize_url(std::string_view url);

// `reference` (absolute, scheme-relative, absolute-path or relative) resolved
// against the absolute URL `base`, as a browser follows a link. nullopt when
// either cannot be parsed.
std::optional<std::string> resolve_url(std::string_view base, std::string_view reference);

// utm_* and the click and mailing ids of ad and mail platforms: fbclid, gclid,
// dclid, gbraid, wbraid, msclkid, yclid, ysclid, twclid, ttclid, igshid, mc_cid,
// mc_eid, _ga, _gl, _hsenc, _hsmi, mkt_tok, oly_anon_id, oly_enc_id, vero_id,
// wickedid, __s, s_cid, ref_src, cmpid. Case-insensitive.
bool is_tracking_parameter(std::string_view name);

// The host of an absolute URL, lowercased; empty when it has none.
std::string url_host(std::string_view url);

// Whether two absolute URLs belong to the same site: equal registrable domain
// (the last two host labels, three under a two-letter country code with a short
// second level such as co.uk or com.au), so www.example.com and example.com are
// one site.
bool same_site(std::string_view url_a, std::string_view url_b);

}  // namespace wirewatch
