#pragma once
// The HTTP endpoint at `metrics.listen` (e.g. 127.0.0.1:9464):
//   GET /metrics    the registry in Prometheus text format 0.0.4
//   GET /-/healthy  200 while the process runs
//   GET /-/ready    200 after set_ready(true) (rules loaded, sockets bound), else 503
// Serves on its own threads (cpp-httplib, two workers); construct it after
// the daemon has blocked its signals so they inherit the mask.

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "wirewatch/daemon/metrics.hpp"

namespace httplib {
class Server;
}

namespace wirewatch::daemon {

struct ListenAddress {
  std::string host;        // an IPv4 or IPv6 address (no brackets) or a host name
  std::uint16_t port = 0;  // 0: an ephemeral port
};

// Parses "HOST:PORT", "[IPV6]:PORT" or ":PORT" (all interfaces); nullopt when
// malformed. For the config reader's diagnostics.
std::optional<ListenAddress> parse_listen_address(std::string_view text);

class MetricsServer {
 public:
  // Binds and starts serving; throws std::runtime_error naming the address
  // when it cannot (malformed, in use, unknown host).
  MetricsServer(const MetricsRegistry& registry, std::string_view listen);
  ~MetricsServer();  // stop()
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // The port actually bound (the ephemeral one when the listen port was 0).
  std::uint16_t port() const { return port_; }
  // "HOST:PORT" with the bound port, IPv6 hosts in brackets.
  std::string bound_address() const;

  void set_ready(bool ready) { ready_.store(ready); }
  bool ready() const { return ready_.load(); }

  // Stops accepting and joins the server thread; idempotent.
  void stop();

 private:
  const MetricsRegistry& registry_;
  ListenAddress address_;
  std::uint16_t port_ = 0;
  std::atomic<bool> ready_{false};
  std::atomic<bool> listen_returned_{false};
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace wirewatch::daemon
