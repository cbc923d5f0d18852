#include "wirewatch/connectors/http_fetcher.hpp"

#include <curl/curl.h>
#include <netdb.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "wirewatch/common/thread.hpp"

#ifndef WIREWATCH_VERSION
#define WIREWATCH_VERSION "0"
#endif

namespace wirewatch::connectors {
namespace {

using Steady = std::chrono::steady_clock;

// Move-only owners of libcurl's handles; nothing is freed by hand.
struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct MultiDeleter {
  void operator()(CURLM* h) const { curl_multi_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct CurlStringDeleter {
  void operator()(char* s) const { curl_free(s); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;
using MultiHandle = std::unique_ptr<CURLM, MultiDeleter>;
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;
using UrlHandle = std::unique_ptr<CURLU, UrlDeleter>;
using CurlString = std::unique_ptr<char, CurlStringDeleter>;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      throw std::runtime_error("curl_global_init failed");
  });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// A header value safe to send: no CR, LF or NUL (a stored validator cannot inject headers).
std::string header_safe(std::string_view v) {
  std::string out;
  for (char c : trim(v))
    if (c != '\r' && c != '\n' && c != '\0') out += c;
  return out;
}

std::optional<std::string> url_part(CURLU* u, CURLUPart part, unsigned flags = 0) {
  char* raw = nullptr;
  if (curl_url_get(u, part, &raw, flags) != CURLUE_OK || !raw) return std::nullopt;
  CurlString s(raw);
  return std::string(s.get());
}

// Resolves `location` against `base` (absolute or relative), as libcurl does for redirects.
std::optional<std::string> resolve(std::string_view base, std::string_view location) {
  UrlHandle u(curl_url());
  if (!u) return std::nullopt;
  if (curl_url_set(u.get(), CURLUPART_URL, std::string(base).c_str(), 0) != CURLUE_OK) return std::nullopt;
  if (curl_url_set(u.get(), CURLUPART_URL, std::string(location).c_str(), 0) != CURLUE_OK)
    return std::nullopt;
  return url_part(u.get(), CURLUPART_URL);
}

std::chrono::microseconds since(Steady::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Steady::now() - t);
}

}  // namespace

std::optional<std::string> resolve_redirect(std::string_view base, std::string_view location) {
  return resolve(base, location);
}

std::string default_user_agent() {
  return "wirewatch/" WIREWATCH_VERSION " (+https://github.com/wirewatch/wirewatch)";
}

namespace {
// The URL parsed by curl's URL API (any scheme), or null when it does not parse.
UrlHandle parse_url(std::string_view url) {
  global_init();
  UrlHandle u(curl_url());
  if (u &&
      curl_url_set(u.get(), CURLUPART_URL, std::string(url).c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
    u.reset();
  return u;
}
}  // namespace

std::optional<std::string> check_url(std::string_view url) {
  for (unsigned char c : url)
    if (c <= 0x20 || c == 0x7f) return std::nullopt;  // no spaces or controls anywhere
  UrlHandle u = parse_url(url);
  if (!u) return std::nullopt;
  auto scheme = url_part(u.get(), CURLUPART_SCHEME);
  if (!scheme || (*scheme != "http" && *scheme != "https")) return std::nullopt;
  auto host = url_part(u.get(), CURLUPART_HOST);
  if (!host || host->empty()) return std::nullopt;
  return url_part(u.get(), CURLUPART_URL);
}

std::string url_host(std::string_view url) {
  UrlHandle u = parse_url(url);
  if (!u) return {};
  auto host = url_part(u.get(), CURLUPART_HOST);
  return host ? lower(*host) : std::string();
}

std::string host_key(std::string_view url) {
  UrlHandle u = parse_url(url);
  if (!u) return {};
  auto host = url_part(u.get(), CURLUPART_HOST);
  auto port = url_part(u.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (!host || host->empty()) return {};
  return lower(*host) + ":" + port.value_or("0");
}

std::string content_type_charset(std::string_view content_type) {
  std::size_t pos = 0;
  while ((pos = content_type.find(';', pos)) != std::string_view::npos) {
    ++pos;
    auto end = content_type.find(';', pos);
    auto param = trim(content_type.substr(pos, end == std::string_view::npos ? end : end - pos));
    auto eq = param.find('=');
    if (eq != std::string_view::npos && iequals(trim(param.substr(0, eq)), "charset")) {
      auto value = trim(param.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
        value = value.substr(1, value.size() - 2);
      return lower(value);
    }
  }
  return {};
}

std::optional<std::chrono::seconds> parse_max_age(std::string_view cache_control) {
  std::optional<std::chrono::seconds> max_age;
  std::size_t pos = 0;
  while (pos <= cache_control.size()) {
    auto end = cache_control.find(',', pos);
    if (end == std::string_view::npos) end = cache_control.size();
    auto directive = trim(cache_control.substr(pos, end - pos));
    pos = end + 1;
    auto eq = directive.find('=');
    auto name = trim(directive.substr(0, eq));
    if (iequals(name, "no-store") || iequals(name, "no-cache")) return std::nullopt;
    if (eq == std::string_view::npos || !iequals(name, "max-age")) continue;
    auto value = trim(directive.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    long long secs = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), secs);
    if (ec == std::errc() && p == value.data() + value.size() && secs >= 0)
      max_age = std::chrono::seconds(secs);
  }
  return max_age;
}

std::optional<wirewatch::TimePoint> parse_retry_after(std::string_view value, wirewatch::TimePoint now) {
  value = trim(value);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    long long secs = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), secs);
    // Absurdly large: the caller clamps; capped here so `now + secs` cannot overflow.
    constexpr long long kMaxSeconds = 100LL * 366 * 24 * 3600;
    if (ec != std::errc() || secs > kMaxSeconds) secs = kMaxSeconds;
    return now + std::chrono::seconds(secs);
  }
  std::time_t t = curl_getdate(std::string(value).c_str(), nullptr);
  if (t == -1) return std::nullopt;
  return wirewatch::TimePoint(std::chrono::seconds(t));
}

// ---------------------------------------------------------------------------

struct HttpFetcher::Impl {
  struct Transfer {
    Impl* impl = nullptr;
    FetchRequest request;
    std::string current_url;  // the URL of the hop under way (follows redirects)
    std::string blocked;      // why the SSRF guard refused a connection; empty: it did not
    Done done;
    std::string host;
    Steady::time_point enqueued, started;
    EasyHandle easy;
    Slist headers;
    FetchResult result;
    std::uint64_t max_body = 0;
    // The response being read (headers of every hop arrive in turn).
    long hop_status = 0;
    std::string reason, location, cache_control, retry_after;
    std::vector<std::pair<long, std::string>> hops;  // redirect responses: status, Location
    char errbuf[CURL_ERROR_SIZE] = {};
  };

  struct Host {
    std::deque<std::unique_ptr<Transfer>> pending;
    int active = 0;
    bool listed = false;  // in `runnable`
  };

  explicit Impl(HttpOptions o) : options(std::move(o)) {
    global_init();
    options.max_connections = std::max(1, options.max_connections);
    options.max_per_host = std::max(1, options.max_per_host);
    multi.reset(curl_multi_init());
    if (!multi) throw std::runtime_error("curl_multi_init failed");
    curl_multi_setopt(multi.get(), CURLMOPT_MAX_TOTAL_CONNECTIONS, long{options.max_connections});
    curl_multi_setopt(multi.get(), CURLMOPT_MAX_HOST_CONNECTIONS, long{options.max_per_host});
    curl_multi_setopt(multi.get(), CURLMOPT_MAXCONNECTS, long{options.max_connections});
    curl_multi_setopt(multi.get(), CURLMOPT_PIPELINING, long{CURLPIPE_MULTIPLEX});
    // Set here rather than by libcurl from the environment, so the guard knows
    // whether connections go to a proxy (whose address the operator chose).
    proxy_in_use = !options.proxy.empty();
    for (const char* v : {"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"})
      if (const char* e = std::getenv(v); e && *e) proxy_in_use = true;
    thread = std::thread([this] {
      name_this_thread("ww-http");
      loop();
    });
  }

  ~Impl() {
    {
      std::lock_guard lock(inbox_mutex);
      stopping = true;
    }
    curl_multi_wakeup(multi.get());
    if (thread.joinable()) thread.join();
  }

  void submit(FetchRequest request, Done done) {
    auto t = std::make_unique<Transfer>();
    t->request = std::move(request);
    t->done = std::move(done);
    t->enqueued = Steady::now();
    {
      std::lock_guard lock(inbox_mutex);
      if (!stopping) {
        inbox.push_back(std::move(t));
        t = nullptr;
      }
    }
    if (t) {
      fail(*t, "the fetcher is stopping");
      deliver(std::move(t));
      return;
    }
    curl_multi_wakeup(multi.get());
  }

  // --- the I/O thread -----------------------------------------------------

  void loop() {
    std::vector<std::unique_ptr<Transfer>> incoming;
    for (;;) {
      {
        std::lock_guard lock(inbox_mutex);
        if (stopping) break;
        incoming.swap(inbox);
      }
      for (auto& t : incoming) enqueue(std::move(t));
      incoming.clear();
      dispatch();
      int still_running = 0;
      curl_multi_perform(multi.get(), &still_running);
      reap();
      dispatch();
      // Wake for libcurl's timers, new requests (curl_multi_wakeup) and socket activity.
      curl_multi_poll(multi.get(), nullptr, 0, 1000, nullptr);
    }
    shutdown();
  }

  void enqueue(std::unique_ptr<Transfer> t) {
    {
      std::lock_guard lock(stats_mutex);
      ++stats.requests;
    }
    auto url = check_url(t->request.url);
    if (!url) {
      fail(*t, "not an http(s) URL: " + t->request.url);
      deliver(std::move(t));
      return;
    }
    t->host = host_key(*url);
    if (reject_if_blocked(t)) return;
    auto& h = hosts[t->host];
    h.pending.push_back(std::move(t));
    ++queued;
    list(h, h.pending.back()->host);
  }

  void list(Host& h, const std::string& key) {
    if (!h.listed && !h.pending.empty() && h.active < options.max_per_host) {
      h.listed = true;
      runnable.push_back(key);
    }
  }

  // Completes `t` at once when its host is within a Retry-After.
  bool reject_if_blocked(std::unique_ptr<Transfer>& t) {
    auto it = blocked.find(t->host);
    if (it == blocked.end()) return false;
    if (it->second <= wirewatch::Clock::now()) {
      blocked.erase(it);
      return false;
    }
    t->result.url = t->request.url;
    t->result.host_blocked = true;
    t->result.retry_after = std::chrono::ceil<std::chrono::seconds>(it->second);
    t->result.error =
        "not sent: " + t->host + " asked to wait (Retry-After) until " + format_utc(*t->result.retry_after);
    t->result.queued = since(t->enqueued);
    {
      std::lock_guard lock(stats_mutex);
      ++stats.host_blocked;
    }
    deliver(std::move(t));
    return true;
  }

  void dispatch() {
    while (active < options.max_connections && !runnable.empty()) {
      std::string key = std::move(runnable.front());
      runnable.pop_front();
      auto it = hosts.find(key);
      if (it == hosts.end()) continue;
      Host& h = it->second;
      h.listed = false;
      if (h.pending.empty() || h.active >= options.max_per_host) continue;
      auto t = std::move(h.pending.front());
      h.pending.pop_front();
      --queued;
      if (!reject_if_blocked(t)) {
        if (start(t)) {
          ++h.active;
          ++active;
          running.insert(t.release());  // owned through `running` until reap()
        } else {
          deliver(std::move(t));
        }
      }
      list(h, key);
      if (h.pending.empty() && h.active == 0) hosts.erase(it);
    }
  }

  EasyHandle take_easy() {
    if (!idle.empty()) {
      EasyHandle e = std::move(idle.back());
      idle.pop_back();
      curl_easy_reset(e.get());
      return e;
    }
    return EasyHandle(curl_easy_init());
  }

  bool start(std::unique_ptr<Transfer>& tp) {
    Transfer& t = *tp;
    t.easy = take_easy();
    if (!t.easy) {
      fail(t, "curl_easy_init failed");
      return false;
    }
    t.started = Steady::now();
    t.max_body = options.max_body;
    t.result.url = t.request.url;
    t.impl = this;
    t.current_url = t.request.url;
    if (proxy_in_use && !resolve_and_check(t)) {
      fail(t, t.blocked);
      blocked_fetch(t);
      return false;
    }
    CURL* e = t.easy.get();
    auto ms = [](std::chrono::milliseconds d) { return static_cast<long>(d.count()); };
    curl_easy_setopt(e, CURLOPT_URL, t.request.url.c_str());
    curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.errbuf);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, options.max_redirects);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");  // every encoding this libcurl decodes
    // HTTP/2 over TLS where the server offers it, HTTP/1.1 otherwise. No CURLOPT_PIPEWAIT:
    // with it a transfer waits on a busy HTTP/1.1 connection to its host, so one slow
    // feed would hold up the next.
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, long{CURL_HTTP_VERSION_2TLS});
    curl_easy_setopt(e, CURLOPT_USERAGENT, options.user_agent.c_str());
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, ms(options.connect_timeout));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, ms(options.timeout));
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(options.low_speed_limit));
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME,
                     std::max(1L, static_cast<long>((options.low_speed_time.count() + 999) / 1000)));
    // A Content-Length over the cap fails before the body is read; the write callback
    // enforces the cap on the decompressed bytes (libcurl 7.88 does not, mid-transfer).
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_body));
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, options.ca_file.c_str());
    if (!options.proxy.empty()) curl_easy_setopt(e, CURLOPT_PROXY, options.proxy.c_str());
    curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Impl::on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Impl::on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &Impl::on_open_socket);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, &t);
    curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, &Impl::on_prereq);
    curl_easy_setopt(e, CURLOPT_PREREQDATA, &t);

    curl_slist* list = nullptr;
    auto add = [&](const std::string& h) {
      if (auto* l = curl_slist_append(list, h.c_str())) list = l;
    };
    if (auto etag = header_safe(t.request.etag); !etag.empty()) add("If-None-Match: " + etag);
    if (auto lm = header_safe(t.request.last_modified); !lm.empty()) add("If-Modified-Since: " + lm);
    t.headers.reset(list);
    if (list) curl_easy_setopt(e, CURLOPT_HTTPHEADER, list);

    if (curl_multi_add_handle(multi.get(), e) != CURLM_OK) {
      fail(t, "curl_multi_add_handle failed");
      return false;
    }
    return true;
  }

  // --- the SSRF guard -------------------------------------------------------

  bool trusted(const Transfer& t) const {
    return !t.request.trusted_host.empty() && url_host(t.current_url) == t.request.trusted_host;
  }

  // false (and t.blocked set) when the guard refuses `ip` for the current hop.
  bool check_address(Transfer& t, const IpAddress& ip) {
    if (trusted(t)) return true;
    const char* why = refuse_reason(options.address_policy, ip);
    if (!why) return true;
    if (t.blocked.empty())
      t.blocked = "blocked address " + ip.to_string() + " (" + why + ") for " + t.current_url;
    return false;
  }

  // With a proxy the socket goes to the proxy, so the target host is resolved
  // here and every address it has must pass. Blocks the I/O thread for the look-up.
  bool resolve_and_check(Transfer& t) {
    if (trusted(t) || options.address_policy.allow_private_networks) return true;
    std::string host = url_host(t.current_url);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (auto zone = host.find('%'); zone != std::string::npos) host.resize(zone);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (int rc = getaddrinfo(host.c_str(), nullptr, &hints, &found); rc != 0) {
      // Not checked, not sent: an internal name only the proxy knows is the risk here.
      t.blocked =
          "cannot resolve " + host + " to check its address (" + gai_strerror(rc) + ") for " + t.current_url;
      return false;
    }
    bool ok = true;
    for (auto* ai = found; ai && ok; ai = ai->ai_next)
      if (auto ip = ip_from_sockaddr(ai->ai_addr, ai->ai_addrlen)) ok = check_address(t, *ip);
    freeaddrinfo(found);
    return ok;
  }

  static curl_socket_t on_open_socket(void* user, curlsocktype purpose, curl_sockaddr* a) {
    auto& t = *static_cast<Transfer*>(user);
    // Without a proxy this is the target's address, as resolved for this very
    // connection: a name that changed its answer since any earlier check is caught.
    if (purpose == CURLSOCKTYPE_IPCXN && !t.impl->proxy_in_use) {
      auto ip = ip_from_sockaddr(&a->addr, a->addrlen);
      if (!ip || !t.impl->check_address(t, *ip)) {
        if (!ip && t.blocked.empty()) t.blocked = "blocked a non-IP address for " + t.current_url;
        return CURL_SOCKET_BAD;  // libcurl tries the host's next address, if any
      }
      t.blocked.clear();  // an earlier address was refused, this one is fine: not the failure
    }
    return ::socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
  }

  // Before every request, also on a reused connection (which opened no socket).
  static int on_prereq(void* user, char* primary_ip, char*, int, int) {
    auto& t = *static_cast<Transfer*>(user);
    if (t.impl->proxy_in_use) return CURL_PREREQFUNC_OK;  // checked by resolve_and_check()
    auto ip = ip_from_string(primary_ip ? primary_ip : "");
    if (!ip) {
      if (t.blocked.empty())
        t.blocked = std::string("blocked an unparsable address `") + (primary_ip ? primary_ip : "") +
                    "` for " + t.current_url;
      return CURL_PREREQFUNC_ABORT;
    }
    return t.impl->check_address(t, *ip) ? CURL_PREREQFUNC_OK : CURL_PREREQFUNC_ABORT;
  }

  void blocked_fetch(Transfer& t) {
    t.result.address_blocked = true;
    {
      std::lock_guard lock(stats_mutex);
      ++stats.address_blocked;
    }
    limit_tripped("blocked_address");
  }

  void limit_tripped(std::string_view what) {
    if (!options.on_limit) return;
    try {
      options.on_limit(what);
    } catch (...) {
    }
  }

  static std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
    auto& t = *static_cast<Transfer*>(user);
    std::size_t len = size * n;
    if (t.result.body.size() + len > t.max_body) {
      t.result.body_truncated = true;
      return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
    t.result.body.append(data, len);
    return len;
  }

  static std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
    auto& t = *static_cast<Transfer*>(user);
    std::size_t len = size * n;
    std::string_view line(data, len);
    if (line.starts_with("HTTP/")) {
      // A new response: the previous one, if it redirected, is a hop of the chain.
      if (t.hop_status >= 300 && t.hop_status < 400 && !t.location.empty())
        t.hops.emplace_back(t.hop_status, t.location);
      auto sp = line.find(' ');
      long status = 0;
      std::string_view rest;
      if (sp != std::string_view::npos) {
        rest = line.substr(sp + 1);
        std::from_chars(rest.data(), rest.data() + std::min<std::size_t>(3, rest.size()), status);
      }
      t.hop_status = status;
      t.reason = rest.size() > 4 ? std::string(trim(rest.substr(4))) : std::string();
      t.location.clear();
      t.cache_control.clear();
      t.retry_after.clear();
      t.result.etag.clear();
      t.result.last_modified.clear();
      t.result.content_type.clear();
      t.result.body.clear();
      return len;
    }
    if (trim(line).empty()) {
      // The end of a response's headers: a redirect moves the current URL, and
      // with a proxy its target is checked before libcurl follows it.
      if (t.hop_status >= 300 && t.hop_status < 400 && t.hop_status != 304 && !t.location.empty()) {
        if (auto next = resolve(t.current_url, t.location)) {
          t.current_url = *next;
          if (t.impl->proxy_in_use && !t.impl->resolve_and_check(t)) return 0;  // aborts
        }
      }
      return len;
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return len;
    auto name = trim(line.substr(0, colon));
    auto value = std::string(trim(line.substr(colon + 1)));
    if (iequals(name, "etag"))
      t.result.etag = std::move(value);
    else if (iequals(name, "last-modified"))
      t.result.last_modified = std::move(value);
    else if (iequals(name, "content-type"))
      t.result.content_type = std::move(value);
    else if (iequals(name, "location"))
      t.location = std::move(value);
    else if (iequals(name, "retry-after"))
      t.retry_after = std::move(value);
    else if (iequals(name, "cache-control")) {
      if (!t.cache_control.empty()) t.cache_control += ", ";
      t.cache_control += value;
    }
    return len;
  }

  void reap() {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi.get(), &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* e = msg->easy_handle;
      CURLcode rc = msg->data.result;
      char* priv = nullptr;
      curl_easy_getinfo(e, CURLINFO_PRIVATE, &priv);
      auto* raw = reinterpret_cast<Transfer*>(priv);
      running.erase(raw);
      std::unique_ptr<Transfer> t(raw);
      curl_multi_remove_handle(multi.get(), e);
      finish(*t, rc);
      --active;
      if (auto it = hosts.find(t->host); it != hosts.end()) {
        --it->second.active;
        if (it->second.pending.empty() && it->second.active == 0)
          hosts.erase(it);
        else
          list(it->second, t->host);
      }
      if (static_cast<int>(idle.size()) < options.max_connections) idle.push_back(std::move(t->easy));
      t->easy.reset();
      t->headers.reset();
      deliver(std::move(t));
    }
  }

  void finish(Transfer& t, CURLcode rc) {
    FetchResult& r = t.result;
    CURL* e = t.easy.get();
    long status = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    r.status = status;
    char* eff = nullptr;
    if (curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK && eff)
      r.final_url = eff;
    else
      r.final_url = t.request.url;
    long redirects = 0;
    curl_easy_getinfo(e, CURLINFO_REDIRECT_COUNT, &redirects);
    r.redirects = static_cast<int>(redirects);
    long version = CURL_HTTP_VERSION_NONE;
    curl_easy_getinfo(e, CURLINFO_HTTP_VERSION, &version);
    r.http_version = version;
    r.queued = std::chrono::duration_cast<std::chrono::microseconds>(t.started - t.enqueued);
    r.total = since(t.started);

    if (rc == CURLE_FILESIZE_EXCEEDED) t.result.body_truncated = true;
    if (rc != CURLE_OK && !t.blocked.empty()) {
      r.error = t.blocked;
      blocked_fetch(t);
    } else if (t.result.body_truncated) {
      r.error = "body larger than max_body (" + std::to_string(options.max_body) +
                " bytes after decompression): transfer aborted";
    } else if (rc != CURLE_OK) {
      std::string detail = t.errbuf[0] ? std::string(t.errbuf) : curl_easy_strerror(rc);
      if (rc == CURLE_TOO_MANY_REDIRECTS)
        detail = "more than " + std::to_string(options.max_redirects) + " redirects";
      r.error = detail;
    } else if (status == 304 || (status >= 200 && status < 300)) {
      // success
    } else if (status >= 300 && status < 400) {
      r.error = "HTTP " + std::to_string(status) + " without a usable Location";
    } else {
      r.error = "HTTP " + std::to_string(status) + (t.reason.empty() ? "" : " " + t.reason);
    }
    if (!r.error.empty()) std::string().swap(r.body);  // free what a failed transfer read

    // Rounded up: "Retry-After: 2" never lets a request out before two whole seconds.
    auto now = std::chrono::ceil<std::chrono::seconds>(wirewatch::Clock::now());
    if (status == 429 || status == 503) {
      if (auto ra = parse_retry_after(t.retry_after, now); ra && *ra > now) {
        r.retry_after = std::min(*ra, now + std::chrono::hours(24 * 7));
        auto host = host_key(r.final_url);
        if (!host.empty()) {
          auto& until = blocked[host];
          until = std::max(until, wirewatch::Clock::time_point(*r.retry_after));
          // Requests already queued for that host are not sent either.
          block_pending(host);
        }
      }
    }
    if (r.ok() || r.not_modified()) {
      if (!t.cache_control.empty()) r.max_age = parse_max_age(t.cache_control);
      r.permanent_redirect = permanent_target(t);
    }

    {
      std::lock_guard lock(stats_mutex);
      ++stats.completed;
      if (!r.error.empty()) ++stats.failed;
      if (r.not_modified()) ++stats.not_modified;
      if (r.body_truncated) ++stats.body_capped;
      stats.bytes += r.body.size();
    }
    if (r.body_truncated) limit_tripped("max_body");
  }

  // The URL after the leading run of 301/308 hops, when there is one.
  static std::optional<std::string> permanent_target(const Transfer& t) {
    std::string current = t.request.url;
    std::optional<std::string> target;
    for (const auto& [status, location] : t.hops) {
      if (status != 301 && status != 308) break;
      auto next = resolve(current, location);
      if (!next) break;
      current = *next;
      target = current;
    }
    if (!target) return std::nullopt;
    auto checked = check_url(*target);
    if (!checked || *checked == t.request.url) return std::nullopt;
    return checked;
  }

  void block_pending(const std::string& host) {
    auto it = hosts.find(host);
    if (it == hosts.end()) return;
    auto pending = std::move(it->second.pending);
    it->second.pending.clear();
    queued -= pending.size();
    for (auto& p : pending) reject_if_blocked(p);
  }

  void fail(Transfer& t, std::string error) {
    t.result.url = t.request.url;
    t.result.final_url = t.request.url;
    t.result.error = std::move(error);
    t.result.queued = since(t.enqueued);
  }

  void deliver(std::unique_ptr<Transfer> t) {
    if (!t->done) return;
    try {
      t->done(std::move(t->result));
    } catch (const std::exception& ex) {
      spdlog::error("http: a completion handler threw: {}", ex.what());
    } catch (...) {
      spdlog::error("http: a completion handler threw");
    }
  }

  void shutdown() {
    // Transfers under way and queued complete with an error, so every caller hears back.
    std::vector<std::unique_ptr<Transfer>> left;
    {
      std::lock_guard lock(inbox_mutex);
      for (auto& t : inbox) left.push_back(std::move(t));
      inbox.clear();
    }
    for (auto& [key, h] : hosts)
      for (auto& t : h.pending) left.push_back(std::move(t));
    hosts.clear();
    for (Transfer* raw : running) {
      std::unique_ptr<Transfer> t(raw);
      curl_multi_remove_handle(multi.get(), t->easy.get());
      t->easy.reset();
      left.push_back(std::move(t));
    }
    running.clear();
    for (auto& t : left) {
      fail(*t, "the fetcher stopped before the transfer finished");
      deliver(std::move(t));
    }
  }

  HttpOptions options;
  bool proxy_in_use = false;
  MultiHandle multi;
  std::thread thread;

  std::mutex inbox_mutex;
  bool stopping = false;
  std::vector<std::unique_ptr<Transfer>> inbox;

  // I/O thread only.
  std::unordered_map<std::string, Host> hosts;
  std::deque<std::string> runnable;
  std::unordered_map<std::string, wirewatch::Clock::time_point> blocked;
  std::vector<EasyHandle> idle;
  std::unordered_set<Transfer*> running;  // owned: added to `multi`
  std::atomic<int> active{0};
  std::atomic<std::size_t> queued{0};

  mutable std::mutex stats_mutex;
  HttpStats stats;
};

HttpFetcher::HttpFetcher(HttpOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
HttpFetcher::~HttpFetcher() = default;

void HttpFetcher::fetch(FetchRequest request, Done done) {
  impl_->submit(std::move(request), std::move(done));
}

const HttpOptions& HttpFetcher::options() const { return impl_->options; }

HttpStats HttpFetcher::stats() const {
  std::lock_guard lock(impl_->stats_mutex);
  HttpStats s = impl_->stats;
  s.queued = impl_->queued.load();
  s.active = static_cast<std::size_t>(impl_->active.load());
  return s;
}

}  // namespace wirewatch::connectors
