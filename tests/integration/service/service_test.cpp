// wirewatchd as a systemd service: the sd_notify sequence on a NOTIFY_SOCKET the
// test owns, and /metrics, /-/healthy, /-/ready scraped over HTTP.
#include <gtest/gtest.h>
#include <httplib.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <nlohmann/json.hpp>

#include "harness.hpp"

using namespace wirewatch::testing;
using nlohmann::json;

namespace {

constexpr const char* kRules = "rules:\n  - id: wagner\n    query: Wagner AND instructors\n";

void write_config(const fs::path& dir, const std::string& extra = "") {
  fs::create_directories(dir / "inbox");
  write_file(dir / "rules.yaml", kRules);
  write_file(dir / "wirewatch.yaml",
             "state_dir: state\nrules: rules.yaml\npublish:\n  endpoint: tcp://127.0.0.1:*\n"
             "sources:\n  - {id: inbox, type: directory, path: inbox}\n" +
                 extra);
}

// A datagram socket standing in for systemd's notify socket.
class NotifySocket {
 public:
  explicit NotifySocket(const fs::path& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  }
  ~NotifySocket() { ::close(fd_); }
  const fs::path& path() const { return path_; }

  // Every datagram received until `done` is true of the list or the deadline passes.
  std::vector<std::string> collect_until(const std::function<bool(const std::vector<std::string>&)>& done,
                                         std::chrono::milliseconds deadline = 20s) {
    auto end = std::chrono::steady_clock::now() + deadline;
    while (!done(messages_) && std::chrono::steady_clock::now() < end) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[4096];
      auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n > 0) messages_.emplace_back(buf, static_cast<std::size_t>(n));
    }
    return messages_;
  }

 private:
  fs::path path_;
  int fd_ = -1;
  std::vector<std::string> messages_;
};

bool has(const std::vector<std::string>& msgs, const std::string& prefix) {
  for (const auto& m : msgs)
    if (m.find(prefix) != std::string::npos) return true;
  return false;
}

// The index of the first message at or after `from` containing `text`, or -1.
int find_from(const std::vector<std::string>& msgs, const std::string& text, int from = 0) {
  for (int i = from; i < static_cast<int>(msgs.size()); ++i)
    if (msgs[static_cast<std::size_t>(i)].find(text) != std::string::npos) return i;
  return -1;
}

}  // namespace

TEST(Service, NotifiesReadyStatusReloadWatchdogAndStopping) {
  TempDir tmp;
  write_config(tmp.path());
  NotifySocket sock(tmp.path() / "notify.sock");
  DaemonProcess d(tmp.path(), {"NOTIFY_SOCKET=" + sock.path().string(), "WATCHDOG_USEC=2000000"});
  d.spawn();

  auto msgs = sock.collect_until(
      [](const auto& m) { return has(m, "READY=1") && has(m, "WATCHDOG=1") && has(m, "STATUS="); });
  ASSERT_TRUE(has(msgs, "READY=1")) << d.log();
  ASSERT_TRUE(has(msgs, "WATCHDOG=1")) << d.log();
  ASSERT_TRUE(has(msgs, "STATUS=")) << d.log();

  d.process().signal(SIGHUP);
  msgs = sock.collect_until([](const auto& m) {
    int r = find_from(m, "RELOADING=1");
    return r >= 0 && find_from(m, "READY=1", r) >= 0;
  });
  int reloading = find_from(msgs, "RELOADING=1");
  ASSERT_GE(reloading, 0) << d.log();
  EXPECT_NE(msgs[static_cast<std::size_t>(reloading)].find("MONOTONIC_USEC="), std::string::npos);
  EXPECT_GT(find_from(msgs, "READY=1", reloading), reloading);

  EXPECT_EQ(d.stop(), 0);
  msgs = sock.collect_until([](const auto& m) { return has(m, "STOPPING=1"); }, 2s);
  int ready = find_from(msgs, "READY=1");
  int stopping = find_from(msgs, "STOPPING=1");
  ASSERT_GE(stopping, 0);
  EXPECT_LT(ready, stopping);
  EXPECT_LT(find_from(msgs, "WATCHDOG=1"), stopping);
}

TEST(Service, MetricsAndHealthOverHttp) {
  TempDir tmp;
  write_config(tmp.path(), "metrics:\n  listen: 127.0.0.1:0\n");
  DaemonProcess d(tmp.path());
  const auto endpoints = d.start();
  ASSERT_TRUE(endpoints) << d.log();
  const std::string address = (*endpoints)["metrics"];
  auto colon = address.rfind(':');
  httplib::Client http(address.substr(0, colon), std::stoi(address.substr(colon + 1)));
  http.set_connection_timeout(5);

  ASSERT_TRUE(wait_until([&] {
    auto r = http.Get("/-/ready");
    return r && r->status == 200;
  })) << d.log();
  auto healthy = http.Get("/-/healthy");
  ASSERT_TRUE(healthy);
  EXPECT_EQ(healthy->status, 200);

  for (const auto& e : fs::directory_iterator(seeds_dir()))
    fs::copy_file(e.path(), tmp.path() / "inbox" / e.path().filename());
  ASSERT_TRUE(wait_until([&] {
    auto r = http.Get("/metrics");
    return r && r->body.find("wirewatch_alerts_total{rule=\"wagner\"} 3") != std::string::npos;
  })) << http.Get("/metrics")->body;
  auto metrics = http.Get("/metrics")->body;
  EXPECT_NE(metrics.find("wirewatch_rules_last_reload_successful 1"), std::string::npos);
  EXPECT_NE(metrics.find("# TYPE wirewatch_alerts_total counter"), std::string::npos);

  write_file(tmp.path() / "rules.yaml", "rules:\n  - id: broken\n    query: (\n");
  d.process().signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] {
    auto r = http.Get("/metrics");
    return r && r->body.find("wirewatch_rules_last_reload_successful 0") != std::string::npos;
  })) << d.log();
  EXPECT_EQ(d.stop(), 0);
}
