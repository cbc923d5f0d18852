#pragma once
// Optional CURVE encryption of the publish and replay sockets, with an
// allow-list of client public keys checked by a ZAP handler (RFC 27).

#include <filesystem>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <zmq.hpp>

namespace wirewatch::daemon {

struct CurveKeyPair {
  std::string public_z85;  // 40 characters
  std::string secret_z85;  // 40 characters
};

// A fresh key pair (zmq_curve_keypair).
CurveKeyPair generate_curve_keypair();
// Writes `<base>.pub` (public key) and `<base>.key` (secret key, mode 0600).
// Throws std::runtime_error; refuses to overwrite existing files.
void write_curve_keypair(const std::filesystem::path& base, const CurveKeyPair& keys);
// Reads a key file written by write_curve_keypair: one Z85 key, 40 characters.
std::optional<std::string> read_curve_key(const std::filesystem::path& file, std::string* error);
bool is_z85_key(const std::string& key);

struct CurveServerKeys {
  std::string secret_z85;
  std::set<std::string> allowed_clients;  // Z85 public keys
  // Makes `socket` a CURVE server in the "wirewatch" ZAP domain.
  void apply(zmq::socket_t& socket) const;
};

// Answers ZAP requests on inproc://zeromq.zap.01 of `context`: CURVE clients
// whose public key is on the allow-list get 200, every other request 400.
class ZapHandler {
 public:
  ZapHandler(zmq::context_t& context, std::set<std::string> allowed_clients);
  void serve(std::stop_token stop);

 private:
  zmq::socket_t socket_;
  std::set<std::string> allowed_;
};

}  // namespace wirewatch::daemon
