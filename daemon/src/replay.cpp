#include "wirewatch/daemon/replay.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "wirewatch/daemon/metrics.hpp"
#include "wirewatch/daemon/publisher.hpp"
#include "wirewatch/daemon/store.hpp"

namespace wirewatch::daemon {
namespace {

constexpr std::size_t kMaxRequestBytes = 64 * 1024;
constexpr std::size_t kChunkRows = 1000;

std::string end_marker(std::uint64_t seq, std::uint64_t scanned, const std::string& error = {}) {
  nlohmann::json j = {{"end", true}, {"seq", seq}, {"scanned", scanned}};
  if (!error.empty()) j["error"] = error;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::variant<ReplayRequest, ReplayRequestError> decode_replay_request(std::string_view frame) {
  if (frame.size() > kMaxRequestBytes) return ReplayRequestError{"request is too large"};
  auto j = nlohmann::json::parse(frame, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return ReplayRequestError{"request is not a JSON object"};
  ReplayRequest req;
  for (const auto& [key, value] : j.items()) {
    if (key == "since") {
      if (!value.is_number_unsigned()) return ReplayRequestError{"`since` must be an integer >= 0"};
      req.since = value.get<std::uint64_t>();
    } else if (key == "topics") {
      if (!value.is_array()) return ReplayRequestError{"`topics` must be an array of strings"};
      for (const auto& t : value) {
        if (!t.is_string()) return ReplayRequestError{"`topics` must be an array of strings"};
        req.topics.push_back(t.get<std::string>());
      }
    } else if (key == "limit") {
      if (!value.is_number_unsigned() || value.get<std::uint64_t>() == 0) {
        return ReplayRequestError{"`limit` must be an integer >= 1"};
      }
      req.limit =
          static_cast<std::size_t>(std::min<std::uint64_t>(value.get<std::uint64_t>(), kReplayMaxLimit));
    } else {
      return ReplayRequestError{"unknown key `" + key + "` (expected since, topics, limit)"};
    }
  }
  if (!j.contains("since")) return ReplayRequestError{"missing `since`"};
  return req;
}

bool topic_selected(std::string_view topic, const std::vector<std::string>& prefixes) {
  if (prefixes.empty()) return true;
  for (const auto& p : prefixes)
    if (topic.starts_with(p)) return true;
  return false;
}

ReplayServer::ReplayServer(zmq::context_t& context, const std::vector<std::string>& endpoints,
                           std::filesystem::path database, const std::optional<CurveServerKeys>& curve)
    : socket_(context, zmq::socket_type::router), database_(std::move(database)) {
  apply_common_socket_options(socket_);
  if (curve) curve->apply(socket_);
  // A client that stops reading must not stall the others: sends to it time
  // out and its answer is abandoned (it asks again from the last seq it saw).
  socket_.set(zmq::sockopt::router_mandatory, 1);
  socket_.set(zmq::sockopt::sndtimeo, 5000);
  for (const auto& ep : endpoints) {
    try {
      socket_.bind(ep);
    } catch (const zmq::error_t& e) {
      throw std::runtime_error("cannot bind replay endpoint " + ep + ": " + e.what());
    }
    bound_.push_back(socket_.get(zmq::sockopt::last_endpoint));
  }
}

void ReplayServer::answer(Store& store, const zmq::message_t& identity, std::string_view request) {
  auto send = [&](std::initializer_list<std::string_view> frames) {
    zmq::message_t id(identity.data(), identity.size());
    if (!socket_.send(id, zmq::send_flags::sndmore)) return false;
    std::size_t i = 0;
    for (auto f : frames) {
      auto flags = ++i < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
      if (!socket_.send(zmq::buffer(f.data(), f.size()), flags)) return false;
    }
    return true;
  };

  auto decoded = decode_replay_request(request);
  if (auto* err = std::get_if<ReplayRequestError>(&decoded)) {
    send({end_marker(0, 0, err->message)});
    return;
  }
  const auto& req = std::get<ReplayRequest>(decoded);
  std::uint64_t last_sent = req.since, scanned = req.since;
  std::size_t sent = 0;
  while (sent < req.limit) {
    auto rows = store.alerts_after(scanned, kChunkRows);
    if (rows.empty()) break;
    for (const auto& a : rows) {
      scanned = a.seq;
      if (!topic_selected(a.topic, req.topics)) continue;
      if (!send({a.topic, a.payload})) return;  // client gone or not reading
      last_sent = a.seq;
      if (++sent == req.limit) break;
    }
  }
  send({end_marker(last_sent, scanned)});
}

void ReplayServer::serve(std::stop_token stop) {
  std::unique_ptr<Store> store;
  try {
    store = std::make_unique<Store>(database_, kReaderCacheKiB);
  } catch (const std::exception& e) {
    spdlog::error("replay: cannot open the state database: {}", e.what());
    return;
  }
  while (!stop.stop_requested()) {
    try {
      zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
      if (zmq::poll(&item, 1, std::chrono::milliseconds(200)) == 0) continue;
      std::vector<zmq::message_t> frames;
      do {
        frames.emplace_back();
        if (!socket_.recv(frames.back(), zmq::recv_flags::dontwait)) break;
      } while (frames.back().more() && frames.size() < 8);
      while (frames.back().more()) {  // drain an oversized message
        zmq::message_t extra;
        if (!socket_.recv(extra, zmq::recv_flags::dontwait)) break;
        frames.back() = std::move(extra);
      }
      if (frames.size() != 2) continue;  // [identity][request] from a DEALER
      if (requests_) requests_->inc();
      answer(*store, frames[0], frames[1].to_string_view());
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      if (e.num() == ETERM) return;
      spdlog::warn("replay: {}", e.what());
    } catch (const std::exception& e) {
      spdlog::error("replay: {}", e.what());
    }
  }
}

}  // namespace wirewatch::daemon
