#pragma once
// The ZeroMQ socket alerts leave through. Each message has two frames: the
// topic, then the JSON payload. Owned by one thread; ZeroMQ sockets never cross
// threads.
//
// It is an XPUB socket rather than a PUB so that drops at the high-water mark
// can be counted: with XPUB_NODROP a send to a full subscriber fails with
// EAGAIN instead of vanishing; the publisher then counts the drop and sends the
// message once more with NODROP off, so it still reaches every subscriber that
// keeps up (the slow one recovers it by replay, seeing the gap in `seq`).

#include <cstdint>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "wirewatch/daemon/curve.hpp"

namespace wirewatch::daemon {

struct PublisherOptions {
  std::vector<std::string> endpoints;
  int sndhwm = 10'000;  // messages queued per subscriber before drops
  std::optional<CurveServerKeys> curve;
};

class Publisher {
 public:
  // Binds every endpoint; `tcp://HOST:*` binds an ephemeral port. Throws
  // std::runtime_error naming the endpoint on failure.
  Publisher(zmq::context_t& context, const PublisherOptions& options);

  // The endpoints actually bound (ephemeral ports resolved).
  const std::vector<std::string>& bound_endpoints() const { return bound_; }

  void publish(const std::string& topic, const std::string& payload);
  // Reads subscription notices so they do not pile up; call now and then.
  void drain_subscriptions();

  std::uint64_t drops() const { return drops_; }

 private:
  zmq::socket_t socket_;
  std::vector<std::string> bound_;
  std::uint64_t drops_ = 0;
};

// Socket options shared by every socket wirewatchd binds: no linger, TCP keepalive.
void apply_common_socket_options(zmq::socket_t& socket);

}  // namespace wirewatch::daemon
