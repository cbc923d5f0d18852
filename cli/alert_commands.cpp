// wirewatch tail | replay | keygen
#include <signal.h>

#include <atomic>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <zmq.hpp>

#include "commands.hpp"
#include "wirewatch/daemon/curve.hpp"
#include "wirewatch/daemon/daemon.hpp"

namespace wirewatch::cli {
namespace {

using daemon::kExitFailure;
using daemon::kExitOk;
using daemon::kExitUsage;
using namespace std::chrono_literals;

std::atomic<bool> g_stop{false};

void on_stop_signal(int) { g_stop = true; }

void stop_on_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

// Client-side CURVE settings: the server's public key and this client's pair.
struct CurveClient {
  std::string server_key_file, key_base;
  bool enabled() const { return !server_key_file.empty(); }
  void apply(zmq::socket_t& s) const {
    if (!enabled()) return;
    std::string error;
    auto server = daemon::read_curve_key(server_key_file, &error);
    auto pub = daemon::read_curve_key(key_base + ".pub", &error);
    auto sec = daemon::read_curve_key(key_base + ".key", &error);
    if (!server || !pub || !sec) throw std::runtime_error(error);
    s.set(zmq::sockopt::curve_serverkey, *server);
    s.set(zmq::sockopt::curve_publickey, *pub);
    s.set(zmq::sockopt::curve_secretkey, *sec);
  }
};

void add_curve_options(CLI::App* cmd, CurveClient& curve) {
  cmd->add_option("--server-key", curve.server_key_file, "server public key file (CURVE)");
  auto* key = cmd->add_option("--key", curve.key_base, "this client's key pair: BASE.pub and BASE.key");
  key->needs(cmd->get_option("--server-key"));
  cmd->get_option("--server-key")->needs(key);
}

struct Frames {
  std::vector<zmq::message_t> parts;
};

// Receives one whole message, or nothing before the timeout.
std::optional<Frames> receive(zmq::socket_t& s, std::chrono::milliseconds timeout) {
  zmq::pollitem_t item{s.handle(), 0, ZMQ_POLLIN, 0};
  if (zmq::poll(&item, 1, timeout) == 0) return std::nullopt;
  Frames f;
  do {
    f.parts.emplace_back();
    if (!s.recv(f.parts.back(), zmq::recv_flags::dontwait)) return std::nullopt;
  } while (f.parts.back().more());
  return f;
}

// Prints each alert once. `accounted` is the seq up to which every alert is
// either printed or known not to be selected (from a replay's `scanned`);
// seqs printed above it are remembered until it passes them.
class Printer {
 public:
  void alert(std::string_view payload) {
    auto j = nlohmann::json::parse(payload, nullptr, false);
    if (!j.is_discarded() && j.contains("seq") && j["seq"].is_number_unsigned()) {
      auto seq = j["seq"].get<std::uint64_t>();
      if (seq <= accounted_ || !above_.insert(seq).second) return;
      while (above_.count(accounted_ + 1)) above_.erase(++accounted_);
    }
    std::cout << payload << '\n' << std::flush;
  }
  std::uint64_t high() const { return accounted_; }
  void seen_up_to(std::uint64_t seq) {
    accounted_ = std::max(accounted_, seq);
    above_.erase(above_.begin(), above_.upper_bound(accounted_));
    while (above_.count(accounted_ + 1)) above_.erase(++accounted_);
  }
  // A heartbeat from another install (a fresh state database): seqs start over.
  bool instance_changed(const std::string& instance) {
    if (instance_.empty() || instance == instance_) {
      instance_ = instance;
      return false;
    }
    instance_ = instance;
    accounted_ = 0;
    above_.clear();
    return true;
  }

 private:
  std::uint64_t accounted_ = 0;
  std::set<std::uint64_t> above_;
  std::string instance_;
};

// Replays from `since` until the server has nothing more; returns false on timeout.
bool replay_all(zmq::socket_t& dealer, std::uint64_t since, const std::vector<std::string>& topics,
                Printer& printer) {
  for (;;) {
    nlohmann::json req = {{"since", since}};
    if (!topics.empty()) req["topics"] = topics;
    dealer.send(zmq::buffer(req.dump()), zmq::send_flags::none);
    std::size_t got = 0;
    for (;;) {
      auto msg = receive(dealer, 5s);
      if (!msg) {
        std::cerr << "wirewatch: no answer from the replay endpoint\n";
        return false;
      }
      if (msg->parts.size() == 1) {
        auto end = nlohmann::json::parse(msg->parts[0].to_string_view(), nullptr, false);
        if (end.is_discarded() || !end.value("end", false)) continue;
        if (end.contains("error")) {
          std::cerr << "wirewatch: replay refused: " << end["error"].get<std::string>() << '\n';
          return false;
        }
        auto seq = end.value("seq", since);
        auto scanned = std::max(seq, end.value("scanned", seq));
        printer.seen_up_to(scanned);
        if (got == 0) return true;
        since = scanned;
        break;
      }
      if (msg->parts.size() >= 2) {
        printer.alert(msg->parts[1].to_string_view());
        ++got;
      }
    }
  }
}

zmq::socket_t make_dealer(zmq::context_t& ctx, const std::string& endpoint, const CurveClient& curve) {
  zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
  dealer.set(zmq::sockopt::linger, 0);
  curve.apply(dealer);
  dealer.connect(endpoint);
  return dealer;
}

int replay(const std::string& endpoint, std::uint64_t since, const std::vector<std::string>& topics,
           const CurveClient& curve) {
  zmq::context_t ctx(1);
  auto dealer = make_dealer(ctx, endpoint, curve);
  Printer printer;
  return replay_all(dealer, since, topics, printer) ? kExitOk : kExitFailure;
}

int tail(const std::string& endpoint, const std::vector<std::string>& topics,
         const std::string& replay_endpoint, std::uint64_t since, const CurveClient& curve) {
  zmq::context_t ctx(1);
  zmq::socket_t sub(ctx, zmq::socket_type::sub);
  sub.set(zmq::sockopt::linger, 0);
  curve.apply(sub);
  try {
    sub.connect(endpoint);
  } catch (const zmq::error_t& e) {
    std::cerr << "wirewatch tail: cannot connect to " << endpoint << ": " << e.what() << '\n';
    return kExitUsage;
  }
  if (topics.empty()) sub.set(zmq::sockopt::subscribe, "");
  for (const auto& t : topics) sub.set(zmq::sockopt::subscribe, t);
  const bool replaying = !replay_endpoint.empty();
  if (replaying) sub.set(zmq::sockopt::subscribe, "wirewatch.heartbeat");
  stop_on_signals();

  Printer printer;
  printer.seen_up_to(since);
  std::optional<zmq::socket_t> dealer;
  // A replay that got no answer (the daemon restarted mid-request) is retried
  // on a fresh socket at the next heartbeat that shows a seq not yet seen.
  auto catch_up = [&] {
    if (!dealer) dealer = make_dealer(ctx, replay_endpoint, curve);
    if (!replay_all(*dealer, printer.high(), topics, printer)) dealer.reset();
  };
  if (replaying) catch_up();  // subscribed first, so nothing published meanwhile is missed
  while (!g_stop) {
    try {
      auto msg = receive(sub, 200ms);
      if (!msg || msg->parts.size() < 2) continue;
      auto topic = msg->parts[0].to_string_view();
      auto payload = msg->parts[1].to_string_view();
      if (topic == "wirewatch.heartbeat") {
        if (!replaying) {
          if (!topics.empty()) std::cout << payload << '\n' << std::flush;
          continue;
        }
        auto hb = nlohmann::json::parse(payload, nullptr, false);
        if (hb.is_discarded()) continue;
        if (printer.instance_changed(hb.value("instance", ""))) {
          std::cerr << "wirewatch tail: the publisher is a new install; replaying from 0\n";
        }
        if (hb.value("seq", std::uint64_t{0}) > printer.high()) catch_up();
        continue;
      }
      // Without topics: alerts only (heartbeats and records when asked for by name).
      if (topics.empty() && (topic.starts_with("wirewatch.") || topic.starts_with("records."))) {
        continue;
      }
      printer.alert(payload);
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      std::cerr << "wirewatch tail: " << e.what() << '\n';
      return kExitFailure;
    }
  }
  return kExitOk;
}

int keygen(const std::string& base) {
  try {
    daemon::write_curve_keypair(base, daemon::generate_curve_keypair());
  } catch (const std::exception& e) {
    std::cerr << "wirewatch keygen: " << e.what() << '\n';
    return kExitFailure;
  }
  std::cerr << "wrote " << base << ".pub (public) and " << base << ".key (secret, mode 0600)\n";
  return kExitOk;
}

}  // namespace

void add_alert_commands(CLI::App& app, ExitCode& exit) {
  struct Args {
    std::string endpoint, replay_endpoint;
    std::vector<std::string> topics;
    std::uint64_t since = 0;
    CurveClient curve;
  };
  auto tail_args = std::make_shared<Args>();
  auto* tail_cmd = app.add_subcommand("tail", "print alerts published at ENDPOINT, one per line");
  tail_cmd->add_option("ENDPOINT", tail_args->endpoint, "e.g. tcp://127.0.0.1:5556")->required();
  tail_cmd->add_option("TOPIC", tail_args->topics, "topic prefixes (default: all alerts)");
  tail_cmd->add_option("--replay", tail_args->replay_endpoint,
                       "replay endpoint: catch up from --since, and again after any gap");
  tail_cmd->add_option("--since", tail_args->since, "replay alerts after this seq (default 0)")
      ->needs(tail_cmd->get_option("--replay"));
  add_curve_options(tail_cmd, tail_args->curve);
  tail_cmd->callback([&exit, tail_args] {
    exit.value = tail(tail_args->endpoint, tail_args->topics, tail_args->replay_endpoint, tail_args->since,
                      tail_args->curve);
  });

  auto replay_args = std::make_shared<Args>();
  auto* replay_cmd = app.add_subcommand("replay", "print stored alerts after --since from a replay ENDPOINT");
  replay_cmd->add_option("ENDPOINT", replay_args->endpoint, "e.g. tcp://127.0.0.1:5557")->required();
  replay_cmd->add_option("--since", replay_args->since, "alerts with seq above this")->required();
  replay_cmd->add_option("TOPIC", replay_args->topics, "topic prefixes (default: all)");
  add_curve_options(replay_cmd, replay_args->curve);
  replay_cmd->callback([&exit, replay_args] {
    exit.value = replay(replay_args->endpoint, replay_args->since, replay_args->topics, replay_args->curve);
  });

  auto key_base = std::make_shared<std::string>();
  auto* keygen_cmd = app.add_subcommand("keygen", "write a CURVE key pair: BASE.pub and BASE.key");
  keygen_cmd->add_option("BASE", *key_base, "path without extension")->required();
  keygen_cmd->callback([&exit, key_base] { exit.value = keygen(*key_base); });
}

}  // namespace wirewatch::cli
