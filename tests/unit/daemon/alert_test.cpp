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
