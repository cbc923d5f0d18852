// FeedPoller::poll_all_now (wirewatchd's SIGUSR1) against the fixture server on
// 127.0.0.1: feeds waiting for their interval or backing off are polled at once;
// a host's Retry-After is still honoured. Every wait is a deadline with a wide margin.

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

FeedSource source(std::string id, std::string url) {
  FeedSource s;
  s.id = std::move(id);
  s.url = std::move(url);
  s.interval = 1h;
  return s;
}

TEST(PollAllNow, PollsWaitingAndFailingFeedsButHonoursRetryAfter) {
  FixtureServer server, limited_host;
  ASSERT_TRUE(server.up()) << server.err();
  ASSERT_TRUE(limited_host.up()) << limited_host.err();
  HttpOptions http;
  http.connect_timeout = 5s;
  http.timeout = 15s;
  http.address_policy.allow = {*parse_cidr("127.0.0.1/32")};
  HttpFetcher fetcher(http);
  FeedPollerOptions o;
  o.schedule.min_retry = 1h;  // a failed feed would wait an hour on its own
  o.schedule.max_backoff = 2h;
  o.random = [] { return 0.5; };
  Collector results;
  FeedPoller poller(
      fetcher, nullptr, [&](FeedPollResult r) { return results.emit(std::move(r)); }, o);
  poller.add(source("waiting", server.url("/feeds/a.xml")));
  poller.add(source("failing", server.url("/limited/b.xml?status=500&times=1&seconds=0")));
  // Its own host: a Retry-After holds every request to that host:port.
  poller.add(source("limited", limited_host.url("/limited/a.xml?seconds=600")));
  std::jthread thread([&](std::stop_token st) { poller.run(st); });

  ASSERT_TRUE(results.has("waiting", 1));
  ASSERT_TRUE(results.has("failing", 1));
  ASSERT_TRUE(results.has("limited", 1));
  EXPECT_EQ(results.of("waiting")[0].state.last_status, 200);
  EXPECT_EQ(results.of("failing")[0].state.consecutive_failures, 1);
  EXPECT_EQ(feed_status(results.of("limited")[0].state), FeedStatus::rate_limited);
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(results.of("waiting").size(), 1u) << "polled again before its interval";
  EXPECT_EQ(results.of("failing").size(), 1u) << "retried before its backoff";

  poller.poll_all_now();
  ASSERT_TRUE(results.has("waiting", 2));
  ASSERT_TRUE(results.has("failing", 2));
  auto waiting = results.of("waiting")[1];
  EXPECT_EQ(waiting.state.last_status, 304);  // validators sent as on any poll
  EXPECT_TRUE(waiting.entries.empty());
  auto failing = results.of("failing")[1];
  EXPECT_EQ(failing.state.last_status, 200);
  EXPECT_EQ(failing.state.consecutive_failures, 0);
  EXPECT_EQ(failing.entries.size(), 2u);

  std::this_thread::sleep_for(1s);
  EXPECT_EQ(results.of("limited").size(), 1u);
  EXPECT_EQ(limited_host.requests_for("/limited/a.xml").size(), 1u) << "asked again within its Retry-After";
  EXPECT_EQ(results.of("waiting").size(), 2u);  // once per request to poll now
}

}  // namespace
}  // namespace wirewatch::connectors
