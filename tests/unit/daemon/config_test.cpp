#include "wirewatch/daemon/config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

using namespace wirewatch::daemon;

namespace {

std::vector<std::string> headlines(const ConfigResult& r) {
  std::vector<std::string> out;
  for (const auto& d : r.diagnostics.items()) out.push_back(d.headline());
  return out;
}

}  // namespace

TEST(Config, ReadsEveryKeyAndResolvesRelativePaths) {
  auto r = parse_config("/etc/ww/wirewatch.yaml", R"(state_dir: state
rules: rules.d
publish:
  endpoint: [tcp://127.0.0.1:*, ipc:///tmp/ww.sock]
sources:
  - id: inbox
    type: directory
    path: /var/lib/wirewatch/inbox
log:
  level: debug
)");
  ASSERT_TRUE(r.config) << r.diagnostics.render();
  const auto& c = *r.config;
  EXPECT_EQ(c.state_dir, "/etc/ww/state");
  ASSERT_EQ(c.rules.size(), 1u);
  EXPECT_EQ(c.rules[0], "/etc/ww/rules.d");
  EXPECT_EQ(c.publish.endpoints, (std::vector<std::string>{"tcp://127.0.0.1:*", "ipc:///tmp/ww.sock"}));
  ASSERT_EQ(c.sources.size(), 1u);
  EXPECT_EQ(c.sources[0].id, "inbox");
  EXPECT_EQ(c.sources[0].path, "/var/lib/wirewatch/inbox");
  EXPECT_EQ(c.log_level, spdlog::level::debug);
}

TEST(Config, EndpointMayBeAString) {
  auto r = parse_config("/c.yaml", "state_dir: /s\nrules: /r\npublish:\n  endpoint: tcp://127.0.0.1:5556\n");
  ASSERT_TRUE(r.config) << r.diagnostics.render();
  EXPECT_EQ(r.config->publish.endpoints, std::vector<std::string>{"tcp://127.0.0.1:5556"});
  EXPECT_EQ(r.config->log_level, spdlog::level::info);
}

TEST(Config, ReportsEveryErrorWithItsLocation) {
  auto r = parse_config("/c.yaml", R"(state_dir: /s
rules: /r
publish:
  endpoint: http://nope
  colour: blue
sources:
  - id: Inbox
    type: directory
    path: in
  - id: feed1
    type: carrier-pigeon
    path: x
log:
  level: loud
extra: 1
)");
  EXPECT_FALSE(r.config);
  auto h = headlines(r);
  std::vector<std::string> expected = {
      "/c.yaml:15:1: error: unknown key `extra` in config (expected one of: state_dir, rules, "
      "publish, sources, sources_dir, http, log, metrics, retention, limits, near_duplicates)",
      "/c.yaml:5:3: error: unknown key `colour` in publish (expected one of: endpoint, replay, sndhwm, "
      "records, curve)",
      "/c.yaml:4:13: error: invalid endpoint `http://nope` (expected tcp://HOST:PORT, "
      "tcp://HOST:* or ipc://PATH)",
      "/c.yaml:7:9: error: invalid source id `Inbox` (expected [a-z0-9][a-z0-9_-]*)",
      "/c.yaml:11:11: error: unknown source type `carrier-pigeon` (expected: directory, feed)",
      "/c.yaml:14:10: error: unknown log level `loud` (expected trace, debug, info, warn or "
      "error)",
  };
  EXPECT_EQ(h, expected);
}

TEST(Config, MissingRequiredKeys) {
  auto r = parse_config("/c.yaml", "log:\n  level: info\n");
  EXPECT_FALSE(r.config);
  auto h = headlines(r);
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0], "/c.yaml:1:1: error: missing required key `state_dir` in config");
}

TEST(Config, MetricsListenIsChecked) {
  auto ok = parse_config("/c.yaml",
                         "state_dir: /s\nrules: /r\npublish: {endpoint: \"tcp://127.0.0.1:*\"}\nmetrics: "
                         "{listen: \"127.0.0.1:9464\"}\n");
  ASSERT_TRUE(ok.config) << ok.diagnostics.render();
  EXPECT_EQ(ok.config->metrics.listen, "127.0.0.1:9464");
  auto bad = parse_config(
      "/c.yaml",
      "state_dir: /s\nrules: /r\npublish: {endpoint: \"tcp://127.0.0.1:*\"}\nmetrics: {listen: nowhere}\n");
  EXPECT_FALSE(bad.config);
  ASSERT_EQ(headlines(bad).size(), 1u);
  EXPECT_EQ(
      headlines(bad)[0],
      "/c.yaml:4:19: error: invalid `metrics.listen` `nowhere` (expected HOST:PORT, e.g. 127.0.0.1:9464)");
}

TEST(Config, FeedSourcesHttpAndSourcesDir) {
  auto dir = std::filesystem::temp_directory_path() / ("ww-config-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "sources.d");
  std::ofstream(dir / "sources.d" / "a.yaml")
      << "sources:\n  - {id: tass, type: feed, url: \"https://tass.com/rss/v2.xml\"}\n";
  std::ofstream(dir / "sources.d" / "b.yaml")
      << "sources:\n  - {id: belta, type: feed, url: ftp://x, interval: 5}\n";
  auto r = parse_config(dir / "c.yaml", R"(state_dir: /s
rules: /r
publish: {endpoint: "tcp://127.0.0.1:*"}
sources:
  - {id: belta, type: feed, url: "https://www.belta.by/rss", interval: 10m, articles: true}
sources_dir: sources.d
http:
  max_per_host: 3
  timeout: 45s
  max_body: 2MiB
  low_speed: {limit: 1KiB, time: 30s}
retention: 30d
)");
  std::filesystem::remove_all(dir);
  EXPECT_FALSE(r.config);
  auto h = headlines(r);
  ASSERT_EQ(h.size(), 3u) << r.diagnostics.render();
  const auto b = (dir / "sources.d" / "b.yaml").string();
  EXPECT_EQ(h[0], b + ":2:10: error: duplicate source id `belta`");
  EXPECT_EQ(h[1], b + ":2:34: error: a feed `url` must start with http:// or https://");
  EXPECT_EQ(h[2], b + ":2:53: error: `interval` must be a duration with a unit, e.g. 30s, 5m, 6h, 30d");
}

TEST(Config, FeedSourceValues) {
  auto r = parse_config("/etc/c.yaml", R"(state_dir: /s
rules: /r
publish: {endpoint: "tcp://127.0.0.1:*"}
sources:
  - {id: belta, type: feed, url: "https://www.belta.by/rss", interval: 10m, articles: true}
http: {max_per_host: 3, max_body: 2MiB, low_speed: {limit: 1KiB, time: 30s}}
retention: 30d
)");
  ASSERT_TRUE(r.config) << r.diagnostics.render();
  const auto& s = r.config->sources.at(0);
  EXPECT_EQ(s.type, SourceConfig::Type::feed);
  EXPECT_EQ(s.url, "https://www.belta.by/rss");
  EXPECT_EQ(s.interval, std::chrono::minutes(10));
  EXPECT_TRUE(s.articles);
  EXPECT_EQ(r.config->http.max_per_host, 3);
  EXPECT_EQ(r.config->http.max_body, 2u * 1024 * 1024);
  EXPECT_EQ(r.config->http.low_speed_limit, 1024u);
  EXPECT_EQ(r.config->http.low_speed_time, std::chrono::seconds(30));
  EXPECT_EQ(r.config->retention, std::chrono::hours(24 * 30));
}

TEST(Config, DuplicateKeyIsAnError) {
  auto r = parse_config("/c.yaml",
                        "state_dir: /a\nstate_dir: /b\nrules: /r\npublish: {endpoint: tcp://127.0.0.1:1}\n");
  EXPECT_FALSE(r.config);
  EXPECT_EQ(headlines(r), std::vector<std::string>{"/c.yaml:2:1: error: duplicate key `state_dir`"});
}

TEST(Config, DuplicateSourceIds) {
  auto r = parse_config("/c.yaml", R"(state_dir: /s
rules: /r
publish: {endpoint: "tcp://127.0.0.1:*"}
sources:
  - {id: a, type: directory, path: x}
  - {id: a, type: directory, path: y}
)");
  EXPECT_FALSE(r.config);
  EXPECT_EQ(headlines(r), std::vector<std::string>{"/c.yaml:6:10: error: duplicate source id `a`"});
}

TEST(Config, MissingFileIsReported) {
  auto r = load_config("/nonexistent/wirewatch.yaml");
  EXPECT_FALSE(r.config);
  ASSERT_EQ(r.diagnostics.items().size(), 1u);
  EXPECT_EQ(r.diagnostics.items()[0].where.file, "/nonexistent/wirewatch.yaml");
}

TEST(Config, HttpCaFileIsResolvedAndMustExist) {
  auto dir = std::filesystem::temp_directory_path() / ("ww-config-ca-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "tls");
  std::ofstream(dir / "tls" / "ca.pem") << "-----BEGIN CERTIFICATE-----\n";
  const std::string head = "state_dir: /s\nrules: /r\npublish: {endpoint: \"tcp://127.0.0.1:*\"}\n";
  auto ok = parse_config(dir / "c.yaml", head + "http: {ca_file: tls/ca.pem}\n");
  auto missing = parse_config(dir / "c.yaml", head + "http: {ca_file: tls/none.pem}\n");
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(ok.config) << ok.diagnostics.render();
  EXPECT_EQ(ok.config->http.ca_file, (dir / "tls" / "ca.pem").string());
  EXPECT_FALSE(missing.config);
  EXPECT_EQ(headlines(missing), std::vector<std::string>{(dir / "c.yaml").string() +
                                                         ":4:17: error: `http.ca_file`: no such file: " +
                                                         (dir / "tls" / "none.pem").string()});
}

TEST(Config, RepeatWindowAndMinRetry) {
  const std::string base = "state_dir: /s\nrules: /r\npublish: {endpoint: \"tcp://127.0.0.1:*\"}\n";
  auto defaults = parse_config("/c.yaml", base);
  ASSERT_TRUE(defaults.config) << defaults.diagnostics.render();
  EXPECT_EQ(defaults.config->log_repeat_window, std::chrono::minutes(5));
  EXPECT_EQ(defaults.config->http.min_retry, std::chrono::seconds(30));
  auto set =
      parse_config("/c.yaml", base + "log: {level: info, repeat_window: 10s}\nhttp: {min_retry: 2s}\n");
  ASSERT_TRUE(set.config) << set.diagnostics.render();
  EXPECT_EQ(set.config->log_repeat_window, std::chrono::seconds(10));
  EXPECT_EQ(set.config->http.min_retry, std::chrono::seconds(2));
  auto bad = parse_config("/c.yaml", base + "log: {repeat_window: 10}\nhttp: {min_retry: soon}\n");
  EXPECT_FALSE(bad.config);
  EXPECT_EQ(headlines(bad).size(), 2u) << bad.diagnostics.render();
}

TEST(Config, NearDuplicatesMaxRecords) {
  const std::string base = "state_dir: /s\nrules: /r\npublish:\n  endpoint: tcp://127.0.0.1:5556\n";
  auto r = parse_config("/c.yaml", base);
  ASSERT_TRUE(r.config) << r.diagnostics.render();
  EXPECT_EQ(r.config->near_duplicates.max_records, 50'000u);

  r = parse_config("/c.yaml", base + "near_duplicates:\n  max_records: 1234\n");
  ASSERT_TRUE(r.config) << r.diagnostics.render();
  EXPECT_EQ(r.config->near_duplicates.max_records, 1234u);

  r = parse_config("/c.yaml", base + "near_duplicates:\n  max_records: 0\n");
  ASSERT_TRUE(r.config) << r.diagnostics.render();
  EXPECT_EQ(r.config->near_duplicates.max_records, 0u);

  r = parse_config("/c.yaml", base + "near_duplicates:\n  max_records: -1\n  colour: blue\n");
  EXPECT_FALSE(r.config);
  EXPECT_EQ(headlines(r),
            (std::vector<std::string>{
                "/c.yaml:7:3: error: unknown key `colour` in near_duplicates (expected one of: max_records)",
                "/c.yaml:6:16: error: `near_duplicates.max_records` must be an integer from 0 to 10000000"}));

  r = parse_config("/c.yaml", base + "near_duplicates: 5\n");
  EXPECT_FALSE(r.config);
  EXPECT_EQ(
      headlines(r),
      (std::vector<std::string>{"/c.yaml:5:18: error: `near_duplicates` must be a mapping (max_records)"}));
}
