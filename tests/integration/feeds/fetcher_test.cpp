// HttpFetcher against the fixture server on 127.0.0.1: every fault of issue 3.
// Time limits are deadlines with wide margins, never speed claims.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <future>
#include <thread>

#include "fixture_server.hpp"
#include "wirewatch/connectors/http_fetcher.hpp"

namespace wirewatch::connectors {
namespace {

using namespace std::chrono_literals;
using testing::FixtureServer;
using testing::read_file;

FetchResult fetch_sync(HttpFetcher& f, FetchRequest r, std::chrono::seconds deadline = 30s) {
  auto p = std::make_shared<std::promise<FetchResult>>();
  auto fut = p->get_future();
  f.fetch(std::move(r), [p](FetchResult res) { p->set_value(std::move(res)); });
  if (fut.wait_for(deadline) != std::future_status::ready) {
    ADD_FAILURE() << "no result within " << deadline.count() << "s";
    return {};
  }
  return fut.get();
}

FetchResult fetch_sync(HttpFetcher& f, const std::string& url) {
  FetchRequest r;
  r.url = url;
  return fetch_sync(f, std::move(r));
}

HttpOptions test_options() {
  HttpOptions o;
  o.connect_timeout = 5s;
  o.timeout = 20s;
  o.low_speed_time = 5s;
  // The fixture server is on loopback, which the SSRF guard refuses by default.
  o.address_policy.allow = {*parse_cidr("127.0.0.1/32")};
  return o;
}

std::size_t peak_rss_kib() {
  auto status = read_file("/proc/self/status");
  auto pos = status.find("VmHWM:");
  return pos == std::string::npos ? 0 : std::stoul(status.substr(pos + 6));
}

class FetcherTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server.up()) << server.err(); }
  FixtureServer server;
};

TEST_F(FetcherTest, FetchesAFeedWithValidatorsAndNamesItself) {
  HttpFetcher f(test_options());
  auto r = fetch_sync(f, server.url("/feeds/a.xml"));
  EXPECT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, read_file(server.root() / "a.xml"));
  EXPECT_FALSE(r.etag.empty());
  EXPECT_FALSE(r.last_modified.empty());
  EXPECT_EQ(r.content_type, "application/xml");
  EXPECT_EQ(r.final_url, server.url("/feeds/a.xml"));
  EXPECT_FALSE(r.permanent_redirect);
  auto reqs = server.requests_for("/feeds/a.xml");
  ASSERT_EQ(reqs.size(), 1u);
  const auto& h = reqs[0]["headers"];
  std::string ua = h.value("user-agent", "");
  EXPECT_TRUE(ua.starts_with("wirewatch/")) << ua;
  EXPECT_NE(ua.find("https://"), std::string::npos) << ua;
  EXPECT_NE(h.value("accept-encoding", "").find("gzip"), std::string::npos);
  EXPECT_FALSE(h.contains("if-none-match"));  // the first request is unconditional
}

TEST_F(FetcherTest, ConditionalGetAnswers304UntilTheFileChanges) {
  HttpFetcher f(test_options());
  auto first = fetch_sync(f, server.url("/feeds/a.xml"));
  ASSERT_TRUE(first.ok()) << first.error;

  FetchRequest again{server.url("/feeds/a.xml"), first.etag, first.last_modified};
  auto second = fetch_sync(f, again);
  EXPECT_TRUE(second.not_modified()) << second.status << " " << second.error;
  EXPECT_FALSE(second.ok());
  EXPECT_TRUE(second.body.empty());
  auto reqs = server.requests_for("/feeds/a.xml");
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[1]["headers"].value("if-none-match", ""), first.etag);
  EXPECT_EQ(reqs[1]["headers"].value("if-modified-since", ""), first.last_modified);

  server.write("a.xml", read_file(server.root() / "a.xml") + "<!-- changed -->\n");
  auto third = fetch_sync(f, again);
  EXPECT_TRUE(third.ok()) << third.status;
  EXPECT_NE(third.etag, first.etag);
  EXPECT_NE(third.body.find("changed"), std::string::npos);

  // Last-Modified alone (a server without ETags) works too.
  FetchRequest by_date{server.url("/feeds/b.xml"), "", ""};
  auto b = fetch_sync(f, by_date);
  ASSERT_TRUE(b.ok());
  by_date.last_modified = b.last_modified;
  EXPECT_TRUE(fetch_sync(f, by_date).not_modified());
}

TEST_F(FetcherTest, PermanentRedirectChainsGiveTheNewUrl) {
  HttpFetcher f(test_options());
  auto target = server.url("/feeds/a.xml");
  for (const char* codes : {"301", "308", "301,308"}) {
    auto r = fetch_sync(f, server.url(std::string("/redirect?codes=") + codes + "&to=/feeds/a.xml"));
    EXPECT_TRUE(r.ok()) << codes << ": " << r.error;
    EXPECT_EQ(r.final_url, target);
    ASSERT_TRUE(r.permanent_redirect) << codes;
    EXPECT_EQ(*r.permanent_redirect, target) << codes;
  }
  // A permanent hop followed by a temporary one: the URL after the permanent hop.
  auto mixed = fetch_sync(f, server.url("/redirect?codes=301,302&to=/feeds/a.xml"));
  EXPECT_TRUE(mixed.ok());
  ASSERT_TRUE(mixed.permanent_redirect);
  EXPECT_EQ(*mixed.permanent_redirect, server.url("/redirect?codes=302&to=/feeds/a.xml"));
  // Temporary redirects move nothing.
  for (const char* codes : {"302", "307", "302,301"}) {
    auto r = fetch_sync(f, server.url(std::string("/redirect?codes=") + codes + "&to=/feeds/a.xml"));
    EXPECT_TRUE(r.ok()) << codes;
    EXPECT_FALSE(r.permanent_redirect) << codes;
  }
  // A permanent redirect to a failure moves nothing either.
  auto broken = fetch_sync(f, server.url("/redirect?codes=301&to=/status/500"));
  EXPECT_FALSE(broken.ok());
  EXPECT_FALSE(broken.permanent_redirect);
}

TEST_F(FetcherTest, AtMostFiveRedirectsAndNoLoops) {
  HttpFetcher f(test_options());
  auto five = fetch_sync(f, server.url("/redirect?codes=302,302,302,302,302&to=/feeds/a.xml"));
  EXPECT_TRUE(five.ok()) << five.error;
  EXPECT_EQ(five.redirects, 5);
  auto six = fetch_sync(f, server.url("/redirect?codes=302,302,302,302,302,302&to=/feeds/a.xml"));
  EXPECT_FALSE(six.ok());
  EXPECT_NE(six.error.find("redirects"), std::string::npos) << six.error;
  auto loop = fetch_sync(f, server.url("/loop?code=301"));
  EXPECT_FALSE(loop.ok());
  EXPECT_FALSE(loop.permanent_redirect);
  EXPECT_LE(server.requests_for("/loop").size(), 6u);
}

TEST_F(FetcherTest, OnlyHttpAndHttps) {
  HttpFetcher f(test_options());
  for (const char* url :
       {"ftp://127.0.0.1/feed.xml", "file:///etc/passwd", "gopher://x/", "not a url", "http://", ""}) {
    auto r = fetch_sync(f, url);
    EXPECT_FALSE(r.ok()) << url;
    EXPECT_FALSE(r.error.empty()) << url;
  }
  auto to_file = fetch_sync(f, server.url("/redirect?codes=302&to=file:///etc/passwd"));
  EXPECT_FALSE(to_file.ok());
  EXPECT_TRUE(to_file.body.empty());
  EXPECT_NE(to_file.error.find("file"), std::string::npos) << to_file.error;
}

TEST_F(FetcherTest, HttpErrorsAreResultsWithTheirStatus) {
  HttpFetcher f(test_options());
  auto gone = fetch_sync(f, server.url("/status/410"));
  EXPECT_EQ(gone.status, 410);
  EXPECT_EQ(gone.error, "HTTP 410 Gone");
  auto err = fetch_sync(f, server.url("/status/500"));
  EXPECT_EQ(err.status, 500);
  EXPECT_FALSE(err.ok());
  EXPECT_TRUE(err.body.empty());
  auto missing = fetch_sync(f, server.url("/feeds/nope.xml"));
  EXPECT_EQ(missing.status, 404);
  // Nothing listens on port 1: a connection error, status 0.
  auto refused = fetch_sync(f, "http://127.0.0.1:1/feed.xml");
  EXPECT_EQ(refused.status, 0);
  EXPECT_FALSE(refused.error.empty());
}

TEST_F(FetcherTest, RetryAfterSecondsBlocksTheHostButNotOthers) {
  FixtureServer other;
  ASSERT_TRUE(other.up());
  HttpFetcher f(test_options());
  auto limited = fetch_sync(f, server.url("/limited/a.xml?seconds=2"));
  EXPECT_EQ(limited.status, 429);
  ASSERT_TRUE(limited.retry_after);
  auto reqs = server.requests_for("/limited/a.xml");
  ASSERT_EQ(reqs.size(), 1u);
  double until = reqs[0]["retry_after_until"];
  EXPECT_GE(static_cast<double>(limited.retry_after->time_since_epoch().count()), until - 0.001);

  // The same host: not sent, answered at once with the time it opens again.
  auto blocked = fetch_sync(f, server.url("/feeds/b.xml"));
  EXPECT_TRUE(blocked.host_blocked);
  EXPECT_EQ(blocked.retry_after, limited.retry_after);
  EXPECT_TRUE(server.requests_for("/feeds/b.xml").empty());
  // Another host is unaffected.
  EXPECT_TRUE(fetch_sync(f, other.url("/feeds/b.xml")).ok());

  // After the Retry-After time the host is asked again, and never before it.
  ASSERT_TRUE(
      testing::wait_until([&] { return fetch_sync(f, server.url("/limited/a.xml?seconds=2")).ok(); }, 20s));
  for (const auto& r : server.requests()) {
    if (r["path"] == "/limited/a.xml" && r["status"] == 429) continue;
    if (r["t"].get<double>() > reqs[0]["t"].get<double>()) {
      EXPECT_GE(r["t"].get<double>(), until) << r.dump();
    }
  }
}

TEST_F(FetcherTest, RetryAfterHttpDateOn503) {
  HttpFetcher f(test_options());
  auto r = fetch_sync(f, server.url("/limited/b.xml?seconds=2&form=date&status=503"));
  EXPECT_EQ(r.status, 503);
  ASSERT_TRUE(r.retry_after);
  double until = server.requests_for("/limited/b.xml")[0]["retry_after_until"];
  EXPECT_EQ(static_cast<double>(r.retry_after->time_since_epoch().count()), until);
  EXPECT_TRUE(fetch_sync(f, server.url("/feeds/a.xml")).host_blocked);
  ASSERT_TRUE(testing::wait_until(
      [&] { return fetch_sync(f, server.url("/limited/b.xml?seconds=2&form=date&status=503")).ok(); }, 20s));
  for (const auto& q : server.requests())
    if (q["status"] != 503) {
      EXPECT_GE(q["t"].get<double>(), until) << q.dump();
    }
}

TEST_F(FetcherTest, ASlowDripHitsTheLowSpeedTimeout) {
  auto o = test_options();
  o.low_speed_limit = 100;
  o.low_speed_time = 1s;
  HttpFetcher f(o);
  auto r = fetch_sync(f, server.url("/slow"));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status, 200);  // the headers came; the body did not
  EXPECT_FALSE(r.error.empty());
  EXPECT_TRUE(r.body.empty());
}

TEST_F(FetcherTest, TheWholeTransferTimesOut) {
  auto o = test_options();
  o.low_speed_limit = 1;
  o.timeout = 1500ms;
  HttpFetcher f(o);
  auto r = fetch_sync(f, server.url("/slow"));
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("timed out"), std::string::npos) << r.error;
}

TEST_F(FetcherTest, AnEndlessBodyStopsAtTheCap) {
  auto o = test_options();
  o.max_body = 256 * 1024;
  HttpFetcher f(o);
  auto r = fetch_sync(f, server.url("/endless"));
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.body_truncated);
  EXPECT_NE(r.error.find("max_body"), std::string::npos) << r.error;
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(f.stats().body_capped, 1u);
}

TEST_F(FetcherTest, AContentLengthOverTheCapFailsBeforeTheBody) {
  auto o = test_options();
  o.max_body = 100;
  HttpFetcher f(o);
  auto r = fetch_sync(f, server.url("/feeds/a.xml"));
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.body_truncated);
  EXPECT_NE(r.error.find("max_body"), std::string::npos) << r.error;
}

TEST_F(FetcherTest, AGzipBombCostsBoundedMemory) {
  auto o = test_options();
  o.max_body = 1024 * 1024;
  HttpFetcher f(o);
  auto before = peak_rss_kib();
  auto r = fetch_sync(f, server.url("/gzip-bomb?mib=256"));
  auto after = peak_rss_kib();
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.body_truncated);
  EXPECT_NE(r.error.find("after decompression"), std::string::npos) << r.error;
  // 256 MiB decompressed, a cap of 1 MiB: the peak grows by far less than the bomb.
  EXPECT_LT(after - before, 64u * 1024) << "peak RSS grew by " << (after - before) << " KiB";
}

TEST_F(FetcherTest, CompressedBodiesAreDecoded) {
  HttpFetcher f(test_options());
  auto r = fetch_sync(f, server.url("/feeds/a.xml?gzip=1"));
  EXPECT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.body, read_file(server.root() / "a.xml"));
}

TEST_F(FetcherTest, CacheControlMaxAge) {
  HttpFetcher f(test_options());
  auto r = fetch_sync(f, server.url("/feeds/a.xml?max_age=600"));
  ASSERT_TRUE(r.max_age);
  EXPECT_EQ(*r.max_age, 600s);
  EXPECT_FALSE(fetch_sync(f, server.url("/feeds/a.xml")).max_age);
}

TEST_F(FetcherTest, PerHostAndGlobalCaps) {
  for (auto [per_host, total, expect] : {std::tuple{2, 64, 2}, std::tuple{4, 1, 1}}) {
    auto o = test_options();
    o.max_per_host = per_host;
    o.max_connections = total;
    HttpFetcher f(o);
    std::vector<std::future<FetchResult>> results;
    std::vector<std::shared_ptr<std::promise<FetchResult>>> promises;
    for (int i = 0; i < 6; ++i) {
      auto p = std::make_shared<std::promise<FetchResult>>();
      results.push_back(p->get_future());
      f.fetch({server.url("/delay?ms=200&i=" + std::to_string(i)), "", ""},
              [p](FetchResult r) { p->set_value(std::move(r)); });
      promises.push_back(p);
    }
    for (auto& r : results) {
      ASSERT_EQ(r.wait_for(30s), std::future_status::ready);
      EXPECT_TRUE(r.get().ok());
    }
    int most = 0;
    for (auto& q : server.requests_for("/delay")) most = std::max(most, q["concurrent"].get<int>());
    EXPECT_EQ(most, expect) << "per_host " << per_host << " total " << total;
    testing::write_file(server.log_path(), "");
  }
}

TEST_F(FetcherTest, ProxyOptionAndEnvironment) {
  auto o = test_options();
  o.proxy = server.base();
  {
    HttpFetcher f(o);
    // A configured feed URL: its host is not resolved here (the proxy does that).
    FetchRequest req;
    req.url = "http://feeds.example.invalid/feeds/a.xml";
    req.trusted_host = "feeds.example.invalid";
    auto r = fetch_sync(f, std::move(req));
    EXPECT_TRUE(r.ok()) << r.error;
    auto reqs = server.requests_for("/feeds/a.xml");
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_TRUE(reqs[0].value("proxied", false));
    EXPECT_EQ(reqs[0]["host"], "feeds.example.invalid");
  }
  // Empty option: libcurl's standard variables apply.
  ::setenv("http_proxy", server.base().c_str(), 1);
  {
    HttpFetcher f(test_options());
    FetchRequest req;
    req.url = "http://other.example.invalid/feeds/b.xml";
    req.trusted_host = "other.example.invalid";
    auto r = fetch_sync(f, std::move(req));
    EXPECT_TRUE(r.ok()) << r.error;
  }
  ::unsetenv("http_proxy");
  EXPECT_EQ(server.requests_for("/feeds/b.xml").size(), 1u);
}

TEST(FetcherTls, VerifiesCertificates) {
  FixtureServer tls(true);
  ASSERT_TRUE(tls.up()) << tls.err();
  {
    HttpFetcher f(test_options());
    auto r = fetch_sync(f, tls.url("/feeds/a.xml"));
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.error.find("certificate"), std::string::npos) << r.error;
  }
  auto o = test_options();
  o.ca_file = (testing::http_fixtures() / "tls-cert.pem").string();
  HttpFetcher f(o);
  auto r = fetch_sync(f, tls.url("/feeds/a.xml"));
  EXPECT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.body, read_file(tls.root() / "a.xml"));
}

TEST_F(FetcherTest, StoppingCompletesTransfersUnderWay) {
  auto p = std::make_shared<std::promise<FetchResult>>();
  auto fut = p->get_future();
  {
    HttpFetcher f(test_options());
    f.fetch({server.url("/slow"), "", ""}, [p](FetchResult r) { p->set_value(std::move(r)); });
    ASSERT_TRUE(testing::wait_until([&] { return !server.requests_for("/slow").empty(); }, 20s));
  }
  ASSERT_EQ(fut.wait_for(1s), std::future_status::ready);
  auto r = fut.get();
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("stopped"), std::string::npos) << r.error;
}

TEST_F(FetcherTest, ManyRequestsAllComplete) {
  auto o = test_options();
  o.max_per_host = 2;
  HttpFetcher f(o);
  constexpr int n = 200;
  std::atomic<int> done{0}, ok{0};
  for (int i = 0; i < n; ++i)
    f.fetch({server.url(i % 2 ? "/feeds/a.xml" : "/feeds/b.xml"), "", ""}, [&](FetchResult r) {
      ok += r.ok();
      ++done;
    });
  ASSERT_TRUE(testing::wait_until([&] { return done == n; }, 60s));
  EXPECT_EQ(ok, n);
  auto s = f.stats();
  EXPECT_EQ(s.requests, static_cast<std::uint64_t>(n));
  EXPECT_EQ(s.active, 0u);
  EXPECT_EQ(s.queued, 0u);
}

}  // namespace
}  // namespace wirewatch::connectors
