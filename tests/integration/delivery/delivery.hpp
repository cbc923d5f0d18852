#pragma once
// Shared pieces of the delivery tests: a daemon on a temporary folder with a
// replay endpoint, and ZeroMQ clients.

#include <netinet/in.h>
#include <sys/socket.h>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "harness.hpp"

namespace wirewatch::testing {

using nlohmann::json;

// A TCP port that was free a moment ago (the daemon must keep its endpoints
// across restarts in the crash test, so ephemeral `*` ports will not do).
inline int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

struct DaemonSetup {
  std::string publish = "tcp://127.0.0.1:*";
  std::string replay = "tcp://127.0.0.1:*";
  std::string extra_publish_keys;  // more YAML lines under publish:
  std::string extra_sources;       // more YAML items under sources: (after the inbox)
  std::string extra_keys;          // more top-level YAML lines
  std::string rules =
      "rules:\n  - id: wagner\n    query: Wagner\n    topic: alerts.wagner\n"
      "  - id: minsk\n    query: Minsk\n    topic: alerts.minsk\n";
};

class ReplayDaemon {
 public:
  ReplayDaemon(const fs::path& dir, const DaemonSetup& setup = {}) : daemon_(dir) {
    fs::create_directories(dir / "inbox");
    write_file(dir / "rules.yaml", setup.rules);
    write_file(dir / "wirewatch.yaml",
               "state_dir: state\nrules: rules.yaml\npublish:\n  endpoint: " + setup.publish +
                   "\n  replay: " + setup.replay + "\n" + setup.extra_publish_keys +
                   "sources:\n  - {id: inbox, type: directory, path: inbox}\n" + setup.extra_sources +
                   setup.extra_keys + "log:\n  level: debug\n");
  }

  bool start() {
    auto endpoints = daemon_.start();
    if (!endpoints) return false;
    publish_ = (*endpoints)["publish"][0];
    replay_ = (*endpoints)["replay"][0];
    return true;
  }
  void kill() { daemon_.kill(); }
  std::optional<int> stop() { return daemon_.stop(30s); }
  std::string log() const { return daemon_.log(); }
  bool log_contains(const std::string& s) const { return daemon_.log_contains(s); }
  const std::string& publish_endpoint() const { return publish_; }
  const std::string& replay_endpoint() const { return replay_; }
  fs::path inbox() const { return dir() / "inbox"; }
  const fs::path& dir() const { return daemon_.dir(); }
  Process& process() { return daemon_.process(); }

 private:
  DaemonProcess daemon_;
  std::string publish_, replay_;
};

// Receives one whole multipart message within the timeout.
inline std::vector<std::string> receive(zmq::socket_t& s, std::chrono::milliseconds timeout) {
  zmq::pollitem_t item{s.handle(), 0, ZMQ_POLLIN, 0};
  if (zmq::poll(&item, 1, timeout) == 0) return {};
  std::vector<std::string> parts;
  zmq::message_t m;
  do {
    if (!s.recv(m)) break;
    parts.push_back(m.to_string());
  } while (m.more());
  return parts;
}

// One replay request; every message until the end marker.
inline std::vector<std::vector<std::string>> replay_request(zmq::context_t& ctx, const std::string& endpoint,
                                                            const std::string& request) {
  zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
  dealer.set(zmq::sockopt::linger, 0);
  dealer.connect(endpoint);
  dealer.send(zmq::buffer(request), zmq::send_flags::none);
  std::vector<std::vector<std::string>> out;
  for (;;) {
    auto msg = receive(dealer, 10s);
    if (msg.empty()) break;
    out.push_back(msg);
    if (msg.size() == 1) break;
  }
  return out;
}

}  // namespace wirewatch::testing
