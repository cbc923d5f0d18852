// wirewatch tail
#include <signal.h>

#include <atomic>
#include <iostream>
#include <zmq.hpp>

#include "commands.hpp"
#include "wirewatch/daemon/daemon.hpp"

namespace wirewatch::cli {
namespace {

using daemon::kExitFailure;
using daemon::kExitOk;
using daemon::kExitUsage;

std::atomic<bool> g_stop{false};

void on_stop_signal(int) { g_stop = true; }

int tail(const std::string& endpoint, const std::vector<std::string>& topics) {
  zmq::context_t ctx(1);
  zmq::socket_t sub(ctx, zmq::socket_type::sub);
  sub.set(zmq::sockopt::linger, 0);
  try {
    sub.connect(endpoint);
  } catch (const zmq::error_t& e) {
    std::cerr << "wirewatch tail: cannot connect to " << endpoint << ": " << e.what() << '\n';
    return kExitUsage;
  }
  if (topics.empty()) sub.set(zmq::sockopt::subscribe, "");
  for (const auto& t : topics) sub.set(zmq::sockopt::subscribe, t);

  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  while (!g_stop) {
    zmq::pollitem_t item{sub.handle(), 0, ZMQ_POLLIN, 0};
    try {
      if (zmq::poll(&item, 1, std::chrono::milliseconds(200)) == 0) continue;
      zmq::message_t topic, payload;
      if (!sub.recv(topic)) continue;
      if (!topic.more()) continue;  // not an alert message
      if (!sub.recv(payload)) continue;
      while (payload.more()) {  // tolerate extra frames from a newer publisher
        zmq::message_t extra;
        if (!sub.recv(extra) || !extra.more()) break;
      }
      // Service topics (heartbeats) only when asked for by name.
      if (topics.empty() && topic.to_string_view().starts_with("wirewatch.")) continue;
      std::cout << payload.to_string_view() << '\n' << std::flush;
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      std::cerr << "wirewatch tail: " << e.what() << '\n';
      return kExitFailure;
    }
  }
  return kExitOk;
}

}  // namespace

void add_alert_commands(CLI::App& app, ExitCode& exit) {
  struct TailArgs {
    std::string endpoint;
    std::vector<std::string> topics;
  };
  auto args = std::make_shared<TailArgs>();
  auto* cmd = app.add_subcommand("tail", "print alerts published at ENDPOINT, one per line");
  cmd->add_option("ENDPOINT", args->endpoint, "e.g. tcp://127.0.0.1:5556")->required();
  cmd->add_option("TOPIC", args->topics, "topic prefixes (default: all alerts)");
  cmd->callback([&exit, args] { exit.value = tail(args->endpoint, args->topics); });
}

}  // namespace wirewatch::cli
