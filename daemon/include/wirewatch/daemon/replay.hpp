#pragma once
// Replay (the Clone pattern of the ZeroMQ guide): a ROUTER socket at
// `publish.replay` answers a DEALER client's one-frame JSON request
//   {"since": N, "topics": ["alerts.belarus"], "limit": 10000}
// with one two-frame message (topic, payload — exactly as published) per stored
// alert with seq > N on those topic prefixes, oldest first, then the one-frame
//   {"end": true, "seq": M, "scanned": S}
// where M is the last seq sent (N when none) and S the last seq examined, so a
// client filtering by topic knows how far it has looked. A client repeats from M
// until it has caught up. A malformed request is answered with
//   {"end": true, "seq": N, "error": "..."}.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <variant>
#include <vector>
#include <zmq.hpp>

#include "wirewatch/daemon/curve.hpp"

namespace wirewatch::daemon {

class Counter;

inline constexpr std::size_t kReplayDefaultLimit = 10'000;
inline constexpr std::size_t kReplayMaxLimit = 100'000;

struct ReplayRequest {
  std::uint64_t since = 0;
  std::vector<std::string> topics;  // prefixes; empty = all
  std::size_t limit = kReplayDefaultLimit;
};

struct ReplayRequestError {
  std::string message;
};

std::variant<ReplayRequest, ReplayRequestError> decode_replay_request(std::string_view frame);

// True when `topic` starts with one of `prefixes` (or there are none).
bool topic_selected(std::string_view topic, const std::vector<std::string>& prefixes);

class ReplayServer {
 public:
  // Binds the ROUTER socket now (so errors surface at start-up); serve() runs on
  // its own thread with its own read connection to the state database.
  ReplayServer(zmq::context_t& context, const std::vector<std::string>& endpoints,
               std::filesystem::path database, const std::optional<CurveServerKeys>& curve);

  const std::vector<std::string>& bound_endpoints() const { return bound_; }
  // Incremented per request answered; set before serve() starts.
  void count_requests_in(Counter* counter) { requests_ = counter; }
  void serve(std::stop_token stop);

 private:
  void answer(class Store& store, const zmq::message_t& identity, std::string_view request);

  zmq::socket_t socket_;
  std::vector<std::string> bound_;
  std::filesystem::path database_;
  Counter* requests_ = nullptr;
};

}  // namespace wirewatch::daemon
