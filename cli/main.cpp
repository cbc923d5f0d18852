// wirewatch — tools for operators: check rules, match records, follow alerts.
#include <CLI/CLI.hpp>
#include <signal.h>

#include <atomic>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <zmq.hpp>

#include "wirewatch/daemon/alert.hpp"
#include "wirewatch/daemon/daemon.hpp"
#include "wirewatch/normalizer/record.hpp"
#include "wirewatch/rules/rule_set.hpp"

namespace fs = std::filesystem;
using namespace wirewatch;
using daemon::kExitConfig;
using daemon::kExitFailure;
using daemon::kExitOk;
using daemon::kExitUsage;

namespace {

std::atomic<bool> g_stop{false};

void on_stop_signal(int) { g_stop = true; }

std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Loads rules and prints their diagnostics to stderr.
rules::LoadResult load_rules_reporting(const std::vector<std::string>& paths, bool as_json) {
  std::vector<fs::path> p(paths.begin(), paths.end());
  auto result = rules::load_rules(p);
  if (as_json) std::cerr << result.diagnostics.to_json() << '\n';
  else std::cerr << result.diagnostics.render();
  return result;
}

int rules_check(const std::vector<std::string>& paths, const std::string& format) {
  auto result = load_rules_reporting(paths, format == "json");
  if (!result.ok()) return kExitConfig;
  if (format != "json") std::cerr << result.rules->size() << " rule(s) OK\n";
  return kExitOk;
}

int match_files(const std::vector<std::string>& rule_paths, const std::vector<std::string>& files) {
  auto loaded = load_rules_reporting(rule_paths, false);
  if (!loaded.ok()) return kExitConfig;
  int status = kExitOk;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::cerr << file << ": error: cannot open file\n";
      status = kExitFailure;
      continue;
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    auto parsed = parse_record(buf.str());
    if (auto* err = std::get_if<RecordError>(&parsed)) {
      std::cerr << file << ": error: " << err->message << '\n';
      status = kExitFailure;
      continue;
    }
    const auto& text = std::get<RecordText>(parsed);
    auto named = id_from_file_name(fs::path(file).filename().string());
    const std::string id = named ? *named : record_id("", text);
    const rules::TextDocument doc(text.title, text.body());
    for (const auto& m : loaded.rules->match(doc)) {
      nlohmann::json line = {{"rule", m.rule_id},
                             {"topic", m.topic},
                             {"file", file},
                             {"record_id", id},
                             {"alert_id", daemon::alert_id(m.rule_id, id)},
                             {"matched", m.matched},
                             {"hits", daemon::hits_json(m)}};
      std::cout << dump(line) << '\n';
    }
  }
  std::cout.flush();
  return status;
}

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
        if (!sub.recv(extra)) break;
        if (!extra.more()) break;
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

int main(int argc, char** argv) {
  CLI::App app{"wirewatch: check and test rules, match records, follow alerts"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "wirewatch " WIREWATCH_VERSION);

  auto* rules_cmd = app.add_subcommand("rules", "work with rule files");
  rules_cmd->require_subcommand(1);
  std::vector<std::string> check_paths;
  std::string check_format = "text";
  auto* check = rules_cmd->add_subcommand("check", "validate rule files; diagnostics on stderr");
  check->add_option("PATH", check_paths, "rule file or directory of *.yaml")->required();
  check->add_option("--format", check_format, "diagnostics format")
      ->check(CLI::IsMember({"text", "json"}));

  std::vector<std::string> match_rules, match_inputs;
  auto* match = app.add_subcommand("match", "match record files; one JSON line per match");
  match->add_option("--rules", match_rules, "rule file or directory (repeatable)")
      ->required()
      ->allow_extra_args(false);
  match->add_option("FILE", match_inputs, "record files")->required();

  std::string tail_endpoint;
  std::vector<std::string> tail_topics;
  auto* tail_cmd = app.add_subcommand("tail", "print alerts published at ENDPOINT, one per line");
  tail_cmd->add_option("ENDPOINT", tail_endpoint, "e.g. tcp://127.0.0.1:5556")->required();
  tail_cmd->add_option("TOPIC", tail_topics, "topic prefixes (default: all alerts)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }

  try {
    if (*check) return rules_check(check_paths, check_format);
    if (*match) return match_files(match_rules, match_inputs);
    if (*tail_cmd) return tail(tail_endpoint, tail_topics);
  } catch (const std::exception& e) {
    std::cerr << "wirewatch: " << e.what() << '\n';
    return kExitFailure;
  }
  return kExitUsage;
}
