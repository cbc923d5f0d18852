#pragma once
// The ZeroMQ PUB socket alerts leave through. Each message has two frames: the
// topic, then the JSON payload. Owned by one thread; ZeroMQ sockets never cross
// threads.

#include <string>
#include <vector>
#include <zmq.hpp>

namespace wirewatch::daemon {

class Publisher {
 public:
  // Binds every endpoint; `tcp://HOST:*` binds an ephemeral port. Throws
  // zmq::error_t with the endpoint in the message on failure.
  explicit Publisher(const std::vector<std::string>& endpoints);

  // The endpoints actually bound (ephemeral ports resolved).
  const std::vector<std::string>& bound_endpoints() const { return bound_; }

  void publish(const std::string& topic, const std::string& payload);

 private:
  zmq::context_t context_{1};
  zmq::socket_t socket_;
  std::vector<std::string> bound_;
};

}  // namespace wirewatch::daemon
