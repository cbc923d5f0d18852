#include "wirewatch/daemon/metrics_server.hpp"

#include <httplib.h>
#include <sys/socket.h>

#include <charconv>
#include <chrono>
#include <stdexcept>

#include "wirewatch/common/thread.hpp"

namespace wirewatch::daemon {
namespace {

constexpr std::size_t kWorkerThreads = 2;

}  // namespace

std::optional<ListenAddress> parse_listen_address(std::string_view text) {
  ListenAddress a;
  std::string_view port;
  if (text.starts_with('[')) {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return std::nullopt;
    }
    a.host = std::string(text.substr(1, close - 1));
    if (a.host.empty()) return std::nullopt;
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    a.host = std::string(text.substr(0, colon));
    if (a.host.find(':') != std::string::npos) return std::nullopt;  // IPv6 needs brackets
    port = text.substr(colon + 1);
  }
  if (port.empty()) return std::nullopt;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || value > 65535) return std::nullopt;
  a.port = static_cast<std::uint16_t>(value);
  if (a.host.empty()) a.host = "0.0.0.0";
  return a;
}

MetricsServer::MetricsServer(const MetricsRegistry& registry, std::string_view listen)
    : registry_(registry), server_(std::make_unique<httplib::Server>()) {
  auto parsed = parse_listen_address(listen);
  if (!parsed) {
    throw std::runtime_error("metrics.listen: expected HOST:PORT, got \"" + std::string(listen) + "\"");
  }
  address_ = *parsed;

  auto& s = *server_;
  s.new_task_queue = [] { return new httplib::ThreadPool(kWorkerThreads); };
  // Short keep-alive and I/O timeouts: a stuck or idle client never holds a
  // worker (or stop()) for long.
  s.set_keep_alive_timeout(1);
  s.set_read_timeout(5, 0);
  s.set_write_timeout(5, 0);
  s.set_payload_max_length(64 * 1024);
  // httplib's default also sets SO_REUSEPORT, which would let a second
  // wirewatchd share the port silently; SO_REUSEADDR alone only allows a quick
  // restart over connections in TIME_WAIT.
  s.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });

  s.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(registry_.expose(), std::string(MetricsRegistry::kContentType).c_str());
  });
  s.Get("/-/healthy", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("wirewatchd is healthy.\n", "text/plain; charset=utf-8");
  });
  s.Get("/-/ready", [this](const httplib::Request&, httplib::Response& res) {
    if (ready_.load()) {
      res.set_content("wirewatchd is ready.\n", "text/plain; charset=utf-8");
    } else {
      res.status = 503;
      res.set_content("wirewatchd is not ready.\n", "text/plain; charset=utf-8");
    }
  });

  int bound = 0;
  if (address_.port == 0) {
    bound = s.bind_to_any_port(address_.host);
  } else if (s.bind_to_port(address_.host, address_.port)) {
    bound = address_.port;
  }
  if (bound <= 0) {
    throw std::runtime_error("metrics.listen: cannot listen on " + std::string(listen) +
                             " (address in use or not available)");
  }
  port_ = static_cast<std::uint16_t>(bound);

  thread_ = std::thread([this] {
    name_this_thread("ww-metrics");
    server_->listen_after_bind();
    listen_returned_.store(true);
  });
  // stop() is only heard once the accept loop runs; wait for it so that a
  // stop() right after construction cannot be lost.
  while (!server_->is_running() && !listen_returned_.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

MetricsServer::~MetricsServer() { stop(); }

void MetricsServer::stop() {
  if (!thread_.joinable()) return;
  server_->stop();
  thread_.join();
}

std::string MetricsServer::bound_address() const {
  std::string host = address_.host.find(':') != std::string::npos ? "[" + address_.host + "]" : address_.host;
  return host + ":" + std::to_string(port_);
}

}  // namespace wirewatch::daemon
