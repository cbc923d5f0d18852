#include "wirewatch/connectors/poll_schedule.hpp"

#include <gtest/gtest.h>

#include "wirewatch/connectors/feed_poller.hpp"

namespace wirewatch::connectors {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

const PollClock::time_point kNow = PollClock::time_point(std::chrono::seconds(1'800'000'000));

FeedSource src(milliseconds interval = 5min) {
  FeedSource s;
  s.id = "f";
  s.url = "http://example.org/feed";
  s.interval = interval;
  return s;
}

FetchResult result(long status, std::string error = {}) {
  FetchResult r;
  r.url = r.final_url = "http://example.org/feed";
  r.status = status;
  r.error = std::move(error);
  return r;
}

TEST(SuccessDelay, TenPercentJitter) {
  ScheduleOptions o;
  EXPECT_EQ(success_delay(5min, std::nullopt, o, 0.0), 270s);
  EXPECT_EQ(success_delay(5min, std::nullopt, o, 0.5), 300s);
  EXPECT_EQ(success_delay(5min, std::nullopt, o, 1.0), 330s);
  for (double u = 0; u < 1; u += 0.01) {
    auto d = success_delay(5min, std::nullopt, o, u);
    EXPECT_GE(d, 270s);
    EXPECT_LE(d, 330s);
  }
}

TEST(SuccessDelay, MaxAgeRaisesNeverLowers) {
  ScheduleOptions o;
  EXPECT_EQ(success_delay(5min, 1h, o, 0.5), 1h);
  EXPECT_EQ(success_delay(5min, 10s, o, 0.5), 5min);
  EXPECT_EQ(success_delay(5min, 0s, o, 0.5), 5min);
  // Capped at max_interval (a year-long max-age does not park a feed for a year)...
  EXPECT_EQ(success_delay(5min, std::chrono::seconds(365 * 86400), o, 0.5), 24h);
  // ... but a configured interval above the cap stands.
  EXPECT_EQ(success_delay(48h, std::chrono::seconds(365 * 86400), o, 0.5), 48h);
}

TEST(FailureDelay, FullJitterUpToMaxBackoff) {
  ScheduleOptions o;
  o.min_retry = 10s;
  o.max_backoff = 6h;
  // Cap: interval × 2^failures → 10 min, 20 min, 40 min, ... then 6 h.
  EXPECT_EQ(failure_delay(5min, 1, o, 0.999999), milliseconds(599'999));
  EXPECT_EQ(failure_delay(5min, 2, o, 0.5), 10min);
  EXPECT_EQ(failure_delay(5min, 3, o, 0.5), 20min);
  EXPECT_EQ(failure_delay(5min, 10, o, 1.0), 6h);
  EXPECT_EQ(failure_delay(5min, 1000, o, 1.0), 6h);  // no overflow, never given up
  EXPECT_EQ(failure_delay(5min, 1, o, 0.0), 10s);    // the floor
  for (int f = 1; f < 40; ++f)
    for (double u = 0; u < 1; u += 0.1) {
      auto d = failure_delay(5min, f, o, u);
      EXPECT_GE(d, 10s);
      EXPECT_LE(d, 6h);
    }
}

TEST(ApplyFetch, FirstSuccessStoresValidatorsAndSchedules) {
  FeedState st;
  auto r = result(200);
  r.etag = "\"v1\"";
  r.last_modified = "Sun, 22 Nov 2026 10:00:00 GMT";
  auto d = apply_fetch(st, src(), r, kNow, {}, 0.5);
  EXPECT_EQ(d.action, PollAction::parse);
  ASSERT_TRUE(d.next);
  EXPECT_EQ(*d.next, kNow + 5min);
  EXPECT_EQ(st.next_poll, std::chrono::ceil<std::chrono::seconds>(kNow + 5min));
  EXPECT_EQ(st.etag, "\"v1\"");
  EXPECT_EQ(st.last_modified, "Sun, 22 Nov 2026 10:00:00 GMT");
  EXPECT_EQ(st.last_status, 200);
  record_parse_success(st, false, "", kNow);
  EXPECT_EQ(st.last_success, std::chrono::floor<std::chrono::seconds>(kNow));
  EXPECT_EQ(feed_status(st), FeedStatus::ok);

  auto next = poll_request(src(), st);
  EXPECT_EQ(next.etag, "\"v1\"");
  EXPECT_EQ(next.last_modified, "Sun, 22 Nov 2026 10:00:00 GMT");
}

TEST(ApplyFetch, NotModifiedIsASuccessWithoutParse) {
  FeedState st;
  st.etag = "\"v1\"";
  st.last_modified = "x";
  st.consecutive_failures = 3;
  st.last_error = "HTTP 500";
  auto d = apply_fetch(st, src(), result(304), kNow, {}, 0.5);
  EXPECT_EQ(d.action, PollAction::not_modified);
  EXPECT_EQ(st.etag, "\"v1\"");  // kept when the 304 has none
  EXPECT_EQ(st.last_modified, "x");
  EXPECT_EQ(st.consecutive_failures, 0);
  EXPECT_TRUE(st.last_error.empty());
  EXPECT_EQ(st.last_status, 304);
  EXPECT_TRUE(st.last_success);
  auto r = result(304);
  r.etag = "\"v2\"";
  apply_fetch(st, src(), r, kNow, {}, 0.5);
  EXPECT_EQ(st.etag, "\"v2\"");
}

TEST(ApplyFetch, PermanentRedirectMovesTheUrl) {
  FeedState st;
  st.url = "http://example.org/feed";
  auto r = result(200);
  r.permanent_redirect = "https://example.org/new-feed";
  apply_fetch(st, src(), r, kNow, {}, 0.5);
  EXPECT_EQ(st.url, "https://example.org/new-feed");
  EXPECT_EQ(poll_request(src(), st).url, "https://example.org/new-feed");
}

TEST(ApplyFetch, GoneDisables) {
  FeedState st;
  auto d = apply_fetch(st, src(), result(410, "HTTP 410 Gone"), kNow, {}, 0.5);
  EXPECT_EQ(d.action, PollAction::gone);
  EXPECT_FALSE(d.next);
  EXPECT_TRUE(st.gone);
  EXPECT_FALSE(st.next_poll);
  EXPECT_NE(st.last_error.find("410"), std::string::npos);
  EXPECT_EQ(feed_status(st), FeedStatus::gone);
  EXPECT_EQ(to_string(feed_status(st)), "gone");
}

TEST(ApplyFetch, FailuresBackOffAndCount) {
  FeedState st;
  ScheduleOptions o;
  o.min_retry = 1s;
  for (int i = 1; i <= 30; ++i) {
    auto d = apply_fetch(st, src(), result(500, "HTTP 500 Internal Server Error"), kNow, o, 1.0);
    EXPECT_EQ(d.action, PollAction::failed);
    EXPECT_EQ(st.consecutive_failures, i);
    ASSERT_TRUE(d.next);
    auto expect = std::min<milliseconds>(milliseconds(5min) * (1LL << std::min(i, 20)), o.max_backoff);
    EXPECT_EQ(*d.next, kNow + expect) << i;
  }
  EXPECT_EQ(st.last_error, "HTTP 500 Internal Server Error");
  EXPECT_EQ(feed_status(st), FeedStatus::failing);
}

TEST(ApplyFetch, RetryAfterIsHonoured) {
  FeedState st;
  auto r = result(429, "HTTP 429 Too Many Requests");
  r.retry_after = std::chrono::floor<std::chrono::seconds>(kNow + 2h);
  auto d = apply_fetch(st, src(), r, kNow, {}, 0.0);
  ASSERT_TRUE(d.next);
  EXPECT_GE(*d.next, kNow + 2h);
  EXPECT_EQ(feed_status(st), FeedStatus::rate_limited);
  EXPECT_EQ(to_string(feed_status(st)), "rate-limited");
  // A Retry-After shorter than the backoff does not shorten it.
  FeedState st2;
  st2.consecutive_failures = 5;
  r.retry_after = std::chrono::floor<std::chrono::seconds>(kNow + 1s);
  d = apply_fetch(st2, src(), r, kNow, {}, 1.0);
  EXPECT_EQ(*d.next, kNow + 320min);  // 5 min × 2^6
}

TEST(ApplyFetch, HostBlockedOnlyDefers) {
  FeedState st;
  st.consecutive_failures = 0;
  st.last_status = 200;
  auto r = result(0, "not sent");
  r.host_blocked = true;
  r.retry_after = std::chrono::floor<std::chrono::seconds>(kNow + 30s);
  auto d = apply_fetch(st, src(), r, kNow, {}, 0.0);
  EXPECT_EQ(d.action, PollAction::deferred);
  EXPECT_EQ(*d.next, kNow + 30s);
  EXPECT_EQ(st.consecutive_failures, 0);
  EXPECT_EQ(st.last_status, 200);
  EXPECT_TRUE(st.last_error.empty());
}

TEST(RecordParse, FailureDropsValidatorsAndBacksOff) {
  FeedState st;
  auto r = result(200);
  r.etag = "\"v1\"";
  apply_fetch(st, src(), r, kNow, {}, 0.5);
  auto next = record_parse_failure(st, src(), "not XML", kNow, {}, 0.5);
  EXPECT_GT(next, kNow);
  EXPECT_TRUE(st.etag.empty());
  EXPECT_EQ(st.consecutive_failures, 1);
  EXPECT_EQ(st.last_error, "nothing could be parsed: not XML");
  EXPECT_EQ(feed_status(st), FeedStatus::failing);

  record_parse_success(st, true, "undeclared entity", kNow);
  EXPECT_EQ(st.consecutive_failures, 0);
  EXPECT_TRUE(st.bozo);
  EXPECT_EQ(st.last_error, "not well-formed, recovered: undeclared entity");
  EXPECT_EQ(feed_status(st), FeedStatus::ok);
}

TEST(FeedStatus, Pending) {
  EXPECT_EQ(feed_status(FeedState{}), FeedStatus::pending);
  EXPECT_EQ(to_string(FeedStatus::pending), "pending");
}

}  // namespace
}  // namespace wirewatch::connectors
