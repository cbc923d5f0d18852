// FeedPoller + HttpFetcher + the feed parser against the fixture server on
// 127.0.0.1. Intervals are short and every wait is a deadline with a wide margin.

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "collector.hpp"
#include "fixture_server.hpp"
#include "wirewatch/connectors/feed_poller.hpp"

namespace wirewatch::connectors {
namespace {

using namespace std::chrono_literals;
using testing::FixtureServer;
using testing::read_file;

HttpOptions http_options() {
  HttpOptions o;
  o.connect_timeout = 5s;
  o.timeout = 15s;
  o.low_speed_time = 2s;
  o.max_body = 1024 * 1024;
  // Article links point at the fixture server on loopback, which the SSRF guard refuses by default.
  o.address_policy.allow = {*parse_cidr("127.0.0.1/32")};
  return o;
}

FeedPollerOptions poller_options() {
  FeedPollerOptions o;
  o.schedule.min_retry = 100ms;
  o.schedule.max_backoff = 400ms;
  return o;
}

// A poller running on its own thread for the scope of a test.
class Running {
 public:
  Running(HttpFetcher& fetcher, Collector& c, FeedPollerOptions o = poller_options())
      : poller(fetcher, c.seen_fn(), c.emit_fn(), std::move(o)) {}
  void start() {
    thread_ = std::jthread([this](std::stop_token st) { poller.run(st); });
  }
  ~Running() {
    if (thread_.joinable()) {
      thread_.request_stop();
      thread_.join();
    }
  }
  FeedPoller poller;

 private:
  std::jthread thread_;
};

FeedSource source(std::string id, std::string url, std::chrono::milliseconds interval = 1h) {
  FeedSource s;
  s.id = std::move(id);
  s.url = std::move(url);
  s.interval = interval;
  return s;
}

std::vector<std::string> titles(const FeedPollResult& r) {
  std::vector<std::string> out;
  for (const auto& e : r.entries) out.push_back(e.item.title);
  return out;
}

std::string rss(const std::vector<std::pair<std::string, std::string>>& items) {
  std::string s = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title>\n";
  for (const auto& [guid, link] : items)
    s += "<item><title>Item " + guid + "</title><link>" + link + "</link><guid>" + guid + "</guid></item>\n";
  return s + "</channel></rss>\n";
}

class PollerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server.up()) << server.err(); }
  FixtureServer server;
  Collector collector;
};

TEST_F(PollerTest, ItemsArriveFromEveryKindOfFeed) {
  HttpFetcher fetcher(http_options());
  Running run(fetcher, collector);
  run.poller.add(source("rss", server.url("/feeds/a.xml")));
  run.poller.add(source("atom", server.url("/feeds/atom.xml")));
  run.poller.add(source("cp1251", server.url("/feeds/cp1251.xml")));
  run.poller.add(source("koi8", server.url("/feeds/koi8r.xml?charset=koi8-r&content_type=text/xml")));
  run.poller.add(source("wrong-type", server.url("/feeds/b.xml?content_type=text/plain")));
  run.poller.add(source("gzip", server.url("/feeds/a.xml?gzip=1")));
  run.poller.add(source("broken", server.url("/feeds/broken.xml")));
  run.poller.add(source("truncated", server.url("/feeds/truncated.xml")));
  run.poller.add(source("garbage", server.url("/feeds/garbage.xml")));
  run.start();

  auto rss_r = collector.wait("rss", 1)[0];
  EXPECT_EQ(titles(rss_r),
            (std::vector<std::string>{"Wagner instructors arrive", "Second item", "Third item"}));
  EXPECT_EQ(rss_r.state.last_status, 200);
  EXPECT_TRUE(rss_r.state.last_success);
  EXPECT_FALSE(rss_r.state.etag.empty());
  EXPECT_EQ(rss_r.state.items_seen, 3u);
  EXPECT_EQ(rss_r.state.consecutive_failures, 0);
  EXPECT_EQ(feed_status(rss_r.state), FeedStatus::ok);
  EXPECT_EQ(rss_r.entries[0].key, "a-1");
  EXPECT_EQ(rss_r.entries[0].item.link, "http://example.org/a/1");

  EXPECT_EQ(collector.wait("atom", 1)[0].entries.size(), 2u);
  for (const char* id : {"cp1251", "koi8"}) {
    auto r = collector.wait(id, 1)[0];
    EXPECT_EQ(titles(r), (std::vector<std::string>{"Лукашенко провёл совещание", "Вагнер в Беларуси"})) << id;
  }
  EXPECT_EQ(collector.wait("wrong-type", 1)[0].entries.size(), 2u);
  EXPECT_EQ(collector.wait("gzip", 1)[0].entries.size(), 3u);
  auto broken = collector.wait("broken", 1)[0];
  EXPECT_EQ(broken.entries.size(), 2u);
  EXPECT_TRUE(broken.state.bozo);
  EXPECT_EQ(feed_status(broken.state), FeedStatus::ok);
  auto truncated = collector.wait("truncated", 1)[0];
  EXPECT_GE(truncated.entries.size(), 1u);
  EXPECT_TRUE(truncated.state.bozo);
  auto garbage = collector.wait("garbage", 1)[0];
  EXPECT_TRUE(garbage.entries.empty());
  EXPECT_EQ(garbage.state.consecutive_failures, 1);
  EXPECT_NE(garbage.state.last_error.find("nothing could be parsed"), std::string::npos)
      << garbage.state.last_error;
  EXPECT_TRUE(garbage.state.etag.empty());  // fetched whole again next time
  EXPECT_EQ(feed_status(garbage.state), FeedStatus::failing);
}

TEST_F(PollerTest, NoItemTwiceAcrossPollsAndRestarts) {
  FeedState saved;
  {
    HttpFetcher fetcher(http_options());
    Running run(fetcher, collector);
    run.poller.add(source("a", server.url("/feeds/a.xml"), 150ms));
    run.start();
    auto first = collector.wait("a", 3);
    EXPECT_EQ(first[0].entries.size(), 3u);
    EXPECT_TRUE(first[1].entries.empty());
    EXPECT_EQ(first[1].state.last_status, 304);
    EXPECT_EQ(first[2].state.last_status, 304);

    // One item added: the feed changes, exactly that item is new.
    auto body = read_file(server.root() / "a.xml");
    auto at = body.find("<item>");
    server.write("a.xml", body.substr(0, at) +
                              "<item><title>Fresh</title><guid>a-4</guid><link>http://example.org/"
                              "a/4</link></item>\n" +
                              body.substr(at));
    testing::wait_until([&] { return collector.entries("a") >= 4; });
    std::this_thread::sleep_for(500ms);  // a few more polls
    EXPECT_EQ(collector.entries("a"), 4u);
    saved = collector.of("a").back().state;
    EXPECT_EQ(saved.items_seen, 4u);
  }
  auto reqs = server.requests_for("/feeds/a.xml");
  ASSERT_GE(reqs.size(), 4u);
  EXPECT_FALSE(reqs[0]["headers"].contains("if-none-match"));
  for (std::size_t i = 1; i < reqs.size(); ++i)
    EXPECT_TRUE(reqs[i]["headers"].contains("if-none-match")) << i;

  // A restart: the saved state's validators are used from the first poll on.
  collector.forget_results();
  {
    HttpFetcher fetcher(http_options());
    Running run(fetcher, collector);
    saved.next_poll.reset();
    run.poller.add(source("a", server.url("/feeds/a.xml"), 1h), saved);
    run.start();
    auto r = collector.wait("a", 1)[0];
    EXPECT_EQ(r.state.last_status, 304);
    EXPECT_TRUE(r.entries.empty());
  }
  // A restart without validators: the body is parsed again, and still nothing is new.
  collector.forget_results();
  {
    HttpFetcher fetcher(http_options());
    Running run(fetcher, collector);
    run.poller.add(source("a", server.url("/feeds/a.xml"), 1h));
    run.start();
    auto r = collector.wait("a", 1)[0];
    EXPECT_EQ(r.state.last_status, 200);
    EXPECT_TRUE(r.entries.empty());
  }
}

TEST_F(PollerTest, PermanentRedirectMovesTheFeedTemporaryDoesNot) {
  HttpFetcher fetcher(http_options());
  Running run(fetcher, collector);
  run.poller.add(source("moved", server.url("/redirect?codes=301&to=/feeds/a.xml"), 200ms));
  run.poller.add(source("temp", server.url("/redirect?codes=302&to=/feeds/b.xml"), 200ms));
  run.start();
  auto moved = collector.wait("moved", 3);
  EXPECT_EQ(moved[0].state.url, server.url("/feeds/a.xml"));
  EXPECT_EQ(moved[0].entries.size(), 3u);
  EXPECT_EQ(moved[2].state.url, server.url("/feeds/a.xml"));
  EXPECT_EQ(moved[2].state.last_status, 304);
  auto temp = collector.wait("temp", 3);
  EXPECT_EQ(temp[2].state.url, server.url("/redirect?codes=302&to=/feeds/b.xml"));
  // Only the first poll of "moved" went through the redirect.
  int redirects_301 = 0;
  for (auto& q : server.requests_for("/redirect"))
    if (q["status"] == 301) ++redirects_301;
  EXPECT_EQ(redirects_301, 1);
  EXPECT_EQ(moved.back().state.source_url, server.url("/redirect?codes=301&to=/feeds/a.xml"));
}

TEST_F(PollerTest, GoneDisablesTheFeedAndOthersGoOn) {
  HttpFetcher fetcher(http_options());
  Running run(fetcher, collector);
  run.poller.add(source("gone", server.url("/status/410"), 100ms));
  run.poller.add(source("fine", server.url("/feeds/a.xml"), 100ms));
  run.start();
  auto gone = collector.wait("gone", 1)[0];
  EXPECT_TRUE(gone.state.gone);
  EXPECT_EQ(gone.state.last_status, 410);
  EXPECT_FALSE(gone.state.next_poll);
  EXPECT_NE(gone.state.last_error.find("410"), std::string::npos);
  EXPECT_EQ(feed_status(gone.state), FeedStatus::gone);
  collector.wait("fine", 5);
  EXPECT_EQ(server.requests_for("/status/410").size(), 1u);
  EXPECT_EQ(collector.of("gone").size(), 1u);
}

TEST_F(PollerTest, FailuresBackOffAndAreNeverGivenUp) {
  HttpFetcher fetcher(http_options());
  Running run(fetcher, collector);
  // Three 500s, then the feed.
  run.poller.add(source("flaky", server.url("/limited/a.xml?status=500&times=3&seconds=0"), 100ms));
  run.start();
  auto r = collector.wait("flaky", 4);
  EXPECT_EQ(r[0].state.consecutive_failures, 1);
  EXPECT_EQ(r[1].state.consecutive_failures, 2);
  EXPECT_EQ(r[2].state.consecutive_failures, 3);
  EXPECT_EQ(r[2].state.last_status, 500);
  EXPECT_EQ(r[2].state.last_error, "HTTP 500 Internal Server Error");
  EXPECT_EQ(feed_status(r[2].state), FeedStatus::failing);
  EXPECT_EQ(r[3].state.consecutive_failures, 0);
  EXPECT_EQ(r[3].state.last_status, 200);
  EXPECT_TRUE(r[3].state.last_error.empty());
  EXPECT_EQ(r[3].entries.size(), 3u);
}

TEST_F(PollerTest, RetryAfterHoldsTheHostAndNotOtherFeeds) {
  FixtureServer other;
  ASSERT_TRUE(other.up());
  HttpFetcher fetcher(http_options());
  Running run(fetcher, collector);
  run.poller.add(source("limited", server.url("/limited/a.xml?seconds=3"), 100ms));
  run.start();
  auto first = collector.wait("limited", 1)[0];
  EXPECT_EQ(first.state.last_status, 429);
  EXPECT_EQ(feed_status(first.state), FeedStatus::rate_limited);
  ASSERT_TRUE(first.state.next_poll);
  // Feeds added now: one on the same host, one on another.
  run.poller.add(source("same-host", server.url("/feeds/b.xml"), 100ms));
  run.poller.add(source("other-host", other.url("/feeds/b.xml"), 100ms));

  auto limited = collector.wait("limited", 2, 30s);
  EXPECT_EQ(limited[1].state.last_status, 200);
  EXPECT_EQ(limited[1].entries.size(), 3u);
  auto same = collector.wait("same-host", 2);
  EXPECT_EQ(same[0].state.consecutive_failures, 0);  // deferred, not failed

  auto until = server.requests_for("/limited/a.xml")[0]["retry_after_until"].get<double>();
  double t429 = server.requests_for("/limited/a.xml")[0]["t"].get<double>();
  int during = 0;
  for (auto& q : server.requests())
    if (q["t"].get<double>() > t429) {
      EXPECT_GE(q["t"].get<double>(), until) << "asked before Retry-After: " << q.dump();
    }
  for (auto& q : other.requests())
    if (q["t"].get<double>() > t429 && q["t"].get<double>() < until) ++during;
  EXPECT_GE(during, 3) << "the other host was polled on during the Retry-After";
}

TEST_F(PollerTest, ArticlesAreFetchedOnlyForNewItems) {
  server.write("page1.html", "<html><body><p>Page one</p></body></html>");
  server.write("page2.html", "<html><body><p>Page two</p></body></html>");
  server.write("page3.html", "<html><body><p>Page three</p></body></html>");
  server.write("art.xml", rss({{"p1", server.url("/feeds/page1.html")},
                               {"p2", server.url("/feeds/page2.html")},
                               {"p3", server.url("/feeds/page3.html")},
                               {"p4", server.url("/status/404")},
                               {"p5", "ftp://example.org/no"}}));
  collector.emit(FeedPollResult{"art", {}, {FeedEntry{{}, "p2", {}}}});  // p2 is known already
  collector.forget_results();

  HttpFetcher fetcher(http_options());
  Running run(fetcher, collector);
  auto s = source("art", server.url("/feeds/art.xml"));
  s.articles = true;
  run.poller.add(s);
  run.start();
  auto r = collector.wait("art", 1)[0];
  ASSERT_EQ(r.entries.size(), 4u);
  EXPECT_EQ(r.entries[0].key, "p1");
  ASSERT_TRUE(r.entries[0].article);
  EXPECT_EQ(r.entries[0].article->body, "<html><body><p>Page one</p></body></html>");
  EXPECT_EQ(r.entries[0].article->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(r.entries[1].key, "p3");
  ASSERT_TRUE(r.entries[1].article);
  EXPECT_FALSE(r.entries[2].article);  // 404: built from the item
  EXPECT_FALSE(r.entries[3].article);  // not http(s): never requested
  EXPECT_TRUE(server.requests_for("/feeds/page2.html").empty()) << "a seen item's page was fetched";
  EXPECT_EQ(server.requests_for("/feeds/page1.html").size(), 1u);
}

TEST_F(PollerTest, MaxAgeRaisesTheIntervalNeverLowersIt) {
  HttpFetcher fetcher(http_options());
  Running run(fetcher, collector);
  run.poller.add(source("raised", server.url("/feeds/a.xml?max_age=3600"), 1s));
  run.poller.add(source("kept", server.url("/feeds/b.xml?max_age=1"), 600s));
  auto before = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  run.start();
  auto raised = collector.wait("raised", 1)[0];
  ASSERT_TRUE(raised.state.next_poll);
  EXPECT_GE(*raised.state.next_poll, before + 3240s);
  EXPECT_LE(*raised.state.next_poll, before + 3970s);
  auto kept = collector.wait("kept", 1)[0];
  ASSERT_TRUE(kept.state.next_poll);
  EXPECT_GE(*kept.state.next_poll, before + 540s);
}

TEST_F(PollerTest, FaultyFeedsCostBoundedMemoryAndDoNotHoldUpOthers) {
  HttpFetcher fetcher(http_options());  // max_body 1 MiB, low-speed 100 B/s over 2 s
  Running run(fetcher, collector);
  run.poller.add(source("endless", server.url("/endless")));
  run.poller.add(source("bomb", server.url("/gzip-bomb?mib=64")));
  run.poller.add(source("slow", server.url("/slow")));
  run.poller.add(source("fine", server.url("/feeds/a.xml")));
  run.start();
  for (const char* id : {"endless", "bomb"}) {
    auto r = collector.wait(id, 1)[0];
    EXPECT_EQ(r.state.consecutive_failures, 1) << id;
    EXPECT_NE(r.state.last_error.find("max_body"), std::string::npos) << id << ": " << r.state.last_error;
  }
  EXPECT_EQ(collector.wait("fine", 1)[0].entries.size(), 3u);
  auto slow = collector.wait("slow", 1)[0];
  EXPECT_EQ(slow.state.consecutive_failures, 1);
  EXPECT_FALSE(slow.state.last_error.empty());
  // The drip needs 2 s to be given up on; the good feed did not wait for it.
  EXPECT_LT(collector.position("fine"), collector.position("slow"));
}

TEST_F(PollerTest, AnInjectedClockDrivesTheSchedule) {
  std::mutex m;
  auto now = std::chrono::system_clock::now();
  auto options = poller_options();
  options.now = [&] {
    std::lock_guard lock(m);
    return now;
  };
  options.random = [] { return 0.5; };  // no jitter: exactly the interval
  HttpFetcher fetcher(http_options());
  Running run(fetcher, collector, options);
  run.poller.add(source("a", server.url("/feeds/a.xml"), 10min));
  run.start();
  auto first = collector.wait("a", 1)[0];
  ASSERT_TRUE(first.state.next_poll);
  EXPECT_EQ(*first.state.next_poll, std::chrono::ceil<std::chrono::seconds>(now + 10min));

  auto advance = [&](auto d) {
    {
      std::lock_guard lock(m);
      now += d;
    }
    run.poller.wake();
  };
  advance(9min);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(server.requests_for("/feeds/a.xml").size(), 1u);
  advance(1min + 1s);
  auto second = collector.wait("a", 2)[1];
  EXPECT_EQ(second.state.last_status, 304);
  EXPECT_EQ(server.requests_for("/feeds/a.xml").size(), 2u);
}

TEST_F(PollerTest, RemovedAndChangedFeeds) {
  HttpFetcher fetcher(http_options());
  Running run(fetcher, collector);
  run.poller.add(source("x", server.url("/feeds/a.xml"), 100ms));
  run.start();
  collector.wait("x", 2);
  // The configuration now names another URL for the same id: a fresh state.
  FeedState old = collector.of("x").back().state;
  run.poller.add(source("x", server.url("/feeds/b.xml"), 100ms), old);
  testing::wait_until([&] { return !server.requests_for("/feeds/b.xml").empty(); });
  auto b = server.requests_for("/feeds/b.xml");
  ASSERT_FALSE(b.empty());
  EXPECT_FALSE(b[0]["headers"].contains("if-none-match"));  // a.xml's validators were dropped
  run.poller.remove("x");
  std::this_thread::sleep_for(300ms);
  auto count = server.requests().size();
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(server.requests().size(), count);
}

}  // namespace
}  // namespace wirewatch::connectors
