#include "wirewatch/connectors/dates.hpp"

#include <gtest/gtest.h>

using namespace wirewatch;
using namespace wirewatch::connectors;

namespace {

std::string rfc822(std::string_view s) {
  auto t = parse_rfc822_date(s);
  return t ? format_utc(*t) : "none";
}
std::string iso(std::string_view s) {
  auto t = parse_iso8601_date(s);
  return t ? format_utc(*t) : "none";
}
std::string any(std::string_view s) {
  auto t = parse_feed_date(s);
  return t ? format_utc(*t) : "none";
}

}  // namespace

TEST(FeedRfc822, Canonical) { EXPECT_EQ(rfc822("Sun, 06 Nov 1994 08:49:37 GMT"), "1994-11-06T08:49:37Z"); }

TEST(FeedRfc822, TwoDigitYears) {
  EXPECT_EQ(rfc822("Sun, 06 Nov 94 08:49:37 GMT"), "1994-11-06T08:49:37Z");
  EXPECT_EQ(rfc822("Sat, 06 Nov 04 08:49:37 GMT"), "2004-11-06T08:49:37Z");
  EXPECT_EQ(rfc822("06 Nov 49 08:49:37 GMT"), "2049-11-06T08:49:37Z");
  EXPECT_EQ(rfc822("06 Nov 50 08:49:37 GMT"), "1950-11-06T08:49:37Z");
}

TEST(FeedRfc822, MissingWeekdaySecondsAndSpace) {
  EXPECT_EQ(rfc822("06 Nov 1994 08:49:37 GMT"), "1994-11-06T08:49:37Z");
  EXPECT_EQ(rfc822("Sun, 06 Nov 1994 08:49 GMT"), "1994-11-06T08:49:00Z");
  EXPECT_EQ(rfc822("Sun,06 Nov 1994 08:49:37 GMT"), "1994-11-06T08:49:37Z");
  EXPECT_EQ(rfc822("Sun, 6 Nov 1994 8:49:37 GMT"), "1994-11-06T08:49:37Z");
}

TEST(FeedRfc822, ZoneNames) {
  EXPECT_EQ(rfc822("Sun, 06 Nov 1994 08:49:37 UT"), "1994-11-06T08:49:37Z");
  EXPECT_EQ(rfc822("Sun, 06 Nov 1994 08:49:37 UTC"), "1994-11-06T08:49:37Z");
  EXPECT_EQ(rfc822("Sun, 06 Nov 1994 08:49:37 Z"), "1994-11-06T08:49:37Z");
  EXPECT_EQ(rfc822("Sun, 06 Nov 1994 08:49:37 EST"), "1994-11-06T13:49:37Z");
  EXPECT_EQ(rfc822("Sun, 06 Nov 1994 08:49:37 EDT"), "1994-11-06T12:49:37Z");
  EXPECT_EQ(rfc822("Sun, 06 Nov 1994 08:49:37 PST"), "1994-11-06T16:49:37Z");
  EXPECT_EQ(rfc822("Sun, 06 Nov 1994 08:49:37 MSK"), "1994-11-06T05:49:37Z");
  EXPECT_EQ(rfc822("Sun, 06 Nov 1994 08:49:37 CEST"), "1994-11-06T06:49:37Z");
  EXPECT_EQ(rfc822("Sun, 06 Nov 1994 08:49:37 gmt"), "1994-11-06T08:49:37Z");
}

TEST(FeedRfc822, NumericOffsets) {
  EXPECT_EQ(rfc822("Sun, 06 Nov 1994 08:49:37 +0300"), "1994-11-06T05:49:37Z");
  EXPECT_EQ(rfc822("Sun, 06 Nov 1994 08:49:37 +03:00"), "1994-11-06T05:49:37Z");
  EXPECT_EQ(rfc822("Sun, 06 Nov 1994 08:49:37 -0530"), "1994-11-06T14:19:37Z");
  EXPECT_EQ(rfc822("Sun, 06 Nov 1994 08:49:37 +03"), "1994-11-06T05:49:37Z");
  EXPECT_EQ(rfc822("Sun, 06 Nov 1994 08:49:37 GMT+0300"), "1994-11-06T05:49:37Z");
  EXPECT_EQ(rfc822("Sun, 06 Nov 1994 01:00:00 +0300"), "1994-11-05T22:00:00Z");  // crosses midnight
}

TEST(FeedRfc822, MissingZoneIsUtc) { EXPECT_EQ(rfc822("Sun, 06 Nov 1994 08:49:37"), "1994-11-06T08:49:37Z"); }

TEST(FeedRfc822, OtherRealWorldShapes) {
  EXPECT_EQ(rfc822("Sunday, 06 November 1994 08:49:37 GMT"), "1994-11-06T08:49:37Z");
  EXPECT_EQ(rfc822("Sun, Nov 06 1994 08:49:37 GMT"), "1994-11-06T08:49:37Z");
  EXPECT_EQ(rfc822("Sun Nov  6 08:49:37 1994"), "1994-11-06T08:49:37Z");  // asctime
  EXPECT_EQ(rfc822("06-Nov-1994 08:49:37 GMT"), "1994-11-06T08:49:37Z");
  EXPECT_EQ(rfc822("Tue, 05 Sept 2023 10:00:00 GMT"), "2023-09-05T10:00:00Z");
  EXPECT_EQ(rfc822("Sun, 06 Nov 1994 08:49:37.250 GMT"), "1994-11-06T08:49:37Z");
  EXPECT_EQ(rfc822("Sun, 06 Nov 1994 08:49:37 -0800 (PST)"), "1994-11-06T16:49:37Z");
  EXPECT_EQ(rfc822("Sun, 06 Nov 1994 8:49 PM GMT"), "1994-11-06T20:49:00Z");
  EXPECT_EQ(rfc822("  Sun, 06 Nov 1994 08:49:37 GMT \n"), "1994-11-06T08:49:37Z");
}

TEST(FeedRfc822, DateWithoutTimeIsMidnight) { EXPECT_EQ(rfc822("06 Nov 1994"), "1994-11-06T00:00:00Z"); }

TEST(FeedRfc822, RejectsNonsense) {
  EXPECT_EQ(rfc822(""), "none");
  EXPECT_EQ(rfc822("yesterday"), "none");
  EXPECT_EQ(rfc822("Sun, 32 Nov 1994 08:49:37 GMT"), "none");
  EXPECT_EQ(rfc822("Sun, 31 Nov 1994 08:49:37 GMT"), "none");  // November has 30 days
  EXPECT_EQ(rfc822("Sun, 06 Foo 1994 08:49:37 GMT"), "none");
  EXPECT_EQ(rfc822("Sun, 06 Nov 1994 25:49:37 GMT"), "none");
  EXPECT_EQ(rfc822("Sun, 06 Nov 1994 08:61:37 GMT"), "none");
  EXPECT_EQ(rfc822("Sun, 06 Nov 1994 08:49:37 +9900"), "none");
  EXPECT_EQ(rfc822("Nov 1994"), "none");
  EXPECT_EQ(rfc822("29 Feb 2023 00:00:00 GMT"), "none");
  EXPECT_EQ(rfc822("29 Feb 2024 00:00:00 GMT"), "2024-02-29T00:00:00Z");
}

TEST(FeedIso8601, Rfc3339) {
  EXPECT_EQ(iso("2024-03-05T10:00:00Z"), "2024-03-05T10:00:00Z");
  EXPECT_EQ(iso("2024-03-05T10:00:00+03:00"), "2024-03-05T07:00:00Z");
  EXPECT_EQ(iso("2024-03-05T10:00:00-05:00"), "2024-03-05T15:00:00Z");
  EXPECT_EQ(iso("2024-03-05t10:00:00z"), "2024-03-05T10:00:00Z");
  EXPECT_EQ(iso("2024-03-05T10:00:00.123456Z"), "2024-03-05T10:00:00Z");
  EXPECT_EQ(iso("2024-03-05T10:00:00,5+01:00"), "2024-03-05T09:00:00Z");
}

TEST(FeedIso8601, Iso8601Variants) {
  EXPECT_EQ(iso("2024-03-05 10:00:00"), "2024-03-05T10:00:00Z");
  EXPECT_EQ(iso("2024-03-05T10:00Z"), "2024-03-05T10:00:00Z");
  EXPECT_EQ(iso("2024-03-05T10:00:00+0300"), "2024-03-05T07:00:00Z");
  EXPECT_EQ(iso("2024-03-05T10:00:00+03"), "2024-03-05T07:00:00Z");
  EXPECT_EQ(iso("2024-03-05T10:00:00 +03:00"), "2024-03-05T07:00:00Z");
  EXPECT_EQ(iso("2024-03-05T10:00:00 GMT"), "2024-03-05T10:00:00Z");
  EXPECT_EQ(iso("20240305T093000+0300"), "2024-03-05T06:30:00Z");
  EXPECT_EQ(iso("20240305"), "2024-03-05T00:00:00Z");
  EXPECT_EQ(iso("2024-03-05"), "2024-03-05T00:00:00Z");
  EXPECT_EQ(iso("2024-03"), "2024-03-01T00:00:00Z");
  EXPECT_EQ(iso("2024"), "2024-01-01T00:00:00Z");
  EXPECT_EQ(iso("2024-03-05T00:30:00+01:00"), "2024-03-04T23:30:00Z");
}

TEST(FeedIso8601, RejectsNonsense) {
  EXPECT_EQ(iso("2024-13-05T10:00:00Z"), "none");
  EXPECT_EQ(iso("2024-02-30T10:00:00Z"), "none");
  EXPECT_EQ(iso("2024-03-05T24:30:00Z"), "none");
  EXPECT_EQ(iso("2024-03-05T10:00:00Q"), "none");
  EXPECT_EQ(iso("2024-03-05T10:00:00Z trailing"), "none");
  EXPECT_EQ(iso("2024-3-5"), "none");
  EXPECT_EQ(iso("not a date"), "none");
}

TEST(FeedDate, PicksTheRightParser) {
  EXPECT_EQ(any("2024-03-05T10:00:00Z"), "2024-03-05T10:00:00Z");
  EXPECT_EQ(any("Tue, 05 Mar 2024 10:00:00 GMT"), "2024-03-05T10:00:00Z");
  EXPECT_EQ(any("1994 Nov 06 08:49:37 GMT"), "1994-11-06T08:49:37Z");
  EXPECT_EQ(any("garbage"), "none");
}

TEST(FeedDate, GarbageNeverCrashes) {
  std::string s;
  std::uint32_t x = 12345;
  for (int round = 0; round < 2000; ++round) {
    s.clear();
    const int len = static_cast<int>(x % 40);
    for (int i = 0; i < len; ++i) {
      x = x * 1103515245u + 12345u;
      static constexpr char kAlphabet[] = "0123456789 :+-,.TZtzJanFebMarGMTEST()\xff\x80";
      s += kAlphabet[(x >> 16) % (sizeof kAlphabet - 1)];
    }
    auto t = parse_feed_date(s);
    if (t) {
      // whatever parses must be a real date between the years 1 and 9999
      const auto days = std::chrono::floor<std::chrono::days>(*t);
      const std::chrono::year_month_day ymd{days};
      EXPECT_TRUE(ymd.ok()) << s;
    }
  }
}
