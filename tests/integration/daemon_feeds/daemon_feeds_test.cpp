// wirewatchd polling feeds from the loopback fixture server: items become
// records and alerts once — across polls and restarts — validators are kept,
// and `articles: true` matches the text of the linked page.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <zmq.hpp>

#include "feeds/fixture_server.hpp"
#include "harness.hpp"

using namespace wirewatch::testing;
using nlohmann::json;

namespace {

std::string item(const std::string& guid, const std::string& title, const std::string& link,
                 const std::string& text) {
  return "<item><guid>" + guid + "</guid><title>" + title + "</title><link>" + link +
         "</link><pubDate>Tue, 21 Mar 2023 10:00:00 +0300</pubDate><description>" + text +
         "</description></item>";
}

std::string rss(const std::string& items) {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel>"
         "<title>Wire</title><link>http://example.org/</link>" +
         items + "</channel></rss>";
}

std::string article_page() {
  std::string p;
  for (int i = 0; i < 6; ++i) {
    p += "<p>Paragraph " + std::to_string(i) +
         " of the report: the ministry said that the exercises near Brest went on for a week, "
         "with units rotating through the ranges and the staff planning the next stage.</p>";
  }
  return "<!doctype html><html lang=\"en\"><head><title>Drills near Brest | Wire</title>"
         "<meta property=\"og:title\" content=\"Drills near Brest\"></head><body><nav>Home | "
         "World</nav><article><h1>Drills near Brest</h1>" +
         p + "<p>Wagner instructors were seen at the range, according to the ministry.</p>" + p +
         "</article><footer>Contact us</footer></body></html>";
}

class FeedDaemon {
 public:
  FeedDaemon(const fs::path& dir, const FixtureServer& server) : daemon_(dir) {
    fs::create_directories(dir);
    write_file(dir / "rules.yaml",
               "rules:\n  - id: wagner\n    query: Wagner AND instructors\n    topic: alerts.wagner\n");
    write_file(dir / "wirewatch.yaml",
               "state_dir: state\nrules: rules.yaml\npublish:\n  endpoint: tcp://127.0.0.1:*\n"
               "  replay: tcp://127.0.0.1:*\n"
               "sources:\n"
               "  - {id: wire, type: feed, url: \"" +
                   server.url("/feeds/wire.xml") +
                   "\", interval: 1s}\n"
                   "  - {id: pages, type: feed, url: \"" +
                   server.url("/feeds/pages.xml") +
                   "\", interval: 1s, articles: true}\n"
                   "http: {timeout: 10s, max_backoff: 2s, allow: [127.0.0.1/32]}\nlog: {level: debug}\n");
  }
  bool start() {
    auto endpoints = daemon_.start();
    if (!endpoints) return false;
    replay_ = (*endpoints)["replay"][0];
    return true;
  }
  std::optional<int> stop() { return daemon_.stop(); }
  std::string log() const { return daemon_.log(); }
  // Every stored alert, through the replay endpoint.
  std::vector<json> alerts(const fs::path& scratch) const {
    auto r = run({wirewatch_path(), "replay", replay_, "--since", "0"}, scratch);
    std::vector<json> out;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) out.push_back(json::parse(line));
    return out;
  }

 private:
  DaemonProcess daemon_;
  std::string replay_;
};

std::size_t count_requests(const FixtureServer& server, const std::string& path,
                           bool conditional_only = false) {
  std::size_t n = 0;
  for (const auto& r : server.requests()) {
    if (r.value("path", "") != path) continue;
    if (conditional_only && !r["headers"].contains("if-none-match")) continue;
    ++n;
  }
  return n;
}

}  // namespace

TEST(DaemonFeeds, ItemsBecomeAlertsOnceAcrossPollsAndRestarts) {
  FixtureServer server;
  ASSERT_TRUE(server.up()) << server.err();
  server.write("wire.xml", rss(item("g1", "Wagner arrives", "http://example.org/a1?utm_source=rss",
                                    "Wagner &amp; instructors in &lt;b&gt;Belarus&lt;/b&gt;") +
                               item("g2", "Weather", "http://example.org/a2", "Sunny in Minsk") +
                               item("g3", "More", "http://example.org/a3", "Wagner instructors again")));
  server.write("article.html", article_page());
  server.write("pages.xml", rss(item("p1", "Drills near Brest", server.url("/feeds/article.html"),
                                     "Exercises near Brest.")));
  TempDir tmp;
  FeedDaemon d(tmp.path(), server);
  ASSERT_TRUE(d.start()) << d.log();

  std::vector<json> alerts;
  ASSERT_TRUE(wait_until([&] { return (alerts = d.alerts(tmp.path())).size() >= 3; }, 30s)) << d.log();
  std::set<std::string> urls;
  for (const auto& a : alerts) {
    urls.insert(a["record"]["url"]);
    EXPECT_EQ(a["rule"], "wagner");
    EXPECT_TRUE(a["record"].contains("published"));
  }
  EXPECT_EQ(urls, (std::set<std::string>{"http://example.org/a1", "http://example.org/a3",
                                         server.url("/feeds/article.html")}));
  for (const auto& a : alerts) {
    if (a["record"]["source"] == "pages") {
      EXPECT_EQ(a["record"]["title"], "Drills near Brest");  // from the page, not the item
    }
  }

  // Polls go on with the validators: 304s, no new records.
  ASSERT_TRUE(wait_until([&] { return count_requests(server, "/feeds/wire.xml", true) >= 2; }, 30s));
  EXPECT_EQ(d.alerts(tmp.path()).size(), 3u);

  // A new item fires once.
  server.write("wire.xml", rss(item("g4", "Fresh", "http://example.org/a4", "Wagner instructors return") +
                               item("g1", "Wagner arrives", "http://example.org/a1?utm_source=rss",
                                    "Wagner &amp; instructors in Belarus")));
  ASSERT_TRUE(wait_until([&] { return d.alerts(tmp.path()).size() >= 4; }, 30s)) << d.log();
  EXPECT_EQ(d.stop(), 0);

  // After a restart the validators are sent from the first request, and
  // nothing is created twice.
  auto conditional_before = count_requests(server, "/feeds/wire.xml", true);
  ASSERT_TRUE(d.start()) << d.log();
  ASSERT_TRUE(
      wait_until([&] { return count_requests(server, "/feeds/wire.xml", true) > conditional_before; }, 30s));
  server.write("wire.xml", rss(item("g1", "Wagner arrives", "http://example.org/a1",
                                    "Wagner instructors in Belarus, updated")));
  std::this_thread::sleep_for(3s);
  alerts = d.alerts(tmp.path());
  EXPECT_EQ(alerts.size(), 4u);
  std::set<std::string> ids;
  for (const auto& a : alerts) EXPECT_TRUE(ids.insert(a["alert_id"]).second);
  EXPECT_EQ(d.stop(), 0);
}

TEST(DaemonFeeds, ABrokenFeedDoesNotStopTheOthers) {
  FixtureServer server;
  ASSERT_TRUE(server.up()) << server.err();
  server.write("wire.xml", "<<<not a feed at all");
  server.write("pages.xml",
               rss(item("p1", "Wagner instructors", "http://example.org/p1", "Wagner instructors seen")));
  TempDir tmp;
  FeedDaemon d(tmp.path(), server);
  ASSERT_TRUE(d.start()) << d.log();
  ASSERT_TRUE(wait_until([&] { return d.alerts(tmp.path()).size() == 1; }, 30s)) << d.log();
  auto feeds =
      run({wirewatch_path(), "feeds", "--config", (tmp.path() / "wirewatch.yaml").string()}, tmp.path());
  EXPECT_EQ(feeds.code, 0) << feeds.err;
  EXPECT_NE(feeds.out.find("wire"), std::string::npos) << feeds.out;
  EXPECT_NE(feeds.out.find("pages"), std::string::npos) << feeds.out;
  EXPECT_EQ(d.stop(), 0);
}
