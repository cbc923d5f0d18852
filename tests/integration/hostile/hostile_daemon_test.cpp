// The real wirewatchd polling a hostile server (tests/fixtures/http/hostile.py)
// beside one good feed: billion laughs, external entities, a gzip bomb, 100k
// nested tags, slow-loris, drips, redirect loops, redirects and links to
// blocked addresses, a reset mid-body, 100k items, invalid UTF-8 — and a rule
// file with 10,000-deep parentheses arriving while it runs. It must stay up
// with bounded memory, end every fetch near its timeout, never connect to a
// blocked address, and keep alerting on the good feed. Deadlines are wide;
// nothing measures speed.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "harness.hpp"

using namespace wirewatch::testing;
using nlohmann::json;

namespace {

constexpr auto kFetchTimeout = 4s;  // http.timeout below
constexpr double kMarginSeconds = 10;
constexpr const char *kSecret = "WW-SECRET-5f0c2e9a";

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAsan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAsan = true;
#else
constexpr bool kAsan = false;
#endif
#else
constexpr bool kAsan = false;
#endif

class HostileServer {
 public:
  HostileServer() {
    for (const char *v : {"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"})
      ::unsetenv(v);
    process_ = std::make_unique<Process>(
        std::vector<std::string>{"/usr/bin/python3",
                                 (fs::path(WIREWATCH_FIXTURES) / "http" / "hostile.py").string(), "--log",
                                 log_path().string(), "--max-seconds", "400"},
        dir_.path() / "server.out", dir_.path() / "server.err");
    wait_until([&] { return !process_->out().empty() && process_->out().back() == '\n'; }, 60s);
    try {
      ports_ = json::parse(process_->out());
    } catch (const std::exception &) {
    }
  }
  bool up() const { return ports_.is_object(); }
  int port() const { return ports_.value("port", 0); }
  int trap_v4() const { return ports_.value("trap_v4", 0); }
  int trap_v6() const { return ports_["trap_v6"].is_number() ? ports_["trap_v6"].get<int>() : 0; }
  std::string url(const std::string &path) const {
    return "http://127.0.0.1:" + std::to_string(port()) + path;
  }
  fs::path log_path() const { return dir_.path() / "requests.log"; }
  std::string err() const { return process_->err(); }
  std::vector<json> log() const {
    std::vector<json> out;
    std::istringstream in(read_file(log_path()));
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) out.push_back(json::parse(line));
    return out;
  }
  std::size_t requests_for(const std::string &path) const {
    std::size_t n = 0;
    for (const auto &e : log())
      if (e.value("path", "") == path) ++n;
    return n;
  }

 private:
  TempDir dir_;
  std::unique_ptr<Process> process_;
  json ports_;
};

// kB of a /proc/PID/status field (VmHWM: peak resident set size).
long proc_status_kb(pid_t pid, const std::string &field) {
  auto s = read_file("/proc/" + std::to_string(pid) + "/status");
  auto pos = s.find(field + ":");
  if (pos == std::string::npos) return -1;
  return std::stol(s.substr(pos + field.size() + 1));
}

std::string deep_rule_file(int depth) {
  return "rules:\n  - id: deep\n    query: \"" + std::string(static_cast<std::size_t>(depth), '(') +
         "wagner" + std::string(static_cast<std::size_t>(depth), ')') + "\"\n";
}

std::string http_get(const std::string &url, const fs::path &scratch) {
  auto r = run({"/usr/bin/python3", "-c",
                "import sys, urllib.request; "
                "sys.stdout.write(urllib.request.urlopen(sys.argv[1], "
                "timeout=10).read().decode())",
                url},
               scratch);
  return r.out;
}

// The value of `wirewatch_limits_tripped_total{limit="NAME"}`, -1 when absent.
double tripped(const std::string &metrics, const std::string &limit) {
  auto key = "wirewatch_limits_tripped_total{limit=\"" + limit + "\"} ";
  auto pos = metrics.find(key);
  if (pos == std::string::npos) return -1;
  return std::stod(metrics.substr(pos + key.size()));
}

}  // namespace

TEST(HostileDaemon, StaysUpBoundedAndAlertingAgainstAHostileServer) {
  HostileServer server;
  ASSERT_TRUE(server.up()) << server.err();
  TempDir tmp;
  const auto dir = tmp.path();
  write_file(dir / "secret.txt", std::string(kSecret) + "\n");
  write_file(dir / "rules.yaml",
             "rules:\n  - id: wagner\n    query: Wagner "
             "AND instructors\n    topic: alerts.wagner\n");
  write_file(dir / "extra.yaml", "rules:\n  - id: extra\n    query: placeholder\n");

  struct Feed {
    std::string id, path;
    bool articles = false;
  };
  const std::string trap4 = "http://127.0.0.2:" + std::to_string(server.trap_v4()) + "/feed.xml";
  std::vector<Feed> feeds = {
      {"good", "/good.xml"},
      {"laughs", "/laughs.xml"},
      {"xxe", "/xxe.xml?secret=" + (dir / "secret.txt").string()},
      {"bomb", "/gzip-bomb"},
      {"nested", "/nested.xml"},
      {"nested-html", "/nested-html.xml"},
      {"slowloris", "/slowloris"},
      {"drip", "/drip"},
      {"loop", "/loop"},
      {"reset", "/reset"},
      {"many", "/many.xml"},
      {"badutf8", "/badutf8.xml"},
      {"to-v4", "/redirect?to=" + trap4},
      {"to-private", "/redirect?to=http://10.255.255.1/feed.xml"},
      {"to-metadata", "/redirect?to=http://169.254.169.254/latest/meta-data/"},
      {"links", "/links.xml", true},
  };
  if (server.trap_v6())
    feeds.push_back({"to-v6", "/redirect?to=http://[::1]:" + std::to_string(server.trap_v6()) + "/feed.xml"});
  std::string sources;
  for (const auto &f : feeds)
    sources += "  - {id: " + f.id + ", type: feed, url: \"" + server.url(f.path) + "\", interval: 1s" +
               (f.articles ? ", articles: true" : "") + "}\n";
  write_file(dir / "wirewatch.yaml",
             "state_dir: state\nrules: [rules.yaml, extra.yaml]\npublish:\n"
             "  endpoint: tcp://127.0.0.1:*\n  replay: tcp://127.0.0.1:*\n"
             "metrics: {listen: \"127.0.0.1:0\"}\n"
             "http: {connect_timeout: 2s, timeout: 4s, low_speed: {limit: "
             "100B, time: 2s},\n"
             "       max_backoff: 2s, min_retry: 1s}\n"
             "sources:\n" +
                 sources + "log: {level: info}\n");

  // ASan's quarantine (256 MB) keeps freed memory resident: a small one keeps
  // the peak meaningful. Appended to the inherited options, so it wins.
  if (kAsan) {
    const char *inherited = std::getenv("ASAN_OPTIONS");
    std::string asan = inherited && *inherited ? std::string(inherited) + ":" : std::string();
    ::setenv("ASAN_OPTIONS", (asan + "quarantine_size_mb=16").c_str(), 1);
  }
  DaemonProcess daemon(dir);
  auto started = daemon.start(30s);
  ASSERT_TRUE(started) << daemon.log();
  auto &endpoints = *started;
  const std::string replay = endpoints["replay"][0];
  const std::string metrics_url = "http://" + endpoints["metrics"].get<std::string>() + "/metrics";

  auto good_alerts = [&] {
    auto r = run({wirewatch_path(), "replay", replay, "--since", "0"}, dir);
    std::set<std::string> ids;
    std::string all;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      all += line;
      auto a = json::parse(line);
      if (a["record"]["source"] == "good") ids.insert(a["alert_id"].get<std::string>());
    }
    return std::make_pair(ids.size(), all);
  };

  // Every hostile feed is fetched at least twice (a retry after its failure),
  // and the good one alerts.
  std::vector<std::string> paths;
  for (const auto &f : feeds) paths.push_back(f.path.substr(0, f.path.find('?')));
  const bool all_polled = wait_until(
      [&] {
        if (daemon.process().wait(0ms).has_value()) return true;  // exited: fails below
        for (const auto &p : paths)
          if (server.requests_for(p) < 2) return false;
        return true;
      },
      75s);
  ASSERT_FALSE(daemon.process().wait(0ms).has_value()) << "wirewatchd exited:\n" << daemon.log();
  EXPECT_TRUE(all_polled) << read_file(server.log_path());
  std::size_t before_reload = 0;
  ASSERT_TRUE(wait_until([&] { return (before_reload = good_alerts().first) >= 2; }, 30s)) << daemon.log();

  // A rule file with 10,000-deep parentheses: refused, the previous rules stay
  // active.
  write_file(dir / "deep.yaml", deep_rule_file(10'000));
  auto check = run({wirewatch_path(), "rules", "check", (dir / "deep.yaml").string()}, dir);
  EXPECT_NE(check.code, 0);
  EXPECT_NE((check.out + check.err).find("limits.max_query_depth"), std::string::npos)
      << check.out << check.err;
  write_file(dir / "extra.yaml", deep_rule_file(10'000));
  daemon.process().signal(SIGHUP);
  EXPECT_TRUE(
      wait_until([&] { return daemon.log().find("limits.max_query_depth") != std::string::npos; }, 20s))
      << daemon.log();

  // The good feed keeps producing alerts after all of that.
  EXPECT_TRUE(wait_until([&] { return good_alerts().first >= before_reload + 2; }, 30s)) << daemon.log();
  ASSERT_FALSE(daemon.process().wait(0ms).has_value()) << "wirewatchd exited:\n" << daemon.log();

  const long peak_kb = proc_status_kb(daemon.process().pid(), "VmHWM");
  const long limit_kb = (kAsan ? 512L : 256L) * 1024;  // ASan: shadow memory and redzones
  std::cout << "wirewatchd peak RSS (VmHWM): " << peak_kb / 1024 << " MiB" << (kAsan ? " (ASan build)" : "")
            << std::endl;
  EXPECT_GT(peak_kb, 0);
  EXPECT_LT(peak_kb, limit_kb);

  const auto metrics = http_get(metrics_url, dir);
  EXPECT_GE(tripped(metrics, "blocked_address"), 1) << metrics;
  EXPECT_GE(tripped(metrics, "max_body"), 1) << metrics;
  EXPECT_GE(tripped(metrics, "max_items_per_feed"), 1) << metrics;
  EXPECT_GE(tripped(metrics, "max_query_depth"), 1) << metrics;

  auto [count, alerts_text] = good_alerts();
  EXPECT_GE(count, before_reload + 2);
  // Neither the external entity (a local file) nor the laughs were expanded
  // anywhere.
  EXPECT_EQ(alerts_text.find(kSecret), std::string::npos);
  EXPECT_EQ(alerts_text.find("lollollol"), std::string::npos);

  EXPECT_EQ(daemon.stop(30s), 0) << daemon.log();

  for (const auto &e : fs::recursive_directory_iterator(dir / "state")) {
    if (!e.is_regular_file()) continue;
    auto bytes = read_file(e.path());
    EXPECT_EQ(bytes.find(kSecret), std::string::npos) << e.path();
    EXPECT_EQ(bytes.find("lollollol"), std::string::npos) << e.path();
  }

  // Server side: nothing reached a trap, the external DTD was never fetched,
  // and every request ended within the timeout plus a wide margin (the drips
  // end when wirewatchd hangs up; give them half a second to notice).
  std::this_thread::sleep_for(1500ms);
  std::size_t requests = 0;
  for (const auto &e : server.log()) {
    EXPECT_FALSE(e.contains("trap")) << "a connection reached a blocked address: " << e.dump();
    if (!e.contains("path")) continue;
    ++requests;
    EXPECT_NE(e["path"], "/evil.dtd");
    const double took = e["t1"].get<double>() - e["t0"].get<double>();
    EXPECT_LE(took, std::chrono::duration<double>(kFetchTimeout).count() + kMarginSeconds) << e.dump();
  }
  EXPECT_GT(requests, feeds.size());
  EXPECT_GE(server.requests_for("/slowloris"), 2u);
}
