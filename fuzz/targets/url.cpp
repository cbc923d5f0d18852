// URLs from feeds, pages and redirects: canonicalization (record ids), link
// resolution in the normalizer and the feed parser, a redirect's Location, and
// the fetcher's URL checks. The input is `base\nreference`; without a newline
// the whole input is both.

#include "wirewatch/normalizer/url.hpp"

#include "feed_parser_detail.hpp"
#include "fuzz_input.hpp"
#include "wirewatch/connectors/http_fetcher.hpp"

using namespace wirewatch;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto in = fuzz::as_text(data, size);
  auto rest = in;
  auto base = fuzz::take_line(rest);
  auto ref = in.find('\n') == std::string_view::npos ? in : rest;

  // Canonical form is a fixed point: a record id never depends on how often it
  // was taken.
  if (auto canonical = canonicalize_url(base)) {
    auto again = canonicalize_url(*canonical);
    if (!again || *again != *canonical) fuzz::invariant_failed();
    (void)same_site(*canonical, ref);
  }
  (void)url_host(base);
  (void)is_tracking_parameter(ref);

  if (auto resolved = resolve_url(base, ref)) (void)canonicalize_url(*resolved);
  (void)resolve_url("https://example.com/a/b/c?q=1#f", ref);

  // A redirect is followed only to a URL that passes check_url.
  if (auto next = connectors::resolve_redirect(base, ref)) (void)connectors::check_url(*next);
  if (auto checked = connectors::check_url(base)) (void)connectors::host_key(*checked);
  (void)connectors::host_key(ref);

  (void)connectors::detail::resolve_url(base, ref);
  (void)connectors::detail::resolve_links_in_html(ref, base);
  return 0;
}
