#include "wirewatch/daemon/publisher.hpp"

#include <stdexcept>

namespace wirewatch::daemon {

void apply_common_socket_options(zmq::socket_t& socket) {
  // Closing must not wait for slow peers: alerts are stored and can be replayed.
  socket.set(zmq::sockopt::linger, 0);
  // Detect dead subscribers behind NAT or a vanished host.
  socket.set(zmq::sockopt::tcp_keepalive, 1);
  socket.set(zmq::sockopt::tcp_keepalive_idle, 60);
  socket.set(zmq::sockopt::tcp_keepalive_intvl, 10);
  socket.set(zmq::sockopt::tcp_keepalive_cnt, 6);
}

Publisher::Publisher(zmq::context_t& context, const PublisherOptions& options)
    : socket_(context, zmq::socket_type::xpub) {
  apply_common_socket_options(socket_);
  socket_.set(zmq::sockopt::sndhwm, options.sndhwm);
  socket_.set(zmq::sockopt::xpub_nodrop, 1);
  if (options.curve) options.curve->apply(socket_);
  for (const auto& ep : options.endpoints) {
    try {
      socket_.bind(ep);
    } catch (const zmq::error_t& e) {
      throw std::runtime_error("cannot bind " + ep + ": " + e.what());
    }
    bound_.push_back(socket_.get(zmq::sockopt::last_endpoint));
  }
}

void Publisher::publish(const std::string& topic, const std::string& payload) {
  drain_subscriptions();
  if (!socket_.send(zmq::buffer(topic), zmq::send_flags::sndmore | zmq::send_flags::dontwait)) {
    ++drops_;
    socket_.set(zmq::sockopt::xpub_nodrop, 0);
    socket_.send(zmq::buffer(topic), zmq::send_flags::sndmore);
    socket_.send(zmq::buffer(payload), zmq::send_flags::none);
    socket_.set(zmq::sockopt::xpub_nodrop, 1);
    return;
  }
  socket_.send(zmq::buffer(payload), zmq::send_flags::none);
}

void Publisher::drain_subscriptions() {
  zmq::message_t notice;
  while (socket_.recv(notice, zmq::recv_flags::dontwait)) {
  }
}

}  // namespace wirewatch::daemon
