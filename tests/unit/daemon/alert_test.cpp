#include "wirewatch/daemon/alert.hpp"

#include <gtest/gtest.h>

using namespace wirewatch;
using namespace wirewatch::daemon;

TEST(Alert, CarriesEveryFieldAndOmitsUnknownValues) {
  rules::Match m;
  m.rule_id = "wagner-instructors";
  m.topic = "alerts.wagner";
  m.severity = rules::Severity::high;
  m.matched = {"Wagner", "instructors"};
  m.hits = {{"Wagner", rules::Field::title, 3, 6}, {"instructors", rules::Field::body, 10, 11}};
  m.snippet = "Wagner instructors arrived.";
  Record r;
  r.id = "d6c58d34664ebbc0";
  r.text.title = "Title";
  r.source = "inbox";
  r.fetched = TimePoint(std::chrono::seconds(1700000000));
  auto j = alert_json(7, m, r, TimePoint(std::chrono::seconds(1700000001)));
  EXPECT_EQ(j["schema"], 1);
  EXPECT_EQ(j["seq"], 7);
  EXPECT_EQ(j["alert_id"], "wagner-instructors:d6c58d34664ebbc0");
  EXPECT_EQ(j["rule"], "wagner-instructors");
  EXPECT_EQ(j["topic"], "alerts.wagner");
  EXPECT_EQ(j["severity"], "high");
  EXPECT_EQ(j["record"]["id"], "d6c58d34664ebbc0");
  EXPECT_EQ(j["record"]["source"], "inbox");
  EXPECT_EQ(j["record"]["fetched"], "2023-11-14T22:13:20Z");
  EXPECT_FALSE(j["record"].contains("url"));
  EXPECT_FALSE(j["record"].contains("published"));
  EXPECT_EQ(j["matched"], nlohmann::json({"Wagner", "instructors"}));
  ASSERT_EQ(j["hits"].size(), 2u);
  EXPECT_EQ(j["hits"][1]["field"], "body");
  EXPECT_EQ(j["hits"][1]["offset"], 10);
  EXPECT_EQ(j["hits"][1]["length"], 11);
  EXPECT_EQ(j["snippet"], "Wagner instructors arrived.");
  EXPECT_EQ(j["time"], "2023-11-14T22:13:21Z");
}

// The payload made ahead of the commit is byte for byte the alert object, for
// records whose text looks like the keys it is cut around.
TEST(Alert, PayloadRenderedAheadIsTheAlertObject) {
  rules::Match m;
  m.rule_id = "r";
  m.topic = "alerts.x";
  m.matched = {"seq"};
  m.hits = {{"seq", rules::Field::body, 0, 3}};
  m.snippet = "\"seq\":0 and \"time\":\"1970-01-01T00:00:00Z\"";
  Record r;
  r.id = "abc";
  r.text.title = "{\"seq\":0,\"time\":\"1970-01-01T00:00:00Z\"} \xff broken UTF-8, кириллица";
  r.url = "https://example.org/?seq=0";
  r.author = "\"time\":\"";
  r.published = TimePoint(std::chrono::seconds(0));
  r.fetched = TimePoint(std::chrono::seconds(1700000000));
  AlertPayload payload(m, r);
  for (std::uint64_t seq : {1ull, 0ull, 42ull, 18446744073709551615ull}) {
    for (auto t : {TimePoint(std::chrono::seconds(0)), TimePoint(std::chrono::seconds(1700000001))}) {
      EXPECT_EQ(payload.render(seq, format_utc(t)), dump_json(alert_json(seq, m, r, t))) << seq;
    }
  }
  auto j = nlohmann::json::parse(payload.render(9, "2026-11-23T07:00:00Z"));
  EXPECT_EQ(j["seq"], 9);
  EXPECT_EQ(j["time"], "2026-11-23T07:00:00Z");
  EXPECT_EQ(j["record"]["author"], "\"time\":\"");
}
