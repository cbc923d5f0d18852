#include "wirewatch/daemon/publisher.hpp"

#include <stdexcept>

namespace wirewatch::daemon {

Publisher::Publisher(const std::vector<std::string>& endpoints)
    : socket_(context_, zmq::socket_type::pub) {
  // Closing must not wait for slow subscribers: alerts are stored and can be
  // published again, so the socket never lingers.
  socket_.set(zmq::sockopt::linger, 0);
  for (const auto& ep : endpoints) {
    try {
      socket_.bind(ep);
    } catch (const zmq::error_t& e) {
      throw std::runtime_error("cannot bind " + ep + ": " + e.what());
    }
    bound_.push_back(socket_.get(zmq::sockopt::last_endpoint));
  }
}

void Publisher::publish(const std::string& topic, const std::string& payload) {
  socket_.send(zmq::buffer(topic), zmq::send_flags::sndmore);
  socket_.send(zmq::buffer(payload), zmq::send_flags::none);
}

}  // namespace wirewatch::daemon
