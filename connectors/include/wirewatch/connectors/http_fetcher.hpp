#pragma once
// An HTTP client for feeds and article pages on libcurl's multi interface.
//
// One I/O thread drives every transfer. fetch() may be called from any thread;
// it queues the request and returns at once, and `done` runs on the I/O thread
// when the transfer ends (keep it short: hand the result to another thread).
//
// Politeness and safety, all enforced here so every caller gets them:
// - at most `max_connections` transfers at once, `max_per_host` per host:port;
//   the rest wait in a FIFO per host (libcurl's own caps are set as well);
// - http and https only, for the first URL and every redirect; at most 5 redirects;
// - the body is capped at `max_body` bytes *after* decompression: the write
//   callback aborts the transfer past it, so a gzip bomb or an endless body costs
//   bounded memory;
// - connect, whole-transfer and low-speed timeouts; TLS verification always on;
// - a 429 or 503 with Retry-After blocks its host:port until then: requests for a
//   blocked host are not sent, they complete at once with `host_blocked` set and
//   `retry_after` saying when the host may be asked again;
// - the SSRF guard (address_guard.hpp): every connection's address is checked
//   as the socket is opened (so redirects and DNS rebinding are covered) and
//   again before each request (a reused connection), unless the URL's host is
//   the request's `trusted_host`. With a proxy in use the target host is
//   resolved and checked before the request goes to the proxy, and again for
//   each redirect. A refused fetch fails with `address_blocked` set.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "wirewatch/common/time.hpp"
#include "wirewatch/connectors/address_guard.hpp"

namespace wirewatch::connectors {

// "wirewatch/<version> (+https://github.com/wirewatch/wirewatch)"
std::string default_user_agent();

struct HttpOptions {  // config `http:`
  std::string user_agent = default_user_agent();
  int max_connections = 64;
  int max_per_host = 2;
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds timeout{30'000};                 // the whole transfer, redirects included
  std::uint64_t low_speed_limit = 100;                       // bytes per second ...
  std::chrono::milliseconds low_speed_time{20'000};          // ... for this long, or abort
  std::uint64_t max_body = 10 * 1024 * 1024;                 // decompressed bytes
  std::chrono::milliseconds max_backoff{6LL * 3600 * 1000};  // used by FeedPoller
  std::chrono::milliseconds min_retry{30'000};               // used by FeedPoller: floor of a failure's delay
  std::string proxy;  // empty: libcurl's standard environment variables apply
  long max_redirects = 5;
  std::string ca_file;           // empty: the system's CA bundle (tests point it at a fixture CA)
  AddressPolicy address_policy;  // http.allow_private_networks, http.allow
  // Called on the I/O thread each time a safety limit trips: "max_body" (the body
  // cap) or "blocked_address" (the SSRF guard). Keep it cheap (a counter).
  std::function<void(std::string_view limit)> on_limit;
};

struct FetchRequest {
  std::string url;
  std::string etag;           // sent as If-None-Match when not empty
  std::string last_modified;  // sent as If-Modified-Since when not empty
  // url_host() of a URL the operator configured: connections to this host are
  // not checked by the SSRF guard (redirects to other hosts are). Empty: none.
  std::string trusted_host = {};
};

struct FetchResult {
  std::string url;        // as requested
  std::string final_url;  // after redirects
  long status = 0;        // HTTP status of the last response; 0 when none arrived
  std::string etag, last_modified, content_type, body;
  // The new URL after a chain of 301/308 redirects starting at `url` (the target
  // of the last permanent hop before any temporary one), set only when the
  // transfer succeeded (2xx or 304) and the URL is http(s).
  std::optional<std::string> permanent_redirect;
  // From Retry-After on a 429 or 503 (seconds or HTTP-date), or the time a
  // blocked host may be asked again when `host_blocked`.
  std::optional<wirewatch::TimePoint> retry_after;
  // From Cache-Control: max-age (s-maxage is ignored; no-store/no-cache give none).
  std::optional<std::chrono::seconds> max_age;
  std::string error;             // empty on success; otherwise one line for the status table
  bool host_blocked = false;     // not sent: the host is still within a Retry-After
  bool body_truncated = false;   // max_body was reached (also sets `error`)
  bool address_blocked = false;  // the SSRF guard refused a connection (also sets `error`)
  int redirects = 0;
  // The HTTP version of the last response, as libcurl's CURLINFO_HTTP_VERSION:
  // 0 none, 1 1.0, 2 1.1, 3 2, 30 3.
  long http_version = 0;
  // Timing: the time waiting in the fetcher's queue, and the transfer itself.
  std::chrono::microseconds queued{0}, total{0};

  bool not_modified() const { return status == 304 && error.empty(); }
  bool ok() const { return status >= 200 && status < 300 && error.empty(); }
};

// Counters since construction (read with HttpFetcher::stats()).
struct HttpStats {
  std::uint64_t requests = 0, completed = 0, failed = 0, not_modified = 0, host_blocked = 0, body_capped = 0,
                bytes = 0, address_blocked = 0;
  std::size_t queued = 0, active = 0;
};

class HttpFetcher {
 public:
  using Done = std::function<void(FetchResult)>;

  explicit HttpFetcher(HttpOptions options);
  ~HttpFetcher();  // stops the I/O thread; transfers not finished complete with an error
  HttpFetcher(const HttpFetcher&) = delete;
  HttpFetcher& operator=(const HttpFetcher&) = delete;

  // Thread-safe. `done` runs exactly once, on the I/O thread (or inline in
  // this call when the fetcher is already stopping).
  void fetch(FetchRequest request, Done done);

  const HttpOptions& options() const;
  HttpStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The checks every URL passes before it is requested or stored: it parses, its
// scheme is http or https and it has a host. Returns the normalized URL.
std::optional<std::string> check_url(std::string_view url);

// A redirect's Location (absolute or relative) resolved against the URL that
// answered with it, as libcurl follows it; nullopt when either cannot be parsed.
std::optional<std::string> resolve_redirect(std::string_view base, std::string_view location);

// The lowercase host of an http(s) URL (an IPv6 literal keeps its brackets); empty when invalid.
std::string url_host(std::string_view url);

// "host:port" of an http(s) URL (lowercase host, default port filled in); empty when invalid.
std::string host_key(std::string_view url);

// The charset parameter of a Content-Type value, lowercase; empty when none.
std::string content_type_charset(std::string_view content_type);

// Cache-Control max-age, when present and not overridden by no-store/no-cache.
std::optional<std::chrono::seconds> parse_max_age(std::string_view cache_control);

// Retry-After as delta-seconds or HTTP-date, relative to `now`.
std::optional<wirewatch::TimePoint> parse_retry_after(std::string_view value, wirewatch::TimePoint now);

}  // namespace wirewatch::connectors
