#include <gtest/gtest.h>

#include "wirewatch/connectors/http_fetcher.hpp"

namespace wirewatch::connectors {
namespace {

using namespace std::chrono_literals;

TEST(CheckUrl, HttpAndHttpsOnly) {
  EXPECT_EQ(check_url("http://example.org/feed"), "http://example.org/feed");
  EXPECT_EQ(check_url("https://example.org:8443/a?b=c"), "https://example.org:8443/a?b=c");
  EXPECT_EQ(check_url("HTTPS://Example.ORG/x"), "https://Example.ORG/x");
  for (const char* bad : {"ftp://example.org/", "file:///etc/passwd", "javascript:alert(1)", "gopher://x/",
                          "//example.org/feed", "/feed.xml", "http://", "", "http://exa mple.org/",
                          "http://example.org/\nX-Header: 1", "mailto:a@example.org"})
    EXPECT_FALSE(check_url(bad)) << bad;
}

TEST(HostKey, HostAndPortWithDefaults) {
  EXPECT_EQ(host_key("http://Example.org/feed"), "example.org:80");
  EXPECT_EQ(host_key("https://example.org/feed"), "example.org:443");
  EXPECT_EQ(host_key("http://127.0.0.1:8080/x"), "127.0.0.1:8080");
  EXPECT_EQ(host_key("not a url"), "");
}

TEST(ContentTypeCharset, Parameter) {
  EXPECT_EQ(content_type_charset("text/xml; charset=windows-1251"), "windows-1251");
  EXPECT_EQ(content_type_charset("application/rss+xml;Charset=\"KOI8-R\""), "koi8-r");
  EXPECT_EQ(content_type_charset("text/xml; format=flowed; charset=utf-8 "), "utf-8");
  EXPECT_EQ(content_type_charset("text/xml"), "");
  EXPECT_EQ(content_type_charset(""), "");
}

TEST(MaxAge, CacheControl) {
  EXPECT_EQ(parse_max_age("max-age=600"), 600s);
  EXPECT_EQ(parse_max_age("public, max-age=\"60\", must-revalidate"), 60s);
  EXPECT_EQ(parse_max_age("s-maxage=100"), std::nullopt);
  EXPECT_EQ(parse_max_age("max-age=600, no-cache"), std::nullopt);
  EXPECT_EQ(parse_max_age("no-store"), std::nullopt);
  EXPECT_EQ(parse_max_age("max-age=-5"), std::nullopt);
  EXPECT_EQ(parse_max_age("max-age=abc"), std::nullopt);
  EXPECT_EQ(parse_max_age(""), std::nullopt);
}

TEST(RetryAfter, SecondsAndHttpDate) {
  TimePoint now{std::chrono::seconds(1'700'000'000)};
  EXPECT_EQ(parse_retry_after("120", now), now + 120s);
  EXPECT_EQ(parse_retry_after(" 0 ", now), now);
  // 2023-11-14T22:13:20Z is 1700000000.
  EXPECT_EQ(parse_retry_after("Tue, 14 Nov 2023 22:15:00 GMT", now), now + 100s);
  EXPECT_EQ(parse_retry_after("Tuesday, 14-Nov-23 22:15:00 GMT", now), now + 100s);
  EXPECT_EQ(parse_retry_after("soon", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("", now), std::nullopt);
  EXPECT_TRUE(parse_retry_after("99999999999999999999999", now));  // huge: clamped by the caller
  // Found by fuzzing: a value that fits in 64 bits overflowed `now + seconds` (UB).
  auto far = parse_retry_after("9223372036854775807", now);
  ASSERT_TRUE(far);
  EXPECT_GT(*far, now);
}

TEST(UserAgent, NamesWirewatchItsVersionAndAUrl) {
  auto ua = default_user_agent();
  EXPECT_TRUE(ua.starts_with("wirewatch/")) << ua;
  EXPECT_NE(ua.find("(+https://"), std::string::npos) << ua;
  EXPECT_EQ(HttpOptions{}.user_agent, ua);
}

TEST(FetchResult, OkAndNotModified) {
  FetchResult r;
  r.status = 200;
  EXPECT_TRUE(r.ok());
  r.error = "body larger than max_body";
  EXPECT_FALSE(r.ok());
  r = {};
  r.status = 304;
  EXPECT_TRUE(r.not_modified());
  EXPECT_FALSE(r.ok());
  r.status = 0;
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.not_modified());
}

TEST(HttpOptions, DefaultsOfTheIssue) {
  HttpOptions o;
  EXPECT_EQ(o.max_connections, 64);
  EXPECT_EQ(o.max_per_host, 2);
  EXPECT_EQ(o.connect_timeout, 10s);
  EXPECT_EQ(o.timeout, 30s);
  EXPECT_EQ(o.low_speed_limit, 100u);
  EXPECT_EQ(o.low_speed_time, 20s);
  EXPECT_EQ(o.max_body, 10u * 1024 * 1024);
  EXPECT_EQ(o.max_backoff, 6h);
  EXPECT_EQ(o.max_redirects, 5);
  EXPECT_TRUE(o.proxy.empty());
}

}  // namespace
}  // namespace wirewatch::connectors
