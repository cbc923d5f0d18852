#include "wirewatch/daemon/curve.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <vector>

namespace wirewatch::daemon {
namespace {

void write_new_file(const std::filesystem::path& path, const std::string& content, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) throw std::runtime_error("cannot create " + path.string() + ": " + std::strerror(errno));
  bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  ok = ::fsync(fd) == 0 && ok;
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

CurveKeyPair generate_curve_keypair() {
  char pub[41], sec[41];
  if (zmq_curve_keypair(pub, sec) != 0) {
    throw std::runtime_error("libzmq cannot make CURVE keys (built without libsodium?)");
  }
  return {pub, sec};
}

void write_curve_keypair(const std::filesystem::path& base, const CurveKeyPair& keys) {
  auto pub = base, sec = base;
  pub += ".pub";
  sec += ".key";
  write_new_file(sec, keys.secret_z85 + "\n", 0600);
  write_new_file(pub, keys.public_z85 + "\n", 0644);
}

bool is_z85_key(const std::string& key) {
  if (key.size() != 40) return false;
  std::vector<std::uint8_t> raw(32);
  return zmq_z85_decode(raw.data(), key.c_str()) != nullptr;
}

std::optional<std::string> read_curve_key(const std::filesystem::path& file, std::string* error) {
  std::ifstream in(file);
  std::string key;
  if (!in || !std::getline(in, key)) {
    if (error) *error = "cannot read " + file.string();
    return std::nullopt;
  }
  while (!key.empty() && (key.back() == '\r' || key.back() == ' ')) key.pop_back();
  if (!is_z85_key(key)) {
    if (error) *error = file.string() + " does not hold a Z85 CURVE key (40 characters)";
    return std::nullopt;
  }
  return key;
}

void CurveServerKeys::apply(zmq::socket_t& socket) const {
  socket.set(zmq::sockopt::zap_domain, "wirewatch");
  socket.set(zmq::sockopt::curve_server, 1);
  socket.set(zmq::sockopt::curve_secretkey, secret_z85);
}

ZapHandler::ZapHandler(zmq::context_t& context, std::set<std::string> allowed_clients)
    : socket_(context, zmq::socket_type::rep), allowed_(std::move(allowed_clients)) {
  socket_.set(zmq::sockopt::linger, 0);
  socket_.bind("inproc://zeromq.zap.01");
}

void ZapHandler::serve(std::stop_token stop) {
  while (!stop.stop_requested()) {
    try {
      zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
      if (zmq::poll(&item, 1, std::chrono::milliseconds(200)) == 0) continue;
      std::vector<zmq::message_t> req;
      do {
        req.emplace_back();
        if (!socket_.recv(req.back())) return;
      } while (req.back().more());
      // version, request id, domain, address, identity, mechanism, credentials...
      std::string status = "400", text = "not allowed";
      std::string client;
      if (req.size() >= 7 && req[5].to_string_view() == "CURVE" && req[6].size() == 32) {
        char z85[41];
        zmq_z85_encode(z85, static_cast<const std::uint8_t*>(req[6].data()), 32);
        client = z85;
        if (allowed_.count(client)) status = "200", text = "OK";
      }
      if (status != "200") {
        spdlog::warn("refused a ZeroMQ client from {} (key {})", req.size() > 3 ? req[3].to_string() : "?",
                     client.empty() ? "none" : client);
      }
      const std::string version = "1.0";
      const std::string request_id = req.size() > 1 ? req[1].to_string() : "";
      socket_.send(zmq::buffer(version), zmq::send_flags::sndmore);
      socket_.send(zmq::buffer(request_id), zmq::send_flags::sndmore);
      socket_.send(zmq::buffer(status), zmq::send_flags::sndmore);
      socket_.send(zmq::buffer(text), zmq::send_flags::sndmore);
      socket_.send(zmq::buffer(client), zmq::send_flags::sndmore);
      socket_.send(zmq::str_buffer(""), zmq::send_flags::none);
    } catch (const zmq::error_t& e) {
      if (e.num() == ETERM) return;
      if (e.num() != EINTR) spdlog::warn("ZAP handler: {}", e.what());
    }
  }
}

}  // namespace wirewatch::daemon
