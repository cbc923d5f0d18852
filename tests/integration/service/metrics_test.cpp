// /metrics of a real wirewatchd scraped and parsed after known inputs (an inbox
// and a loopback feed), /-/ready answering 503 until a large rule set is
// loaded, and a feed failing on every poll logged once per window.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "exposition.hpp"
#include "feeds/fixture_server.hpp"
#include "harness.hpp"

using namespace wirewatch::testing;
using nlohmann::json;

namespace {

std::string item(const std::string& guid, const std::string& title, const std::string& text) {
  return "<item><guid>" + guid + "</guid><title>" + title + "</title><link>http://example.org/" + guid +
         "</link><description>" + text + "</description></item>";
}

std::string rss(const std::string& items) {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss "
         "version=\"2.0\"><channel>"
         "<title>Wire</title><link>http://example.org/</link>" +
         items + "</channel></rss>";
}

// One scrape, parsed; a malformed exposition fails the test that reads it.
struct Scrape {
  exposition::Parsed parsed;
  bool ok = false;

  // The sample's value; -1 when the series is missing.
  double operator[](const std::string& series) const { return parsed.value(series); }
};

class MetricsClient {
 public:
  explicit MetricsClient(const std::string& address) {
    auto colon = address.rfind(':');
    http_ = std::make_unique<httplib::Client>(address.substr(0, colon), std::stoi(address.substr(colon + 1)));
    http_->set_connection_timeout(5);
  }
  Scrape scrape() {
    Scrape s;
    auto r = http_->Get("/metrics");
    if (!r || r->status != 200) return s;
    EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    s.parsed = exposition::parse(r->body);
    EXPECT_EQ(s.parsed.error, "") << r->body;
    s.ok = s.parsed.error.empty();
    return s;
  }
  // The HTTP status of GET `path`; 0 when nothing answered.
  int status(const std::string& path) {
    auto r = http_->Get(path);
    return r ? r->status : 0;
  }

 private:
  std::unique_ptr<httplib::Client> http_;
};

// The metrics address from the daemon's "metrics on http://HOST:PORT/metrics"
// line, logged as soon as the port is bound (before the rules are loaded).
std::string metrics_address_from_log(const DaemonProcess& d) {
  static const std::regex line("metrics on http://([^/ ]+)/metrics");
  std::smatch m;
  auto err = d.log();
  return std::regex_search(err, m, line) ? m[1].str() : std::string();
}

std::size_t count_lines_with(const std::string& text, const std::vector<std::string>& parts) {
  std::size_t n = 0;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    bool all = true;
    for (const auto& p : parts) all = all && l.find(p) != std::string::npos;
    n += all;
  }
  return n;
}

}  // namespace

TEST(ServiceMetrics, CountWhatWasIngested) {
  FixtureServer server;
  ASSERT_TRUE(server.up()) << server.err();
  // Three entries, two of them matching the rule.
  server.write("wire.xml",
               rss(item("g1", "Wagner arrives", "Wagner instructors in Belarus") +
                   item("g2", "Weather", "Sunny in Minsk") + item("g3", "More", "Wagner instructors again")));
  TempDir tmp;
  const auto& dir = tmp.path();
  fs::create_directories(dir / "inbox");
  write_file(dir / "rules.yaml", "rules:\n  - id: wagner\n    query: Wagner AND instructors\n");
  write_file(dir / "wirewatch.yaml",
             "state_dir: state\nrules: rules.yaml\npublish:\n  endpoint: tcp://127.0.0.1:*\n"
             "  replay: tcp://127.0.0.1:*\nmetrics:\n  listen: 127.0.0.1:0\n"
             "sources:\n  - {id: inbox, type: directory, path: inbox}\n"
             "  - {id: wire, type: feed, url: \"" +
                 server.url("/feeds/wire.xml") + "\", interval: 1s}\n");
  std::size_t inbox_files = 0;
  for (const auto& e : fs::directory_iterator(seeds_dir())) {
    fs::copy_file(e.path(), dir / "inbox" / e.path().filename());
    ++inbox_files;
  }
  DaemonProcess d(dir);
  const json ep = d.start().value_or(json());
  ASSERT_FALSE(ep.is_null()) << d.log();
  MetricsClient metrics(ep["metrics"].get<std::string>());

  // The seeds give three alerts, the feed two; the feed is polled again with
  // its validators and answers 304.
  Scrape m;
  ASSERT_TRUE(wait_until(
      [&] {
        m = metrics.scrape();
        // The histogram is observed last, after the alerts were sent.
        return m.ok && m["wirewatch_fetch_to_publish_seconds_count"] == 5 &&
               m["wirewatch_fetches_total{status=\"304\"}"] >= 1;
      },
      30s))
      << d.log();

  EXPECT_EQ(m["wirewatch_items_total{source=\"inbox\"}"], static_cast<double>(inbox_files));
  EXPECT_EQ(m["wirewatch_items_total{source=\"wire\"}"], 3);
  EXPECT_EQ(m["wirewatch_records_total{source=\"wire\"}"], 3);
  // Every inbox file became a record or was dropped as a duplicate or rejected.
  EXPECT_GT(m["wirewatch_records_total{source=\"inbox\"}"], 0);
  EXPECT_EQ(m["wirewatch_records_total{source=\"inbox\"}"] +
                m["wirewatch_duplicates_total{source=\"inbox\"}"] +
                m["wirewatch_rejected_items_total{source=\"inbox\"}"],
            static_cast<double>(inbox_files));
  EXPECT_EQ(m["wirewatch_rejected_items_total{source=\"wire\"}"], 0);
  EXPECT_GE(m["wirewatch_fetches_total{status=\"200\"}"], 1);
  // No series for fetches without a response: none failed.
  EXPECT_EQ(m["wirewatch_fetches_total{status=\"error\"}"], -1);
  EXPECT_GT(m["wirewatch_fetched_bytes_total"], 0);
  EXPECT_EQ(m["wirewatch_alerts_total{rule=\"wagner\"}"], 5);
  EXPECT_EQ(m["wirewatch_alerts_published_total"], 5);
  // Every alert published was timed from its fetch or file read.
  EXPECT_EQ(m["wirewatch_fetch_to_publish_seconds_count"], 5);
  EXPECT_EQ(m["wirewatch_fetch_to_publish_seconds_bucket{le=\"+Inf\"}"], 5);
  EXPECT_GT(m["wirewatch_fetch_to_publish_seconds_sum"], 0);
  EXPECT_EQ(m.parsed.type.at("wirewatch_fetch_to_publish_seconds"), "histogram");
  for (const char* q : {"inputs", "batches", "record_files"}) {
    EXPECT_GE(m[std::string("wirewatch_queue_depth{queue=\"") + q + "\"}"], 0) << q;
    EXPECT_EQ(m[std::string("wirewatch_queue_dropped_total{queue=\"") + q + "\"}"], 0) << q;
  }
  EXPECT_EQ(m["wirewatch_rules_last_reload_successful"], 1);
  EXPECT_EQ(m["wirewatch_rules_loaded"], 1);
  EXPECT_EQ(m["wirewatch_replay_requests_total"], 0);
  EXPECT_EQ(m["wirewatch_log_messages_suppressed_total"], 0);

  // Replay requests are counted (the CLI asks again until an answer is empty).
  auto replay = run({wirewatch_path(), "replay", ep["replay"][0].get<std::string>(), "--since", "0"}, dir);
  EXPECT_EQ(replay.code, 0) << replay.err;
  EXPECT_EQ(count_lines_with(replay.out, {"\"alert_id\""}), 5u) << replay.out;
  EXPECT_GE(metrics.scrape()["wirewatch_replay_requests_total"], 1);

  // A broken rule file is refused on SIGHUP: the gauge says so, the old rules
  // stay.
  write_file(dir / "rules.yaml", "rules:\n  - id: broken\n    query: (\n");
  d.process().signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return metrics.scrape()["wirewatch_rules_last_reload_successful"] == 0; }))
      << d.log();
  m = metrics.scrape();
  EXPECT_EQ(m["wirewatch_rules_loaded"], 1);
  EXPECT_EQ(metrics.status("/-/ready"), 200);
  EXPECT_EQ(d.stop(), 0);
}

TEST(ServiceMetrics, NotReadyUntilTheRulesAreLoaded) {
  TempDir tmp;
  const auto& dir = tmp.path();
  fs::create_directories(dir / "inbox");
  // A large rule set (3 MB: 9,000 rules of 26 terms, under the default limits
  // on rules and file size) takes a second or more to load after the metrics
  // port is bound.
  constexpr int kRules = 9'000;
  std::string rules = "rules:\n";
  for (int i = 0; i < kRules; ++i) {
    auto n = std::to_string(i);
    std::string any;
    for (int j = 0; j < 24; ++j) any += (j ? " OR w" : "w") + n + "t" + std::to_string(j);
    rules += "  - id: r" + n + "\n    query: (" + any + ") AND \"near " + n + "\" AND NOT x" + n + "\n";
  }
  write_file(dir / "rules.yaml", rules);
  write_file(dir / "wirewatch.yaml",
             "state_dir: state\nrules: rules.yaml\npublish:\n  endpoint: "
             "tcp://127.0.0.1:*\n"
             "metrics:\n  listen: 127.0.0.1:0\n"
             "sources:\n  - {id: inbox, type: directory, path: inbox}\n");
  DaemonProcess d(dir);
  d.spawn();
  std::string address;
  ASSERT_TRUE(wait_until([&] { return !(address = metrics_address_from_log(d)).empty(); })) << d.log();
  MetricsClient metrics(address);

  // From the moment the port answers: 503 (and healthy) while loading, then
  // 200.
  std::vector<int> seen;
  ASSERT_TRUE(wait_until(
      [&] {
        int s = metrics.status("/-/ready");
        if (s != 0 && (seen.empty() || seen.back() != s)) seen.push_back(s);
        if (s == 503) {
          EXPECT_EQ(metrics.status("/-/healthy"), 200);
        }
        return s == 200;
      },
      60s))
      << d.log();
  ASSERT_GE(seen.size(), 2u) << "never saw /-/ready answer 503; " << d.log();
  EXPECT_EQ(seen.front(), 503);
  EXPECT_EQ(seen.back(), 200);
  EXPECT_EQ(seen.size(), 2u);  // 503 until ready, then 200 for good
  // Ready means loaded: the rules and the endpoints are there.
  auto m = metrics.scrape();
  EXPECT_EQ(m["wirewatch_rules_loaded"], kRules);
  EXPECT_EQ(m["wirewatch_rules_last_reload_successful"], 1);
  EXPECT_TRUE(fs::exists(dir / "state" / "endpoints.json"));
  EXPECT_EQ(d.stop(60s), 0);
}

TEST(ServiceMetrics, AFeedFailingOnEveryPollIsLoggedOncePerWindow) {
  FixtureServer server;
  ASSERT_TRUE(server.up()) << server.err();
  TempDir tmp;
  const auto& dir = tmp.path();
  write_file(dir / "rules.yaml", "rules:\n  - id: wagner\n    query: Wagner AND instructors\n");
  // Retried every second; the same error is logged at most once per 4 s.
  write_file(dir / "wirewatch.yaml",
             "state_dir: state\nrules: rules.yaml\npublish:\n  endpoint: "
             "tcp://127.0.0.1:*\n"
             "metrics:\n  listen: 127.0.0.1:0\n"
             "sources:\n  - {id: broken, type: feed, url: \"" +
                 server.url("/status/500") +
                 "\", interval: 1s}\n"
                 "http: {min_retry: 1s, max_backoff: 1s}\nlog: {repeat_window: 4s}\n");
  DaemonProcess d(dir);
  const json ep = d.start().value_or(json());
  ASSERT_FALSE(ep.is_null()) << d.log();
  MetricsClient metrics(ep["metrics"].get<std::string>());

  // Seven failures take at least six seconds: more than one window.
  const std::string failed = "fetches_total{status=\"500\"}";
  ASSERT_TRUE(wait_until([&] { return metrics.scrape()["wirewatch_" + failed] >= 7; }, 60s)) << d.log();
  const std::string log = d.log();
  const double failures = metrics.scrape()["wirewatch_" + failed];
  const double suppressed = metrics.scrape()["wirewatch_log_messages_suppressed_total"];
  const auto lines = count_lines_with(log, {"feed broken:", "failed: HTTP 500"});
  EXPECT_GE(lines, 1u) << log;
  EXPECT_LT(static_cast<double>(lines), failures) << log;  // not one line per poll
  EXPECT_GE(suppressed, 1) << log;
  // After a window, the repeats are summed up.
  EXPECT_GE(count_lines_with(log, {"feed broken:", "similar message"}), 1u) << log;
  // The first failure is logged as it happened, without a count.
  auto first = log.find("feed broken:");
  ASSERT_NE(first, std::string::npos);
  auto first_line = log.substr(first, log.find('\n', first) - first);
  EXPECT_EQ(first_line.find("similar message"), std::string::npos) << first_line;
  EXPECT_EQ(d.stop(), 0);
}

TEST(ServiceMetrics, ManyBadFilesOfOneKindAreLoggedOnceAndCounted) {
  TempDir tmp;
  const auto& dir = tmp.path();
  fs::create_directories(dir / "inbox");
  write_file(dir / "rules.yaml", "rules:\n  - id: wagner\n    query: Wagner AND instructors\n");
  write_file(dir / "wirewatch.yaml",
             "state_dir: state\nrules: rules.yaml\npublish:\n  endpoint: tcp://127.0.0.1:*\n"
             "metrics:\n  listen: 127.0.0.1:0\n"
             "sources:\n  - {id: inbox, type: directory, path: inbox}\n");
  DaemonProcess d(dir);
  const json ep = d.start().value_or(json());
  ASSERT_FALSE(ep.is_null()) << d.log();
  MetricsClient metrics(ep["metrics"].get<std::string>());

  auto drop = [&](const std::string& name, const std::string& text) {
    drop_record(dir / "inbox", name, text);
  };
  // A producer gone wrong: five Latin-1 files, then one without a title.
  for (int i = 0; i < 5; ++i) drop("latin1-" + std::to_string(i) + ".txt", "Wagner \xE9t\xE9\n\nText");
  ASSERT_TRUE(wait_until([&] {
    return metrics.scrape()["wirewatch_rejected_items_total{source=\"inbox\"}"] == 5;
  })) << d.log();
  drop("untitled.txt", "\n\nNo title");
  ASSERT_TRUE(wait_until([&] {
    return metrics.scrape()["wirewatch_rejected_items_total{source=\"inbox\"}"] == 6;
  })) << d.log();
  auto m = metrics.scrape();
  EXPECT_EQ(m["wirewatch_log_messages_suppressed_total"], 4);
  EXPECT_EQ(m["wirewatch_items_total{source=\"inbox\"}"], 6);
  EXPECT_EQ(m["wirewatch_records_total{source=\"inbox\"}"], 0);
  const auto log = d.log();
  EXPECT_EQ(count_lines_with(log, {"source inbox: skipping", "not valid UTF-8"}), 1u) << log;
  // Another fault of the same source is its own key.
  EXPECT_EQ(count_lines_with(log, {"untitled.txt", "no title"}), 1u) << log;
  EXPECT_EQ(d.stop(), 0);
}
