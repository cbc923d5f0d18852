// wirewatchd polls every feed at once on SIGUSR1, however far off its next poll is,
// with the validators it stored, and keeps running.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "feeds/fixture_server.hpp"
#include "harness.hpp"

using namespace wirewatch::testing;

namespace {

std::vector<nlohmann::json> requests_for(const FixtureServer& server, const std::string& path) {
  std::vector<nlohmann::json> out;
  for (const auto& r : server.requests())
    if (r.value("path", "") == path) out.push_back(r);
  return out;
}

}  // namespace

TEST(DaemonPollNow, Sigusr1PollsEveryFeedNow) {
  FixtureServer server;
  ASSERT_TRUE(server.up()) << server.err();
  TempDir tmp;
  const auto& dir = tmp.path();
  write_file(dir / "rules.yaml",
             "rules:\n  - id: wagner\n    query: Wagner AND instructors\n    topic: alerts.wagner\n");
  write_file(dir / "wirewatch.yaml",
             "state_dir: state\nrules: rules.yaml\npublish:\n  endpoint: tcp://127.0.0.1:*\n"
             "sources:\n"
             "  - {id: a, type: feed, url: \"" +
                 server.url("/feeds/a.xml") +
                 "\", interval: 1h}\n"
                 "  - {id: b, type: feed, url: \"" +
                 server.url("/feeds/b.xml") +
                 "\", interval: 1h}\n"
                 "log: {level: info}\n");
  DaemonProcess d(dir);
  ASSERT_TRUE(d.spawn().started());
  for (const char* path : {"/feeds/a.xml", "/feeds/b.xml"})
    ASSERT_TRUE(wait_until([&] { return requests_for(server, path).size() == 1; }, 30s)) << path << "\n"
                                                                                         << d.log();
  // Let the first polls finish: a feed being polled is not polled twice.
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(requests_for(server, "/feeds/a.xml").size(), 1u) << "polled before its interval";

  d.process().signal(SIGUSR1);
  for (const char* path : {"/feeds/a.xml", "/feeds/b.xml"}) {
    ASSERT_TRUE(wait_until([&] { return requests_for(server, path).size() == 2; }, 30s)) << path << "\n"
                                                                                         << d.log();
    auto second = requests_for(server, path)[1];
    EXPECT_TRUE(second["headers"].contains("if-none-match")) << second.dump();
    EXPECT_EQ(second.value("status", 0), 304) << second.dump();
  }
  EXPECT_NE(d.log().find("SIGUSR1: polling every feed now"), std::string::npos) << d.log();
  EXPECT_NE(d.log().find("polling 2 of 2 feed(s) now"), std::string::npos) << d.log();
  EXPECT_TRUE(d.process().running());

  EXPECT_EQ(d.stop(30s), 0) << d.log();
}
