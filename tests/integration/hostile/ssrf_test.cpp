// The SSRF guard of HttpFetcher against the fixture server on 127.0.0.1:
// loopback is reachable only through the allow-list or an operator's feed URL,
// and redirects to 127.0.0.2 or [::1] are refused before any connection —
// "trap" listeners there prove that nothing connected.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <mutex>

#include "feeds/fixture_server.hpp"
#include "wirewatch/connectors/http_fetcher.hpp"

namespace wirewatch::connectors {
namespace {

using namespace std::chrono_literals;
using testing::FixtureServer;

// A listening socket that only counts connections (accept() without blocking).
class Trap {
 public:
  Trap(int family, const char *address) {
    fd_ = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (family == AF_INET) {
      auto *in = reinterpret_cast<sockaddr_in *>(&ss);
      in->sin_family = AF_INET;
      inet_pton(AF_INET, address, &in->sin_addr);
      len = sizeof(sockaddr_in);
    } else {
      auto *in6 = reinterpret_cast<sockaddr_in6 *>(&ss);
      in6->sin6_family = AF_INET6;
      inet_pton(AF_INET6, address, &in6->sin6_addr);
      len = sizeof(sockaddr_in6);
    }
    if (::bind(fd_, reinterpret_cast<sockaddr *>(&ss), len) != 0 || ::listen(fd_, 16) != 0) {
      ::close(fd_);
      fd_ = -1;
      return;
    }
    getsockname(fd_, reinterpret_cast<sockaddr *>(&ss), &len);
    port_ = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in *>(&ss)->sin_port
                                    : reinterpret_cast<sockaddr_in6 *>(&ss)->sin6_port);
  }
  ~Trap() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool up() const { return fd_ >= 0; }
  int port() const { return port_; }
  // Connections made so far (each accepted and closed).
  int connections() {
    for (int c; (c = ::accept(fd_, nullptr, nullptr)) >= 0;) {
      ::close(c);
      ++count_;
    }
    return count_;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
  int count_ = 0;
};

FetchResult fetch_sync(HttpFetcher &f, FetchRequest r) {
  auto p = std::make_shared<std::promise<FetchResult>>();
  auto fut = p->get_future();
  f.fetch(std::move(r), [p](FetchResult res) { p->set_value(std::move(res)); });
  if (fut.wait_for(30s) != std::future_status::ready) {
    ADD_FAILURE() << "no result within 30s";
    return {};
  }
  return fut.get();
}

FetchRequest request(std::string url, std::string trusted = {}) {
  FetchRequest r;
  r.url = std::move(url);
  r.trusted_host = std::move(trusted);
  return r;
}

struct Tripped {
  std::mutex m;
  std::vector<std::string> limits;
};

HttpOptions guarded(Tripped &tripped) {
  HttpOptions o;
  o.connect_timeout = 2s;
  o.timeout = 3s;
  o.low_speed_time = 2s;
  o.on_limit = [&tripped](std::string_view what) {
    std::lock_guard lock(tripped.m);
    tripped.limits.emplace_back(what);
  };
  return o;
}

class SsrfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server.up()) << server.err();
    ASSERT_TRUE(trap4.up());
  }
  std::string redirect_to(const std::string &target) {
    return server.url("/redirect?codes=302&to=" + target);
  }
  FixtureServer server;  // also clears the proxy variables of the environment
  Trap trap4{AF_INET, "127.0.0.2"};
  Trap trap6{AF_INET6, "::1"};
  Tripped tripped;
};

TEST_F(SsrfTest, AllowListLetsLoopbackThrough) {
  auto o = guarded(tripped);
  o.address_policy.allow = {*parse_cidr("127.0.0.1/32")};
  HttpFetcher f(o);
  auto r = fetch_sync(f, request(server.url("/feeds/a.xml")));
  EXPECT_TRUE(r.ok()) << r.error;
  EXPECT_FALSE(r.address_blocked);
  // Only 127.0.0.1/32: its neighbour stays refused.
  auto next =
      fetch_sync(f, request(redirect_to("http://127.0.0.2:" + std::to_string(trap4.port()) + "/feed.xml")));
  EXPECT_TRUE(next.address_blocked) << next.error;
  EXPECT_EQ(trap4.connections(), 0);
}

TEST_F(SsrfTest, LoopbackLinksAreRefusedWithoutTheAllowList) {
  HttpFetcher f(guarded(tripped));
  auto url = server.url("/feeds/a.xml");
  auto r = fetch_sync(f, request(url));
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.address_blocked);
  EXPECT_EQ(r.error, "blocked address 127.0.0.1 (loopback) for " + url);
  EXPECT_TRUE(r.body.empty());
  EXPECT_TRUE(server.requests().empty());  // refused before connecting
  EXPECT_EQ(f.stats().address_blocked, 1u);
  std::lock_guard lock(tripped.m);
  EXPECT_EQ(tripped.limits, std::vector<std::string>{"blocked_address"});
}

TEST_F(SsrfTest, FeedUrlsAreTrustedButTheirRedirectsAreChecked) {
  HttpFetcher f(guarded(tripped));
  // The operator's feed on loopback works as written, also through redirects on
  // its own host.
  auto ok = fetch_sync(f, request(server.url("/redirect?codes=301,302&to=/feeds/a.xml"), "127.0.0.1"));
  EXPECT_TRUE(ok.ok()) << ok.error;
  EXPECT_EQ(ok.redirects, 2);

  auto to_v4 = "http://127.0.0.2:" + std::to_string(trap4.port()) + "/feed.xml";
  auto r4 = fetch_sync(f, request(redirect_to(to_v4), "127.0.0.1"));
  EXPECT_TRUE(r4.address_blocked) << r4.error;
  EXPECT_EQ(r4.error, "blocked address 127.0.0.2 (loopback) for " + to_v4);
  EXPECT_EQ(r4.status, 302);  // the redirect arrived; its target was never asked

  // Another name for the same machine is another host: checked.
  auto r_name =
      fetch_sync(f, request(redirect_to("http://localhost:" + std::to_string(server.port()) + "/feeds/a.xml"),
                            "127.0.0.1"));
  EXPECT_TRUE(r_name.address_blocked) << r_name.error;

  auto mapped = "http://[::ffff:127.0.0.2]:" + std::to_string(trap4.port()) + "/feed.xml";
  auto r_mapped = fetch_sync(f, request(redirect_to(mapped), "127.0.0.1"));
  EXPECT_TRUE(r_mapped.address_blocked) << r_mapped.error;

  if (trap6.up()) {
    auto to_v6 = "http://[::1]:" + std::to_string(trap6.port()) + "/feed.xml";
    auto r6 = fetch_sync(f, request(redirect_to(to_v6), "127.0.0.1"));
    EXPECT_TRUE(r6.address_blocked) << r6.error;
    EXPECT_EQ(r6.error, "blocked address ::1 (loopback) for " + to_v6);
    EXPECT_EQ(trap6.connections(), 0);
  }
  EXPECT_EQ(trap4.connections(), 0);
  EXPECT_EQ(f.stats().address_blocked, trap6.up() ? 4u : 3u);
}

TEST_F(SsrfTest, AReusedConnectionIsCheckedToo) {
  HttpFetcher f(guarded(tripped));
  // The feed opens a connection to 127.0.0.1; a link to the same host:port
  // would reuse it.
  auto feed = fetch_sync(f, request(server.url("/feeds/a.xml"), "127.0.0.1"));
  ASSERT_TRUE(feed.ok()) << feed.error;
  auto link = fetch_sync(f, request(server.url("/feeds/b.xml")));
  EXPECT_TRUE(link.address_blocked) << link.error;
  EXPECT_TRUE(server.requests_for("/feeds/b.xml").empty());
}

TEST_F(SsrfTest, AllowPrivateNetworksTurnsTheGuardOff) {
  // Also shows the trap would see a connection that got through.
  auto o = guarded(tripped);
  o.address_policy.allow_private_networks = true;
  HttpFetcher f(o);
  auto r =
      fetch_sync(f, request(redirect_to("http://127.0.0.2:" + std::to_string(trap4.port()) + "/feed.xml")));
  EXPECT_FALSE(r.address_blocked);
  EXPECT_FALSE(r.ok());  // the trap never answers
  EXPECT_TRUE(testing::wait_until([&] { return trap4.connections() >= 1; }, 5s));
}

TEST_F(SsrfTest, WithAProxyTheTargetIsResolvedAndCheckedFirst) {
  auto o = guarded(tripped);
  o.proxy = server.base();  // the operator's proxy, on loopback
  HttpFetcher f(o);
  // A trusted feed goes through the proxy without being resolved here.
  FetchRequest feed = request("http://feeds.example.invalid/feeds/a.xml", "feeds.example.invalid");
  auto ok = fetch_sync(f, feed);
  EXPECT_TRUE(ok.ok()) << ok.error;

  auto r = fetch_sync(f, request("http://127.0.0.2:8080/private"));
  EXPECT_TRUE(r.address_blocked) << r.error;
  auto r10 = fetch_sync(f, request("http://10.1.2.3/private"));
  EXPECT_TRUE(r10.address_blocked) << r10.error;
  EXPECT_EQ(r10.error, "blocked address 10.1.2.3 (private) for http://10.1.2.3/private");
  // An untrusted name that does not resolve cannot be checked: not sent either.
  auto unknown = fetch_sync(f, request("http://unknown.example.invalid/x"));
  EXPECT_TRUE(unknown.address_blocked) << unknown.error;
  EXPECT_NE(unknown.error.find("cannot resolve"), std::string::npos) << unknown.error;
  // A trusted feed's redirect to a blocked address is not followed through the
  // proxy.
  auto redirected = fetch_sync(f, request("http://feeds.example.invalid/redirect?codes=302&to=http://"
                                          "127.0.0.2:8080/private",
                                          "feeds.example.invalid"));
  EXPECT_TRUE(redirected.address_blocked) << redirected.error;
  EXPECT_TRUE(server.requests_for("/private").empty());
  EXPECT_TRUE(server.requests_for("/x").empty());
}

}  // namespace
}  // namespace wirewatch::connectors
